package hftipc

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"testing"
	"time"
)

var _ io.Closer = (*Watcher)(nil)

func TestListDirReportsEveryEntry(t *testing.T) {
	dir := t.TempDir()
	p, err := Create(filepath.Join(dir, "a-spsc"), Config{Capacity: 64}, Producer)
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	if err := p.Send([]byte("x")); err != nil {
		t.Fatal(err)
	}
	m, err := Create(filepath.Join(dir, "b-mpsc"), Config{Capacity: 32, Mode: ModeMPSC}, Consumer)
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	tr, err := Create(filepath.Join(dir, "c-trunc"), Config{Capacity: 4}, Observer)
	if err != nil {
		t.Fatal(err)
	}
	tr.Close()
	if err := os.Truncate(filepath.Join(dir, "c-trunc"), 100); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "d-text"), make([]byte, 5000), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("a-spsc", filepath.Join(dir, "e-link")); err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(filepath.Join(dir, "f-dir"), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := mkfifo(filepath.Join(dir, "g-fifo")); err != nil {
		t.Fatal(err)
	}

	entries, err := ListDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	want := []struct {
		name string
		typ  EntryType
		err  error
	}{
		{"a-spsc", EntryFile, nil},
		{"b-mpsc", EntryFile, nil},
		{"c-trunc", EntryFile, ErrTruncated},
		{"d-text", EntryFile, ErrBadMagic},
		{"e-link", EntrySymlink, ErrNotFile},
		{"f-dir", EntryDirectory, ErrNotFile},
		{"g-fifo", EntryOther, ErrNotFile},
	}
	if len(entries) != len(want) {
		t.Fatalf("got %d entries, want %d: %+v", len(entries), len(want), entries)
	}
	for i, w := range want {
		e := entries[i]
		if e.Name != w.name || e.Type != w.typ || !errors.Is(e.Err, w.err) || (w.err == nil) != e.Valid() {
			t.Errorf("entry %d = %s %v %v, want %s %v %v", i, e.Name, e.Type, e.Err, w.name, w.typ, w.err)
		}
		if e.Path != filepath.Join(dir, w.name) {
			t.Errorf("entry %d path %q", i, e.Path)
		}
	}
	a := entries[0].Info
	if a.Mode != ModeSPSC || a.Capacity != 64 || a.Backlog != 1 ||
		a.Producer.PID != uint32(os.Getpid()) || a.Producer.Liveness != PeerAlive {
		t.Errorf("SPSC info %+v", a)
	}
	b := entries[1].Info
	if b.Mode != ModeMPSC || b.Capacity != 32 || b.Consumer.Liveness != PeerAlive {
		t.Errorf("MPSC info %+v", b)
	}
	if entries[2].Size != 100 {
		t.Errorf("truncated size %d", entries[2].Size)
	}

	_, err = ListDir(filepath.Join(dir, "missing"))
	mustErr(t, err, ErrNotExist)
	mustErr(t, err, os.ErrNotExist)
	_, err = ListDir(filepath.Join(dir, "d-text"))
	mustErr(t, err, ErrNotFile)
	var ce *ChannelError
	if !errors.As(err, &ce) || ce.Op != "list" {
		t.Errorf("error %v is not a list *ChannelError", err)
	}
}

// nextFor returns the next event about name, failing after 5 s.
func nextFor(t *testing.T, w *Watcher, name string) Event {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	for {
		ev, err := w.Next(ctx)
		if err != nil {
			t.Fatalf("waiting for an event about %s: %v", name, err)
		}
		if ev.Name == name {
			return ev
		}
	}
}

func testWatcherLifecycle(t *testing.T, cfg WatchConfig) {
	dir := t.TempDir()
	path := filepath.Join(dir, "ch")
	w, err := Watch(dir, cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()

	ch, err := Create(path, Config{Capacity: 8}, Observer)
	if err != nil {
		t.Fatal(err)
	}
	ch.Close()
	if ev := nextFor(t, w, "ch"); ev.Kind != Added || !ev.Valid() || ev.Info.Capacity != 8 {
		t.Fatalf("got %v %+v, want a valid Added", ev.Kind, ev.DirEntry)
	}

	// Another process takes the producer role, then dies without closing.
	holder := startLinePeer(t, "holder", path)
	pid := holder.cmd.Process.Pid
	ev := nextFor(t, w, "ch")
	if ev.Kind != Changed || ev.Info.Producer.PID != uint32(pid) ||
		ev.Info.Producer.Liveness != PeerAlive {
		t.Fatalf("got %v %+v, want Changed with a live producer %d", ev.Kind, ev.Info.Producer, pid)
	}
	holder.in.Close()
	holder.cmd.Wait()
	if ev := nextFor(t, w, "ch"); ev.Kind != Changed || ev.Info.Producer.Liveness != PeerDead {
		t.Fatalf("got %v %+v, want Changed with a dead producer", ev.Kind, ev.Info.Producer)
	}

	if err := os.Remove(path); err != nil {
		t.Fatal(err)
	}
	if ev := nextFor(t, w, "ch"); ev.Kind != Removed || ev.Info.Capacity != 8 {
		t.Fatalf("got %v %+v, want Removed with the last known state", ev.Kind, ev.DirEntry)
	}
}

func TestWatcherReportsCreateDeathAndRemove(t *testing.T) {
	testWatcherLifecycle(t, WatchConfig{Interval: 20 * time.Millisecond})
}

func TestWatcherPollingReportsCreateDeathAndRemove(t *testing.T) {
	testWatcherLifecycle(t, WatchConfig{Interval: 20 * time.Millisecond, Poll: true})
}

func TestWatcherReportsExistingEntriesFirst(t *testing.T) {
	dir := t.TempDir()
	for _, n := range []string{"one", "two"} {
		ch, err := Create(filepath.Join(dir, n), Config{Capacity: 4}, Observer)
		if err != nil {
			t.Fatal(err)
		}
		ch.Close()
	}
	w, err := Watch(dir, WatchConfig{})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	for _, n := range []string{"one", "two"} {
		if ev := nextFor(t, w, n); ev.Kind != Added {
			t.Fatalf("%s: %v", n, ev.Kind)
		}
	}
}

func TestWatcherContextAndClose(t *testing.T) {
	w, err := Watch(t.TempDir(), WatchConfig{})
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now() // before the context: its deadline counts from its creation
	ctx, cancel := context.WithTimeout(context.Background(), 80*time.Millisecond)
	defer cancel()
	if _, err := w.Next(ctx); err != context.DeadlineExceeded {
		t.Fatalf("Next on a quiet directory: %v", err)
	}
	if d := time.Since(start); d < 80*time.Millisecond || d > 2*time.Second {
		t.Fatalf("Next returned after %v", d)
	}

	// Close ends a Next blocked in another goroutine.
	errc := make(chan error, 1)
	go func() {
		_, err := w.Next(context.Background())
		errc <- err
	}()
	time.Sleep(30 * time.Millisecond)
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-errc:
		mustErr(t, err, ErrClosed)
	case <-time.After(2 * time.Second):
		t.Fatal("Close did not end a blocked Next")
	}
	mustErr(t, w.Close(), ErrClosed)
	_, err = w.Next(context.Background())
	mustErr(t, err, ErrClosed)

	_, err = Watch(filepath.Join(t.TempDir(), "missing"), WatchConfig{})
	mustErr(t, err, ErrNotExist)
	_, err = Watch(t.TempDir(), WatchConfig{Interval: time.Microsecond})
	mustErr(t, err, ErrInvalid)
}

func TestOpenWaitReturnsWhenCreated(t *testing.T) {
	path := tempPath(t)
	go func() {
		time.Sleep(150 * time.Millisecond)
		p, err := Create(path, Config{Capacity: 8}, Producer)
		if err != nil {
			t.Error(err)
			return
		}
		p.Send([]byte("hi"))
		p.Close()
	}()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	start := time.Now()
	c, err := OpenWait(ctx, path, Consumer)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if d := time.Since(start); d < 100*time.Millisecond {
		t.Fatalf("returned after %v, before the channel was created", d)
	}
	buf := make([]byte, 8)
	if err := c.Wait(ctx); err != nil {
		t.Fatal(err)
	}
	if n, err := c.Receive(buf); err != nil || string(buf[:n]) != "hi" {
		t.Fatalf("Receive = %q, %v", buf[:n], err)
	}
}

func TestOpenWaitHonoursTheContext(t *testing.T) {
	path := tempPath(t)
	start := time.Now() // before the context: its deadline counts from its creation
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	if _, err := OpenWait(ctx, path, Consumer); err != context.DeadlineExceeded {
		t.Fatalf("deadline: %v", err)
	}
	if d := time.Since(start); d < 100*time.Millisecond || d > 2*time.Second {
		t.Fatalf("deadline returned after %v", d)
	}

	// Cancellation wakes the wait in C at once (no slices, no deadline).
	ctx2, cancel2 := context.WithCancel(context.Background())
	time.AfterFunc(50*time.Millisecond, cancel2)
	start = time.Now()
	if _, err := OpenWait(ctx2, path, Consumer); err != context.Canceled {
		t.Fatalf("cancel: %v", err)
	}
	if d := time.Since(start); d > time.Second {
		t.Fatalf("cancel returned after %v", d)
	}

	// Errors waiting cannot cure come back at once.
	p, err := Create(path, Config{Capacity: 4}, Producer)
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	_, err = OpenWait(context.Background(), path, Producer)
	mustErr(t, err, ErrBusy)
	_, err = OpenWait(context.Background(), path, Role(9))
	mustErr(t, err, ErrInvalid)
}

func ExampleListDir() {
	dir, _ := os.MkdirTemp("", "hftipc-example")
	defer os.RemoveAll(dir)
	ch, _ := Create(filepath.Join(dir, "quotes"), Config{Capacity: 256}, Producer)
	defer ch.Close()
	os.WriteFile(filepath.Join(dir, "notes.txt"), []byte("not a channel"), 0o600)

	entries, _ := ListDir(dir)
	for _, e := range entries {
		if e.Valid() {
			fmt.Printf("%s: %v, capacity %d, producer %v\n", e.Name, e.Info.Mode, e.Info.Capacity,
				e.Info.Producer.Liveness)
		} else {
			fmt.Printf("%s: %v\n", e.Name, e.Err)
		}
	}
	// Output:
	// notes.txt: not a channel file (bad magic)
	// quotes: spsc, capacity 256, producer alive
}

func ExampleWatch() {
	dir, _ := os.MkdirTemp("", "hftipc-example")
	defer os.RemoveAll(dir)
	w, _ := Watch(dir, WatchConfig{})
	defer w.Close()

	// A parser creates its channel at any time; the watcher reports it.
	p, _ := Create(filepath.Join(dir, "parser-1"), Config{Capacity: 64}, Producer)
	defer p.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	ev, _ := w.Next(ctx)
	fmt.Println(ev.Kind, ev.Name, ev.Valid(), ev.Info.Producer.Liveness)

	// A consumer that started first waits for it instead of retrying.
	c, _ := OpenWait(ctx, filepath.Join(dir, "parser-1"), Consumer)
	defer c.Close()
	fmt.Println(c.Role())
	// Output:
	// added parser-1 true alive
	// consumer
}
