package bridge

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"time"

	hftipc "github.com/hftipc/hftipc/bindings/go"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// Headers every bridged message carries. Nats-Msg-Id is JetStream's duplicate detection key;
// the other two let the in side order the messages and drop the duplicates that are older
// than the stream's duplicate window.
const (
	HeaderSource = "Hftipc-Source" // identity of the source channel file: "<created_ns>.<creator_pid>"
	HeaderSeq    = "Hftipc-Seq"    // the message's position in the source channel (0, 1, 2, ...)
)

// MsgID is the Nats-Msg-Id of message seq of the channel file with identity source.
func MsgID(source string, seq uint64) string { return source + ":" + strconv.FormatUint(seq, 10) }

// Identity is the stable identity of a channel file: its creation time (nanoseconds) and its
// creator's pid, both written once into the header when the file is made. A file made again
// at the same path gets a new identity, so its sequence numbers never collide with the old.
func Identity(info hftipc.Info) string {
	return strconv.FormatInt(info.Created.UnixNano(), 10) + "." + strconv.FormatUint(uint64(info.CreatorPID), 10)
}

// heartbeatEvery is how often a bridge refreshes the heartbeat of the role it holds; keep
// takeover_after well above it.
const heartbeatEvery = 500 * time.Millisecond

type outWorker struct {
	b   *Bridge
	cfg *OutConfig
	st  *workerState
	log *slog.Logger

	source string
	cons   *hftipc.Channel // holds the consumer role: its tail moves only after an ack
	obs    *hftipc.Channel // reads ahead of the tail without consuming

	scratch []byte
	lens    []uint32
	acked   uint64 // the consumer's tail: every message below it is in the stream
}

func newOutWorker(b *Bridge, cfg *OutConfig) *outWorker {
	log := b.log.With("worker", "out", "name", cfg.Name)
	w := &outWorker{b: b, cfg: cfg, log: log}
	w.st = b.m.worker(WorkerStatus{Direction: "out", Name: cfg.Name, Channel: cfg.Channel,
		Subject: cfg.Subject, Stream: cfg.Stream}, func(old, new string) {
		log.Info("state: "+new, "was", old)
	})
	return w
}

// openRole opens path with role, waiting (with backoff, one log line) while the file does
// not exist yet or another live process holds the role.
// With takeoverAfter > 0 a holder whose heartbeat is older than that is taken over too (a
// crashed bridge in another pid namespace, whose liveness this process cannot see).
func openRole(ctx context.Context, st *workerState, b *Bridge, path string, role hftipc.Role,
	create *hftipc.Config, takeoverAfter time.Duration) (*hftipc.Channel, error) {
	for attempt := 0; ; attempt++ {
		var ch *hftipc.Channel
		var err error
		if create != nil {
			ch, err = hftipc.OpenOrCreate(path, *create, role)
		} else {
			ch, err = hftipc.Open(path, role)
		}
		if errors.Is(err, hftipc.ErrBusy) && takeoverAfter > 0 {
			ch, err = hftipc.OpenTakeover(path, role, takeoverAfter)
			if err == nil {
				b.log.Info("channel: took the role over from a holder without a heartbeat",
					"channel", path, "role", role.String(), "takeover_after", takeoverAfter)
			}
		}
		if err == nil {
			st.setError(nil)
			return ch, nil
		}
		switch {
		case errors.Is(err, hftipc.ErrNotExist):
			st.setState("waiting-for-channel-file")
		case errors.Is(err, hftipc.ErrBusy):
			st.setState("waiting-for-role")
		default:
			return nil, err
		}
		st.setError(err)
		if !sleepCtx(ctx, backoff(attempt, 10*time.Millisecond, time.Second)) {
			return nil, ctx.Err()
		}
	}
}

// finishCtx ends ShutdownTimeout after ctx ends: the time in-flight work has to complete.
func finishCtx(ctx context.Context, timeout time.Duration) (context.Context, context.CancelFunc) {
	fin, cancel := context.WithCancel(context.Background())
	go func() {
		select {
		case <-fin.Done():
			return
		case <-ctx.Done():
		}
		t := time.NewTimer(timeout)
		defer t.Stop()
		select {
		case <-t.C:
			cancel()
		case <-fin.Done():
		}
	}()
	return fin, cancel
}

func (w *outWorker) run(ctx context.Context) error {
	w.st.setState("opening")
	var err error
	if w.cons, err = openRole(ctx, w.st, w.b, w.cfg.Channel, hftipc.Consumer, nil, w.cfg.TakeoverAfter.D()); err != nil {
		return ignoreCancel(err)
	}
	defer w.cons.Close()
	info, err := w.cons.Stats()
	if err != nil {
		return err
	}
	w.source = Identity(info)
	w.st.setSource(w.source)
	mp := w.cons.MaxPayload()
	w.scratch = make([]byte, 64*mp)
	w.lens = make([]uint32, 64)
	if _, err := w.b.ensureStream(ctx, w.st, w.cfg.StreamConfig, w.cfg.Subject); err != nil {
		return ignoreCancel(err)
	}
	start, err := w.openObserver(ctx)
	if err != nil {
		return ignoreCancel(err)
	}
	defer w.obs.Close()
	w.acked = info.Tail
	w.st.nextSeq.Store(w.acked)
	w.log.Info("out: bridging", "channel", w.cfg.Channel, "subject", w.cfg.Subject,
		"source", w.source, "from_seq", w.acked, "backlog", start-w.acked)

	fin, cancelFin := finishCtx(ctx, w.b.cfg.ShutdownTimeout.D())
	defer cancelFin()
	w.st.setState("running")
	// The backlog below the observer's start is invisible to the observer: send it one
	// message at a time through peek, publish, acknowledgement, ack.
	for w.acked < start {
		if ctx.Err() != nil {
			return nil
		}
		p, err := w.cons.Peek()
		if err != nil {
			return fmt.Errorf("peek message %d: %w", w.acked, err)
		}
		m := w.message(w.acked, append([]byte(nil), p...))
		_ = w.cons.Heartbeat() // one round trip per message here; the stream loop beats on a clock
		if err := w.publishSync(fin, m); err != nil {
			return err
		}
		if err := w.cons.Ack(); err != nil {
			return fmt.Errorf("ack message %d: %w", w.acked, err)
		}
		w.acked++
		w.st.addMessages(1)
		w.st.nextSeq.Store(w.acked)
	}
	return w.stream(ctx, fin, start)
}

func ignoreCancel(err error) error {
	if errors.Is(err, context.Canceled) {
		return nil
	}
	return err
}

// openObserver opens an observer whose first message is known exactly. An observer starts
// at the head of the moment it opens; the head is read before and after the open, and only
// an open during which the head did not move is kept. This converges at once when the
// producer is idle, and soon when it is busy: nothing is consumed meanwhile, so the ring
// fills and the producer stops.
func (w *outWorker) openObserver(ctx context.Context) (uint64, error) {
	for attempt := 0; ; attempt++ {
		before, err := w.cons.Stats()
		if err != nil {
			return 0, err
		}
		obs, err := hftipc.Open(w.cfg.Channel, hftipc.Observer)
		if err != nil {
			return 0, err
		}
		after, err := w.cons.Stats()
		if err != nil {
			obs.Close()
			return 0, err
		}
		if before.Head == after.Head {
			w.obs = obs
			return before.Head, nil
		}
		obs.Close()
		if !sleepCtx(ctx, backoff(attempt, 50*time.Microsecond, 5*time.Millisecond)) {
			return 0, ctx.Err()
		}
	}
}

func (w *outWorker) message(seq uint64, data []byte) *nats.Msg {
	return &nats.Msg{Subject: w.cfg.Subject, Data: data, Header: nats.Header{
		jetstream.MsgIDHeader: []string{MsgID(w.source, seq)},
		HeaderSource:          []string{w.source},
		HeaderSeq:             []string{strconv.FormatUint(seq, 10)},
	}}
}

// publishSync publishes m until JetStream acknowledges it, with backoff, until fin ends.
func (w *outWorker) publishSync(fin context.Context, m *nats.Msg) error {
	for attempt := 0; ; attempt++ {
		c, cancel := context.WithTimeout(fin, w.cfg.AckTimeout.D())
		ack, err := w.b.js.PublishMsg(c, m)
		cancel()
		if err == nil {
			if ack.Duplicate {
				w.st.addDup()
			}
			if attempt > 0 {
				w.st.setError(nil)
				w.st.setState("running")
			}
			return nil
		}
		if fin.Err() != nil {
			return fmt.Errorf("shutdown timeout: message %s not acknowledged by JetStream; it stays in the channel and is sent again at the next start", m.Header.Get(jetstream.MsgIDHeader))
		}
		w.st.addRetry()
		w.st.setError(err)
		w.st.setState("retrying-publish")
		_ = w.cons.Heartbeat() // alive while NATS is away: no takeover by a peer meanwhile
		if !sleepCtx(fin, backoff(attempt, w.b.cfg.NATS.ReconnectMin.D(), w.b.cfg.NATS.ReconnectMax.D())) {
			return fmt.Errorf("shutdown timeout: message %s not acknowledged by JetStream; it stays in the channel and is sent again at the next start", m.Header.Get(jetstream.MsgIDHeader))
		}
	}
}

type outPending struct {
	msg  *nats.Msg
	fut  jetstream.PubAckFuture // nil: the asynchronous publish failed; publish it again
	sent time.Time
}

// consume moves the channel's tail over n messages that JetStream has acknowledged.
func (w *outWorker) consume(n int) error {
	for n > 0 {
		k := min(n, len(w.lens))
		got, err := w.cons.ReceiveBatch(w.scratch, w.lens[:k])
		if err != nil {
			return fmt.Errorf("consume acknowledged message %d: %w", w.acked, err)
		}
		n -= got
		w.acked += uint64(got)
		w.st.addMessages(got)
	}
	w.st.nextSeq.Store(w.acked)
	return nil
}

// stream is the steady state: the observer reads ahead and publishes asynchronously, at
// most MaxInFlight awaiting acknowledgement; acknowledgements are taken in order, and the
// consumer's tail follows the acknowledged prefix. After ctx ends nothing new is read, and
// the in-flight publishes are completed until fin ends.
func (w *outWorker) stream(ctx, fin context.Context, next uint64) error {
	q := make([]outPending, 0, w.cfg.MaxInFlight)
	qh := 0 // q[qh:] is in flight, oldest first
	buf := make([]byte, w.obs.MaxPayload())
	done := 0 // acknowledged, not yet consumed
	timer := time.NewTimer(time.Hour)
	defer timer.Stop()
	lastBeat := time.Now()
	for {
		reading := ctx.Err() == nil
		for reading && len(q)-qh < w.cfg.MaxInFlight {
			n, err := w.obs.Receive(buf)
			if err == hftipc.ErrEmpty {
				break
			}
			if err != nil {
				// Lapping cannot happen while this process holds the consumer role (the
				// producer never passes the tail); a corrupt slot stops the bridge.
				return fmt.Errorf("read message %d: %w", next, err)
			}
			m := w.message(next, append([]byte(nil), buf[:n]...))
			fut, err := w.b.js.PublishMsgAsync(m)
			if err != nil {
				fut = nil
			}
			if qh > 0 && len(q) == cap(q) {
				q = append(q[:0], q[qh:]...)
				qh = 0
			}
			q = append(q, outPending{msg: m, fut: fut, sent: time.Now()})
			next++
		}
		inFlight := len(q) - qh
		w.st.setInFlight(inFlight)
		if now := time.Now(); now.Sub(lastBeat) > heartbeatEvery {
			// The consumer handle never sleeps in a wait (the observer does), so it records
			// its sign of life itself, for peers using OpenTakeover with a staleness limit.
			_ = w.cons.Heartbeat()
			lastBeat = now
		}
		if inFlight == 0 {
			if err := w.consume(done); err != nil {
				return err
			}
			done = 0
			q, qh = q[:0], 0
			if !reading {
				w.log.Info("out: stopped; every message read was acknowledged", "next_seq", w.acked)
				return nil
			}
			if info, err := w.cons.Stats(); err == nil {
				w.st.setLag(int64(info.Head - w.acked))
			}
			wc, cancel := context.WithTimeout(ctx, 100*time.Millisecond)
			_ = w.obs.Wait(wc)
			cancel()
			continue
		}
		p := &q[qh]
		ok := false
		if p.fut != nil {
			// The deadline runs from the publish, not from the moment the message reached
			// the front: after an outage every message in flight times out together,
			// instead of one after the other.
			timer.Reset(max(time.Until(p.sent.Add(w.cfg.AckTimeout.D())), 0))
			select {
			case ack := <-p.fut.Ok():
				if ack.Duplicate {
					w.st.addDup()
				}
				ok = true
			case <-p.fut.Err():
			case <-timer.C:
			case <-fin.Done():
				return fmt.Errorf("shutdown timeout: %d publishes not acknowledged by JetStream; they stay in the channel and are sent again at the next start", inFlight)
			}
			if !timer.Stop() {
				select {
				case <-timer.C:
				default:
				}
			}
		}
		if !ok {
			w.st.addRetry()
			if err := w.publishSync(fin, p.msg); err != nil {
				return err
			}
		}
		q[qh] = outPending{}
		qh++
		done++
		maybeCrash("out-acked")
		if done >= 64 || qh == len(q) {
			if err := w.consume(done); err != nil {
				return err
			}
			done = 0
			if info, err := w.cons.Stats(); err == nil {
				w.st.setLag(int64(info.Head - w.acked))
			}
		}
	}
}
