package hftipc

import (
	"context"
	"testing"
)

// The hot paths, including their full and empty returns, must not allocate: slices go to C
// without escaping (#cgo noescape), and ErrFull/ErrEmpty are pre-allocated sentinels.
func TestHotPathsDoNotAllocate(t *testing.T) {
	p, c, _ := pair(t, Config{Capacity: 64, SlotSize: 72})
	msg := make([]byte, 64)
	buf := make([]byte, 64*16)
	lens := make([]uint32, 16)
	for i := range lens {
		lens[i] = 64
	}
	ctx := context.Background()
	cctx, cancel := context.WithCancel(ctx) // a Done channel: the try-then-wait path
	defer cancel()
	const runs = 200
	cases := []struct {
		name string
		fn   func()
	}{
		{"Send+Receive", func() { p.Send(msg); c.Receive(buf) }},
		{"Send full", func() {
			for p.Send(msg) == nil {
			}
		}},
		{"Receive empty", func() {
			for {
				if _, err := c.Receive(buf); err != nil {
					break
				}
			}
		}},
		{"SendBatch+ReceiveBatch", func() { p.SendBatch(buf, lens); c.ReceiveBatch(buf, lens) }},
		{"SendBatch full", func() {
			for {
				if _, err := p.SendBatch(buf, lens); err != nil {
					break
				}
			}
		}},
		{"ReceiveBatch empty", func() {
			for {
				if _, err := c.ReceiveBatch(buf, lens); err != nil {
					break
				}
			}
		}},
		{"TryClaim+Commit+Peek+Ack", func() {
			b, _ := p.TryClaim()
			b[0] = 1
			p.Commit(8)
			m, _ := c.Peek()
			_ = m[0]
			c.Ack()
		}},
		{"TryClaim full, Peek/Ack empty", func() {
			for p.Send(msg) == nil {
			}
			p.TryClaim()
			for c.Ack() == nil {
			}
			c.Peek()
			c.Ack()
		}},
		// The blocking variants try the operation first: a ready ring never reaches the wait.
		{"SendContext+ReceiveContext ready", func() {
			p.SendContext(ctx, msg)
			c.ReceiveContext(ctx, buf)
		}},
		{"SendContext+ReceiveContext ready, cancellable context", func() {
			p.SendContext(cctx, msg)
			c.ReceiveContext(cctx, buf)
		}},
		// Buffers on the caller's stack stay there: the C calls are annotated noescape (a
		// missing annotation makes them escape, one allocation each).
		{"stack buffers", func() {
			var m [64]byte
			var b [64]byte
			p.Send(m[:])
			c.Receive(b[:])
			p.SendContext(ctx, m[:])
			c.ReceiveContext(ctx, b[:])
			p.SendContext(cctx, m[:])
			c.ReceiveContext(cctx, b[:])
		}},
		{"Wait ready, Heartbeat", func() {
			p.Wait(ctx)
			p.Heartbeat()
		}},
	}
	for _, tc := range cases {
		if a := testing.AllocsPerRun(runs, tc.fn); a != 0 {
			t.Errorf("%s: %v allocations per run", tc.name, a)
		}
	}
}
