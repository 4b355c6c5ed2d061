package hftipc

import (
	"context"
	"runtime"
	"time"
)

// Backoff schedule of the blocking methods. The C core has no blocking wait yet, so a
// blocked sender or receiver polls: a few immediate retries (the peer is usually mid-batch),
// then yields to other goroutines, then sleeps. Go's timers are coarse when the process is
// otherwise idle: time.Sleep(1µs) takes ~50µs, and any sleep of 10µs or more takes ~1ms
// (the poller waits in whole milliseconds). So the sleep phase first repeats the shortest
// sleep for a while (~50µs latency after the peer moves, little CPU), then doubles up to
// maxSleep, which bounds the CPU an idle waiter burns and how late it notices the peer or a
// cancelled context (about 1ms).
const (
	spinAttempts       = 64
	yieldAttempts      = 64
	shortSleepAttempts = 64
	minSleep           = 1 * time.Microsecond
	maxSleep           = 200 * time.Microsecond
)

// errInvalidCode is HFTIPC_EINVAL.
const errInvalidCode = -5

// wait blocks the caller for the attempt-th time (0-based) after the ring was full or empty,
// and returns ctx's error if ctx is done. It is the whole wait strategy: when the core grows
// a futex-based wait, this is the function that calls it.
func wait(ctx context.Context, attempt int) error {
	switch {
	case attempt < spinAttempts:
		// Retry at once: cheap, and the peer publishes in batches.
	case attempt < spinAttempts+yieldAttempts:
		runtime.Gosched()
	case attempt < spinAttempts+yieldAttempts+shortSleepAttempts:
		time.Sleep(minSleep)
	default:
		k := min(attempt-spinAttempts-yieldAttempts-shortSleepAttempts, 16)
		time.Sleep(min(minSleep<<k, maxSleep))
	}
	if done := ctx.Done(); done != nil {
		select {
		case <-done:
			return ctx.Err()
		default:
		}
	}
	return nil
}

// SendContext sends msg, waiting while the ring is full until the consumer frees a slot or
// ctx is done, in which case it returns ctx.Err(). Errors other than ErrFull are returned
// at once. While waiting it polls with a bounded backoff (see wait: ~50µs to ~1ms between
// attempts, so cancellation is noticed within about a millisecond).
func (c *Channel) SendContext(ctx context.Context, msg []byte) error {
	if ctx == nil {
		return c.fail("send", errInvalidCode) // a nil Context is misuse; report it, do not panic
	}
	for attempt := 0; ; attempt++ {
		err := c.Send(msg)
		if err != ErrFull {
			return err
		}
		if err := wait(ctx, attempt); err != nil {
			return err
		}
	}
}

// ReceiveContext receives the next message into buf, waiting while the ring is empty until
// a message arrives or ctx is done, in which case it returns ctx.Err(). Errors other than
// ErrEmpty are returned at once.
func (c *Channel) ReceiveContext(ctx context.Context, buf []byte) (int, error) {
	if ctx == nil {
		return 0, c.fail("receive", errInvalidCode) // a nil Context is misuse; report it, do not panic
	}
	for attempt := 0; ; attempt++ {
		n, err := c.Receive(buf)
		if err != ErrEmpty {
			return n, err
		}
		if err := wait(ctx, attempt); err != nil {
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
	for attempt := 0; ; attempt++ {
		n, err := c.SendBatch(data, lens)
		if err != ErrFull {
			return n, err
		}
		if err := wait(ctx, attempt); err != nil {
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
	for attempt := 0; ; attempt++ {
		n, err := c.ReceiveBatch(buf, lens)
		if err != ErrEmpty {
			return n, err
		}
		if err := wait(ctx, attempt); err != nil {
			return 0, err
		}
	}
}
