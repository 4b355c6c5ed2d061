package e2e

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	hftipc "github.com/hftipc/hftipc/bindings/go"
)

// Each case moves crashMessages() messages at about 40,000 messages/s (so that the kill falls
// mid-stream), kills one part with SIGKILL once a third has arrived, restarts it, and requires
// every message exactly once and in order at the far end.

const crashRate = 40000

func killMidStream(t *testing.T, p *pipeline, what string, kill, restart func()) {
	t.Helper()
	third := p.counter.n / 3
	waitFor(t, 60*time.Second, "a third of the messages at the far end", func() bool {
		return p.counter.unique.Load() >= third
	})
	t.Logf("kill -9 %s at %d received, %d sent", what, p.counter.unique.Load(), p.sent.Load())
	kill()
	time.Sleep(500 * time.Millisecond)
	restart()
}

// selfCrash waits for a bridge started with HFTIPC_BRIDGE_CRASH_AT to kill itself, waits
// pause, and starts it again (without the crash point).
func selfCrash(t *testing.T, p *pipeline, b *bridgeProc, pause time.Duration) {
	t.Helper()
	waitFor(t, 60*time.Second, b.name+" bridge reaching its crash point", b.p.exited)
	if countLines(b.log, "HFTIPC_BRIDGE_CRASH_AT") != 1 {
		t.Fatalf("%s bridge exited, but not at its crash point:\n%s", b.name, tail(b.log, 20))
	}
	t.Logf("%s bridge killed itself at its crash point, %d received, %d sent", b.name, p.counter.unique.Load(), p.sent.Load())
	time.Sleep(pause)
	b.restart()
}

func duplicatesRemoved(t *testing.T, p *pipeline, name string) uint64 {
	t.Helper()
	st := fetchStatus(p.metrics[name])
	if st == nil || len(st.Workers) != 1 {
		t.Fatalf("no status from the %s bridge", name)
	}
	return st.Workers[0].Duplicates
}

// onOneServer runs a crash case on a fresh single server: crashMessages() messages at
// crashRate, o's extra settings, interrupt to break it mid-stream, then every message must
// arrive once and in order. The caller checks what it exercised, then stops the pipeline.
func onOneServer(t *testing.T, o pipeOpts, interrupt func(p *pipeline)) *pipeline {
	t.Helper()
	dir := t.TempDir()
	srv := startNATS(t, dir)
	o.n, o.rate, o.urls = crashMessages(), crashRate, natsURLs(srv)
	p := startPipeline(t, dir, o)
	interrupt(p)
	p.finish(t, 120*time.Second)
	return p
}

func crashAt(point string) []string {
	return []string{"HFTIPC_BRIDGE_CRASH_AT=" + point + ":" + strconv.FormatUint(crashMessages()/3, 10)}
}

func TestCrashOutBridge(t *testing.T) {
	// A kill from outside, anywhere in the loop.
	t.Run("kill-9", func(t *testing.T) {
		p := onOneServer(t, pipeOpts{}, func(p *pipeline) { killMidStream(t, p, "out bridge", p.out.kill9, p.out.restart) })
		if n := countLines(p.out.log, "out: bridging"); n != 2 {
			t.Errorf("out bridge started %d times, want 2 (killed once)", n)
		}
		p.stop(t)
	})
	// Killed after JetStream acknowledged publishes whose messages were not consumed yet:
	// the restarted bridge publishes them again, and JetStream's duplicate window (2 minutes)
	// drops them (the out bridge counts the duplicate acknowledgements).
	t.Run("acked-not-consumed", func(t *testing.T) {
		p := onOneServer(t, pipeOpts{outEnv: crashAt("out-acked")}, func(p *pipeline) { selfCrash(t, p, p.out, 300*time.Millisecond) })
		if d := duplicatesRemoved(t, p, "out"); d == 0 {
			t.Errorf("the restarted out bridge saw no duplicate acknowledgements: the crash window was not exercised")
		}
		p.stop(t)
	})
	// The same, restarted only after the stream's duplicate window (500 ms) has passed:
	// JetStream stores the messages a second time, and the in bridge drops them by sequence.
	t.Run("beyond-duplicate-window", func(t *testing.T) {
		window := "duplicate_window = \"500ms\"\n"
		p := onOneServer(t, pipeOpts{extraOut: window, extraIn: window, outEnv: crashAt("out-acked")},
			func(p *pipeline) { selfCrash(t, p, p.out, 1500*time.Millisecond) })
		if d := duplicatesRemoved(t, p, "in"); d == 0 {
			t.Errorf("the in bridge removed no duplicates: the stream should hold some twice")
		}
		p.stop(t)
	})
}

func TestCrashInBridge(t *testing.T) {
	t.Run("kill-9", func(t *testing.T) {
		p := onOneServer(t, pipeOpts{}, func(p *pipeline) { killMidStream(t, p, "in bridge", p.in.kill9, p.in.restart) })
		if n := countLines(p.in.log, "in: bridging"); n != 2 {
			t.Errorf("in bridge started %d times, want 2 (killed once)", n)
		}
		p.stop(t)
	})
	// Killed after writing a message into the channel, before acknowledging it: JetStream
	// delivers it again, and the restarted bridge, which knows from the channel's head how
	// far it got, drops it.
	t.Run("written-not-acked", func(t *testing.T) {
		p := onOneServer(t, pipeOpts{inEnv: crashAt("in-written")}, func(p *pipeline) { selfCrash(t, p, p.in, 300*time.Millisecond) })
		if d := duplicatesRemoved(t, p, "in"); d == 0 {
			t.Errorf("the restarted in bridge removed no duplicates: the crash window was not exercised")
		}
		p.stop(t)
	})
}

func TestCrashNATSServer(t *testing.T) {
	dir := t.TempDir()
	srv := startNATS(t, dir)
	p := startPipeline(t, dir, pipeOpts{n: crashMessages(), rate: crashRate, urls: natsURLs(srv)})
	killMidStream(t, p, "nats-server", func() {
		srv.kill9()
		waitFor(t, 10*time.Second, "both bridges reporting the lost connection", func() bool {
			for _, name := range []string{"out", "in"} {
				if st := fetchStatus(p.metrics[name]); st == nil || st.NATS.Connected {
					return false
				}
			}
			return true
		})
	}, srv.restart)
	p.finish(t, 120*time.Second)
	for _, b := range []*bridgeProc{p.out, p.in} {
		if countLines(b.log, "nats: disconnected") == 0 || countLines(b.log, "nats: reconnected") == 0 {
			t.Errorf("%s bridge: no disconnected/reconnected log lines:\n%s", b.name, tail(b.log, 20))
		}
		st := fetchStatus(p.metrics[b.name])
		if st == nil || !st.NATS.Connected || st.NATS.Reconnects < 1 {
			t.Errorf("%s bridge status after the restart: %+v, want connected with reconnects >= 1", b.name, st)
		}
		if v := metricValue(t, "http://"+p.metrics[b.name]+"/metrics", "hftipc_bridge_nats_reconnects_total"); v < 1 {
			t.Errorf("%s bridge: hftipc_bridge_nats_reconnects_total %v, want >= 1", b.name, v)
		}
	}
	p.stop(t)
}

// TestStartsBeforeNATS starts both bridges while nothing listens at the server's address;
// they retry with backoff, and carry everything once the server is up.
func TestStartsBeforeNATS(t *testing.T) {
	dir := t.TempDir()
	port := freePort(t)
	url := fmt.Sprintf("[\"nats://127.0.0.1:%d\"]", port)
	p := startPipeline(t, dir, pipeOpts{n: 20000, rate: 20000, urls: url})
	time.Sleep(2 * time.Second)
	for _, b := range []*bridgeProc{p.out, p.in} {
		if countLines(b.log, "nats: not reachable yet") != 1 || b.p.exited() {
			t.Fatalf("%s bridge while NATS is down:\n%s", b.name, tail(b.log, 10))
		}
	}
	startNATSOn(t, dir, port)
	p.finish(t, 60*time.Second)
	p.stop(t)
}

// TestTakeoverOfStoppedBridge: with takeover_after, a second out bridge takes the channel
// from one that is stopped (SIGSTOP: alive, but its heartbeat no longer moves), as after a
// crash in another pid namespace, and the stream continues without loss or duplicates.
func TestTakeoverOfStoppedBridge(t *testing.T) {
	dir := t.TempDir()
	srv := startNATS(t, dir)
	p := startPipeline(t, dir, pipeOpts{n: 100000, rate: crashRate, urls: natsURLs(srv),
		extraOut: "takeover_after = \"2s\"\n"})
	third := p.counter.n / 3
	waitFor(t, 60*time.Second, "a third of the messages", func() bool { return p.counter.unique.Load() >= third })
	p.out.p.signal(syscall.SIGSTOP)
	cfg, err := os.ReadFile(p.out.config)
	if err != nil {
		t.Fatal(err)
	}
	cfg2 := strings.Replace(string(cfg), p.metrics["out"], fmt.Sprintf("127.0.0.1:%d", freePort(t)), 1)
	out2 := startBridge(t, dir, "out2", cfg2)
	waitFor(t, 30*time.Second, "the second bridge taking the role over", func() bool {
		return countLines(out2.log, "took the role over") == 1
	})
	// The takeover fenced the stopped bridge or, as it was stopped mid-stream and could not
	// be proven idle, ended it (FORMAT.md, "Fencing"): from here the new one is the out bridge.
	old := p.out
	p.out = out2
	p.finish(t, 60*time.Second)
	old.kill9() // if it was only fenced
	p.stop(t)
}

// TestClusterLeaderKilled runs on a three-node cluster with an R3 stream and kills the
// stream's leader mid-stream (it is not restarted: two nodes keep the quorum).
func TestClusterLeaderKilled(t *testing.T) {
	dir := t.TempDir()
	servers := startCluster(t, dir)
	p := startPipeline(t, dir, pipeOpts{n: crashMessages(), rate: crashRate, urls: natsURLs(servers...), replicas: 3})
	_, js := jsClient(t, []string{servers[0].url(), servers[1].url(), servers[2].url()})
	var leader string
	waitFor(t, 30*time.Second, "the stream and its leader", func() bool {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		s, err := js.Stream(ctx, p.stream)
		if err != nil {
			return false
		}
		info, err := s.Info(ctx)
		if err != nil || info.Cluster == nil || info.Cluster.Leader == "" || info.Config.Replicas != 3 {
			return false
		}
		leader = info.Cluster.Leader
		return true
	})
	var victim *natsServer
	for _, s := range servers {
		if s.name == leader {
			victim = s
		}
	}
	if victim == nil {
		t.Fatalf("stream leader %q is none of the servers", leader)
	}
	killMidStream(t, p, "stream leader "+leader, victim.kill9, func() {})
	p.finish(t, 120*time.Second)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	s, err := js.Stream(ctx, p.stream)
	if err != nil {
		t.Fatal(err)
	}
	info, err := s.Info(ctx)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("after the kill: leader %s, stream holds %d messages", info.Cluster.Leader, info.State.Msgs)
	if info.Cluster.Leader == leader {
		t.Errorf("the killed node %s is still the leader", leader)
	}
	p.stop(t)
}

// TestBackPressureSlowConsumer gives the in bridge a 64-slot channel and a consumer that
// sleeps 2 ms every 50 messages: the ring is full most of the time, the in bridge waits
// (state back-pressure) instead of dropping, and every message arrives.
func TestBackPressureSlowConsumer(t *testing.T) {
	dir := t.TempDir()
	srv := startNATS(t, dir)
	const n = 30000
	p := startPipeline(t, dir, pipeOpts{n: n, rate: 0, urls: natsURLs(srv), inCapacity: 64,
		pauseEvery: 50, pause: 2 * time.Millisecond})
	p.finish(t, 180*time.Second)
	if n := countLines(p.in.log, "state: back-pressure"); n == 0 || n > 10 {
		t.Errorf("the in bridge reported back-pressure %d times, want 1 to 10 episodes:\n%s", n, tail(p.in.log, 20))
	}
	info, err := hftipc.Inspect(p.b)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("in channel: %d sends refused because the ring was full", info.FullCount)
	if info.FullCount == 0 {
		t.Errorf("the in channel was never full: the case did not exercise back-pressure")
	}
	p.stop(t)
}

// TestTooLargeMessagesTerminated: the in channel's slots (32 bytes, 24 of payload) are too
// small for part of the source's messages (16 to 40 bytes). Those are terminated in JetStream
// and logged; all others arrive once each, in order, also across a kill -9 of the in bridge
// (the sequence base is moved past every terminated message, so the restart resumes right).
func TestTooLargeMessagesTerminated(t *testing.T) {
	dir := t.TempDir()
	srv := startNATS(t, dir)
	const n = 60000
	p := startPipeline(t, dir, pipeOpts{n: n, rate: 20000, urls: natsURLs(srv), inSlotSize: 32})
	fits := func(seq uint64) bool { return 16+seq%25 <= 24 }
	var want uint64
	for s := uint64(0); s < n; s++ {
		if fits(s) {
			want++
		}
	}
	waitFor(t, 60*time.Second, "a third of the messages that fit", func() bool { return p.counter.unique.Load() >= want/3 })
	p.in.kill9()
	time.Sleep(300 * time.Millisecond)
	p.in.restart()
	for deadline := time.Now().Add(60 * time.Second); p.counter.unique.Load() < want; time.Sleep(50 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for every message that fits: %s\nin bridge log:\n%s", p.counter, tail(p.in.log, 20))
		}
	}
	time.Sleep(1500 * time.Millisecond)
	p.counter.mu.Lock()
	wrong := 0
	for s := uint64(0); s < n; s++ {
		if p.counter.seen[s] != fits(s) {
			wrong++
		}
	}
	p.counter.mu.Unlock()
	logLines := countLines(p.in.log, "terminated, not written")
	terminated := metricValue(t, "http://"+p.metrics["in"]+"/metrics", `hftipc_bridge_terminated_total{name="b"}`)
	t.Logf("%d of %d fit; received %d, duplicated %d, corrupt %d; %d log lines, the restarted bridge terminated %v", want, n,
		p.counter.unique.Load(), p.counter.dups.Load(), p.counter.bad.Load(), logLines, terminated)
	if wrong != 0 || p.counter.dups.Load() != 0 || p.counter.bad.Load() != 0 {
		t.Errorf("%d sequences wrongly present or absent; %s", wrong, p.counter)
	}
	if logLines == 0 || logLines > 20 || terminated == 0 {
		t.Errorf("%d log lines (want 1 to 20: one per 10 s) and %v counted for the terminated messages", logLines, terminated)
	}
	p.stop(t)
}
