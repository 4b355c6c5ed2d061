package e2e

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	hftipc "github.com/hftipc/hftipc/bindings/go"
	"github.com/hftipc/hftipc/bridge/internal/bridge"
)

// Test messages: seq (8 bytes LE), a mix of seq (8 bytes), then seq%25 bytes derived from seq,
// so a reader can tell every message's sequence and that its bytes are intact.
func mix(x uint64) uint64 {
	x ^= x >> 33
	x *= 0xff51afd7ed558ccd
	x ^= x >> 33
	x *= 0xc4ceb9fe1a85ec53
	x ^= x >> 33
	return x
}

func makeMsg(buf []byte, seq uint64) []byte {
	n := 16 + int(seq%25)
	b := buf[:n]
	binary.LittleEndian.PutUint64(b, seq)
	binary.LittleEndian.PutUint64(b[8:], mix(seq))
	for k := 16; k < n; k++ {
		b[k] = byte(seq*7 + uint64(k))
	}
	return b
}

func checkMsg(b []byte) (uint64, bool) {
	if len(b) < 16 {
		return 0, false
	}
	seq := binary.LittleEndian.Uint64(b)
	if binary.LittleEndian.Uint64(b[8:]) != mix(seq) || len(b) != 16+int(seq%25) {
		return seq, false
	}
	for k := 16; k < len(b); k++ {
		if b[k] != byte(seq*7+uint64(k)) {
			return seq, false
		}
	}
	return seq, true
}

// counter is the receiving end of a scenario: what arrived, counted explicitly.
type counter struct {
	n          uint64
	mu         sync.Mutex
	seen       []bool
	unique     atomic.Uint64
	dups       atomic.Uint64
	bad        atomic.Uint64
	outOfOrder atomic.Uint64
	last       int64
}

func (c *counter) add(b []byte) {
	seq, ok := checkMsg(b)
	if !ok || seq >= c.n {
		c.bad.Add(1)
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.seen[seq] {
		c.dups.Add(1)
		return
	}
	c.seen[seq] = true
	if int64(seq) != c.last+1 {
		c.outOfOrder.Add(1)
	}
	c.last = int64(seq)
	c.unique.Add(1)
}

func (c *counter) lost() uint64 { return c.n - c.unique.Load() }

func (c *counter) String() string {
	return fmt.Sprintf("received %d of %d unique, missing %d, duplicated %d, out of order %d, corrupt %d",
		c.unique.Load(), c.n, c.lost(), c.dups.Load(), c.outOfOrder.Load(), c.bad.Load())
}

// consume reads path as its consumer until ctx ends, pausing pause every pauseEvery messages.
func consume(ctx context.Context, t testing.TB, path string, cfg hftipc.Config, c *counter,
	pauseEvery int, pause time.Duration) <-chan error {
	done := make(chan error, 1)
	go func() {
		ch, err := hftipc.OpenOrCreate(path, cfg, hftipc.Consumer)
		if err != nil {
			done <- err
			return
		}
		defer ch.Close()
		buf := make([]byte, ch.MaxPayload()*64)
		lens := make([]uint32, 64)
		got := 0
		for {
			n, err := ch.ReceiveBatchContext(ctx, buf, lens)
			if err != nil {
				if ctx.Err() != nil {
					done <- nil
				} else {
					done <- err
				}
				return
			}
			off := 0
			for _, l := range lens[:n] {
				c.add(buf[off : off+int(l)])
				off += int(l)
				got++
				if pauseEvery > 0 && got%pauseEvery == 0 {
					time.Sleep(pause)
				}
			}
		}
	}()
	return done
}

// produce writes messages 0..n-1 into path at about rate messages/s (0: as fast as it can).
func produce(ctx context.Context, path string, cfg hftipc.Config, n uint64, rate int, sent *atomic.Uint64) <-chan error {
	done := make(chan error, 1)
	go func() {
		ch, err := hftipc.OpenOrCreate(path, cfg, hftipc.Producer)
		if err != nil {
			done <- err
			return
		}
		defer ch.Close()
		buf := make([]byte, ch.MaxPayload())
		start := time.Now()
		for seq := uint64(0); seq < n; seq++ {
			if err := ch.SendContext(ctx, makeMsg(buf, seq)); err != nil {
				done <- err
				return
			}
			sent.Store(seq + 1)
			if rate > 0 && seq%100 == 99 {
				if ahead := time.Duration(float64(seq+1)/float64(rate)*float64(time.Second)) - time.Since(start); ahead > 0 {
					time.Sleep(ahead)
				}
			}
		}
		done <- nil
	}()
	return done
}

// pipeline is one scenario's setup: producer -> A -> out bridge -> NATS -> in bridge -> B ->
// consumer, with the two bridges in separate processes so that each can be killed alone.
type pipeline struct {
	dir      string
	a, b     string
	cfg      hftipc.Config
	out, in  *bridgeProc
	subject  string
	stream   string
	counter  *counter
	sent     atomic.Uint64
	prodDone <-chan error
	consDone <-chan error
	cancel   context.CancelFunc
	metrics  map[string]string // bridge name -> metrics address
}

type pipeOpts struct {
	n          uint64
	rate       int
	urls       string
	replicas   int
	inCapacity uint32
	inSlotSize uint32 // default 64
	pauseEvery int
	pause      time.Duration
	extraOut   string // added to the [[out]] section
	extraIn    string // added to the [[in]] section
	outEnv     []string
	inEnv      []string
}

func startPipeline(t *testing.T, dir string, o pipeOpts) *pipeline {
	shm := shmDir(t)
	p := &pipeline{dir: dir, a: filepath.Join(shm, "a"), b: filepath.Join(shm, "b"),
		cfg: hftipc.Config{Capacity: 1024, SlotSize: 64}, subject: "hftipc.test.a", stream: "HFTIPC_TEST",
		counter: &counter{n: o.n, seen: make([]bool, o.n), last: -1}}
	if o.replicas == 0 {
		o.replicas = 1
	}
	if o.inCapacity == 0 {
		o.inCapacity = 1024
	}
	if o.inSlotSize == 0 {
		o.inSlotSize = 64
	}
	inCfg := hftipc.Config{Capacity: o.inCapacity, SlotSize: o.inSlotSize}
	p.metrics = map[string]string{"out": fmt.Sprintf("127.0.0.1:%d", freePort(t)), "in": fmt.Sprintf("127.0.0.1:%d", freePort(t))}
	common := fmt.Sprintf("shutdown_timeout = \"20s\"\n[nats]\nurls = %s\nreconnect_min = \"50ms\"\nreconnect_max = \"1s\"\n", o.urls)
	p.out = startBridge(t, dir, "out", common+fmt.Sprintf(`[metrics]
listen = %q
[[out]]
name = "a"
channel = %q
subject = %q
stream = %q
replicas = %d
max_in_flight = 512
ack_timeout = "3s"
%s`, p.metrics["out"], p.a, p.subject, p.stream, o.replicas, o.extraOut), o.outEnv...)
	p.in = startBridge(t, dir, "in", common+fmt.Sprintf(`[metrics]
listen = %q
[[in]]
name = "b"
channel = %q
subject = %q
stream = %q
replicas = %d
capacity = %d
slot_size = %d
ack_wait = "2s"
fetch_batch = 256
max_ack_pending = 2048
%s`, p.metrics["in"], p.b, p.subject, p.stream, o.replicas, o.inCapacity, o.inSlotSize, o.extraIn), o.inEnv...)
	ctx, cancel := context.WithCancel(context.Background())
	p.cancel = cancel
	t.Cleanup(cancel)
	p.consDone = consume(ctx, t, p.b, inCfg, p.counter, o.pauseEvery, o.pause)
	p.prodDone = produce(ctx, p.a, p.cfg, o.n, o.rate, &p.sent)
	return p
}

// finish waits until every message arrived (or d passes), then a grace period for late
// duplicates, and reports the counts; it fails the test on any loss, duplicate, reordering
// or corruption.
func (p *pipeline) finish(t *testing.T, d time.Duration) {
	t.Helper()
	deadline := time.Now().Add(d)
	for p.counter.unique.Load() < p.counter.n && time.Now().Before(deadline) {
		select {
		case err := <-p.consDone:
			t.Fatalf("consumer: %v", err)
		default:
		}
		if p.out.p.exited() || p.in.p.exited() {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	time.Sleep(1500 * time.Millisecond) // anything delivered twice arrives within this
	t.Logf("counts: %s", p.counter)
	for _, name := range []string{"out", "in"} {
		if st := fetchStatus(p.metrics[name]); st != nil {
			for _, w := range st.Workers {
				t.Logf("%s bridge (after its last start): %d messages, %d duplicates removed, %d publishes retried, NATS reconnects %d",
					name, w.Messages, w.Duplicates, w.Retries, st.NATS.Reconnects)
			}
		}
	}
	if p.counter.lost() != 0 || p.counter.dups.Load() != 0 || p.counter.outOfOrder.Load() != 0 || p.counter.bad.Load() != 0 {
		t.Errorf("end to end: %s\nout bridge log:\n%s\nin bridge log:\n%s", p.counter,
			tail(p.out.log, 25), tail(p.in.log, 25))
	}
	select {
	case err := <-p.prodDone:
		if err != nil {
			t.Errorf("producer: %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Errorf("producer did not finish (sent %d)", p.sent.Load())
	}
}

// stop ends the bridges with SIGTERM and checks they exit cleanly.
func (p *pipeline) stop(t *testing.T) {
	t.Helper()
	p.cancel()
	for _, b := range []*bridgeProc{p.out, p.in} {
		b.p.signal(syscall.SIGTERM)
		if err := b.p.wait(30 * time.Second); err != nil {
			t.Errorf("%s bridge: exit after SIGTERM: %v\n%s", b.name, err, tail(b.log, 20))
		}
	}
}

// fetchStatus returns a bridge's /status, or nil.
func fetchStatus(addr string) *bridge.Status {
	c := http.Client{Timeout: 2 * time.Second}
	resp, err := c.Get("http://" + addr + "/status")
	if err != nil {
		return nil
	}
	defer resp.Body.Close()
	var st bridge.Status
	if json.NewDecoder(resp.Body).Decode(&st) != nil {
		return nil
	}
	return &st
}

func crashMessages() uint64 {
	if s := os.Getenv("HFTIPC_BRIDGE_CRASH_MESSAGES"); s != "" {
		if v, err := strconv.ParseUint(s, 10, 64); err == nil && v > 0 {
			return v
		}
	}
	return 200000
}
