package hftipc_test

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log"
	"os"
	"path/filepath"
	"time"

	hftipc "github.com/hftipc/hftipc/bindings/go"
)

// exampleDir returns a scratch directory for an example's channel file. Real programs
// usually put channels in /dev/shm.
func exampleDir() string {
	dir, err := os.MkdirTemp("", "hftipc-example")
	if err != nil {
		log.Fatal(err)
	}
	return dir
}

// A producer and a consumer on one channel file. They would normally live in two
// processes; each just opens the same path in its role.
func Example() {
	dir := exampleDir()
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "quotes")

	producer, err := hftipc.Create(path, hftipc.Config{Capacity: 1024, SlotSize: 128}, hftipc.Producer)
	if err != nil {
		log.Fatal(err)
	}
	defer producer.Close()
	consumer, err := hftipc.Open(path, hftipc.Consumer)
	if err != nil {
		log.Fatal(err)
	}
	defer consumer.Close()

	for _, m := range []string{"hello", "world"} {
		if err := producer.Send([]byte(m)); err != nil {
			log.Fatal(err)
		}
	}
	buf := make([]byte, consumer.MaxPayload())
	for {
		n, err := consumer.Receive(buf)
		if err == hftipc.ErrEmpty {
			break
		}
		if err != nil {
			log.Fatal(err)
		}
		fmt.Printf("%s\n", buf[:n])
	}
	// Output:
	// hello
	// world
}

// Blocking variants wait while the ring is full or empty, until ctx is done.
func ExampleChannel_ReceiveContext() {
	dir := exampleDir()
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "ch")
	producer, _ := hftipc.Create(path, hftipc.DefaultConfig(), hftipc.Producer)
	defer producer.Close()
	consumer, _ := hftipc.Open(path, hftipc.Consumer)
	defer consumer.Close()

	go func() {
		time.Sleep(time.Millisecond)
		producer.SendContext(context.Background(), []byte("late"))
	}()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	buf := make([]byte, 64)
	n, err := consumer.ReceiveContext(ctx, buf)
	fmt.Printf("%s %v\n", buf[:n], err)

	ctx, cancel = context.WithTimeout(context.Background(), time.Millisecond)
	defer cancel()
	_, err = consumer.ReceiveContext(ctx, buf)
	fmt.Println(err)
	// Output:
	// late <nil>
	// context deadline exceeded
}

// Zero-copy producing: write the message straight into the slot, then publish it.
func ExampleChannel_TryClaim() {
	dir := exampleDir()
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "ch")
	producer, _ := hftipc.Create(path, hftipc.Config{SlotSize: 64}, hftipc.Producer)
	defer producer.Close()
	consumer, _ := hftipc.Open(path, hftipc.Consumer)
	defer consumer.Close()

	slot, err := producer.TryClaim()
	if err != nil {
		log.Fatal(err) // ErrFull: try again later
	}
	n := copy(slot, "in place") // slot aliases the shared mapping until Commit
	if err := producer.Commit(n); err != nil {
		log.Fatal(err)
	}

	msg, err := consumer.Peek() // msg aliases the mapping until Ack
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("%s (%d of %d bytes)\n", msg, len(msg), len(slot))
	consumer.Ack()
	// Output:
	// in place (8 of 56 bytes)
}

// A claim is a value the caller holds: write the message in place, then commit it, or abort
// it to publish nothing.
func ExampleChannel_Claim() {
	dir := exampleDir()
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "ch")
	producer, _ := hftipc.Create(path, hftipc.Config{SlotSize: 64}, hftipc.Producer)
	defer producer.Close()
	consumer, _ := hftipc.Open(path, hftipc.Consumer)
	defer consumer.Close()

	for _, quote := range []string{"EURUSD 1.0842", "stale", "EURUSD 1.0843"} {
		cl, err := producer.Claim()
		if err != nil {
			log.Fatal(err) // ErrFull: try again later
		}
		n := copy(cl.Bytes(), quote) // Bytes aliases the shared mapping until Commit or Abort
		if quote == "stale" {
			err = cl.Abort() // nothing is published
		} else {
			err = cl.Commit(n)
		}
		if err != nil {
			log.Fatal(err)
		}
	}

	buf := make([]byte, consumer.MaxPayload())
	for {
		n, err := consumer.Receive(buf)
		if err != nil {
			break // ErrEmpty
		}
		fmt.Printf("%s\n", buf[:n])
	}
	// Output:
	// EURUSD 1.0842
	// EURUSD 1.0843
}

// Batches amortise the cost of crossing from Go into C over many messages.
func ExampleChannel_SendBatch() {
	dir := exampleDir()
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "ch")
	producer, _ := hftipc.Create(path, hftipc.Config{Capacity: 4, SlotSize: 32}, hftipc.Producer)
	defer producer.Close()
	consumer, _ := hftipc.Open(path, hftipc.Consumer)
	defer consumer.Close()

	n, err := producer.SendBatch([]byte("onetwothreefourfive"), []uint32{3, 3, 5, 4, 4})
	fmt.Println("sent", n, err) // the fifth does not fit in 4 slots

	buf := make([]byte, 128)
	lens := make([]uint32, 8)
	n, err = consumer.ReceiveBatch(buf, lens)
	off := 0
	for _, l := range lens[:n] {
		fmt.Printf("%s ", buf[off:off+int(l)])
		off += int(l)
	}
	fmt.Println(err)
	// Output:
	// sent 4 <nil>
	// one two three four <nil>
}

// Errors wrap sentinels in a *ChannelError; the file-system ones match io/fs too.
func ExampleChannelError() {
	dir := exampleDir()
	defer os.RemoveAll(dir)
	_, err := hftipc.Open(filepath.Join(dir, "missing"), hftipc.Consumer)
	var ce *hftipc.ChannelError
	if errors.As(err, &ce) {
		fmt.Println(ce.Op, ce.Err, ce.Code)
	}
	fmt.Println(errors.Is(err, hftipc.ErrNotExist), errors.Is(err, fs.ErrNotExist))
	// Output:
	// open no such file or directory -9
	// true true
}

// Inspect decodes a channel file without opening it in a role.
func ExampleInspect() {
	dir := exampleDir()
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "ch")
	p, _ := hftipc.Create(path, hftipc.Config{Capacity: 16, SlotSize: 64}, hftipc.Producer)
	p.Send([]byte("x"))
	p.Close()

	info, err := hftipc.Inspect(path)
	fmt.Println(info.Capacity, info.SlotSize, info.MaxPayload, info.Backlog, info.Producer.Liveness, err)
	// Output:
	// 16 64 56 1 none <nil>
}
