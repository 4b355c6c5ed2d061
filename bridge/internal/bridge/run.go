package bridge

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Version is the bridge's version, shown by --version and in the status.
const Version = "0.1.0"

// Bridge runs the workers of one configuration in one process, over one NATS connection.
type Bridge struct {
	cfg     *Config
	log     *slog.Logger
	m       *metrics
	started time.Time

	nc *nats.Conn
	js jetstream.JetStream

	workers    []*workerState
	reconnects atomic.Uint64
	connMu     sync.Mutex
	connErr    string
	stopping   atomic.Bool

	// Addr is the metrics endpoint's address once listening (for tests using port 0).
	Addr chan string
}

// New prepares a bridge; Run starts it.
func New(cfg *Config, log *slog.Logger) *Bridge {
	return &Bridge{cfg: cfg, log: log, m: newMetrics(), started: time.Now(), Addr: make(chan string, 1)}
}

// backoff returns the delay before attempt n (0-based): exponential from min to max with
// +-20 % jitter, so that bridges restarted together do not reconnect in lockstep.
func backoff(n int, min, max time.Duration) time.Duration {
	d := min
	for i := 0; i < n && d < max; i++ {
		d *= 2
	}
	if d > max {
		d = max
	}
	j := time.Duration(float64(d) * (0.8 + 0.4*rand.Float64()))
	return j
}

// sleepCtx sleeps for d or until ctx ends; false when ctx ended.
func sleepCtx(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}

func (b *Bridge) connect() error {
	c := b.cfg.NATS
	opts := []nats.Option{
		nats.Name(c.Name),
		nats.MaxReconnects(-1),
		nats.RetryOnFailedConnect(true),
		nats.ReconnectJitter(0, 0),
		nats.CustomReconnectDelay(func(attempts int) time.Duration {
			return backoff(attempts-1, c.ReconnectMin.D(), c.ReconnectMax.D())
		}),
		// Publishes made while disconnected are buffered and sent on reconnect; their
		// acknowledgements (or timeouts) decide what is sent again.
		nats.ReconnectBufSize(64 << 20),
		nats.ConnectHandler(func(nc *nats.Conn) {
			b.m.connected.Set(1)
			b.setConnErr("")
			b.log.Info("nats: connected", "server", nc.ConnectedUrlRedacted())
		}),
		nats.DisconnectErrHandler(func(nc *nats.Conn, err error) {
			b.m.connected.Set(0)
			if err != nil {
				b.setConnErr(err.Error())
			}
			b.log.Warn("nats: disconnected; reconnecting with backoff", "err", err)
		}),
		nats.ReconnectHandler(func(nc *nats.Conn) {
			b.m.connected.Set(1)
			b.m.reconnects.Inc()
			b.reconnects.Add(1)
			b.setConnErr("")
			b.log.Info("nats: reconnected", "server", nc.ConnectedUrlRedacted())
		}),
		nats.ClosedHandler(func(nc *nats.Conn) {
			b.m.connected.Set(0)
			b.log.Info("nats: connection closed")
		}),
		nats.ErrorHandler(func(nc *nats.Conn, s *nats.Subscription, err error) {
			b.setConnErr(err.Error())
			b.log.Warn("nats: asynchronous error", "err", err)
		}),
	}
	if c.CredsFile != "" {
		opts = append(opts, nats.UserCredentials(c.CredsFile))
	}
	urls := ""
	for i, u := range c.URLs {
		if i > 0 {
			urls += ","
		}
		urls += u
	}
	nc, err := nats.Connect(urls, opts...)
	if err != nil {
		return fmt.Errorf("nats: %w", err)
	}
	if !nc.IsConnected() {
		b.log.Warn("nats: not reachable yet; retrying with backoff", "urls", urls)
	}
	b.nc = nc
	maxPending, ackTimeout := 0, time.Duration(0)
	for _, o := range b.cfg.Out {
		maxPending += o.MaxInFlight
		ackTimeout = max(ackTimeout, o.AckTimeout.D())
	}
	opts2 := []jetstream.JetStreamOpt{jetstream.WithPublishAsyncMaxPending(maxPending + 1)}
	if ackTimeout > 0 {
		// An acknowledgement lost in a failover would otherwise keep its slot among the
		// pending publishes for ever, and the client would stall new ones.
		opts2 = append(opts2, jetstream.WithPublishAsyncTimeout(ackTimeout))
	}
	b.js, err = jetstream.New(nc, opts2...)
	return err
}

func (b *Bridge) setConnErr(s string) {
	b.connMu.Lock()
	b.connErr = s
	b.connMu.Unlock()
}

// Status is the current state of the bridge and its workers.
func (b *Bridge) Status() *Status {
	s := &Status{Version: Version, PID: os.Getpid(), Started: b.started, ShuttingDn: b.stopping.Load()}
	if b.nc != nil {
		s.NATS.Connected = b.nc.IsConnected()
		if s.NATS.Connected {
			s.NATS.Server = b.nc.ConnectedUrlRedacted()
		}
	}
	s.NATS.Reconnects = b.reconnects.Load()
	b.connMu.Lock()
	s.NATS.LastError = b.connErr
	b.connMu.Unlock()
	for _, w := range b.workers {
		s.Workers = append(s.Workers, w.snapshot())
	}
	return s
}

func (b *Bridge) serveHTTP(ctx context.Context) (func(), error) {
	if b.cfg.Metrics.Listen == "off" {
		b.Addr <- ""
		return func() {}, nil
	}
	ln, err := net.Listen("tcp", b.cfg.Metrics.Listen)
	if err != nil {
		return nil, fmt.Errorf("metrics: %w", err)
	}
	mux := http.NewServeMux()
	mux.Handle("/metrics", promhttp.HandlerFor(b.m.reg, promhttp.HandlerOpts{}))
	mux.HandleFunc("/status", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(b.Status())
	})
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	b.log.Info("metrics: listening", "addr", ln.Addr().String(), "paths", "/metrics /status")
	b.Addr <- ln.Addr().String()
	return func() {
		c, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		_ = srv.Shutdown(c)
	}, nil
}

// Run runs every worker until ctx ends (SIGTERM), then lets each finish its in-flight work
// within the shutdown timeout, and returns. A worker error that cannot be retried (a channel
// that cannot be opened, a bad stream) ends the whole bridge with that error.
func (b *Bridge) Run(ctx context.Context) error {
	if err := b.connect(); err != nil {
		return err
	}
	defer b.nc.Close()
	// work ends at shutdown or on the first fatal worker error; drainCtx bounds the
	// finishing of in-flight publishes after that.
	work, cancelWork := context.WithCancel(ctx)
	defer cancelWork()
	var (
		wg       sync.WaitGroup
		errMu    sync.Mutex
		firstErr error
	)
	fatal := func(err error) {
		errMu.Lock()
		if firstErr == nil {
			firstErr = err
		}
		errMu.Unlock()
		cancelWork()
	}
	var runs []func()
	for i := range b.cfg.Out {
		o := newOutWorker(b, &b.cfg.Out[i])
		b.workers = append(b.workers, o.st)
		runs = append(runs, func() {
			if err := o.run(work); err != nil {
				fatal(fmt.Errorf("out %s: %w", o.cfg.Name, err))
			}
		})
	}
	for i := range b.cfg.In {
		in := newInWorker(b, &b.cfg.In[i])
		b.workers = append(b.workers, in.st)
		runs = append(runs, func() {
			if err := in.run(work); err != nil {
				fatal(fmt.Errorf("in %s: %w", in.cfg.Name, err))
			}
		})
	}
	// The status handler reads b.workers: serve only once the list is complete.
	stopHTTP, err := b.serveHTTP(ctx)
	if err != nil {
		return err
	}
	defer stopHTTP()
	for _, r := range runs {
		wg.Add(1)
		go func() { defer wg.Done(); r() }()
	}
	<-work.Done()
	if ctx.Err() != nil {
		b.stopping.Store(true)
		b.log.Info("shutdown: finishing in-flight messages", "timeout", b.cfg.ShutdownTimeout.D())
	}
	wg.Wait()
	// Acknowledgements to JetStream are plain publishes: flush them before closing.
	if b.nc.IsConnected() {
		_ = b.nc.FlushTimeout(2 * time.Second)
	}
	errMu.Lock()
	defer errMu.Unlock()
	if firstErr != nil {
		return firstErr
	}
	b.log.Info("shutdown: done")
	return nil
}

// ensureStream returns the worker's stream, creating it when missing. It retries with
// backoff while JetStream is unreachable, until ctx ends.
func (b *Bridge) ensureStream(ctx context.Context, st *workerState, sc StreamConfig, subject string) (jetstream.Stream, error) {
	for attempt := 0; ; attempt++ {
		c, cancel := context.WithTimeout(ctx, 5*time.Second)
		s, err := b.js.Stream(c, sc.Stream)
		if errors.Is(err, jetstream.ErrStreamNotFound) {
			s, err = b.js.CreateStream(c, jetstream.StreamConfig{
				Name:       sc.Stream,
				Subjects:   []string{subject},
				Storage:    jetstream.FileStorage,
				Replicas:   sc.Replicas,
				Duplicates: sc.DuplicateWindow.D(),
				MaxAge:     sc.MaxAge.D(),
			})
			if err == nil {
				b.log.Info("stream: created", "stream", sc.Stream, "subject", subject,
					"replicas", sc.Replicas, "duplicate_window", sc.DuplicateWindow.D())
			} else if errors.Is(err, jetstream.ErrStreamNameAlreadyInUse) {
				cancel()
				continue // created by another worker meanwhile
			}
		}
		cancel()
		if err == nil {
			return s, nil
		}
		st.setError(err)
		st.setState("waiting-for-jetstream")
		if !sleepCtx(ctx, backoff(attempt, b.cfg.NATS.ReconnectMin.D(), b.cfg.NATS.ReconnectMax.D())) {
			return nil, ctx.Err()
		}
	}
}
