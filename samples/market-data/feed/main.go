// Command feed is the market-data sample's publisher: it writes fixed 64-byte binary quotes
// into an hftipc channel at a fixed rate, each stamped with CLOCK_MONOTONIC just before it is
// sent, and ends the stream with an end record that carries the count. The C algorithm
// (samples/market-data/algo) reads them and measures the latency of each.
//
// Pacing is against a schedule (quote i is due at start + i/rate), not against the previous
// send, so a late quote does not push every later one back. With -spin, waiting for the next
// due time spins (time.Now reads the vDSO clock, no system call) and sleeps only when the gap
// is longer than 200 microseconds, so at 100,000 quotes/s the feed never sleeps; without it the
// feed sleeps (a Go sleep is coarser than 10 us, so quotes then leave in small bursts).
//
//	feed -path /dev/shm/md-quotes -rate 100000 -count 500000
package main

import (
	"encoding/binary"
	"errors"
	"flag"
	"fmt"
	"log"
	"math/rand"
	"runtime"
	"time"

	hftipc "github.com/hftipc/hftipc/bindings/go"
)

// The quote record (samples/market-data/README.md has the table; algo.c the same struct).
const (
	recordSize = 64
	slotSize   = recordSize + 8
	version    = 1
	kindQuote  = 1
	kindEnd    = 2
)

var symbols = []string{"AAPL", "MSFT", "GOOG", "AMZN", "NVDA", "ESZ6", "EURUSD", "BTC-USD"}

func main() {
	path := flag.String("path", "", "channel file (opened, or created with -capacity slots)")
	rate := flag.Float64("rate", 100_000, "quotes per second (> 0)")
	count := flag.Int("count", 500_000, "quotes to send")
	capacity := flag.Uint("capacity", 4096, "ring slots when the feed creates the channel (power of two)")
	seed := flag.Int64("seed", 1, "random seed of the price walk")
	spin := flag.Bool("spin", true, "spin towards each quote's due time instead of sleeping")
	flag.Parse()
	log.SetFlags(0)
	log.SetPrefix("feed: ")
	if *path == "" || *rate <= 0 || *count < 0 {
		log.Fatal("usage: feed -path FILE [-rate N] [-count N] [-capacity N] (-rate must be > 0)")
	}
	// One goroutine does everything: keep it on one OS thread, so that a CPU pinning of the
	// process (taskset) is the pinning of the sending thread.
	runtime.LockOSThread()

	ch, err := hftipc.OpenOrCreate(*path,
		hftipc.Config{Capacity: uint32(*capacity), SlotSize: slotSize}, hftipc.Producer)
	if err != nil {
		log.Fatal(err)
	}
	defer ch.Close()
	if ch.MaxPayload() < recordSize {
		log.Fatalf("%s: slots hold %d bytes, a quote needs %d", *path, ch.MaxPayload(), recordSize)
	}

	rng := rand.New(rand.NewSource(*seed))
	mids := []int64{189_12, 415_00, 140_25, 178_50, 495_00, 6012_50, 1_08, 97000_00} // x 1e-2
	var rec [recordSize]byte
	le := binary.LittleEndian
	interval := time.Duration(float64(time.Second) / *rate)
	var fullSpins uint64
	late := time.Duration(0)
	start := time.Now()
	for i := 0; i < *count; i++ {
		due := time.Duration(i) * interval
		for {
			d := due - time.Since(start)
			if d <= 0 {
				if -d > late {
					late = -d
				}
				break
			}
			switch {
			case !*spin:
				time.Sleep(d)
			case d > 200*time.Microsecond:
				time.Sleep(d - 100*time.Microsecond)
			}
		}
		s := rng.Intn(len(symbols))
		mids[s] += int64(rng.Intn(21) - 10)
		if mids[s] < 10 {
			mids[s] = 10
		}
		half := int64(1 + rng.Intn(3))
		le.PutUint16(rec[0:], version)
		le.PutUint16(rec[2:], kindQuote)
		le.PutUint32(rec[4:], uint32(s))
		le.PutUint64(rec[8:], uint64(i))
		le.PutUint64(rec[24:], uint64((mids[s]-half)*1_000_000)) // x 1e8
		le.PutUint64(rec[32:], uint64((mids[s]+half)*1_000_000))
		le.PutUint32(rec[40:], uint32(100*(1+rng.Intn(50))))
		le.PutUint32(rec[44:], uint32(100*(1+rng.Intn(50))))
		copy(rec[48:], symbols[s])
		clear(rec[48+len(symbols[s]):])
		// The stamp is the last thing written: the latency is the transport's, from the
		// moment the quote is ready to go until the algorithm has it.
		le.PutUint64(rec[16:], uint64(hftipc.MonotonicNow()))
		n, err := sendSpin(ch, rec[:])
		if err != nil {
			log.Fatalf("send %d: %v", i, err)
		}
		fullSpins += n
	}
	el := time.Since(start)
	clear(rec[:])
	le.PutUint16(rec[0:], version)
	le.PutUint16(rec[2:], kindEnd)
	le.PutUint64(rec[8:], uint64(*count))
	le.PutUint64(rec[16:], uint64(hftipc.MonotonicNow()))
	if _, err := sendSpin(ch, rec[:]); err != nil {
		log.Fatalf("send end record: %v", err)
	}
	fmt.Printf("feed: sent %d quotes (+1 end record) in %v (%.0f/s offered %.0f/s); latest send %v behind schedule; %d sends found the ring full\n",
		*count, el.Round(time.Millisecond), float64(*count)/el.Seconds(), *rate,
		late.Round(time.Microsecond), fullSpins)
}

// sendSpin sends rec, retrying at once while the ring is full, and returns how many tries found
// it full. The algorithm is behind then; the quote keeps its stamp, so the wait is part of its
// latency.
func sendSpin(ch *hftipc.Channel, rec []byte) (uint64, error) {
	var full uint64
	for {
		err := ch.Send(rec)
		if err == nil || !errors.Is(err, hftipc.ErrFull) {
			return full, err
		}
		full++
	}
}
