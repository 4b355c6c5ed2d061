// Command orchestrator is the dynamic half of the orchestrator sample: it watches a
// directory with hftipc.Watch, becomes the consumer of every parser channel that appears in
// it, and polls them all from one loop, without locks and without a restart when parsers
// come and go. It prints each parser's count as it finishes, and a report every -report.
//
//	orchestrator -dir DIR [-expect N] [-timeout D] [-report D]
//
// With -expect N it exits once N parsers have sent their end record: status 0 if every parser
// delivered every record in order, 1 otherwise (or at -timeout).
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"sort"
	"strings"
	"syscall"
	"time"

	hftipc "github.com/hftipc/hftipc/bindings/go"
	"github.com/hftipc/hftipc/samples/orchestrator"
)

// parser is one discovered channel and what arrived on it.
type parser struct {
	name     string
	ch       *hftipc.Channel
	received uint64 // data records
	next     uint64 // the sequence number expected next
	gaps     uint64 // records that arrived out of order or were missing
	done     bool
	died     bool // its producer died: drained, then given up
}

func main() {
	dir := flag.String("dir", "", "the directory to watch (required)")
	expect := flag.Int("expect", 0, "exit after this many parsers finished (0: run until interrupted)")
	timeout := flag.Duration("timeout", 0, "give up after this long (0: no limit)")
	report := flag.Duration("report", time.Second, "print every parser's count this often (0: never)")
	flag.Parse()
	if *dir == "" {
		fmt.Fprintln(os.Stderr, "orchestrator: -dir is required")
		os.Exit(2)
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if *timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, *timeout)
		defer cancel()
	}

	// The rescan interval bounds how late a parser's death is seen; appearance is immediate
	// (inotify).
	w, err := hftipc.Watch(*dir, hftipc.WatchConfig{Interval: 200 * time.Millisecond})
	if err != nil {
		fmt.Fprintln(os.Stderr, "orchestrator:", err)
		os.Exit(1)
	}
	defer w.Close()
	// Watcher.Next blocks; one goroutine hands its events to the polling loop. Nothing is
	// shared but the Go channel: the loop alone owns the parsers and their hftipc channels.
	events := make(chan hftipc.Event, 64)
	go func() {
		defer close(events)
		for {
			ev, err := w.Next(ctx)
			if err != nil {
				return
			}
			events <- ev
		}
	}()
	fmt.Printf("orchestrator: watching %s\n", *dir)

	parsers := map[string]*parser{}
	finished, ok := 0, true
	buf := make([]byte, 64*1024)
	idle := time.NewTimer(time.Hour)
	var nextReport time.Time
	lastReport := ""
	if *report > 0 {
		nextReport = time.Now().Add(*report)
	}
	backoff := 50 * time.Microsecond

loop:
	for *expect == 0 || finished < *expect {
		// 1. Adopt the channels that appeared (or became valid) since the last round.
		for drained := false; !drained; {
			select {
			case ev, open := <-events:
				if !open {
					drained = true
					if ctx.Err() == nil {
						fmt.Fprintln(os.Stderr, "orchestrator: the watch ended")
					}
					ok = false
					break loop
				}
				adopt(parsers, ev)
			default:
				drained = true
			}
		}

		// 2. Poll every channel: up to 256 records each per round, so that a busy parser
		// cannot starve the others.
		busy := false
		for _, p := range parsers {
			if p.done {
				continue
			}
			for i := 0; i < 256; i++ {
				n, err := p.ch.Receive(buf)
				if errors.Is(err, hftipc.ErrEmpty) {
					if p.died {
						fmt.Printf("orchestrator: %s died after %d records\n", p.name, p.received)
						p.finish()
						finished++
						ok = false
					}
					break
				}
				if err != nil {
					fmt.Fprintf(os.Stderr, "orchestrator: %s: %v\n", p.name, err)
					p.done, ok = true, false
					finished++
					break
				}
				busy = true
				if p.handle(buf[:n]) {
					finished++
					ok = ok && p.gaps == 0
					fmt.Printf("orchestrator: %s finished: %d records, %s\n", p.name, p.received,
						verdict(p))
					p.finish()
					break
				}
			}
		}

		if !nextReport.IsZero() && time.Now().After(nextReport) {
			if r := reportLine(parsers); r != lastReport { // only when something moved
				fmt.Println(r)
				lastReport = r
			}
			nextReport = time.Now().Add(*report)
		}
		if ctx.Err() != nil {
			break
		}
		if busy {
			backoff = 50 * time.Microsecond
			continue
		}
		// 3. Idle: sleep briefly, or until the watch reports something.
		idle.Reset(backoff)
		select {
		case ev, open := <-events:
			if open {
				adopt(parsers, ev)
			}
		case <-idle.C:
		case <-ctx.Done():
		}
		backoff = min(backoff*2, time.Millisecond)
	}
	if len(parsers) > 0 {
		fmt.Println(reportLine(parsers))
	}
	for _, p := range parsers {
		if !p.done {
			p.ch.Close()
		}
	}
	if *expect > 0 && finished < *expect {
		fmt.Fprintf(os.Stderr, "orchestrator: %d of %d parsers finished before the end (%v)\n",
			finished, *expect, context.Cause(ctx))
		ok = false
	}
	if !ok {
		os.Exit(1)
	}
}

// adopt opens a newly seen valid channel as its consumer. Others (invalid files, channels
// whose consumer another live process holds) are left alone.
func adopt(parsers map[string]*parser, ev hftipc.Event) {
	if ev.Kind == hftipc.Removed || !ev.Valid() || ev.Info.Mode != hftipc.ModeSPSC {
		return
	}
	if old, seen := parsers[ev.Name]; seen {
		if !old.done {
			// Already ours. A producer that died without its end record is given up once
			// its channel is drained.
			if ev.Info.Producer.Liveness == hftipc.PeerDead {
				old.died = true
			}
			return
		}
		if ev.Kind != hftipc.Added {
			return // our own close and cleanup of a finished parser
		}
		// A new parser reused the name of a finished one: a new channel.
	}
	if c := ev.Info.Consumer.Liveness; c == hftipc.PeerAlive || c == hftipc.PeerUnknown {
		return
	}
	ch, err := hftipc.Open(ev.Path, hftipc.Consumer)
	if err != nil {
		if !errors.Is(err, hftipc.ErrNotExist) && !errors.Is(err, hftipc.ErrBusy) {
			fmt.Fprintln(os.Stderr, "orchestrator:", err)
		}
		return
	}
	parsers[ev.Name] = &parser{name: ev.Name, ch: ch}
	fmt.Printf("orchestrator: found %s (producer pid %d, %d records waiting), polling %d channels\n",
		ev.Name, ev.Info.Producer.PID, ev.Info.Backlog, active(parsers))
}

// finish closes a parser's channel and removes its file: the orchestrator owns the cleanup,
// since a parser may exit before its last records are read.
func (p *parser) finish() {
	p.done = true
	path := p.ch.Path()
	p.ch.Close()
	os.Remove(path)
}

// handle accounts one record; it returns true for the end record.
func (p *parser) handle(rec []byte) bool {
	kind, n, ok := orchestrator.Header(rec)
	switch {
	case !ok:
		p.gaps++
	case kind == orchestrator.KindData:
		if n != p.next {
			p.gaps++
		}
		p.next = n + 1
		p.received++
	case kind == orchestrator.KindEnd:
		if n != p.received {
			p.gaps += max(n, p.received) - min(n, p.received)
		}
		p.done = true
		return true
	default:
		p.gaps++
	}
	return false
}

func verdict(p *parser) string {
	if p.gaps == 0 {
		return "all in order"
	}
	return fmt.Sprintf("%d missing or out of order", p.gaps)
}

func active(parsers map[string]*parser) int {
	n := 0
	for _, p := range parsers {
		if !p.done {
			n++
		}
	}
	return n
}

func reportLine(parsers map[string]*parser) string {
	names := make([]string, 0, len(parsers))
	for n := range parsers {
		names = append(names, n)
	}
	sort.Strings(names)
	var b strings.Builder
	for _, n := range names {
		p := parsers[n]
		state := "polling"
		if p.done {
			state = "done"
		}
		fmt.Fprintf(&b, " %s=%d(%s)", n, p.received, state)
	}
	return "orchestrator: counts:" + b.String()
}
