package hftipc

/*
#include "hftipc.h"
#include "hftipc_go.h"

// The blocking calls keep no Go pointer and call no Go code: the slices may stay on the
// caller's stack.
#cgo noescape hftipc_go_send_wait
#cgo nocallback hftipc_go_send_wait
#cgo noescape hftipc_go_receive_wait
#cgo nocallback hftipc_go_receive_wait
*/
import "C"

import (
	"context"
	"time"
)

// waitSlice bounds one blocking call into C (hftipc_channel_wait, send_wait, receive_wait)
// made for a cancellable context. The blocking methods wait in C, on the futex the peer wakes,
// for at most this long (or until the context's deadline if that comes first), then check
// ctx.Done() and wait again. So a cancelled context is noticed within about waitSlice, and the
// goroutine's OS thread (which a cgo call occupies) is not parked in C indefinitely. A context
// that is never done (Done() == nil) needs no slices: it waits in one call. A wake-up from the peer ends the slice at once, so the slice
// length costs no latency; it only bounds how late cancellation is seen.
const waitSlice = 50 * time.Millisecond

// minWaitSlice is the shortest slice passed to C: a shorter remaining time before the
// deadline is rounded up to it rather than spinning through zero-length waits.
const minWaitSlice = 100 * time.Microsecond

// errInvalidCode is HFTIPC_EINVAL.
const errInvalidCode = -5

// await blocks until the channel is ready for the handle's role (a message to read for a
// consumer or observer, a free slot for a producer) or ctx is done, in which case it returns
// ctx.Err() unwrapped. Errors of the C wait (ErrFenced, ErrCorrupt) come back as a
// *ChannelError with op. It checks ctx before each slice, so a context that is already done
// returns at once; the callers try their operation first.
func (c *Channel) await(ctx context.Context, op string) error {
	done := ctx.Done()
	for {
		slice, err := nextSlice(ctx, done)
		if err != nil {
			return err
		}
		// No Go pointer crosses: only the C handle. The call sleeps in the kernel; the Go
		// runtime treats it like a system call and runs other goroutines meanwhile.
		rc := C.hftipc_channel_wait(c.ch, C.int64_t(slice))
		switch rc {
		case 0:
			return nil
		case C.HFTIPC_ETIMEDOUT:
			// The slice ended: check ctx and wait again.
		default:
			return c.fail(op, int(rc))
		}
	}
}

// nextSlice returns how long the next wait in C may last: waitSlice, or less when ctx's
// deadline comes first; or ctx.Err() when ctx is done (done is ctx.Done(), possibly nil for a
// context that is never done: then the slice is HFTIPC_WAIT_FOREVER).
func nextSlice(ctx context.Context, done <-chan struct{}) (time.Duration, error) {
	if done == nil {
		return C.HFTIPC_WAIT_FOREVER, nil
	}
	select {
	case <-done:
		return 0, ctx.Err()
	default:
	}
	slice := waitSlice
	if dl, ok := ctx.Deadline(); ok {
		rem := time.Until(dl)
		if rem <= 0 {
			// The deadline has passed; the context's timer closes done momentarily.
			<-done
			return 0, ctx.Err()
		}
		slice = max(min(slice, rem), minWaitSlice)
	}
	return slice, nil
}

// Wait blocks until the channel is ready for the handle's role: a message to read for a
// Consumer or Observer, a free slot for a Producer. It returns nil when ready (at once if
// already ready, even when ctx is done), ctx.Err() unwrapped when ctx ends first, ErrFenced
// (wrapped) when the role was taken over by OpenTakeover, ErrCorrupt on a damaged ring.
//
// It waits in the C core (spin, yield, then a futex in the file that the peer wakes after it
// publishes or consumes), in slices of at most 50ms between checks of ctx, so cancellation is
// noticed within about 50ms. Waiting also refreshes the holder's heartbeat. Readiness is a
// hint for the single goroutine using the handle: the next Send or Receive succeeds unless
// something else used the handle in between.
func (c *Channel) Wait(ctx context.Context) error {
	if c == nil || c.ch == nil {
		return c.closedErr("wait")
	}
	if ctx == nil {
		return c.fail("wait", errInvalidCode) // a nil Context is misuse; report it, do not panic
	}
	switch rc := C.hftipc_channel_wait(c.ch, 0); rc {
	case 0:
		return nil
	case C.HFTIPC_ETIMEDOUT:
	default:
		return c.fail("wait", int(rc))
	}
	return c.await(ctx, "wait")
}

// SendContext sends msg, waiting while the ring is full until the consumer frees a slot or
// ctx is done, in which case it returns ctx.Err() (context.Canceled or
// context.DeadlineExceeded, unwrapped). Errors other than ErrFull are returned at once
// (ErrFenced, wrapped, if the role was taken over while waiting). A ready ring never waits and
// never consults ctx; while full it waits in C, see Wait.
//
// It is one cgo call when the ring has room: hftipc_channel_send_wait (waiting without limit)
// for a context that is never done (context.Background), the non-blocking send otherwise. A
// cancellable context waits in send_wait slices of at most 50ms, checking ctx between them.
func (c *Channel) SendContext(ctx context.Context, msg []byte) error {
	if ctx == nil {
		return c.fail("send", errInvalidCode) // a nil Context is misuse; report it, do not panic
	}
	if c == nil || c.ch == nil {
		return c.closedErr("send")
	}
	p, n := bytePtr(msg), C.size_t(len(msg))
	done := ctx.Done()
	var rc C.int
	if done == nil {
		rc = C.hftipc_go_send_wait(c.handle(), p, n, C.HFTIPC_WAIT_FOREVER)
	} else {
		// Try first without reading a clock; wait only when full.
		for rc = C.hftipc_go_send(c.handle(), p, n); rc == C.HFTIPC_EFULL || rc == C.HFTIPC_ETIMEDOUT; {
			slice, err := nextSlice(ctx, done)
			if err != nil {
				return err
			}
			rc = C.hftipc_go_send_wait(c.handle(), p, n, C.int64_t(slice))
		}
	}
	if rc == 0 {
		return nil
	}
	return c.fail("send", int(rc))
}

// ReceiveContext receives the next message into buf, waiting while the ring is empty until
// a message arrives or ctx is done, in which case it returns ctx.Err() unwrapped. Errors
// other than ErrEmpty are returned at once. A ready ring never waits and never consults ctx;
// while empty it waits in C, see Wait. Like SendContext, it is one cgo call when a message is
// there (hftipc_channel_receive_wait for a context that is never done).
func (c *Channel) ReceiveContext(ctx context.Context, buf []byte) (int, error) {
	if ctx == nil {
		return 0, c.fail("receive", errInvalidCode) // a nil Context is misuse; report it, do not panic
	}
	if c == nil || c.ch == nil {
		return 0, c.closedErr("receive")
	}
	p, n := bytePtr(buf), C.size_t(len(buf))
	done := ctx.Done()
	var rc C.int64_t
	if done == nil {
		rc = C.hftipc_go_receive_wait(c.handle(), p, n, C.HFTIPC_WAIT_FOREVER)
	} else {
		for rc = C.hftipc_go_receive(c.handle(), p, n); rc == C.HFTIPC_EEMPTY || rc == C.HFTIPC_ETIMEDOUT; {
			slice, err := nextSlice(ctx, done)
			if err != nil {
				return 0, err
			}
			rc = C.hftipc_go_receive_wait(c.handle(), p, n, C.int64_t(slice))
		}
	}
	if rc >= 0 {
		return int(rc), nil
	}
	return 0, c.fail("receive", int(rc))
}

// SendBatchContext is SendBatch that waits while the ring is full, like SendContext. It
// returns once at least one message was published.
func (c *Channel) SendBatchContext(ctx context.Context, data []byte, lens []uint32) (int, error) {
	if ctx == nil {
		return 0, c.fail("send_batch", errInvalidCode) // a nil Context is misuse; report it, do not panic
	}
	for {
		n, err := c.SendBatch(data, lens)
		if err != ErrFull {
			return n, err
		}
		if err := c.await(ctx, "send_batch"); err != nil {
			return 0, err
		}
	}
}

// ReceiveBatchContext is ReceiveBatch that waits while the ring is empty, like
// ReceiveContext. It returns once at least one message was received.
func (c *Channel) ReceiveBatchContext(ctx context.Context, buf []byte, lens []uint32) (int, error) {
	if ctx == nil {
		return 0, c.fail("receive_batch", errInvalidCode) // a nil Context is misuse; report it, do not panic
	}
	for {
		n, err := c.ReceiveBatch(buf, lens)
		if err != ErrEmpty {
			return n, err
		}
		if err := c.await(ctx, "receive_batch"); err != nil {
			return 0, err
		}
	}
}

// Heartbeat records a sign of life in the role's holder record (CLOCK_MONOTONIC). Blocking
// waits do this by themselves; a Producer or Consumer that stays idle for longer than the
// staleness limit other processes pass to OpenTakeover, without waiting, should call it
// periodically so its role is not taken. ErrRole (wrapped) for an Observer, ErrFenced
// (wrapped) if the role was already taken over. It does not allocate.
func (c *Channel) Heartbeat() error {
	if c == nil || c.ch == nil {
		return c.closedErr("heartbeat")
	}
	if rc := C.hftipc_channel_heartbeat(c.ch); rc != 0 {
		return c.fail("heartbeat", int(rc))
	}
	return nil
}
