// Package bridge carries hftipc channels between hosts over NATS JetStream: an out worker
// publishes every message of a local channel to a JetStream subject, an in worker writes the
// messages of a durable JetStream consumer into a local channel. docs/BRIDGE.md describes the
// delivery guarantees and the configuration file.
package bridge

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"time"

	"github.com/BurntSushi/toml"
)

// Duration is a time.Duration written as a Go duration string ("250ms", "2m") in TOML.
type Duration time.Duration

// UnmarshalText parses a Go duration string.
func (d *Duration) UnmarshalText(b []byte) error {
	v, err := time.ParseDuration(string(b))
	if err != nil {
		return fmt.Errorf("invalid duration %q (want e.g. \"500ms\", \"10s\", \"2m\")", string(b))
	}
	if v < 0 {
		return fmt.Errorf("invalid duration %q: negative", string(b))
	}
	*d = Duration(v)
	return nil
}

// MarshalText writes the duration as a Go duration string.
func (d Duration) MarshalText() ([]byte, error) { return []byte(time.Duration(d).String()), nil }

// D returns the value as a time.Duration.
func (d Duration) D() time.Duration { return time.Duration(d) }

// Config is the whole configuration file (TOML).
type Config struct {
	NATS    NATSConfig    `toml:"nats"`
	Metrics MetricsConfig `toml:"metrics"`
	// ShutdownTimeout bounds how long SIGTERM waits for in-flight publishes (default 10s).
	ShutdownTimeout Duration    `toml:"shutdown_timeout"`
	Out             []OutConfig `toml:"out"`
	In              []InConfig  `toml:"in"`
}

// NATSConfig says where the NATS servers are and how to reconnect to them.
type NATSConfig struct {
	// URLs are the servers, e.g. ["nats://10.0.0.1:4222", "nats://10.0.0.2:4222"]
	// (default ["nats://127.0.0.1:4222"]).
	URLs []string `toml:"urls"`
	// Name is the connection name shown by the server's monitoring (default "hftipc-bridge").
	Name string `toml:"name"`
	// ReconnectMin and ReconnectMax bound the exponential reconnect backoff (100ms, 5s).
	ReconnectMin Duration `toml:"reconnect_min"`
	ReconnectMax Duration `toml:"reconnect_max"`
	// CredsFile is an optional NATS credentials file (JWT + nkey seed).
	CredsFile string `toml:"creds_file"`
}

// MetricsConfig is the local HTTP endpoint serving /metrics (Prometheus) and /status (JSON).
type MetricsConfig struct {
	// Listen is host:port (default "127.0.0.1:9464"; "" keeps the default, "off" disables).
	Listen string `toml:"listen"`
}

// StreamConfig names the JetStream stream a worker uses and how it is created when missing.
type StreamConfig struct {
	// Stream is the stream's name (default: HFTIPC_ followed by the worker name in capitals).
	Stream string `toml:"stream"`
	// Replicas of a stream the bridge creates (default 1; 3 on a three-node cluster).
	Replicas int `toml:"replicas"`
	// DuplicateWindow is the stream's duplicate window, within which JetStream drops a
	// message whose Nats-Msg-Id it has already stored (default 2m).
	DuplicateWindow Duration `toml:"duplicate_window"`
	// MaxAge bounds how long the stream keeps messages (default 0: no limit).
	MaxAge Duration `toml:"max_age"`
	// TakeoverAfter, when set, lets the bridge take the channel role over from a holder
	// whose heartbeat is older than this (a crashed bridge in another pid namespace, as in
	// a pod without a shared process namespace). Default 0: only dead holders are replaced.
	TakeoverAfter Duration `toml:"takeover_after"`
}

// OutConfig is one local channel published to a subject.
type OutConfig struct {
	Name    string `toml:"name"`
	Channel string `toml:"channel"`
	Subject string `toml:"subject"`
	StreamConfig
	// MaxInFlight bounds the publishes awaiting their JetStream acknowledgement (default 1024).
	MaxInFlight int `toml:"max_in_flight"`
	// AckTimeout is how long one publish may wait for its acknowledgement before it is sent
	// again (default 5s).
	AckTimeout Duration `toml:"ack_timeout"`
}

// InConfig is one subject written into a local channel.
type InConfig struct {
	Name    string `toml:"name"`
	Channel string `toml:"channel"`
	Subject string `toml:"subject"`
	StreamConfig
	// Durable is the durable consumer's name (default "hftipc-bridge-" + name).
	Durable string `toml:"durable"`
	// Capacity and SlotSize of the channel when the bridge creates it (defaults 4096, 512).
	Capacity uint32 `toml:"capacity"`
	SlotSize uint32 `toml:"slot_size"`
	// FetchBatch is the number of messages asked for per pull (default 256).
	FetchBatch int `toml:"fetch_batch"`
	// AckWait is the consumer's redelivery timeout (default 10s). While the channel is full
	// the bridge tells JetStream it is still working on the messages it holds.
	AckWait Duration `toml:"ack_wait"`
	// MaxAckPending bounds the delivered, unacknowledged messages (default 4096).
	MaxAckPending int `toml:"max_ack_pending"`
	// StateFile records which source channel and sequence the channel's messages start at
	// (default: the channel path followed by ".bridge-state").
	StateFile string `toml:"state_file"`
}

var nameRE = regexp.MustCompile(`^[A-Za-z0-9_-]{1,64}$`)

// LoadConfig reads and validates a configuration file, filling defaults.
func LoadConfig(path string) (*Config, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return ParseConfig(string(b), path)
}

// ParseConfig parses and validates configuration text; origin names it in errors.
func ParseConfig(text, origin string) (*Config, error) {
	var c Config
	md, err := toml.Decode(text, &c)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", origin, err)
	}
	if und := md.Undecoded(); len(und) > 0 {
		keys := make([]string, len(und))
		for i, k := range und {
			keys[i] = k.String()
		}
		return nil, fmt.Errorf("%s: unknown key(s): %s", origin, strings.Join(keys, ", "))
	}
	if err := c.fill(); err != nil {
		return nil, fmt.Errorf("%s: %w", origin, err)
	}
	return &c, nil
}

func (s *StreamConfig) fill(name string) error {
	if s.Stream == "" {
		s.Stream = "HFTIPC_" + strings.ToUpper(strings.ReplaceAll(name, "-", "_"))
	}
	if !nameRE.MatchString(s.Stream) {
		return fmt.Errorf("stream %q: letters, digits, '-' and '_' only, 1 to 64", s.Stream)
	}
	if s.Replicas == 0 {
		s.Replicas = 1
	}
	if s.Replicas < 1 || s.Replicas > 5 {
		return fmt.Errorf("replicas %d: want 1 to 5", s.Replicas)
	}
	if s.DuplicateWindow == 0 {
		s.DuplicateWindow = Duration(2 * time.Minute)
	}
	if s.TakeoverAfter != 0 && s.TakeoverAfter.D() < 4*heartbeatEvery {
		return fmt.Errorf("takeover_after %s: at least %s (4 heartbeats), or 0", s.TakeoverAfter.D(), 4*heartbeatEvery)
	}
	return nil
}

func checkSubject(s string) error {
	if s == "" {
		return errors.New("subject is required")
	}
	if strings.ContainsAny(s, " \t\r\n*>") || strings.HasPrefix(s, ".") || strings.HasSuffix(s, ".") ||
		strings.Contains(s, "..") {
		return fmt.Errorf("subject %q: a literal NATS subject (tokens separated by '.', no wildcards or spaces)", s)
	}
	return nil
}

func (c *Config) fill() error {
	if len(c.NATS.URLs) == 0 {
		c.NATS.URLs = []string{"nats://127.0.0.1:4222"}
	}
	if c.NATS.Name == "" {
		c.NATS.Name = "hftipc-bridge"
	}
	if c.NATS.ReconnectMin == 0 {
		c.NATS.ReconnectMin = Duration(100 * time.Millisecond)
	}
	if c.NATS.ReconnectMax == 0 {
		c.NATS.ReconnectMax = Duration(5 * time.Second)
	}
	if c.NATS.ReconnectMax < c.NATS.ReconnectMin {
		return fmt.Errorf("nats.reconnect_max (%s) is below nats.reconnect_min (%s)",
			c.NATS.ReconnectMax.D(), c.NATS.ReconnectMin.D())
	}
	if c.Metrics.Listen == "" {
		c.Metrics.Listen = "127.0.0.1:9464"
	}
	if c.ShutdownTimeout == 0 {
		c.ShutdownTimeout = Duration(10 * time.Second)
	}
	if len(c.Out)+len(c.In) == 0 {
		return errors.New("no [[out]] or [[in]] section: nothing to bridge")
	}
	names := map[string]bool{}
	channels := map[string]string{}
	claim := func(kind, name, channel string) error {
		if !nameRE.MatchString(name) {
			return fmt.Errorf("[[%s]] name %q: letters, digits, '-' and '_' only, 1 to 64", kind, name)
		}
		if names[kind+"/"+name] {
			return fmt.Errorf("[[%s]] name %q used twice", kind, name)
		}
		names[kind+"/"+name] = true
		if channel == "" {
			return fmt.Errorf("[[%s]] %s: channel (a path) is required", kind, name)
		}
		abs, err := filepath.Abs(channel)
		if err != nil {
			return err
		}
		if prev, ok := channels[abs]; ok {
			return fmt.Errorf("[[%s]] %s: channel %s is already bridged by %s", kind, name, channel, prev)
		}
		channels[abs] = kind + " " + name
		return nil
	}
	for i := range c.Out {
		o := &c.Out[i]
		if err := claim("out", o.Name, o.Channel); err != nil {
			return err
		}
		if err := checkSubject(o.Subject); err != nil {
			return fmt.Errorf("[[out]] %s: %w", o.Name, err)
		}
		if err := o.StreamConfig.fill(o.Name); err != nil {
			return fmt.Errorf("[[out]] %s: %w", o.Name, err)
		}
		if o.MaxInFlight == 0 {
			o.MaxInFlight = 1024
		}
		if o.MaxInFlight < 1 || o.MaxInFlight > 1<<20 {
			return fmt.Errorf("[[out]] %s: max_in_flight %d: want 1 to 1048576", o.Name, o.MaxInFlight)
		}
		if o.AckTimeout == 0 {
			o.AckTimeout = Duration(5 * time.Second)
		}
	}
	for i := range c.In {
		in := &c.In[i]
		if err := claim("in", in.Name, in.Channel); err != nil {
			return err
		}
		if err := checkSubject(in.Subject); err != nil {
			return fmt.Errorf("[[in]] %s: %w", in.Name, err)
		}
		if err := in.StreamConfig.fill(in.Name); err != nil {
			return fmt.Errorf("[[in]] %s: %w", in.Name, err)
		}
		if in.Durable == "" {
			in.Durable = "hftipc-bridge-" + in.Name
		}
		if !nameRE.MatchString(in.Durable) {
			return fmt.Errorf("[[in]] %s: durable %q: letters, digits, '-' and '_' only", in.Name, in.Durable)
		}
		if in.Capacity == 0 {
			in.Capacity = 4096
		}
		if in.SlotSize == 0 {
			in.SlotSize = 512
		}
		if in.FetchBatch == 0 {
			in.FetchBatch = 256
		}
		if in.FetchBatch < 1 || in.FetchBatch > 65536 {
			return fmt.Errorf("[[in]] %s: fetch_batch %d: want 1 to 65536", in.Name, in.FetchBatch)
		}
		if in.AckWait == 0 {
			in.AckWait = Duration(10 * time.Second)
		}
		if in.AckWait.D() < 100*time.Millisecond {
			return fmt.Errorf("[[in]] %s: ack_wait %s: at least 100ms", in.Name, in.AckWait.D())
		}
		if in.MaxAckPending == 0 {
			in.MaxAckPending = 4096
		}
		if in.MaxAckPending < in.FetchBatch {
			return fmt.Errorf("[[in]] %s: max_ack_pending %d is below fetch_batch %d", in.Name,
				in.MaxAckPending, in.FetchBatch)
		}
		if in.StateFile == "" {
			in.StateFile = in.Channel + ".bridge-state"
		}
	}
	return nil
}

// WriteConfig writes cfg as TOML, with every default filled in.
func WriteConfig(w io.Writer, cfg *Config) error { return toml.NewEncoder(w).Encode(cfg) }
