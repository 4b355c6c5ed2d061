package hftipc

import (
	"os"
	"path/filepath"
	"sync"
	"testing"
)

// Benchmark geometry, the same for the new channel and the old-ring baseline: 4096 slots of
// 512 bytes (the old ring's fixed slot size), 64-byte messages. Every benchmark's op is one
// message, so ns/op compare directly; BenchmarkOldRing* are the baseline.
const (
	benchCapacity = 4096
	benchSlotSize = 512
	benchMsg      = 64
	benchBatch    = 64
)

// benchDir prefers /dev/shm, where channels live in production.
func benchDir(b *testing.B) string {
	if st, err := os.Stat("/dev/shm"); err == nil && st.IsDir() {
		dir, err := os.MkdirTemp("/dev/shm", "hftipc-gobench")
		if err == nil {
			b.Cleanup(func() { os.RemoveAll(dir) })
			return dir
		}
	}
	return b.TempDir()
}

func benchPair(b *testing.B) (p, c *Channel) {
	path := filepath.Join(benchDir(b), "ch")
	p, err := Create(path, Config{Capacity: benchCapacity, SlotSize: benchSlotSize}, Producer)
	if err != nil {
		b.Fatal(err)
	}
	c, err = Open(path, Consumer)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { p.Close(); c.Close() })
	return p, c
}

func benchOldRing(b *testing.B) *oldRing {
	r, err := openOldRing(filepath.Join(benchDir(b), "old"), benchCapacity)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { r.Close() })
	return r
}

// drain empties the ring outside the timed region.
func drain(b *testing.B, c *Channel) {
	b.StopTimer()
	buf := make([]byte, benchBatch*benchSlotSize)
	lens := make([]uint32, benchBatch)
	for {
		if _, err := c.ReceiveBatch(buf, lens); err != nil {
			break
		}
	}
	b.StartTimer()
}

// fill publishes until the ring is full, outside the timed region.
func fill(b *testing.B, p *Channel, msg []byte) {
	b.StopTimer()
	for p.Send(msg) == nil {
	}
	b.StartTimer()
}

// BenchmarkCgoCrossing is the fixed cost of one Go-to-C call (to a C function that returns a
// constant), with the noescape/nocallback annotations the hot paths use.
func BenchmarkCgoCrossing(b *testing.B) {
	var s uint32
	for i := 0; i < b.N; i++ {
		s += cgoNop()
	}
	_ = s
}

// BenchmarkCgoCrossingPlain is the same call without the annotations.
func BenchmarkCgoCrossingPlain(b *testing.B) {
	var s uint32
	for i := 0; i < b.N; i++ {
		s += cgoNopPlain()
	}
	_ = s
}

func BenchmarkSend64(b *testing.B) {
	p, c := benchPair(b)
	msg := make([]byte, benchMsg)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if p.Send(msg) == ErrFull {
			drain(b, c)
			i--
		}
	}
}

func BenchmarkOldRingSend64(b *testing.B) {
	r := benchOldRing(b)
	msg := make([]byte, benchMsg)
	buf := make([]byte, oldSlotSize)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if r.Send(msg) == errOldFull {
			b.StopTimer()
			for {
				if _, err := r.Receive(buf); err != nil {
					break
				}
			}
			b.StartTimer()
			i--
		}
	}
}

func BenchmarkReceive64(b *testing.B) {
	p, c := benchPair(b)
	msg := make([]byte, benchMsg)
	buf := make([]byte, benchSlotSize)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := c.Receive(buf); err == ErrEmpty {
			fill(b, p, msg)
			i--
		}
	}
}

func BenchmarkOldRingReceive64(b *testing.B) {
	r := benchOldRing(b)
	msg := make([]byte, benchMsg)
	buf := make([]byte, oldSlotSize)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := r.Receive(buf); err == errOldEmpty {
			b.StopTimer()
			for r.Send(msg) == nil {
			}
			b.StartTimer()
			i--
		}
	}
}

// BenchmarkSendBatch64 publishes 64-byte messages 64 per call; ns/op is per message.
func BenchmarkSendBatch64(b *testing.B) {
	p, c := benchPair(b)
	data := make([]byte, benchBatch*benchMsg)
	lens := make([]uint32, benchBatch)
	for i := range lens {
		lens[i] = benchMsg
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; {
		k := min(benchBatch, b.N-i)
		n, err := p.SendBatch(data[:k*benchMsg], lens[:k])
		if err == ErrFull {
			drain(b, c)
		}
		i += n
	}
}

// BenchmarkReceiveBatch64 consumes 64-byte messages up to 64 per call; ns/op is per message.
func BenchmarkReceiveBatch64(b *testing.B) {
	p, c := benchPair(b)
	msg := make([]byte, benchMsg)
	buf := make([]byte, benchBatch*benchMsg)
	lens := make([]uint32, benchBatch)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; {
		n, err := c.ReceiveBatch(buf, lens[:min(benchBatch, b.N-i)])
		if err == ErrEmpty {
			fill(b, p, msg)
		}
		i += n
	}
}

// BenchmarkClaimCommit writes a 64-byte message in place.
func BenchmarkClaimCommit(b *testing.B) {
	p, c := benchPair(b)
	msg := make([]byte, benchMsg)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		slot, err := p.TryClaim()
		if err == ErrFull {
			drain(b, c)
			i--
			continue
		}
		copy(slot, msg)
		p.Commit(benchMsg)
	}
}

// BenchmarkClaimValueCommit writes a 64-byte message in place through a Claim value.
func BenchmarkClaimValueCommit(b *testing.B) {
	p, c := benchPair(b)
	msg := make([]byte, benchMsg)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		cl, err := p.Claim()
		if err == ErrFull {
			drain(b, c)
			i--
			continue
		}
		copy(cl.Bytes(), msg)
		cl.Commit(benchMsg)
	}
}

// BenchmarkPeekAck reads a 64-byte message in place.
func BenchmarkPeekAck(b *testing.B) {
	p, c := benchPair(b)
	msg := make([]byte, benchMsg)
	var sink byte
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		m, err := c.Peek()
		if err == ErrEmpty {
			fill(b, p, msg)
			i--
			continue
		}
		sink += m[len(m)-1]
		c.Ack()
	}
	_ = sink
}

// BenchmarkSendReceive64 sends and receives one message per op in one goroutine.
func BenchmarkSendReceive64(b *testing.B) {
	p, c := benchPair(b)
	msg := make([]byte, benchMsg)
	buf := make([]byte, benchSlotSize)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		p.Send(msg)
		c.Receive(buf)
	}
}

func BenchmarkOldRingSendReceive64(b *testing.B) {
	r := benchOldRing(b)
	msg := make([]byte, benchMsg)
	buf := make([]byte, oldSlotSize)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		r.Send(msg)
		r.Receive(buf)
	}
}

// BenchmarkThroughput64 streams 64-byte messages from a producer goroutine to a consumer
// goroutine (two cores) with single-message Send/Receive, spinning on full/empty.
func BenchmarkThroughput64(b *testing.B) {
	p, c := benchPair(b)
	msg := make([]byte, benchMsg)
	buf := make([]byte, benchSlotSize)
	var wg sync.WaitGroup
	wg.Add(1)
	b.ResetTimer()
	go func() {
		defer wg.Done()
		for i := 0; i < b.N; i++ {
			for p.Send(msg) == ErrFull {
			}
		}
	}()
	for i := 0; i < b.N; i++ {
		for {
			if _, err := c.Receive(buf); err != ErrEmpty {
				break
			}
		}
	}
	wg.Wait()
}

func BenchmarkOldRingThroughput64(b *testing.B) {
	r := benchOldRing(b)
	msg := make([]byte, benchMsg)
	buf := make([]byte, oldSlotSize)
	var wg sync.WaitGroup
	wg.Add(1)
	b.ResetTimer()
	go func() {
		defer wg.Done()
		for i := 0; i < b.N; i++ {
			for r.Send(msg) == errOldFull {
			}
		}
	}()
	for i := 0; i < b.N; i++ {
		for {
			if _, err := r.Receive(buf); err != errOldEmpty {
				break
			}
		}
	}
	wg.Wait()
}

// BenchmarkThroughputBatch64 is BenchmarkThroughput64 on the batch paths (64 per call).
func BenchmarkThroughputBatch64(b *testing.B) {
	p, c := benchPair(b)
	data := make([]byte, benchBatch*benchMsg)
	lens := make([]uint32, benchBatch)
	for i := range lens {
		lens[i] = benchMsg
	}
	buf := make([]byte, benchBatch*benchSlotSize)
	rlens := make([]uint32, benchBatch)
	var wg sync.WaitGroup
	wg.Add(1)
	b.ResetTimer()
	go func() {
		defer wg.Done()
		for i := 0; i < b.N; {
			k := min(benchBatch, b.N-i)
			n, _ := p.SendBatch(data[:k*benchMsg], lens[:k])
			i += n
		}
	}()
	for i := 0; i < b.N; {
		n, _ := c.ReceiveBatch(buf, rlens[:min(benchBatch, b.N-i)])
		i += n
	}
	wg.Wait()
}
