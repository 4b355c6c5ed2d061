package hftipc

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"
)

func TestReceiveContextHonoursDeadlineAndCancel(t *testing.T) {
	_, c, _ := pair(t, Config{Capacity: 4, SlotSize: 16})
	buf := make([]byte, 8)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := c.ReceiveContext(ctx, buf)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err = %v", err)
	}
	if d := time.Since(start); d > 500*time.Millisecond {
		t.Fatalf("deadline honoured after %v", d)
	}

	ctx, cancel = context.WithCancel(context.Background())
	go func() { time.Sleep(10 * time.Millisecond); cancel() }()
	start = time.Now()
	_, err = c.ReceiveContext(ctx, buf)
	if !errors.Is(err, context.Canceled) || time.Since(start) > 500*time.Millisecond {
		t.Fatalf("cancel: %v after %v", err, time.Since(start))
	}
	_, err = c.ReceiveBatchContext(ctx, buf, make([]uint32, 1))
	mustErr(t, err, context.Canceled)
}

func TestSendContextHonoursDeadline(t *testing.T) {
	p, _, _ := pair(t, Config{Capacity: 2, SlotSize: 16})
	p.Send(nil)
	p.Send(nil)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Millisecond)
	defer cancel()
	mustErr(t, p.SendContext(ctx, []byte("x")), context.DeadlineExceeded)
	_, err := p.SendBatchContext(ctx, []byte("x"), []uint32{1})
	mustErr(t, err, context.DeadlineExceeded)
	// Other errors come back at once, not after the deadline.
	mustErr(t, p.SendContext(context.Background(), make([]byte, 9)), ErrTooBig)
}

// A blocked producer and consumer in two goroutines move messages through a tiny ring.
func TestBlockingSendReceiveAcrossGoroutines(t *testing.T) {
	p, c, _ := pair(t, Config{Capacity: 4, SlotSize: 16})
	const n = 5000
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var wg sync.WaitGroup
	wg.Add(1)
	var sendErr error
	go func() {
		defer wg.Done()
		var msg [8]byte
		for i := 0; i < n; i++ {
			msg[0], msg[1] = byte(i), byte(i>>8)
			if sendErr = p.SendContext(ctx, msg[:2]); sendErr != nil {
				return
			}
		}
	}()
	buf := make([]byte, 8)
	for i := 0; i < n; i++ {
		m, err := c.ReceiveContext(ctx, buf)
		if err != nil || m != 2 || int(buf[0])|int(buf[1])<<8 != i&0xffff {
			t.Fatalf("message %d: %v %v", i, buf[:m], err)
		}
	}
	wg.Wait()
	if sendErr != nil {
		t.Fatal(sendErr)
	}
}
