package hftipc

import (
	"context"
	"errors"
	"os"
	"testing"
	"time"
)

// Remove retires the channel: the consumer drains what is left, then every slow path says
// ErrStale; a sleeping receiver is woken; the path is gone (docs/FORMAT.md, section 15).
func TestRemoveRetiresTheChannel(t *testing.T) {
	path := tempPath(t)
	p, err := Create(path, Config{Capacity: 4, SlotSize: 64}, Producer)
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	c, err := Open(path, Consumer)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if err := p.Send([]byte("left")); err != nil {
		t.Fatal(err)
	}
	woken := make(chan error, 1)
	go func() {
		s, err := Open(path, Observer)
		if err != nil {
			woken <- err
			return
		}
		defer s.Close()
		buf := make([]byte, 64)
		s.Receive(buf) // the message before the retirement
		_, err = s.ReceiveContext(context.Background(), buf)
		woken <- err
	}()
	time.Sleep(50 * time.Millisecond)
	if err := Remove(path); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(path); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("path after Remove: %v, want it gone", err)
	}
	buf := make([]byte, 64)
	if n, err := c.Receive(buf); err != nil || string(buf[:n]) != "left" {
		t.Fatalf("Receive after Remove: %q, %v; want the message sent before", buf[:n], err)
	}
	if _, err := c.Receive(buf); !errors.Is(err, ErrStale) {
		t.Fatalf("Receive on the drained, retired channel: %v, want ErrStale", err)
	}
	if err := c.Heartbeat(); !errors.Is(err, ErrStale) {
		t.Fatalf("Heartbeat: %v, want ErrStale", err)
	}
	select {
	case err := <-woken:
		if !errors.Is(err, ErrStale) {
			t.Fatalf("a blocked observer got %v, want ErrStale", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("a blocked observer was not woken by Remove")
	}
	if err := Remove(path); !errors.Is(err, ErrNotExist) {
		t.Fatalf("Remove of a removed path: %v, want ErrNotExist", err)
	}
}
