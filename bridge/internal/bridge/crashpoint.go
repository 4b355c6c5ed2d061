package bridge

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"syscall"
)

// Crash points for the crash tests: HFTIPC_BRIDGE_CRASH_AT=POINT:N makes the process kill
// itself with SIGKILL the N-th time it passes POINT, so that a test can stop it inside the
// narrow windows that a kill from outside only hits by chance:
//
//	out-acked   after JetStream acknowledged a publish, before the channel message is consumed
//	in-written  after a message was written into the channel, before it is acknowledged
//
// Unset (always, outside tests) it costs one predictable branch.
type crashPoint struct {
	name string
	left int64
}

var crashAt = parseCrashAt(os.Getenv("HFTIPC_BRIDGE_CRASH_AT"))

func parseCrashAt(s string) *crashPoint {
	if s == "" {
		return nil
	}
	name, n, ok := strings.Cut(s, ":")
	v, err := strconv.ParseInt(n, 10, 64)
	if !ok || err != nil || v < 1 || (name != "out-acked" && name != "in-written") {
		fmt.Fprintf(os.Stderr, "hftipc-bridge: HFTIPC_BRIDGE_CRASH_AT=%q: want out-acked:N or in-written:N\n", s)
		os.Exit(2)
	}
	return &crashPoint{name: name, left: v}
}

// maybeCrash is called at POINT; only one worker uses a given point in the crash tests.
func maybeCrash(point string) {
	if crashAt == nil || crashAt.name != point {
		return
	}
	if crashAt.left--; crashAt.left == 0 {
		fmt.Fprintf(os.Stderr, "hftipc-bridge: HFTIPC_BRIDGE_CRASH_AT=%s reached: SIGKILL\n", point)
		_ = syscall.Kill(os.Getpid(), syscall.SIGKILL)
		select {}
	}
}
