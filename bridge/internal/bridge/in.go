package bridge

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	hftipc "github.com/hftipc/hftipc/bindings/go"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// inState ties the local channel's head to the source's sequence numbers: message BaseSeq
// of Source was written at position BaseHead, and, as this bridge is the channel's only
// producer and writes the source's messages in order and once each, message s is at
// position BaseHead + (s - BaseSeq). The channel's head is kept in the channel file, so
// after a crash the next expected sequence is known exactly, whatever was acknowledged.
type inState struct {
	Channel  string `json:"channel"` // identity of the local channel file the bases refer to
	Source   string `json:"source"`  // identity of the source channel file
	BaseSeq  uint64 `json:"base_seq"`
	BaseHead uint64 `json:"base_head"`
}

func loadState(path string) (*inState, error) {
	b, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var s inState
	if err := json.Unmarshal(b, &s); err != nil {
		return nil, fmt.Errorf("state file %s: %w", path, err)
	}
	return &s, nil
}

// save writes the state atomically (a new file renamed over the old one).
func (s *inState) save(path string) error {
	b, err := json.Marshal(s)
	if err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), filepath.Base(path)+".tmp*")
	if err != nil {
		return err
	}
	if _, err := tmp.Write(append(b, '\n')); err != nil {
		tmp.Close()
		os.Remove(tmp.Name())
		return err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		os.Remove(tmp.Name())
		return err
	}
	if err := tmp.Close(); err != nil {
		os.Remove(tmp.Name())
		return err
	}
	return os.Rename(tmp.Name(), path)
}

// identityTime is the creation time in an identity "<created_ns>.<pid>" (0 if malformed).
func identityTime(id string) int64 {
	ns, _, _ := strings.Cut(id, ".")
	v, _ := strconv.ParseInt(ns, 10, 64)
	return v
}

type inWorker struct {
	b   *Bridge
	cfg *InConfig
	st  *workerState
	log *slog.Logger

	prod     *hftipc.Channel
	identity string
	state    *inState
	expected uint64                   // next source sequence to write
	held     map[uint64]jetstream.Msg // delivered ahead of a missing sequence

	// Back-pressure is one state from the first full ring until the ring has had room for a
	// second: a slow consumer fills it again and again, and that is one episode, not a log
	// line per refill.
	inBP   bool
	fullAt time.Time
}

const bpQuiet = time.Second

// leaveBackPressure ends a back-pressure episode once the ring has had room for bpQuiet.
func (w *inWorker) leaveBackPressure() {
	if !w.inBP || time.Since(w.fullAt) < bpQuiet {
		return
	}
	w.inBP = false
	w.b.m.waiting.WithLabelValues(w.cfg.Name).Set(0)
	w.st.setState(w.steadyState())
}

// steadyState is running, or waiting for the sequence that holds the others back.
func (w *inWorker) steadyState() string {
	if len(w.held) == 0 {
		return "running"
	}
	return "waiting-for-sequence " + strconv.FormatUint(w.expected, 10)
}

func newInWorker(b *Bridge, cfg *InConfig) *inWorker {
	log := b.log.With("worker", "in", "name", cfg.Name)
	w := &inWorker{b: b, cfg: cfg, log: log, held: map[uint64]jetstream.Msg{}}
	w.st = b.m.worker(WorkerStatus{Direction: "in", Name: cfg.Name, Channel: cfg.Channel,
		Subject: cfg.Subject, Stream: cfg.Stream}, func(old, new string) {
		log.Info("state: "+new, "was", old)
	})
	return w
}

func (w *inWorker) run(ctx context.Context) error {
	w.st.setState("opening")
	var err error
	w.prod, err = openRole(ctx, w.st, w.b, w.cfg.Channel, hftipc.Producer,
		&hftipc.Config{Capacity: w.cfg.Capacity, SlotSize: w.cfg.SlotSize}, w.cfg.TakeoverAfter.D())
	if err != nil {
		return ignoreCancel(err)
	}
	defer w.prod.Close()
	info, err := w.prod.Stats()
	if err != nil {
		return err
	}
	w.identity = Identity(info)
	if w.state, err = loadState(w.cfg.StateFile); err != nil {
		return err
	}
	if w.state != nil && w.state.Channel != w.identity {
		w.log.Info("in: channel file was made again; its state no longer applies", "state_file", w.cfg.StateFile)
		w.state = nil
	}
	if w.state != nil {
		w.expected = w.state.BaseSeq + (info.Head - w.state.BaseHead)
		w.st.setSource(w.state.Source)
	}
	w.st.nextSeq.Store(w.expected)
	stream, err := w.b.ensureStream(ctx, w.st, w.cfg.StreamConfig, w.cfg.Subject)
	if err != nil {
		return ignoreCancel(err)
	}
	var cons jetstream.Consumer
	for attempt := 0; ; attempt++ {
		c, cancel := context.WithTimeout(ctx, 5*time.Second)
		cons, err = stream.CreateOrUpdateConsumer(c, jetstream.ConsumerConfig{
			Durable:       w.cfg.Durable,
			FilterSubject: w.cfg.Subject,
			AckPolicy:     jetstream.AckExplicitPolicy,
			AckWait:       w.cfg.AckWait.D(),
			MaxAckPending: w.cfg.MaxAckPending,
			DeliverPolicy: jetstream.DeliverAllPolicy,
		})
		cancel()
		if err == nil {
			break
		}
		w.st.setError(err)
		w.st.setState("waiting-for-jetstream")
		if !sleepCtx(ctx, backoff(attempt, w.b.cfg.NATS.ReconnectMin.D(), w.b.cfg.NATS.ReconnectMax.D())) {
			return nil
		}
	}
	w.log.Info("in: bridging", "subject", w.cfg.Subject, "channel", w.cfg.Channel,
		"durable", w.cfg.Durable, "next_seq", w.expected, "source", w.st.snapshot().Source)
	w.st.setState("running")

	// fin bounds the writing of messages already delivered once shutdown starts.
	fin, cancelFin := finishCtx(ctx, w.b.cfg.ShutdownTimeout.D())
	defer cancelFin()
	it, err := cons.Messages(jetstream.PullMaxMessages(w.cfg.FetchBatch))
	if err != nil {
		return err
	}
	go func() {
		select {
		case <-ctx.Done():
			it.Drain() // messages already buffered are still returned by Next
		case <-fin.Done():
		}
	}()
	lagAt, beatAt := time.Time{}, time.Now()
	for {
		// Bounded, so that an idle bridge still refreshes its heartbeat.
		msg, err := it.Next(jetstream.NextMaxWait(heartbeatEvery))
		if now := time.Now(); now.Sub(beatAt) > heartbeatEvery {
			_ = w.prod.Heartbeat() // see outWorker: a producer that does not wait does not beat
			beatAt = now
		}
		if time.Since(lagAt) > time.Second {
			// The consumer's view: messages not yet delivered, and delivered but not acked.
			lagAt = time.Now()
			c, cancel := context.WithTimeout(ctx, time.Second)
			if ci, err := cons.Info(c); err == nil {
				w.st.setLag(int64(ci.NumPending))
				w.st.setInFlight(ci.NumAckPending)
			}
			cancel()
		}
		if errors.Is(err, nats.ErrTimeout) {
			w.leaveBackPressure()
			continue
		}
		if errors.Is(err, jetstream.ErrMsgIteratorClosed) {
			w.st.setInFlight(len(w.held))
			w.log.Info("in: stopped", "next_seq", w.expected, "held_out_of_order", len(w.held))
			return nil
		}
		if err != nil {
			// Heartbeats missed while NATS is away, and the like: the iterator keeps pulling
			// once the connection is back.
			w.st.setError(err)
			w.st.setState("waiting-for-jetstream")
			if !sleepCtx(fin, 50*time.Millisecond) {
				return nil
			}
			continue
		}
		if err := w.handle(fin, msg); err != nil {
			if fin.Err() != nil {
				w.log.Warn("in: shutdown timeout while the channel was full; unacknowledged messages are delivered again at the next start")
				return nil
			}
			return err
		}
	}
}

// handle writes msg into the channel if it is the next expected one (then any held ones
// that follow), holds it if it is ahead, and drops it (acknowledged) if it was written before.
func (w *inWorker) handle(fin context.Context, msg jetstream.Msg) error {
	h := msg.Headers()
	src := h.Get(HeaderSource)
	seq, err := strconv.ParseUint(h.Get(HeaderSeq), 10, 64)
	if src == "" || err != nil {
		// Not from an out bridge: no sequence to order or deduplicate by. Written as it
		// comes (at-least-once; JetStream's window still removes publisher duplicates).
		if err := w.write(fin, msg); err != nil {
			return err
		}
		return nil
	}
	if w.state == nil || src != w.state.Source {
		if w.state != nil && identityTime(src) <= identityTime(w.state.Source) {
			w.log.Warn("in: message of an older source channel file dropped", "source", src, "seq", seq)
			w.st.addDup()
			_ = msg.Ack()
			return nil
		}
		info, err := w.prod.Stats()
		if err != nil {
			return err
		}
		w.state = &inState{Channel: w.identity, Source: src, BaseSeq: seq, BaseHead: info.Head}
		if err := w.state.save(w.cfg.StateFile); err != nil {
			return fmt.Errorf("state file: %w", err)
		}
		w.log.Info("in: new source channel file", "source", src, "first_seq", seq, "at_position", info.Head)
		w.st.setSource(src)
		w.expected = seq
		clear(w.held)
	}
	switch {
	case seq < w.expected:
		w.st.addDup()
		_ = msg.Ack()
		return nil
	case seq > w.expected:
		if len(w.held) == 0 && !w.inBP {
			w.st.setState("waiting-for-sequence " + strconv.FormatUint(w.expected, 10))
		}
		w.held[seq] = msg // a redelivery replaces the earlier delivery
		w.b.m.reordered.WithLabelValues(w.cfg.Name).Set(float64(len(w.held)))
		return nil
	}
	if err := w.write(fin, msg); err != nil {
		return err
	}
	w.expected++
	for len(w.held) > 0 {
		m, ok := w.held[w.expected]
		if !ok {
			break
		}
		delete(w.held, w.expected)
		if err := w.write(fin, m); err != nil {
			return err
		}
		w.expected++
	}
	for s := range w.held {
		if s < w.expected {
			delete(w.held, s)
		}
	}
	w.b.m.reordered.WithLabelValues(w.cfg.Name).Set(float64(len(w.held)))
	if !w.inBP {
		w.st.setState(w.steadyState())
	}
	w.st.nextSeq.Store(w.expected)
	return nil
}

// write sends msg into the channel, waiting while the ring is full (back-pressure: the
// message stays unacknowledged, and JetStream is told the bridge is still working on it),
// then acknowledges it to JetStream.
func (w *inWorker) write(fin context.Context, msg jetstream.Msg) error {
	data := msg.Data()
	err := w.prod.Send(data)
	if errors.Is(err, hftipc.ErrTooBig) {
		w.log.Error("in: message larger than the channel's max payload: terminated, not written",
			"len", len(data), "max_payload", w.prod.MaxPayload(), "subject", msg.Subject())
		_ = msg.Term()
		return nil
	}
	if err == hftipc.ErrFull {
		if !w.inBP {
			w.inBP = true
			w.st.setState("back-pressure")
			w.b.m.waiting.WithLabelValues(w.cfg.Name).Set(1)
		}
		for err == hftipc.ErrFull || errors.Is(err, context.DeadlineExceeded) {
			_ = msg.InProgress()
			for _, m := range w.held {
				_ = m.InProgress()
			}
			c, cancel := context.WithTimeout(fin, w.cfg.AckWait.D()/3)
			err = w.prod.SendContext(c, data)
			cancel()
			if fin.Err() != nil {
				return fin.Err()
			}
		}
		w.fullAt = time.Now()
	} else {
		w.leaveBackPressure()
	}
	if err != nil {
		return fmt.Errorf("write into %s: %w", w.cfg.Channel, err)
	}
	w.st.addMessages(1)
	maybeCrash("in-written")
	_ = msg.Ack()
	return nil
}
