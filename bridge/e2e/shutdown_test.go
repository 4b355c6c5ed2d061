package e2e

import (
	"context"
	"fmt"
	"path/filepath"
	"strconv"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	hftipc "github.com/hftipc/hftipc/bindings/go"
	"github.com/hftipc/hftipc/bridge/internal/bridge"
	"github.com/nats-io/nats.go/jetstream"
)

// TestSIGTERMFinishesInFlight stops an out bridge with SIGTERM while it publishes with up to
// 512 messages in flight. It must exit 0 after every publish it started was acknowledged and
// consumed: the stream then holds exactly the messages the channel's tail passed, the last
// one being tail-1. A restarted bridge carries on, and the stream ends with every message once.
func TestSIGTERMFinishesInFlight(t *testing.T) {
	dir := t.TempDir()
	shm := shmDir(t)
	a := filepath.Join(shm, "a")
	srv := startNATS(t, dir)
	const n = 150000
	cfg := hftipc.Config{Capacity: 1024, SlotSize: 64}
	out := startBridge(t, dir, "out", fmt.Sprintf(`[nats]
urls = %s
[metrics]
listen = "off"
[[out]]
name = "a"
channel = %q
subject = "hftipc.term"
stream = "HFTIPC_TERM"
max_in_flight = 512
`, natsURLs(srv), a))
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var sent atomic.Uint64
	prodDone := produce(ctx, a, cfg, n, 40000, &sent)
	waitFor(t, 60*time.Second, "a third of the messages consumed by the bridge", func() bool {
		info, err := hftipc.Inspect(a)
		return err == nil && info.Tail >= n/3
	})
	out.p.signal(syscall.SIGTERM)
	if err := out.p.wait(30 * time.Second); err != nil {
		t.Fatalf("out bridge after SIGTERM: %v\n%s", err, tail(out.log, 20))
	}
	if countLines(out.log, "every message read was acknowledged") != 1 {
		t.Errorf("no clean stop line:\n%s", tail(out.log, 20))
	}
	info, err := hftipc.Inspect(a)
	if err != nil {
		t.Fatal(err)
	}
	_, js := jsClient(t, []string{srv.url()})
	c, cancelC := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancelC()
	s, err := js.Stream(c, "HFTIPC_TERM")
	if err != nil {
		t.Fatal(err)
	}
	si, err := s.Info(c)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("stopped at channel tail %d (head %d); stream holds %d messages", info.Tail, info.Head, si.State.Msgs)
	if si.State.Msgs != info.Tail || info.Tail == 0 {
		t.Fatalf("stream holds %d messages, channel tail is %d: in-flight publishes were not finished exactly", si.State.Msgs, info.Tail)
	}
	last, err := s.GetLastMsgForSubject(c, "hftipc.term")
	if err != nil {
		t.Fatal(err)
	}
	wantID := bridge.MsgID(bridge.Identity(info), info.Tail-1)
	if got := last.Header.Get(jetstream.MsgIDHeader); got != wantID || last.Header.Get(bridge.HeaderSeq) != strconv.FormatUint(info.Tail-1, 10) {
		t.Errorf("last message id %q, want %q", got, wantID)
	}

	out.restart()
	if err := <-prodDone; err != nil {
		t.Fatalf("producer: %v", err)
	}
	streamMsgs := func() uint64 {
		c, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		si, err := s.Info(c)
		if err != nil {
			return 0
		}
		return si.State.Msgs
	}
	waitFor(t, 60*time.Second, "every message in the stream", func() bool { return streamMsgs() >= n })
	time.Sleep(500 * time.Millisecond)
	si.State.Msgs = streamMsgs()
	if si.State.Msgs != n {
		t.Errorf("stream holds %d messages, want exactly %d", si.State.Msgs, n)
	}
	out.p.signal(syscall.SIGTERM)
	if err := out.p.wait(30 * time.Second); err != nil {
		t.Errorf("out bridge after the second SIGTERM: %v", err)
	}
}
