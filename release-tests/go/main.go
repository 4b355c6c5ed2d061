// Command peer is the Go side of the release proof (release-tests/run.sh). It is built in a
// module outside the repository whose only source of hftipc is the release's GOPROXY directory.
//
//	peer produce PATH N   creates PATH (if needed) and sends "release message I" for I in 1..N
//	peer consume PATH N   creates PATH (if needed), receives N messages and checks each one
//
// Every blocking call has a 60 s limit, so a missing peer fails the proof instead of hanging.
package main

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"time"

	hftipc "github.com/hftipc/hftipc/bindings/go"
)

func main() {
	if len(os.Args) != 4 || (os.Args[1] != "produce" && os.Args[1] != "consume") {
		fmt.Fprintln(os.Stderr, "usage: peer produce|consume PATH N")
		os.Exit(2)
	}
	n, err := strconv.Atoi(os.Args[3])
	if err != nil || n <= 0 {
		fmt.Fprintln(os.Stderr, "peer: N must be a positive integer")
		os.Exit(2)
	}
	if err := run(os.Args[1], os.Args[2], n); err != nil {
		fmt.Fprintln(os.Stderr, "peer:", err)
		os.Exit(1)
	}
}

func run(mode, path string, n int) error {
	role := hftipc.Producer
	if mode == "consume" {
		role = hftipc.Consumer
	}
	ch, err := hftipc.OpenOrCreate(path, hftipc.Config{}, role)
	if err != nil {
		return err
	}
	defer ch.Close()
	buf := make([]byte, ch.MaxPayload())
	for i := 1; i <= n; i++ {
		ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
		want := fmt.Sprintf("release message %d", i)
		if mode == "produce" {
			err = ch.SendContext(ctx, []byte(want))
		} else {
			var got int
			got, err = ch.ReceiveContext(ctx, buf)
			if err == nil && string(buf[:got]) != want {
				err = fmt.Errorf("message %d is %q, want %q", i, buf[:got], want)
			}
		}
		cancel()
		if err != nil {
			return fmt.Errorf("message %d: %w", i, err)
		}
	}
	done := map[string]string{"produce": "sent", "consume": "received and checked"}[mode]
	fmt.Printf("peer: %s %d messages (library %s)\n", done, n, hftipc.Version())
	return nil
}
