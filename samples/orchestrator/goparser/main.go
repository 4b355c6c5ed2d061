// Command goparser is one parser of the orchestrator sample: it creates its own channel in
// the shared directory, whenever it starts, and publishes its parsed records there. It never
// talks to the orchestrator otherwise: the orchestrator finds the channel by watching the
// directory.
//
//	goparser -dir DIR [-name NAME] [-records N] [-rate R]
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"time"

	hftipc "github.com/hftipc/hftipc/bindings/go"
	"github.com/hftipc/hftipc/samples/orchestrator"
)

func main() {
	dir := flag.String("dir", "", "the directory the orchestrator watches (required)")
	name := flag.String("name", "", "channel name in the directory (default go-PID)")
	records := flag.Uint64("records", 10000, "data records to send before the end record")
	rate := flag.Int("rate", 0, "records per second (0: as fast as the orchestrator reads)")
	flag.Parse()
	if *dir == "" {
		fmt.Fprintln(os.Stderr, "goparser: -dir is required")
		os.Exit(2)
	}
	if *name == "" {
		*name = "go-" + strconv.Itoa(os.Getpid())
	}
	path := filepath.Join(*dir, *name)
	// The parser is the producer; the orchestrator, when it finds the file, the consumer.
	ch, err := hftipc.Create(path, hftipc.Config{Capacity: 1024, SlotSize: 128}, hftipc.Producer)
	if err != nil {
		fmt.Fprintln(os.Stderr, "goparser:", err)
		os.Exit(1)
	}
	defer ch.Close()
	fmt.Printf("goparser %s: created %s, sending %d records\n", *name, path, *records)

	ctx := context.Background()
	buf := make([]byte, ch.MaxPayload())
	start := time.Now()
	for seq := uint64(0); seq < *records; seq++ {
		n := orchestrator.PutHeader(buf, orchestrator.KindData, seq)
		n += copy(buf[n:], fmt.Sprintf("%s parsed record %d", *name, seq))
		if *rate > 0 {
			// Paced against the start time, not a ticker: a late wake-up sends a short burst
			// to catch up, so the average rate holds on a loaded machine.
			due := start.Add(time.Duration(seq) * time.Second / time.Duration(*rate))
			if d := time.Until(due); d > 0 {
				time.Sleep(d)
			}
		}
		// Waits (in the core's futex wait) while the ring is full, for example before the
		// orchestrator has found this channel.
		if err := ch.SendContext(ctx, buf[:n]); err != nil {
			fmt.Fprintln(os.Stderr, "goparser:", err)
			os.Exit(1)
		}
	}
	n := orchestrator.PutHeader(buf, orchestrator.KindEnd, *records)
	if err := ch.SendContext(ctx, buf[:n]); err != nil {
		fmt.Fprintln(os.Stderr, "goparser:", err)
		os.Exit(1)
	}
	fmt.Printf("goparser %s: sent %d records and the end record\n", *name, *records)
}
