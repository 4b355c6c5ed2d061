package e2e

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	hftipc "github.com/hftipc/hftipc/bindings/go"
)

// TestManyChannelsOneProcess runs three out and three in workers in one bridge process, from
// one configuration file, over one NATS connection: three independent streams of 30,000
// messages each, every one of which must arrive once and in order in its own channel.
func TestManyChannelsOneProcess(t *testing.T) {
	dir := t.TempDir()
	shm := shmDir(t)
	srv := startNATS(t, dir)
	const k, n = 3, 30000
	cfg := hftipc.Config{Capacity: 1024, SlotSize: 64}
	var conf strings.Builder
	addr := fmt.Sprintf("127.0.0.1:%d", freePort(t))
	fmt.Fprintf(&conf, "[nats]\nurls = %s\n[metrics]\nlisten = %q\n", natsURLs(srv), addr)
	for i := 0; i < k; i++ {
		fmt.Fprintf(&conf, "[[out]]\nname = \"c%d\"\nchannel = %q\nsubject = \"hftipc.many.c%d\"\nmax_in_flight = 256\n", i, filepath.Join(shm, fmt.Sprintf("src%d", i)), i)
		fmt.Fprintf(&conf, "[[in]]\nname = \"c%d\"\nchannel = %q\nsubject = \"hftipc.many.c%d\"\nstream = \"HFTIPC_C%d\"\ncapacity = 1024\nslot_size = 64\n", i, filepath.Join(shm, fmt.Sprintf("dst%d", i)), i, i)
	}
	br := startBridge(t, dir, "bridge", conf.String())
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	counters := make([]*counter, k)
	prod := make([]<-chan error, k)
	for i := 0; i < k; i++ {
		counters[i] = &counter{n: n, seen: make([]bool, n), last: -1}
		consume(ctx, t, filepath.Join(shm, fmt.Sprintf("dst%d", i)), cfg, counters[i], 0, 0)
		var sent atomic.Uint64
		prod[i] = produce(ctx, filepath.Join(shm, fmt.Sprintf("src%d", i)), cfg, n, 20000, &sent)
	}
	waitFor(t, 120*time.Second, "every stream complete", func() bool {
		for _, c := range counters {
			if c.unique.Load() < n {
				return false
			}
		}
		return true
	})
	time.Sleep(time.Second)
	for i, c := range counters {
		t.Logf("channel %d: %s", i, c)
		if c.lost() != 0 || c.dups.Load() != 0 || c.outOfOrder.Load() != 0 || c.bad.Load() != 0 {
			t.Errorf("channel %d: %s", i, c)
		}
		if err := <-prod[i]; err != nil {
			t.Errorf("producer %d: %v", i, err)
		}
	}
	st := fetchStatus(addr)
	if st == nil || len(st.Workers) != 2*k {
		t.Fatalf("status: %+v, want %d workers", st, 2*k)
	}
	for _, w := range st.Workers {
		if w.Messages != n {
			t.Errorf("worker %s %s: %d messages, want %d", w.Direction, w.Name, w.Messages, n)
		}
	}
	cancel()
	br.p.signal(syscall.SIGTERM)
	if err := br.p.wait(30 * time.Second); err != nil {
		t.Errorf("bridge after SIGTERM: %v\n%s", err, tail(br.log, 20))
	}
}
