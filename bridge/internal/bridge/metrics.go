package bridge

import (
	"encoding/json"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// metrics holds the Prometheus collectors, registered on a private registry so that the
// endpoint shows the bridge's series and the Go runtime's, nothing from other packages.
type metrics struct {
	reg        *prometheus.Registry
	messages   *prometheus.CounterVec // direction, name
	duplicates *prometheus.CounterVec // direction, name
	retries    *prometheus.CounterVec // direction, name
	inFlight   *prometheus.GaugeVec   // direction, name
	lag        *prometheus.GaugeVec   // direction, name
	waiting    *prometheus.GaugeVec   // name: in worker blocked on a full channel (1) or not
	reordered  *prometheus.GaugeVec   // name: in worker holding messages ahead of a gap
	terminated *prometheus.CounterVec // name: messages too large for the in channel
	reconnects prometheus.Counter
	connected  prometheus.Gauge
}

func newMetrics() *metrics {
	m := &metrics{
		reg: prometheus.NewRegistry(),
		messages: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "hftipc_bridge_messages_total",
			Help: "Messages bridged: out = published and acknowledged by JetStream, then consumed from the channel; in = written into the channel, then acknowledged to JetStream.",
		}, []string{"direction", "name"}),
		duplicates: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "hftipc_bridge_duplicates_total",
			Help: "Duplicates removed: out = publishes JetStream reported as duplicates (Nats-Msg-Id within the duplicate window); in = deliveries dropped because their sequence was already written.",
		}, []string{"direction", "name"}),
		retries: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "hftipc_bridge_retries_total",
			Help: "Publishes sent again after an error or a missing acknowledgement (out).",
		}, []string{"direction", "name"}),
		inFlight: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "hftipc_bridge_in_flight",
			Help: "out: publishes awaiting their acknowledgement; in: delivered messages not yet acknowledged.",
		}, []string{"direction", "name"}),
		lag: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "hftipc_bridge_lag_messages",
			Help: "out: messages in the local channel not yet acknowledged by JetStream; in: messages in the stream not yet delivered to the bridge (consumer num_pending).",
		}, []string{"direction", "name"}),
		waiting: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "hftipc_bridge_backpressure",
			Help: "1 while the in worker waits for room in a full local channel.",
		}, []string{"name"}),
		reordered: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "hftipc_bridge_held_out_of_order",
			Help: "Messages the in worker holds because an earlier sequence has not arrived yet.",
		}, []string{"name"}),
		terminated: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "hftipc_bridge_terminated_total",
			Help: "Messages larger than the in channel's max payload: terminated in JetStream, not written (a configuration error).",
		}, []string{"name"}),
		reconnects: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "hftipc_bridge_nats_reconnects_total",
			Help: "Reconnections to NATS after a lost connection.",
		}),
		connected: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "hftipc_bridge_nats_connected",
			Help: "1 while connected to a NATS server.",
		}),
	}
	m.reg.MustRegister(m.messages, m.duplicates, m.retries, m.inFlight, m.lag, m.waiting,
		m.reordered, m.terminated, m.reconnects, m.connected,
		prometheus.NewGoCollector(), prometheus.NewProcessCollector(prometheus.ProcessCollectorOpts{}))
	return m
}

// WorkerStatus is one worker's entry in the JSON status.
type WorkerStatus struct {
	Direction  string `json:"direction"` // "out" or "in"
	Name       string `json:"name"`
	Channel    string `json:"channel"`
	Subject    string `json:"subject"`
	Stream     string `json:"stream"`
	State      string `json:"state"`
	Messages   uint64 `json:"messages"`
	Duplicates uint64 `json:"duplicates"`
	Retries    uint64 `json:"retries"`
	InFlight   int64  `json:"in_flight"`
	Lag        int64  `json:"lag"`
	// NextSeq is the next source sequence: out, the next message to publish; in, the next
	// message to write.
	NextSeq   uint64 `json:"next_seq"`
	Source    string `json:"source,omitempty"` // channel file identity of the messages
	LastError string `json:"last_error,omitempty"`
}

// Status is the document served at /status and printed by `hftipc-bridge status --json`.
type Status struct {
	Version    string         `json:"version"`
	PID        int            `json:"pid"`
	Started    time.Time      `json:"started"`
	NATS       NATSStatus     `json:"nats"`
	Workers    []WorkerStatus `json:"workers"`
	ShuttingDn bool           `json:"shutting_down"`
}

// NATSStatus is the connection's part of Status.
type NATSStatus struct {
	Connected  bool   `json:"connected"`
	Server     string `json:"server,omitempty"`
	Reconnects uint64 `json:"reconnects"`
	LastError  string `json:"last_error,omitempty"`
}

// workerState is the live state of one worker, read by the status handler.
type workerState struct {
	mu        sync.Mutex
	st        WorkerStatus
	messages  atomic.Uint64
	dups      atomic.Uint64
	retries   atomic.Uint64
	inFlight  atomic.Int64
	lag       atomic.Int64
	nextSeq   atomic.Uint64
	onState   func(old, new string)
	promMsgs  prometheus.Counter
	promDups  prometheus.Counter
	promRetry prometheus.Counter
	promIn    prometheus.Gauge
	promLag   prometheus.Gauge
}

func (m *metrics) worker(st WorkerStatus, onState func(old, new string)) *workerState {
	w := &workerState{st: st, onState: onState}
	w.promMsgs = m.messages.WithLabelValues(st.Direction, st.Name)
	w.promDups = m.duplicates.WithLabelValues(st.Direction, st.Name)
	w.promRetry = m.retries.WithLabelValues(st.Direction, st.Name)
	w.promIn = m.inFlight.WithLabelValues(st.Direction, st.Name)
	w.promLag = m.lag.WithLabelValues(st.Direction, st.Name)
	return w
}

// setState records a state change and logs it once (not again while unchanged).
func (w *workerState) setState(s string) {
	w.mu.Lock()
	old := w.st.State
	w.st.State = s
	w.mu.Unlock()
	if old != s && w.onState != nil {
		w.onState(old, s)
	}
}

func (w *workerState) setError(err error) {
	w.mu.Lock()
	if err == nil {
		w.st.LastError = ""
	} else {
		w.st.LastError = err.Error()
	}
	w.mu.Unlock()
}

func (w *workerState) setSource(s string) {
	w.mu.Lock()
	w.st.Source = s
	w.mu.Unlock()
}

func (w *workerState) addMessages(n int) {
	w.messages.Add(uint64(n))
	w.promMsgs.Add(float64(n))
}

func (w *workerState) addDup() {
	w.dups.Add(1)
	w.promDups.Inc()
}

func (w *workerState) addRetry() {
	w.retries.Add(1)
	w.promRetry.Inc()
}

func (w *workerState) setInFlight(n int) {
	w.inFlight.Store(int64(n))
	w.promIn.Set(float64(n))
}

func (w *workerState) setLag(n int64) {
	w.lag.Store(n)
	w.promLag.Set(float64(n))
}

func (w *workerState) snapshot() WorkerStatus {
	w.mu.Lock()
	s := w.st
	w.mu.Unlock()
	s.Messages = w.messages.Load()
	s.Duplicates = w.dups.Load()
	s.Retries = w.retries.Load()
	s.InFlight = w.inFlight.Load()
	s.Lag = w.lag.Load()
	s.NextSeq = w.nextSeq.Load()
	return s
}

// MarshalIndent is the status as indented JSON.
func (s *Status) MarshalIndent() ([]byte, error) { return json.MarshalIndent(s, "", "  ") }
