// Command gateway turns a stream of JSON quotes into fixed 64-byte binary records (layout in
// package quote and bindings/go/README.md) and publishes them into an hftipc channel.
//
// Quotes are generated (a random walk over a few symbols, rendered as JSON and parsed back,
// as a feed handler would) unless -in names a file of JSON lines ("-" for stdin). After the
// last quote it sends one end-of-stream record, so a consumer knows when to stop.
//
// With -spin (the demo's fixed-rate latency run) the gateway spins towards each quote's due
// time instead of sleeping (sleeping only for gaps over 200us; a Go sleep is far coarser than
// the 10us between quotes at 100,000/s) and retries a full ring without waiting in the kernel.
// With -stamp-at-send the timestamp is taken after the JSON work, just before the send, so the
// first hop's latency is the transport's; by default it is taken before the JSON is rendered.
//
//	gateway -path /dev/shm/quotes -count 1000000 -rate 0
package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"math/rand"
	"os"
	"os/signal"
	"strconv"
	"time"

	hftipc "github.com/hftipc/hftipc/bindings/go"
	"github.com/hftipc/hftipc/bindings/go/examples/internal/quote"
)

func main() {
	path := flag.String("path", "/dev/shm/hftipc-quotes", "channel file (created if missing)")
	count := flag.Int("count", 100_000, "quotes to generate (ignored with -in)")
	rate := flag.Float64("rate", 0, "quotes per second; 0 = as fast as the consumer takes them")
	capacity := flag.Uint("capacity", 4096, "ring slots when creating the channel (power of two)")
	in := flag.String("in", "", `read JSON quotes, one per line, from this file ("-" = stdin) instead of generating`)
	seed := flag.Int64("seed", 1, "random seed of the generator")
	spin := flag.Bool("spin", false, "pace by spinning, not sleeping, and retry a full ring at once (for latency runs)")
	stampAtSend := flag.Bool("stamp-at-send", false, "timestamp each quote just before its send, after the JSON work")
	flag.Parse()
	log.SetFlags(0)
	log.SetPrefix("gateway: ")

	ch, err := hftipc.OpenOrCreate(*path,
		hftipc.Config{Capacity: uint32(*capacity), SlotSize: quote.SlotSize}, hftipc.Producer)
	if err != nil {
		log.Fatal(err)
	}
	defer ch.Close()
	if ch.MaxPayload() < quote.RecordSize {
		log.Fatalf("%s: slots hold %d bytes, a record needs %d", *path, ch.MaxPayload(), quote.RecordSize)
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()

	var next func(line []byte) ([]byte, error)
	if *in != "" {
		r := io.Reader(os.Stdin)
		if *in != "-" {
			f, err := os.Open(*in)
			if err != nil {
				log.Fatal(err)
			}
			defer f.Close()
			r = f
		}
		sc := bufio.NewScanner(r)
		next = func([]byte) ([]byte, error) {
			if !sc.Scan() {
				if sc.Err() != nil {
					return nil, sc.Err()
				}
				return nil, io.EOF
			}
			return sc.Bytes(), nil
		}
	} else {
		g := newGenerator(*seed)
		left := *count
		next = func(buf []byte) ([]byte, error) {
			if left == 0 {
				return nil, io.EOF
			}
			left--
			return g.appendJSON(buf[:0], time.Now().UnixNano()), nil
		}
	}

	start := time.Now()
	var interval time.Duration
	if *rate > 0 {
		interval = time.Duration(float64(time.Second) / *rate)
	}
	var (
		rec   [quote.RecordSize]byte
		q     quote.Quote
		seq   uint64
		bad   int
		jsonb = make([]byte, 0, 256)
	)
	for {
		line, err := next(jsonb)
		if err == io.EOF {
			break
		}
		if err != nil {
			log.Fatal(err)
		}
		if err := quote.ParseJSON(line, &q); err != nil {
			bad++
			continue
		}
		q.Seq = seq
		if interval > 0 { // pace against the schedule, not the previous send
			due := time.Duration(seq) * interval
			for {
				d := due - time.Since(start)
				if d <= 0 {
					break
				}
				if !*spin || d > 200*time.Microsecond {
					time.Sleep(d - min(d, spinMargin(*spin)))
				}
			}
		}
		if *stampAtSend {
			q.TsNs = time.Now().UnixNano()
		}
		quote.Encode(rec[:], &q)
		if *spin {
			for tries := 1; ; tries++ {
				err := ch.Send(rec[:])
				if err == nil {
					break
				}
				if !errors.Is(err, hftipc.ErrFull) {
					log.Fatalf("send %d: %v", seq, err)
				}
				if tries%4096 == 0 && ctx.Err() != nil { // interrupted while the ring is full
					log.Fatalf("send %d: %v", seq, ctx.Err())
				}
			}
		} else if err := ch.SendContext(ctx, rec[:]); err != nil {
			log.Fatalf("send %d: %v", seq, err)
		}
		seq++
	}
	end := quote.Quote{Kind: quote.KindEnd, Seq: seq, TsNs: time.Now().UnixNano()}
	quote.Encode(rec[:], &end)
	if err := ch.SendContext(ctx, rec[:]); err != nil && !errors.Is(err, context.Canceled) {
		log.Fatal(err)
	}
	el := time.Since(start)
	st, _ := ch.Stats()
	fmt.Printf("gateway: sent %d quotes (+1 end record) to %s in %v (%.0f/s); %d bad lines; full waits %d\n",
		seq, *path, el.Round(time.Millisecond), float64(seq)/el.Seconds(), bad, st.FullCount)
}

// spinMargin is how much of a wait is left to spin after sleeping: 100us when spinning, so
// that the sleep's lateness does not delay the quote; nothing otherwise.
func spinMargin(spin bool) time.Duration {
	if spin {
		return 100 * time.Microsecond
	}
	return 0
}

// generator produces a random walk of quotes for a few symbols, rendered as JSON text.
type generator struct {
	rng  *rand.Rand
	syms []string
	mids []int64 // mid price in 1e-4 units
}

func newGenerator(seed int64) *generator {
	return &generator{
		rng:  rand.New(rand.NewSource(seed)),
		syms: []string{"AAPL", "MSFT", "GOOG", "AMZN", "NVDA", "ESZ6", "EURUSD", "BTC-USD"},
		mids: []int64{1891200, 4150000, 1402500, 1785000, 4950000, 60125000, 10850, 970000000},
	}
}

func (g *generator) appendJSON(b []byte, ts int64) []byte {
	i := g.rng.Intn(len(g.syms))
	g.mids[i] += int64(g.rng.Intn(21) - 10)
	if g.mids[i] < 100 {
		g.mids[i] = 100
	}
	half := int64(1 + g.rng.Intn(5))
	b = append(b, `{"symbol":"`...)
	b = append(b, g.syms[i]...)
	b = append(b, `","bid":`...)
	b = appendPrice4(b, g.mids[i]-half)
	b = append(b, `,"ask":`...)
	b = appendPrice4(b, g.mids[i]+half)
	b = append(b, `,"bid_size":`...)
	b = strconv.AppendInt(b, int64(100*(1+g.rng.Intn(50))), 10)
	b = append(b, `,"ask_size":`...)
	b = strconv.AppendInt(b, int64(100*(1+g.rng.Intn(50))), 10)
	b = append(b, `,"ts":`...)
	b = strconv.AppendInt(b, ts, 10)
	return append(b, '}')
}

// appendPrice4 renders v x 1e-4 as a JSON number, e.g. 1891200 -> 189.1200.
func appendPrice4(b []byte, v int64) []byte {
	b = strconv.AppendInt(b, v/10000, 10)
	b = append(b, '.')
	f := v % 10000
	for d := int64(1000); d > 0; d /= 10 {
		b = append(b, byte('0'+f/d%10))
	}
	return b
}
