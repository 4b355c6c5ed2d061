// Command consumer reads the quote records the gateway example publishes (layout in package
// quote and bindings/go/README.md) and prints a summary: counts per symbol, sequence gaps,
// spreads and the delay from each quote's timestamp to its arrival.
//
// It stops at the gateway's end-of-stream record, after -count quotes, or after -idle
// without a message.
//
//	consumer -path /dev/shm/quotes
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log"
	"os"
	"os/signal"
	"slices"
	"sort"
	"time"

	hftipc "github.com/hftipc/hftipc/bindings/go"
	"github.com/hftipc/hftipc/bindings/go/examples/internal/quote"
)

type symStats struct {
	count     int
	spreadSum int64
	minBid    int64
	maxAsk    int64
	last      quote.Quote
}

func main() {
	path := flag.String("path", "/dev/shm/hftipc-quotes", "channel file (created if missing)")
	count := flag.Int("count", 0, "stop after this many quotes; 0 = at the end-of-stream record")
	idle := flag.Duration("idle", 10*time.Second, "stop after this long without a message")
	capacity := flag.Uint("capacity", 4096, "ring slots when creating the channel (power of two)")
	flag.Parse()
	log.SetFlags(0)
	log.SetPrefix("consumer: ")

	ch, err := hftipc.OpenOrCreate(*path,
		hftipc.Config{Capacity: uint32(*capacity), SlotSize: quote.SlotSize}, hftipc.Consumer)
	if err != nil {
		log.Fatal(err)
	}
	defer ch.Close()

	sigctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()

	const batch = 256
	buf := make([]byte, batch*ch.MaxPayload())
	lens := make([]uint32, batch)
	syms := map[string]*symStats{}
	var (
		q                 quote.Quote
		n, gaps, bad      int
		nextSeq           uint64
		delays            []time.Duration
		first, lastArrive time.Time
		ended             bool
	)
loop:
	for *count == 0 || n < *count {
		ctx, cancel := context.WithTimeout(sigctx, *idle)
		k, err := ch.ReceiveBatchContext(ctx, buf, lens)
		cancel()
		if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled) {
			break
		}
		if err != nil {
			log.Fatal(err)
		}
		now := time.Now()
		if first.IsZero() {
			first = now
		}
		lastArrive = now
		off := 0
		for _, l := range lens[:k] {
			rec := buf[off : off+int(l)]
			off += int(l)
			if err := quote.Decode(rec, &q); err != nil {
				bad++
				continue
			}
			if q.Seq != nextSeq {
				gaps++
			}
			nextSeq = q.Seq + 1
			if q.Kind == quote.KindEnd {
				ended = true
				break loop // records after it belong to a later run
			}
			if q.Kind != quote.KindQuote {
				continue
			}
			n++
			s := syms[q.Symbol]
			if s == nil {
				s = &symStats{minBid: q.BidE8, maxAsk: q.AskE8}
				syms[q.Symbol] = s
			}
			s.count++
			s.spreadSum += q.AskE8 - q.BidE8
			s.minBid = min(s.minBid, q.BidE8)
			s.maxAsk = max(s.maxAsk, q.AskE8)
			s.last = q
			if len(delays) < 1_000_000 {
				delays = append(delays, now.Sub(time.Unix(0, q.TsNs)))
			}
		}
	}

	el := lastArrive.Sub(first)
	fmt.Printf("consumer: %d quotes from %s in %v (%.0f/s); end record: %v; sequence gaps: %d; bad records: %d\n",
		n, *path, el.Round(time.Millisecond), float64(n)/max(el.Seconds(), 1e-9), ended, gaps, bad)
	names := make([]string, 0, len(syms))
	for s := range syms {
		names = append(names, s)
	}
	sort.Strings(names)
	fmt.Printf("%-8s %9s %12s %12s %12s %12s\n", "symbol", "quotes", "min bid", "max ask", "last mid", "avg spread")
	for _, name := range names {
		s := syms[name]
		fmt.Printf("%-8s %9d %12s %12s %12s %12s\n", name, s.count, quote.FormatPrice(s.minBid),
			quote.FormatPrice(s.maxAsk), quote.FormatPrice((s.last.BidE8+s.last.AskE8)/2),
			quote.FormatPrice(s.spreadSum/int64(s.count)))
	}
	if len(delays) > 0 {
		slices.Sort(delays)
		pct := func(p float64) time.Duration { return delays[int(p*float64(len(delays)-1))] }
		fmt.Printf("timestamp-to-arrival delay: p50 %v  p99 %v  max %v (includes queueing behind a full ring)\n",
			pct(0.50), pct(0.99), delays[len(delays)-1])
	}
	if gaps != 0 || bad != 0 {
		os.Exit(1)
	}
}
