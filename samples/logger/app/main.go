// Command app is the logger sample's application: it logs lines through an hftipc channel to
// the C sink (samples/logger/sink), which appends them to a file, so that the application
// never waits for the disk.
//
// The logger packs whole lines into the channel's slots in place (TryClaim, then Commit when
// the next line does not fit, on Flush, or at most -linger after the first line of the slot),
// so one message is a batch of lines and the sink writes each batch with one write(2). The
// sink consumes with peek, write, ack, so a batch is acknowledged only once it is in the file:
// a sink killed at any point loses nothing, and writes at most the batch it was on again after
// its restart (samples/logger/README.md).
//
// The lines are "<id> <text>\n", ids 0, 1, 2, ..., with text derived from the id, so that
// samples/logger/check can tell a lost, torn or duplicated line. After the last line the app
// sends an empty message, the end of the log, at which the sink stops.
//
//	app -path /dev/shm/x/log -lines 200000 -rate 100000
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log"
	"os"
	"sync"
	"time"

	hftipc "github.com/hftipc/hftipc/bindings/go"
	"github.com/hftipc/hftipc/samples/logger/internal/logline"
)

// Logger writes lines into a channel, packing them into slots. Safe for concurrent use: a
// mutex serialises the goroutines that log and the flusher, so the channel handle is used by
// one thread at a time, as the library requires.
type Logger struct {
	mu      sync.Mutex
	ch      *hftipc.Channel
	slot    []byte // the claimed slot's payload, nil when none is claimed
	used    int
	first   time.Time // when the first line went into the claimed slot
	linger  time.Duration
	stop    chan struct{}
	done    chan struct{}
	Lines   uint64 // lines accepted
	Batches uint64 // messages committed (each a batch of lines)
	MaxRun  int    // most lines in one batch
	run     int
}

// NewLogger opens (or creates) the channel at path as its producer and starts the flusher,
// which commits a partly filled slot once it is linger old.
func NewLogger(path string, linger time.Duration) (*Logger, error) {
	ch, err := hftipc.OpenOrCreate(path, hftipc.Config{Capacity: 256, SlotSize: 4096}, hftipc.Producer)
	if err != nil {
		return nil, err
	}
	l := &Logger{ch: ch, linger: linger, stop: make(chan struct{}), done: make(chan struct{})}
	go l.flusher()
	return l, nil
}

// ErrLineTooLong is returned for a line longer than a slot's payload.
var ErrLineTooLong = errors.New("logger: line longer than a channel slot")

// Log appends one line (without its newline). It blocks while the ring is full, that is while
// the sink is behind or restarting: the log is never dropped.
func (l *Logger) Log(line string) error {
	if len(line)+1 > l.ch.MaxPayload() {
		return ErrLineTooLong
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.slot != nil && l.used+len(line)+1 > len(l.slot) {
		if err := l.commitLocked(); err != nil {
			return err
		}
	}
	if l.slot == nil {
		for {
			s, err := l.ch.TryClaim()
			if err == nil {
				l.slot, l.used, l.first = s, 0, time.Now()
				break
			}
			if !errors.Is(err, hftipc.ErrFull) {
				return err
			}
			// Wait for the sink without holding up the flusher for long.
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Millisecond)
			err = l.ch.Wait(ctx)
			cancel()
			if err != nil && !errors.Is(err, context.DeadlineExceeded) {
				return err
			}
		}
	}
	l.used += copy(l.slot[l.used:], line)
	l.slot[l.used] = '\n'
	l.used++
	l.run++
	l.Lines++
	return nil
}

func (l *Logger) commitLocked() error {
	if l.slot == nil {
		return nil
	}
	if err := l.ch.Commit(l.used); err != nil {
		return err
	}
	l.slot = nil
	l.Batches++
	l.MaxRun = max(l.MaxRun, l.run)
	l.run = 0
	return nil
}

// Flush commits the lines logged so far.
func (l *Logger) Flush() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.commitLocked()
}

func (l *Logger) flusher() {
	defer close(l.done)
	t := time.NewTicker(l.linger / 2)
	defer t.Stop()
	for {
		select {
		case <-l.stop:
			return
		case <-t.C:
			l.mu.Lock()
			if l.slot != nil && time.Since(l.first) >= l.linger {
				if err := l.commitLocked(); err != nil {
					log.Printf("flush: %v", err)
				}
			}
			l.mu.Unlock()
		}
	}
}

// Close flushes, sends the end of the log (an empty message) and closes the channel.
func (l *Logger) Close(ctx context.Context) error {
	close(l.stop)
	<-l.done
	if err := l.Flush(); err != nil {
		return err
	}
	if err := l.ch.SendContext(ctx, nil); err != nil {
		return err
	}
	return l.ch.Close()
}

func main() {
	path := flag.String("path", "", "the log channel (opened, or created with 256 slots of 4096 bytes)")
	lines := flag.Uint64("lines", 200_000, "lines to log")
	rate := flag.Float64("rate", 100_000, "lines per second; 0 = as fast as the sink takes them")
	linger := flag.Duration("linger", time.Millisecond, "longest a logged line waits in a partly filled slot")
	flag.Parse()
	log.SetFlags(0)
	log.SetPrefix("app: ")
	if *path == "" || *rate < 0 || *linger <= 0 {
		log.Fatal("usage: app -path CHANNEL [-lines N] [-rate N] [-linger D]")
	}
	l, err := NewLogger(*path, *linger)
	if err != nil {
		log.Fatal(err)
	}
	var interval time.Duration
	if *rate > 0 {
		interval = time.Duration(float64(time.Second) / *rate)
	}
	start := time.Now()
	for id := uint64(0); id < *lines; id++ {
		if interval > 0 {
			if d := time.Until(start.Add(time.Duration(id) * interval)); d > 0 {
				time.Sleep(d)
			}
		}
		if err := l.Log(logline.Line(id)); err != nil {
			log.Fatalf("log line %d: %v", id, err)
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := l.Close(ctx); err != nil {
		log.Fatalf("close: %v", err)
	}
	fmt.Printf("app: logged %d lines in %d batches (at most %d lines per batch) in %v\n",
		l.Lines, l.Batches, l.MaxRun, time.Since(start).Round(time.Millisecond))
	fmt.Fprintf(os.Stdout, "RESULT app lines=%d batches=%d max_batch=%d\n", l.Lines, l.Batches, l.MaxRun)
}
