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

// save writes the state atomically (a new file renamed over the old one). No fsync: the state
// only means something together with its channel file, which lives in memory (/dev/shm) and
// is gone after a reboot as well; against a process crash the rename suffices.
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

	tooBig       int // terminated since the last log line
	tooBigLogged time.Time
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
	w.log.Info("in: bridging", "subject", w.cfg.Subject, "channel", w.cfg.Channel,
		"durable", w.cfg.Durable, "next_seq", w.expected, "source", w.st.snapshot().Source)

	// fin bounds the writing of messages already delivered once shutdown starts.
	fin, cancelFin := finishCtx(ctx, w.b.cfg.ShutdownTimeout.D())
	defer cancelFin()
	for attempt := 0; ; attempt++ {
		cons, err := w.consumer(ctx, stream)
		if err != nil {
			return nil // ctx ended
		}
		w.st.setState(w.steadyState())
		stopped, err := w.pull(ctx, fin, cons)
		if err != nil || stopped {
			return err
		}
		// The subscription ended by itself (consumer deleted, connection closed): make the
		// consumer again, which continues from its acknowledged position.
		w.log.Warn("in: pull subscription ended; making the consumer again")
		if !sleepCtx(ctx, backoff(attempt, w.b.cfg.NATS.ReconnectMin.D(), w.b.cfg.NATS.ReconnectMax.D())) {
			return nil
		}
	}
}

// consumer creates (or finds) the durable consumer, retrying until ctx ends.
func (w *inWorker) consumer(ctx context.Context, stream jetstream.Stream) (jetstream.Consumer, error) {
	for attempt := 0; ; attempt++ {
		c, cancel := context.WithTimeout(ctx, 5*time.Second)
		cons, err := stream.CreateOrUpdateConsumer(c, jetstream.ConsumerConfig{
			Durable:       w.cfg.Durable,
			FilterSubject: w.cfg.Subject,
			AckPolicy:     jetstream.AckExplicitPolicy,
			AckWait:       w.cfg.AckWait.D(),
			MaxAckPending: w.cfg.MaxAckPending,
			DeliverPolicy: jetstream.DeliverAllPolicy,
		})
		cancel()
		if err == nil {
			return cons, nil
		}
		w.st.setError(err)
		w.st.setState("waiting-for-jetstream")
		if !sleepCtx(ctx, backoff(attempt, w.b.cfg.NATS.ReconnectMin.D(), w.b.cfg.NATS.ReconnectMax.D())) {
			return nil, ctx.Err()
		}
	}
}

type pulled struct {
	msg jetstream.Msg
	err error
}

// pull writes the consumer's messages until shutdown (stopped true) or until the
// subscription ends by itself (stopped false). Messages are pulled by a goroutine of their
// own, so that this one also keeps the channel's heartbeat and the figures fresh while idle
// (a bounded Next would defeat the client's detection of missed heartbeats, by which it
// renews a pull parked on a server that died).
func (w *inWorker) pull(ctx, fin context.Context, cons jetstream.Consumer) (stopped bool, err error) {
	it, err := cons.Messages(jetstream.PullMaxMessages(w.cfg.FetchBatch),
		jetstream.PullExpiry(10*time.Second), jetstream.PullHeartbeat(2*time.Second))
	if err != nil {
		return false, nil
	}
	defer it.Stop()
	msgs := make(chan pulled, 64)
	done := make(chan struct{})
	defer close(done)
	go func() {
		for {
			m, err := it.Next()
			select {
			case msgs <- pulled{m, err}:
			case <-done:
				return
			}
			if errors.Is(err, jetstream.ErrMsgIteratorClosed) {
				return
			}
		}
	}()
	stopping := ctx.Done() // nil once the drain has started: a closed channel would spin
	tick := time.NewTicker(heartbeatEvery)
	defer tick.Stop()
	lagAt := time.Time{}
	for {
		select {
		case <-stopping:
			stopping = nil
			it.Drain() // messages already buffered are still returned by Next
			continue
		case <-fin.Done():
			return true, nil
		case <-tick.C:
			_ = w.prod.Heartbeat() // see outWorker: a producer that does not wait does not beat
			w.leaveBackPressure()
			if time.Since(lagAt) > time.Second {
				// The consumer's view: messages not yet delivered, delivered but not acked.
				lagAt = time.Now()
				c, cancel := context.WithTimeout(ctx, time.Second)
				if ci, err := cons.Info(c); err == nil {
					w.st.setLag(int64(ci.NumPending))
					w.st.setInFlight(ci.NumAckPending)
				}
				cancel()
			}
			continue
		case p := <-msgs:
			if errors.Is(p.err, jetstream.ErrMsgIteratorClosed) {
				if ctx.Err() == nil {
					return false, nil
				}
				w.st.setInFlight(len(w.held))
				w.log.Info("in: stopped", "next_seq", w.expected, "held_out_of_order", len(w.held))
				return true, nil
			}
			if p.err != nil {
				w.st.setError(p.err)
				w.log.Warn("in: pull", "err", p.err)
				continue
			}
			if err := w.handle(fin, p.msg); err != nil {
				if fin.Err() != nil {
					w.log.Warn("in: shutdown timeout while the channel was full; unacknowledged messages are delivered again at the next start")
					return true, nil
				}
				return true, err
			}
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
		written, err := w.write(fin, msg)
		if err == nil && !written {
			w.terminate(msg)
		}
		return err
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
	if err := w.writeNext(fin, msg); err != nil {
		return err
	}
	for len(w.held) > 0 {
		m, ok := w.held[w.expected]
		if !ok {
			break
		}
		delete(w.held, w.expected)
		if err := w.writeNext(fin, m); err != nil {
			return err
		}
	}
	for s, m := range w.held {
		if s < w.expected { // a second delivery of one written meanwhile
			delete(w.held, s)
			w.st.addDup()
			_ = m.Ack()
		}
	}
	w.b.m.reordered.WithLabelValues(w.cfg.Name).Set(float64(len(w.held)))
	if !w.inBP {
		w.st.setState(w.steadyState())
	}
	w.st.nextSeq.Store(w.expected)
	return nil
}

// writeNext writes the expected message and moves the expectation on. A message that could
// not be written (too large) leaves no slot behind, so the state is based anew after it:
// otherwise the next start would derive the expected sequence one too low.
func (w *inWorker) writeNext(fin context.Context, msg jetstream.Msg) error {
	written, err := w.write(fin, msg)
	if err != nil {
		return err
	}
	w.expected++
	if !written {
		// The new base is recorded before JetStream forgets the message: a crash between
		// the two gets the message again, below the expected sequence, and drops it.
		info, err := w.prod.Stats()
		if err != nil {
			return err
		}
		w.state = &inState{Channel: w.identity, Source: w.state.Source, BaseSeq: w.expected, BaseHead: info.Head}
		if err := w.state.save(w.cfg.StateFile); err != nil {
			return fmt.Errorf("state file: %w", err)
		}
		w.terminate(msg)
	}
	return nil
}

// terminate tells JetStream never to deliver msg again, and logs it: the first time, then at
// most every 10 s with the count since (a too-small channel is one configuration error,
// not one line per message).
func (w *inWorker) terminate(msg jetstream.Msg) {
	_ = msg.Term()
	w.b.m.terminated.WithLabelValues(w.cfg.Name).Inc()
	w.tooBig++
	if time.Since(w.tooBigLogged) >= 10*time.Second {
		w.log.Error("in: messages larger than the channel's max payload: terminated, not written",
			"count", w.tooBig, "last_len", len(msg.Data()), "max_payload", w.prod.MaxPayload())
		w.tooBig, w.tooBigLogged = 0, time.Now()
	}
}

// write sends msg into the channel, waiting while the ring is full (back-pressure: the
// message stays unacknowledged, and JetStream is told the bridge is still working on it),
// then acknowledges it to JetStream. written is false for a message too large for the
// channel, which the caller terminates in JetStream.
func (w *inWorker) write(fin context.Context, msg jetstream.Msg) (written bool, err error) {
	data := msg.Data()
	err = w.prod.Send(data)
	if errors.Is(err, hftipc.ErrTooBig) {
		return false, nil
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
				return false, fin.Err()
			}
		}
		w.fullAt = time.Now()
	} else {
		w.leaveBackPressure()
	}
	if err != nil {
		return false, fmt.Errorf("write into %s: %w", w.cfg.Channel, err)
	}
	w.st.addMessages(1)
	maybeCrash("in-written")
	_ = msg.Ack()
	return true, nil
}
