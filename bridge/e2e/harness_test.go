// Package e2e runs hftipc-bridge against real NATS servers (built by ../test.sh from the Go
// module proxy), real channel files and real C and Java peers, all on 127.0.0.1.
package e2e

import (
	"bufio"
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

var (
	natsServerBin string
	bridgeBin     string
	cPeer         string
	cliBin        string
	javaCP        string
)

func TestMain(m *testing.M) {
	natsServerBin = os.Getenv("HFTIPC_BRIDGE_NATS_SERVER")
	cPeer = os.Getenv("HFTIPC_BRIDGE_C_PEER")
	cliBin = os.Getenv("HFTIPC_BRIDGE_CLI")
	javaCP = os.Getenv("HFTIPC_BRIDGE_JAVA_CP")
	if natsServerBin == "" {
		if os.Getenv("HFTIPC_BRIDGE_REQUIRE") == "1" {
			fmt.Fprintln(os.Stderr, "e2e: HFTIPC_BRIDGE_NATS_SERVER must be set (bridge/test.sh sets it)")
			os.Exit(1)
		}
		fmt.Println("e2e: skipped: run through bridge/test.sh, which builds nats-server and the peers")
		os.Exit(0)
	}
	dir, err := os.MkdirTemp("", "hftipc-bridge-bin-")
	if err != nil {
		panic(err)
	}
	bridgeBin = filepath.Join(dir, "hftipc-bridge")
	args := []string{"build", "-o", bridgeBin}
	if os.Getenv("HFTIPC_BRIDGE_RACE") == "1" {
		args = append(args, "-race") // the bridge under the race detector; it exits 66 on a race
	}
	build := exec.Command("go", append(args, "../cmd/hftipc-bridge")...)
	build.Stdout, build.Stderr = os.Stdout, os.Stderr
	if err := build.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "e2e: building hftipc-bridge:", err)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// needPeers skips (or, under bridge/test.sh, fails) a test that needs the C and Java peers.
func needPeers(t *testing.T) {
	if cPeer == "" || cliBin == "" || javaCP == "" {
		if os.Getenv("HFTIPC_BRIDGE_REQUIRE") == "1" {
			t.Fatal("HFTIPC_BRIDGE_C_PEER, _CLI and _JAVA_CP must be set (bridge/test.sh sets them)")
		}
		t.Skip("needs the C peer, the CLI and the Java peer: run through bridge/test.sh")
	}
}

// freePort returns a loopback TCP port that was free a moment ago.
func freePort(t testing.TB) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// shmDir is a private directory for channel files, in /dev/shm when it exists.
func shmDir(t testing.TB) string {
	t.Helper()
	base := "/dev/shm"
	if st, err := os.Stat(base); err != nil || !st.IsDir() {
		base = os.TempDir()
	}
	d, err := os.MkdirTemp(base, "hftipc-bridge-test-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(d) })
	return d
}

// proc is a child process with its output in a log file, killed at the end of the test.
type proc struct {
	t    testing.TB
	name string
	cmd  *exec.Cmd
	log  string
	done chan struct{}
	err  error
}

func startProc(t testing.TB, name, logPath string, bin string, args ...string) *proc {
	t.Helper()
	return startProcEnv(t, name, logPath, nil, bin, args...)
}

// startProcEnv is startProc with extra environment variables ("K=V").
func startProcEnv(t testing.TB, name, logPath string, env []string, bin string, args ...string) *proc {
	t.Helper()
	f, err := os.OpenFile(logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, args...)
	cmd.Stdout, cmd.Stderr = f, f
	if env != nil {
		cmd.Env = append(os.Environ(), env...)
	}
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL} // never outlive the test
	if err := cmd.Start(); err != nil {
		f.Close()
		t.Fatalf("start %s: %v", name, err)
	}
	p := &proc{t: t, name: name, cmd: cmd, log: logPath, done: make(chan struct{})}
	go func() {
		p.err = cmd.Wait()
		f.Close()
		close(p.done)
	}()
	t.Cleanup(func() { p.kill() })
	return p
}

func (p *proc) kill() {
	select {
	case <-p.done:
		return
	default:
	}
	_ = p.cmd.Process.Signal(syscall.SIGKILL)
	<-p.done
}

func (p *proc) signal(s syscall.Signal) { _ = p.cmd.Process.Signal(s) }

// wait waits for the process to exit, at most d; it fails the test on a timeout.
func (p *proc) wait(d time.Duration) error {
	select {
	case <-p.done:
		return p.err
	case <-time.After(d):
		p.kill()
		p.t.Fatalf("%s did not exit within %s; log %s:\n%s", p.name, d, p.log, tail(p.log, 30))
		return nil
	}
}

func (p *proc) exited() bool {
	select {
	case <-p.done:
		return true
	default:
		return false
	}
}

// tail returns the last n lines of a file.
func tail(path string, n int) string {
	b, _ := os.ReadFile(path)
	lines := strings.Split(strings.TrimRight(string(b), "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

func countLines(path, substr string) int {
	f, err := os.Open(path)
	if err != nil {
		return 0
	}
	defer f.Close()
	n := 0
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		if strings.Contains(sc.Text(), substr) {
			n++
		}
	}
	return n
}

// ---- NATS servers ---------------------------------------------------------------------------

type natsServer struct {
	t       testing.TB
	name    string
	port    int
	conf    string
	storeDx string
	log     string
	p       *proc
}

func (s *natsServer) url() string { return fmt.Sprintf("nats://127.0.0.1:%d", s.port) }

// startNATS starts one JetStream server with its store in a temporary directory.
func startNATS(t testing.TB, dir string) *natsServer {
	t.Helper()
	return startNATSOn(t, dir, freePort(t))
}

// startNATSOn is startNATS on a given port.
func startNATSOn(t testing.TB, dir string, port int) *natsServer {
	t.Helper()
	s := &natsServer{t: t, name: "nats", port: port, storeDx: filepath.Join(dir, "js")}
	s.conf = filepath.Join(dir, "nats.conf")
	s.log = filepath.Join(dir, "nats.log")
	conf := fmt.Sprintf("server_name: %s\nlisten: 127.0.0.1:%d\njetstream {\n  store_dir: %q\n}\n",
		s.name, s.port, s.storeDx)
	if err := os.WriteFile(s.conf, []byte(conf), 0o644); err != nil {
		t.Fatal(err)
	}
	s.start()
	waitJetStream(t, []string{s.url()}, 30*time.Second)
	return s
}

func (s *natsServer) start() {
	s.p = startProc(s.t, s.name, s.log, natsServerBin, "-c", s.conf)
}

// kill9 stops the server with SIGKILL; restart starts it again on the same port and store.
func (s *natsServer) kill9() { s.p.kill() }
func (s *natsServer) restart() {
	s.start()
}

// startCluster starts three JetStream servers clustered over loopback routes.
func startCluster(t testing.TB, dir string) []*natsServer {
	t.Helper()
	var servers []*natsServer
	var cports []int
	for i := 0; i < 3; i++ {
		servers = append(servers, &natsServer{t: t, name: fmt.Sprintf("n%d", i), port: freePort(t),
			storeDx: filepath.Join(dir, fmt.Sprintf("js%d", i))})
		cports = append(cports, freePort(t))
	}
	for i, s := range servers {
		var routes []string
		for j, cp := range cports {
			if j != i {
				routes = append(routes, fmt.Sprintf("nats-route://127.0.0.1:%d", cp))
			}
		}
		s.conf = filepath.Join(dir, s.name+".conf")
		s.log = filepath.Join(dir, s.name+".log")
		conf := fmt.Sprintf(`server_name: %s
listen: 127.0.0.1:%d
jetstream { store_dir: %q }
cluster {
  name: hftipc-test
  listen: 127.0.0.1:%d
  routes: [%s]
}
`, s.name, s.port, s.storeDx, cports[i], strings.Join(routes, ", "))
		if err := os.WriteFile(s.conf, []byte(conf), 0o644); err != nil {
			t.Fatal(err)
		}
		s.start()
	}
	var urls []string
	for _, s := range servers {
		urls = append(urls, s.url())
	}
	waitJetStream(t, urls, 60*time.Second)
	return servers
}

// waitJetStream waits until JetStream answers an account info request (in a cluster: until
// the meta leader is elected).
func waitJetStream(t testing.TB, urls []string, d time.Duration) {
	t.Helper()
	deadline := time.Now().Add(d)
	var last error
	for time.Now().Before(deadline) {
		nc, err := nats.Connect(strings.Join(urls, ","), nats.Timeout(time.Second))
		if err == nil {
			js, _ := jetstream.New(nc)
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
			_, err = js.AccountInfo(ctx)
			cancel()
			nc.Close()
			if err == nil {
				return
			}
		}
		last = err
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("JetStream at %v not ready within %s: %v", urls, d, last)
}

func jsClient(t testing.TB, urls []string) (*nats.Conn, jetstream.JetStream) {
	t.Helper()
	nc, err := nats.Connect(strings.Join(urls, ","), nats.MaxReconnects(-1), nats.ReconnectWait(100*time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(nc.Close)
	js, err := jetstream.New(nc)
	if err != nil {
		t.Fatal(err)
	}
	return nc, js
}

// ---- the bridge -------------------------------------------------------------------------------

type bridgeProc struct {
	t      testing.TB
	name   string
	config string
	log    string
	p      *proc
	// env is passed to the next start only (a crash point must not fire again after a restart).
	env []string
}

// startBridge writes config (TOML) and runs hftipc-bridge on it, with env added to its
// environment at this first start.
func startBridge(t testing.TB, dir, name, config string, env ...string) *bridgeProc {
	t.Helper()
	b := &bridgeProc{t: t, name: name, config: filepath.Join(dir, name+".toml"), log: filepath.Join(dir, name+".log"), env: env}
	if err := os.WriteFile(b.config, []byte(config), 0o644); err != nil {
		t.Fatal(err)
	}
	b.start()
	return b
}

func (b *bridgeProc) start() {
	b.p = startProcEnv(b.t, b.name, b.log, b.env, bridgeBin, "run", "--config", b.config)
	b.env = nil
}

func (b *bridgeProc) kill9()   { b.p.kill() }
func (b *bridgeProc) restart() { b.start() }

// natsURLs renders a TOML array of server URLs.
func natsURLs(servers ...*natsServer) string {
	var q []string
	for _, s := range servers {
		q = append(q, fmt.Sprintf("%q", s.url()))
	}
	return "[" + strings.Join(q, ", ") + "]"
}

// waitFor polls cond every 20 ms until it holds or d passes.
func waitFor(t testing.TB, d time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %s waiting for %s", d, what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// roundTripConfig is one bridge process carrying channel a out to subject hftipc.NAME and
// back in into channel b (4096 slots of 64 bytes), with its metrics at addr.
func roundTripConfig(urls, addr, name, a, b string) string {
	return fmt.Sprintf(`[nats]
urls = %s
[metrics]
listen = %q
[[out]]
name = %q
channel = %q
subject = "hftipc.%s"
max_in_flight = 2048
[[in]]
name = %q
channel = %q
subject = "hftipc.%s"
stream = "HFTIPC_%s"
capacity = 4096
slot_size = 64
fetch_batch = 512
`, urls, addr, name, a, name, name, b, name, strings.ToUpper(name))
}
