package hftipc

/*
#include "hftipc.h"
*/
import "C"

import (
	"context"
	"time"
)

// waitSlice bounds one blocking call into C (hftipc_channel_wait). The blocking methods wait
// in C, on the futex the peer wakes, for at most this long (or until the context's deadline if
// that comes first), then check ctx.Done() and wait again. So a cancelled context is noticed
// within about waitSlice, and the goroutine's OS thread (which a cgo call occupies) is never
// parked in C indefinitely. A wake-up from the peer ends the slice at once, so the slice
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
		if done != nil {
			select {
			case <-done:
				return ctx.Err()
			default:
			}
		}
		slice := waitSlice
		if dl, ok := ctx.Deadline(); ok {
			rem := time.Until(dl)
			if rem <= 0 && done != nil {
				// The deadline has passed; the context's timer closes done momentarily.
				<-done
				return ctx.Err()
			}
			slice = max(min(slice, rem), minWaitSlice)
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
// (ErrFenced, wrapped, if the role was taken over while waiting). It tries the send first,
// so a ready ring never waits and never consults ctx; while full it waits in C, see Wait.
func (c *Channel) SendContext(ctx context.Context, msg []byte) error {
	if ctx == nil {
		return c.fail("send", errInvalidCode) // a nil Context is misuse; report it, do not panic
	}
	for {
		err := c.Send(msg)
		if err != ErrFull {
			return err
		}
		if err := c.await(ctx, "send"); err != nil {
			return err
		}
	}
}

// ReceiveContext receives the next message into buf, waiting while the ring is empty until
// a message arrives or ctx is done, in which case it returns ctx.Err() unwrapped. Errors
// other than ErrEmpty are returned at once. It tries the receive first; while empty it
// waits in C, see Wait.
func (c *Channel) ReceiveContext(ctx context.Context, buf []byte) (int, error) {
	if ctx == nil {
		return 0, c.fail("receive", errInvalidCode) // a nil Context is misuse; report it, do not panic
	}
	for {
		n, err := c.Receive(buf)
		if err != ErrEmpty {
			return n, err
		}
		if err := c.await(ctx, "receive"); err != nil {
			return 0, err
		}
	}
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
