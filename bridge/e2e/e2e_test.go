package e2e

import (
	"bufio"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/hftipc/hftipc/bridge/internal/bridge"
)

func e2eMessages() int {
	if s := os.Getenv("HFTIPC_BRIDGE_E2E_MESSAGES"); s != "" {
		if v, err := strconv.Atoi(s); err == nil && v > 0 {
			return v
		}
	}
	return 1000000
}

var peerLine = regexp.MustCompile(`^(write|read) start=(\d+) end=(\d+) checksum=([0-9a-f]{16})$`)

// peerResult parses the "write|read start=S end=E checksum=HEX" line of an interop peer.
func peerResult(t *testing.T, path string) (start, end uint64, sum string) {
	t.Helper()
	b, _ := os.ReadFile(path)
	for _, l := range strings.Split(string(b), "\n") {
		if m := peerLine.FindStringSubmatch(strings.TrimSpace(l)); m != nil {
			s, _ := strconv.ParseUint(m[2], 10, 64)
			e, _ := strconv.ParseUint(m[3], 10, 64)
			return s, e, m[4]
		}
	}
	t.Fatalf("%s: no result line:\n%s", path, tail(path, 10))
	return
}

// metricValue reads one sample of the Prometheus text at url.
func metricValue(t *testing.T, url, series string) float64 {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/plain") {
		t.Errorf("/metrics Content-Type %q, want the Prometheus text format", ct)
	}
	sc := bufio.NewScanner(resp.Body)
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(line, series+" ") {
			v, err := strconv.ParseFloat(strings.TrimSpace(line[len(series):]), 64)
			if err != nil {
				t.Fatalf("metric %s: %v", line, err)
			}
			return v
		}
	}
	t.Fatalf("metric %s not found at %s", series, url)
	return 0
}

// TestEndToEndCToJava: the interop C peer writes e2eMessages() messages into channel A; one
// bridge process carries A out to JetStream and back in into channel B; the interop Java peer
// reads B, checking every message's length and bytes against the generator for its sequence
// number (so a lost, duplicated or reordered message fails at once), and both peers' FNV-1a
// checksums over the whole stream must agree. Then the bridge's metrics and status must count
// exactly those messages, and SIGTERM must stop it cleanly.
func TestEndToEndCToJava(t *testing.T) {
	needPeers(t)
	n := e2eMessages()
	dir := t.TempDir()
	shm := shmDir(t)
	a, b := filepath.Join(shm, "a"), filepath.Join(shm, "b")
	for _, path := range []string{a, b} {
		out, err := exec.Command(cliBin, "create", path, "--capacity", "4096", "--slot-size", "64").CombinedOutput()
		if err != nil {
			t.Fatalf("hftipc create %s: %v\n%s", path, err, out)
		}
	}
	srv := startNATS(t, dir)
	metrics := fmt.Sprintf("127.0.0.1:%d", freePort(t))
	br := startBridge(t, dir, "bridge", roundTripConfig(natsURLs(srv), metrics, "e2e", a, b))
	const seed = "20261201"
	javaArgs := []string{"-XX:+UseSerialGC", "-cp", javaCP, "Peer", "read", b, strconv.Itoa(n), seed}
	reader := startProc(t, "java reader", filepath.Join(dir, "java.log"), "java", javaArgs...)
	start := time.Now()
	writer := startProc(t, "c writer", filepath.Join(dir, "c.log"), cPeer, "write", a, strconv.Itoa(n), seed)
	budget := 10 * time.Minute
	if err := writer.wait(budget); err != nil {
		t.Fatalf("C writer: %v\n%s", err, tail(writer.log, 10))
	}
	wrote := time.Since(start)
	if err := reader.wait(budget); err != nil {
		t.Fatalf("Java reader: %v\n%s\nbridge log:\n%s", err, tail(reader.log, 10), tail(br.log, 30))
	}
	elapsed := time.Since(start)
	ws, we, wsum := peerResult(t, writer.log)
	rs, re, rsum := peerResult(t, reader.log)
	t.Logf("%d messages C -> bridge out -> NATS -> bridge in -> Java in %s (%.0f messages/s; writer done after %s)",
		n, elapsed.Round(time.Millisecond), float64(n)/elapsed.Seconds(), wrote.Round(time.Millisecond))
	if ws != 0 || rs != 0 || we != uint64(n) || re != uint64(n) || wsum != rsum {
		t.Fatalf("writer %d..%d checksum %s, reader %d..%d checksum %s", ws, we, wsum, rs, re, rsum)
	}

	// Metrics: Prometheus text, counting exactly the messages bridged, no duplicates.
	url := "http://" + metrics + "/metrics"
	for _, dirn := range []string{"out", "in"} {
		series := fmt.Sprintf(`hftipc_bridge_messages_total{direction=%q,name="e2e"}`, dirn)
		waitFor(t, 10*time.Second, series, func() bool { return metricValue(t, url, series) == float64(n) })
		if v := metricValue(t, url, fmt.Sprintf(`hftipc_bridge_duplicates_total{direction=%q,name="e2e"}`, dirn)); v != 0 {
			t.Errorf("%s duplicates %v, want 0", dirn, v)
		}
	}
	if v := metricValue(t, url, "hftipc_bridge_nats_connected"); v != 1 {
		t.Errorf("hftipc_bridge_nats_connected %v, want 1", v)
	}

	// Status, through the CLI, as JSON and as a table. The in worker leaves its last
	// back-pressure episode a second after the ring last had no room.
	var out []byte
	ok := false
	for deadline := time.Now().Add(10 * time.Second); !ok && time.Now().Before(deadline); time.Sleep(200 * time.Millisecond) {
		var err error
		out, err = exec.Command(bridgeBin, "status", "--addr", metrics, "--json").Output()
		if err != nil {
			t.Fatalf("status --json: %v", err)
		}
		var st bridge.Status
		if err := json.Unmarshal(out, &st); err != nil {
			t.Fatalf("status --json is not JSON: %v\n%s", err, out)
		}
		ok = st.NATS.Connected && len(st.Workers) == 2
		for _, w := range st.Workers {
			ok = ok && w.Messages == uint64(n) && w.NextSeq == uint64(n) && w.Duplicates == 0 && w.State == "running" &&
				w.InFlight == 0
		}
	}
	if !ok {
		t.Errorf("status --json: want both workers running, %d messages, next_seq %d, nothing in flight:\n%s", n, n, out)
	}
	table, err := exec.Command(bridgeBin, "status", "--addr", metrics).Output()
	if err != nil || !strings.Contains(string(table), "NEXT-SEQ") || !strings.Contains(string(table), strconv.Itoa(n)) {
		t.Errorf("status table: %v\n%s", err, table)
	}

	// One log line per state change, not per message nor per refill of a ring.
	if lines := countLines(br.log, ""); lines > 40 {
		t.Errorf("%d log lines for %d messages:\n%s", lines, n, tail(br.log, 40))
	}

	br.p.signal(syscall.SIGTERM)
	if err := br.p.wait(30 * time.Second); err != nil {
		t.Errorf("bridge exit after SIGTERM: %v\n%s", err, tail(br.log, 20))
	}
	if countLines(br.log, "shutdown: done") != 1 {
		t.Errorf("no 'shutdown: done' log line:\n%s", tail(br.log, 20))
	}
	// A stopped bridge is reported as unreachable, status 3.
	err = exec.Command(bridgeBin, "status", "--addr", metrics).Run()
	if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 3 {
		t.Errorf("status of a stopped bridge: %v, want exit status 3", err)
	}
}
