package e2e

import (
	"context"
	"encoding/binary"
	"fmt"
	"path/filepath"
	"slices"
	"testing"
	"time"

	hftipc "github.com/hftipc/hftipc/bindings/go"
)

// Benchmarks of the bridged path next to the local channel, in the same run (bridge/bench.sh
// runs them and prints the table for docs/BENCHMARKS.md). b.N is the number of messages:
// run with -benchtime=Nx. Messages are 32 bytes (sequence, send time, padding), channels
// 4096 slots of 64 bytes; the producer and the consumer are goroutines of this process, so
// one clock stamps and measures every message.
//
//	Throughput: the producer sends as fast as the path takes them; latency then includes
//	            the queueing in the rings and the stream.
//	Paced10k:   10,000 messages/s, well under capacity; latency is the path's own.

var benchCfg = hftipc.Config{Capacity: 4096, SlotSize: 64}

// benchPath sets up the path and returns the file to write and the file to read.
type benchPath func(b *testing.B) (send, recv string)

func localPath(b *testing.B) (string, string) {
	p := filepath.Join(shmDir(b), "local")
	return p, p
}

func bridgedPath(b *testing.B) (string, string) {
	dir := b.TempDir()
	shm := shmDir(b)
	a, bb := filepath.Join(shm, "a"), filepath.Join(shm, "b")
	for _, p := range []string{a, bb} {
		ch, err := hftipc.Create(p, benchCfg, hftipc.Observer)
		if err != nil {
			b.Fatal(err)
		}
		ch.Close()
	}
	srv := startNATS(b, dir)
	addr := fmt.Sprintf("127.0.0.1:%d", freePort(b))
	startBridge(b, dir, "bridge", roundTripConfig(natsURLs(srv), addr, "bench", a, bb))
	waitFor(b, 30*time.Second, "both workers running", func() bool {
		st := fetchStatus(addr)
		if st == nil || len(st.Workers) != 2 {
			return false
		}
		for _, w := range st.Workers {
			if w.State != "running" {
				return false
			}
		}
		return true
	})
	return a, bb
}

func runBench(b *testing.B, path benchPath, rate int) {
	send, recv := path(b)
	n := b.N
	lat := make([]int64, 0, n)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	rx, err := hftipc.OpenOrCreate(recv, benchCfg, hftipc.Consumer)
	if err != nil {
		b.Fatal(err)
	}
	defer rx.Close()
	tx, err := hftipc.OpenOrCreate(send, benchCfg, hftipc.Producer)
	if err != nil {
		b.Fatal(err)
	}
	defer tx.Close()
	done := make(chan error, 1)
	b.ResetTimer()
	start := time.Now()
	go func() {
		buf := make([]byte, 64*rx.MaxPayload())
		lens := make([]uint32, 64)
		next := uint64(0)
		for len(lat) < n {
			k, err := rx.ReceiveBatchContext(ctx, buf, lens)
			if err != nil {
				done <- err
				return
			}
			now := time.Now().UnixNano()
			off := 0
			for _, l := range lens[:k] {
				m := buf[off : off+int(l)]
				off += int(l)
				if seq := binary.LittleEndian.Uint64(m); seq != next {
					done <- fmt.Errorf("message %d arrived as %d", next, seq)
					return
				}
				next++
				lat = append(lat, now-int64(binary.LittleEndian.Uint64(m[8:])))
			}
		}
		done <- nil
	}()
	msg := make([]byte, 32)
	for i := 0; i < n; i++ {
		if rate > 0 {
			if d := time.Duration(float64(i)/float64(rate)*float64(time.Second)) - time.Since(start); d > 0 {
				time.Sleep(d)
			}
		}
		binary.LittleEndian.PutUint64(msg, uint64(i))
		binary.LittleEndian.PutUint64(msg[8:], uint64(time.Now().UnixNano()))
		if err := tx.SendContext(ctx, msg); err != nil {
			b.Fatal(err)
		}
	}
	if err := <-done; err != nil {
		b.Fatal(err)
	}
	elapsed := time.Since(start)
	b.StopTimer()
	slices.Sort(lat)
	pct := func(p float64) float64 { return float64(lat[int(p*float64(len(lat)-1))]) / 1e3 }
	b.ReportMetric(float64(n)/elapsed.Seconds(), "msgs/s")
	b.ReportMetric(pct(0.50), "p50-µs")
	b.ReportMetric(pct(0.99), "p99-µs")
	b.ReportMetric(0, "ns/op")
}

func BenchmarkLocalThroughput(b *testing.B)   { runBench(b, localPath, 0) }
func BenchmarkBridgedThroughput(b *testing.B) { runBench(b, bridgedPath, 0) }
func BenchmarkLocalPaced10k(b *testing.B)     { runBench(b, localPath, 10000) }
func BenchmarkBridgedPaced10k(b *testing.B)   { runBench(b, bridgedPath, 10000) }
