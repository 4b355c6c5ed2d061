package bridge

import (
	"strings"
	"testing"
	"time"
)

const minimal = `
[[out]]
name = "quotes"
channel = "/dev/shm/quotes"
subject = "hftipc.quotes"
`

func TestConfigDefaults(t *testing.T) {
	c, err := ParseConfig(minimal+`
[[in]]
name = "orders"
channel = "/dev/shm/orders"
subject = "hftipc.orders"
`, "test")
	if err != nil {
		t.Fatal(err)
	}
	o, in := c.Out[0], c.In[0]
	if c.NATS.URLs[0] != "nats://127.0.0.1:4222" || c.Metrics.Listen != "127.0.0.1:9464" ||
		c.ShutdownTimeout.D() != 10*time.Second {
		t.Errorf("global defaults: %+v", c)
	}
	if o.Stream != "HFTIPC_QUOTES" || o.Replicas != 1 || o.DuplicateWindow.D() != 2*time.Minute ||
		o.MaxInFlight != 1024 || o.AckTimeout.D() != 5*time.Second {
		t.Errorf("out defaults: %+v", o)
	}
	if in.Durable != "hftipc-bridge-orders" || in.Capacity != 4096 || in.SlotSize != 512 ||
		in.FetchBatch != 256 || in.AckWait.D() != 10*time.Second || in.MaxAckPending != 4096 ||
		in.StateFile != "/dev/shm/orders.bridge-state" {
		t.Errorf("in defaults: %+v", in)
	}
	var sb strings.Builder
	if err := WriteConfig(&sb, c); err != nil {
		t.Fatal(err)
	}
	again, err := ParseConfig(sb.String(), "written")
	if err != nil {
		t.Fatalf("the written configuration does not parse: %v\n%s", err, sb.String())
	}
	if again.Out[0] != c.Out[0] || again.In[0] != c.In[0] {
		t.Errorf("round trip changed the configuration:\n%s", sb.String())
	}
}

// One row per kind of bad configuration: the text and a part of the expected message.
func TestConfigRejects(t *testing.T) {
	for _, tc := range []struct{ name, text, want string }{
		{"empty", ``, "nothing to bridge"},
		{"syntax", `[[out]`, "test:"},
		{"unknown key", minimal + "colour = \"red\"\n", "unknown key(s): out.colour"},
		{"no subject", "[[out]]\nname = \"a\"\nchannel = \"/x\"\n", "subject is required"},
		{"wildcard subject", "[[out]]\nname = \"a\"\nchannel = \"/x\"\nsubject = \"a.*\"\n", "literal NATS subject"},
		{"no channel", "[[out]]\nname = \"a\"\nsubject = \"a\"\n", "channel (a path) is required"},
		{"bad name", "[[out]]\nname = \"a b\"\nchannel = \"/x\"\nsubject = \"a\"\n", "letters, digits"},
		{"same name", minimal + minimal, "used twice"},
		{"same channel", minimal + "[[in]]\nname = \"b\"\nchannel = \"/dev/shm/quotes\"\nsubject = \"b\"\n", "already bridged"},
		{"bad duration", minimal + "ack_timeout = \"soon\"\n", "invalid duration"},
		{"replicas", minimal + "replicas = 7\n", "replicas 7"},
		{"in flight", minimal + "max_in_flight = -1\n", "max_in_flight -1"},
		{"ack wait", "[[in]]\nname = \"a\"\nchannel = \"/x\"\nsubject = \"a\"\nack_wait = \"1ms\"\n", "at least 100ms"},
		{"pending", "[[in]]\nname = \"a\"\nchannel = \"/x\"\nsubject = \"a\"\nfetch_batch = 100\nmax_ack_pending = 10\n", "below fetch_batch"},
		{"backoff", minimal + "[nats]\nreconnect_min = \"2s\"\nreconnect_max = \"1s\"\n", "below nats.reconnect_min"},
	} {
		_, err := ParseConfig(tc.text, "test")
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %v, want one containing %q", tc.name, err, tc.want)
		}
	}
}

func TestBackoffGrowsAndIsBounded(t *testing.T) {
	prev := time.Duration(0)
	for n := 0; n < 20; n++ {
		d := backoff(n, 100*time.Millisecond, 5*time.Second)
		if d < 80*time.Millisecond || d > 6*time.Second {
			t.Fatalf("backoff(%d) = %s, outside [80ms, 6s]", n, d)
		}
		if n < 4 && d <= prev*8/10 {
			t.Errorf("backoff(%d) = %s did not grow from %s", n, d, prev)
		}
		prev = d
	}
}

func TestIdentityOrder(t *testing.T) {
	if identityTime("1700000000000000000.42") != 1700000000000000000 || identityTime("junk") != 0 {
		t.Error("identityTime")
	}
}
