// The cross-process benchmark pins its processes with sched_setaffinity and ties each child's
// life to its parent with Pdeathsig: Linux only. The rest of the package's tests build on every
// OS the cross builds cover (scripts/cross-go.sh).

//go:build linux

package hftipc

import (
	"bufio"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
	"unsafe"
)

// The cross-process benchmark: a producer process pinned to CPU 0 and a consumer process
// pinned to CPU 1 (this test binary, re-executed), moving messages one at a time with Send and
// Receive, and the same with the origin library's ring (oldring_test.go) over a shared
// memory-mapped file as the same-run baseline; then a 64-byte round trip (ping-pong over two
// channels). It is a benchmark, not a test: it runs only when HFTIPC_GO_XBENCH=run is set,
//
//	HFTIPC_GO_XBENCH=run ./hftipc-go.test      (or: go test -run '^$' with the variable set)
//
// and prints tab-separated lines on stdout (see xbenchReport). Settings, all optional:
// HFTIPC_GO_XBENCH_ROUNDS (5), _MESSAGES (2000000 per case and round), _ROUNDTRIPS (100000 per
// round), _SIZES ("8,64,512"), _DIR (/dev/shm, else the temporary directory), _PROFILE (a
// path prefix: each child writes a CPU profile there, for go tool pprof), _PACKED (1: hftipc
// slots of message + 8 bytes rounded to 8, as issue 14's harness, instead of MaxPayload's),
// _C_P50_NS (C's 64-byte round-trip p50 in ns, measured in the same run: the round-trip target
// line compares Go's with it; without it Go's p50 is a context line).
const (
	envXBench       = "HFTIPC_GO_XBENCH" // "run" in the parent; a child's job in a child
	envXBenchKind   = "HFTIPC_GO_XBENCH_KIND"
	envXBenchPath   = "HFTIPC_GO_XBENCH_PATH"  // the channel (or ring) file; two for round trips
	envXBenchPath2  = "HFTIPC_GO_XBENCH_PATH2" // the return channel of a round trip
	envXBenchSize   = "HFTIPC_GO_XBENCH_SIZE"
	envXBenchCount  = "HFTIPC_GO_XBENCH_COUNT"
	envXBenchCPU    = "HFTIPC_GO_XBENCH_CPU"
	envXBenchRounds = "HFTIPC_GO_XBENCH_ROUNDS"
	envXBenchMsgs   = "HFTIPC_GO_XBENCH_MESSAGES"
	envXBenchRTs    = "HFTIPC_GO_XBENCH_ROUNDTRIPS"
	envXBenchSizes  = "HFTIPC_GO_XBENCH_SIZES"
	envXBenchDir    = "HFTIPC_GO_XBENCH_DIR"
	envXBenchProf   = "HFTIPC_GO_XBENCH_PROFILE"  // PREFIX: each child writes PREFIX-JOB-PID.pprof
	envXBenchPacked = "HFTIPC_GO_XBENCH_PACKED"   // "1": packed hftipc slots, message + 8 rounded to 8
	envXBenchCP50   = "HFTIPC_GO_XBENCH_C_P50_NS" // C's 64-byte round-trip p50, for the target line

	xbenchCapacity = 4096 // slots, as bench/hftipc_bench and the origin ring's benchmark use
	// xbenchRequired is issue 14's target: Go Send/Receive at least 3x the origin ring;
	// xbenchRTTLimit its round-trip one: Go's p50 at most 1.25x C's.
	xbenchRequired = 3.0
	xbenchRTTLimit = 1.25
)

// The transports of the throughput and round-trip cases.
const (
	xkindHftipc = "hftipc" // Send/Receive, spinning on ErrFull/ErrEmpty
	xkindOrigin = "origin" // the origin ring's Send/Receive, spinning the same way
	// SendContext/ReceiveContext with context.Background(): one send_wait/receive_wait call
	// per message, which spins (then sleeps) in C instead of crossing again per poll.
	xkindWait = "hftipc-wait"
)

// xbenchKinds are the throughput transports, in the order they are printed.
var xbenchKinds = []string{xkindHftipc, xkindWait, xkindOrigin}

func TestMain(m *testing.M) {
	if job := os.Getenv(envXBench); job != "" {
		os.Exit(xbenchMain(job))
	}
	os.Exit(m.Run())
}

func xbenchMain(job string) int {
	var err error
	switch job {
	case "run":
		err = xbenchRun()
	case "produce", "consume", "ping", "pong":
		err = xbenchChild(job)
	default:
		err = fmt.Errorf("%s=%q: want run", envXBench, job)
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "hftipc go xbench (%s): %v\n", job, err)
		return 1
	}
	return 0
}

func envInt(name string, def int) (int, error) {
	s := os.Getenv(name)
	if s == "" {
		return def, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n <= 0 {
		return 0, fmt.Errorf("%s=%q: not a positive number", name, s)
	}
	return n, nil
}

// xbenchSlot is the hftipc slot for size-byte messages: SlotSizeFor (Config.MaxPayload), or
// packed with HFTIPC_GO_XBENCH_PACKED=1.
func xbenchSlot(size int) uint32 {
	if os.Getenv(envXBenchPacked) == "1" {
		return uint32(size+SlotHeaderSize+7) &^ 7
	}
	return SlotSizeFor(uint32(size))
}

// xbenchOldSlot is the origin ring's slot for size-byte messages: its fixed 512 bytes, or the
// 4-byte length and the message rounded to 8 when that does not fit.
func xbenchOldSlot(size int) int { return max(oldSlotSize, (size+4+7)&^7) }

// pinProcess restricts every thread of this process, and so every thread it creates later
// (a thread inherits its creator's mask), to one CPU.
func pinProcess(cpu int) error {
	var mask [16]uint64 // 1024 CPUs
	if cpu < 0 || cpu >= 64*len(mask) {
		return fmt.Errorf("cpu %d out of range", cpu)
	}
	mask[cpu/64] = 1 << (cpu % 64)
	// Twice: a thread started during the first pass by a not yet pinned thread is caught.
	for pass := 0; pass < 2; pass++ {
		tasks, err := os.ReadDir("/proc/self/task")
		if err != nil {
			return err
		}
		for _, t := range tasks {
			tid, err := strconv.Atoi(t.Name())
			if err != nil {
				continue
			}
			_, _, e := syscall.RawSyscall(syscall.SYS_SCHED_SETAFFINITY, uintptr(tid),
				unsafe.Sizeof(mask), uintptr(unsafe.Pointer(&mask)))
			if e != 0 && e != syscall.ESRCH { // ESRCH: the thread has exited meanwhile
				return fmt.Errorf("sched_setaffinity(%d, cpu %d): %w", tid, cpu, e)
			}
		}
	}
	return nil
}

// ---- children ----

func xbenchChild(job string) error {
	kind := os.Getenv(envXBenchKind)
	path := os.Getenv(envXBenchPath)
	size, err := envInt(envXBenchSize, 0)
	if err != nil {
		return err
	}
	count, err := envInt(envXBenchCount, 0)
	if err != nil {
		return err
	}
	if size < 8 {
		return fmt.Errorf("size %d: messages carry an 8-byte sequence number", size)
	}
	runtime.GOMAXPROCS(1)
	runtime.LockOSThread()
	if s := os.Getenv(envXBenchCPU); s != "" {
		cpu, err := strconv.Atoi(s)
		if err != nil {
			return fmt.Errorf("%s=%q: not a CPU number", envXBenchCPU, s)
		}
		if err := pinProcess(cpu); err != nil {
			return err
		}
	}
	if prefix := os.Getenv(envXBenchProf); prefix != "" {
		f, err := os.Create(fmt.Sprintf("%s-%s-%s-%d.pprof", prefix, kind, job, os.Getpid()))
		if err != nil {
			return err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
		defer pprof.StopCPUProfile()
	}
	switch job {
	case "produce", "consume":
		return xbenchStream(job, kind, path, size, count)
	default:
		return xbenchPingPong(job, kind, path, os.Getenv(envXBenchPath2), size, count)
	}
}

// endpoint is one side of one channel, hftipc or origin ring, behind the two calls the
// benchmark makes; spinning on full and empty is the caller's.
type endpoint struct {
	ch   *Channel
	old  *oldRing
	wait bool // SendContext/ReceiveContext(context.Background()) instead of spinning
}

func openEndpoint(kind, path string, size int, role Role) (endpoint, error) {
	if kind == xkindOrigin {
		r, err := openOldRingSlots(path, xbenchCapacity, xbenchOldSlot(size))
		return endpoint{old: r}, err
	}
	ch, err := Open(path, role)
	return endpoint{ch: ch, wait: kind == xkindWait}, err
}

func (e endpoint) close() {
	if e.old != nil {
		e.old.Close()
	} else {
		e.ch.Close()
	}
}

// send publishes msg, spinning while the ring is full.
func (e endpoint) send(msg []byte) error {
	if e.old != nil {
		for {
			err := e.old.Send(msg)
			if err != errOldFull {
				return err
			}
		}
	}
	if e.wait {
		return e.ch.SendContext(context.Background(), msg)
	}
	for {
		err := e.ch.Send(msg)
		if err != ErrFull {
			return err
		}
	}
}

// receive takes the next message into buf, spinning while the ring is empty, and checks that
// it is message seq of size bytes.
func (e endpoint) receive(buf []byte, seq uint64, size int) error {
	var n int
	var err error
	if e.old != nil {
		for {
			if n, err = e.old.Receive(buf); err != errOldEmpty {
				break
			}
		}
	} else if e.wait {
		n, err = e.ch.ReceiveContext(context.Background(), buf)
	} else {
		for {
			if n, err = e.ch.Receive(buf); err != ErrEmpty {
				break
			}
		}
	}
	if err != nil {
		return fmt.Errorf("receive of message %d: %w", seq, err)
	}
	if n != size || binary.LittleEndian.Uint64(buf) != seq {
		return fmt.Errorf("message %d: got %d bytes with sequence %d, want %d bytes", seq, n,
			binary.LittleEndian.Uint64(buf), size)
	}
	return nil
}

// xbenchStream is a producer or consumer of a throughput case. The consumer times the stream
// from the first message to the last and prints "RESULT ns=N".
func xbenchStream(job, kind, path string, size, count int) error {
	role := Producer
	if job == "consume" {
		role = Consumer
	}
	e, err := openEndpoint(kind, path, size, role)
	if err != nil {
		return err
	}
	defer e.close()
	fmt.Println("READY")
	buf := make([]byte, size)
	if job == "produce" {
		msg := buf[:size]
		for seq := uint64(0); seq < uint64(count); seq++ {
			binary.LittleEndian.PutUint64(msg, seq)
			if err := e.send(msg); err != nil {
				return fmt.Errorf("send of message %d: %w", seq, err)
			}
		}
		return nil
	}
	var t0 time.Time
	for seq := uint64(0); seq < uint64(count); seq++ {
		if err := e.receive(buf, seq, size); err != nil {
			return err
		}
		if seq == 0 {
			t0 = time.Now()
		}
	}
	fmt.Printf("RESULT ns=%d\n", time.Since(t0).Nanoseconds())
	return nil
}

// xbenchPingPong is one side of a round-trip case: ping sends message i on the first channel
// and waits for its echo on the second, one clock read per round trip (as hftipc_bench -l);
// pong echoes. Ping prints the sorted round trips' p50 and p99 after a warm-up of 1000.
func xbenchPingPong(job, kind, path, path2 string, size, count int) error {
	out, in := path, path2
	outRole, inRole := Producer, Consumer
	if job == "pong" {
		out, in = path2, path
	}
	eo, err := openEndpoint(kind, out, size, outRole)
	if err != nil {
		return err
	}
	defer eo.close()
	ei, err := openEndpoint(kind, in, size, inRole)
	if err != nil {
		return err
	}
	defer ei.close()
	fmt.Println("READY")
	msg := make([]byte, size)
	buf := make([]byte, size)
	const warm = 1000
	total := warm + count
	if job == "pong" {
		for i := uint64(0); i < uint64(total); i++ {
			if err := ei.receive(buf, i, size); err != nil {
				return err
			}
			if err := eo.send(buf[:size]); err != nil {
				return err
			}
		}
		return nil
	}
	stamps := make([]int64, total+1)
	base := time.Now()
	for i := uint64(0); i < uint64(total); i++ {
		stamps[i] = int64(time.Since(base))
		binary.LittleEndian.PutUint64(msg, i)
		if err := eo.send(msg); err != nil {
			return err
		}
		if err := ei.receive(buf, i, size); err != nil {
			return err
		}
	}
	stamps[total] = int64(time.Since(base))
	rtt := make([]int64, count)
	for i := range rtt {
		rtt[i] = stamps[warm+i+1] - stamps[warm+i]
	}
	slices.Sort(rtt)
	fmt.Printf("RESULT p50=%d p99=%d\n", percentile(rtt, 0.50), percentile(rtt, 0.99))
	return nil
}

func percentile(sorted []int64, q float64) int64 {
	i := int(q*float64(len(sorted)-1) + 0.5)
	return sorted[min(i, len(sorted)-1)]
}

// ---- parent ----

type xbenchConfig struct {
	rounds, messages, roundTrips int
	sizes                        []int
	dir                          string
	pinned                       bool
}

func xbenchRun() error {
	// The children get SIGKILL when the thread that started them exits (Pdeathsig): this
	// goroutine keeps the main thread, which exits only with the process, so a killed
	// benchmark leaves no child spinning on a ring nobody fills.
	runtime.LockOSThread()
	var cfg xbenchConfig
	var err error
	if cfg.rounds, err = envInt(envXBenchRounds, 5); err != nil {
		return err
	}
	if cfg.messages, err = envInt(envXBenchMsgs, 2_000_000); err != nil {
		return err
	}
	if cfg.roundTrips, err = envInt(envXBenchRTs, 100_000); err != nil {
		return err
	}
	sizes := os.Getenv(envXBenchSizes)
	if sizes == "" {
		sizes = "8,64,512"
	}
	for _, s := range strings.Split(sizes, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil || n < 8 || n > 1<<20 {
			return fmt.Errorf("%s: size %q: want 8 to %d", envXBenchSizes, s, 1<<20)
		}
		cfg.sizes = append(cfg.sizes, n)
	}
	cfg.dir = os.Getenv(envXBenchDir)
	if cfg.dir == "" {
		cfg.dir = os.TempDir()
		if st, err := os.Stat("/dev/shm"); err == nil && st.IsDir() {
			cfg.dir = "/dev/shm"
		}
	}
	dir, err := os.MkdirTemp(cfg.dir, "hftipc-go-xbench-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	// Interrupted (Ctrl-C, a timeout's SIGTERM): remove the channel files before dying.
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	defer signal.Stop(sigs)
	go func() {
		if _, ok := <-sigs; ok {
			os.RemoveAll(dir)
			os.Exit(1)
		}
	}()
	cfg.dir = dir
	cfg.pinned = runtime.NumCPU() >= 2

	type key struct {
		kind string
		size int
	}
	rates := map[key][]float64{}
	var rtt = map[string][][2]int64{}
	// A warm-up case of each transport (not reported), then the rounds; within a round the
	// transports alternate at each size, so a change in the machine's load hits both.
	for _, kind := range xbenchKinds {
		if _, err := cfg.throughput(kind, 64, max(cfg.messages/4, 1000)); err != nil {
			return err
		}
	}
	for r := 0; r < cfg.rounds; r++ {
		for _, size := range cfg.sizes {
			kinds := slices.Clone(xbenchKinds)
			if r%2 == 1 {
				slices.Reverse(kinds)
			}
			for _, kind := range kinds {
				rate, err := cfg.throughput(kind, size, cfg.messages)
				if err != nil {
					return err
				}
				rates[key{kind, size}] = append(rates[key{kind, size}], rate)
			}
		}
		for _, kind := range xbenchKinds {
			p, err := cfg.roundTrip(kind, 64, cfg.roundTrips)
			if err != nil {
				return err
			}
			rtt[kind] = append(rtt[kind], p)
		}
		fmt.Fprintf(os.Stderr, "  go cross-process: round %d of %d done\n", r+1, cfg.rounds)
	}

	pin := "producer on CPU 0, consumer on CPU 1"
	if !cfg.pinned {
		pin = "unpinned (fewer than 2 CPUs)"
	}
	layout := "Config.MaxPayload"
	if os.Getenv(envXBenchPacked) == "1" {
		layout = "packed"
	}
	var slots []string
	for _, size := range cfg.sizes {
		slots = append(slots, fmt.Sprintf("%d B: %d/%d", size, xbenchSlot(size), xbenchOldSlot(size)))
	}
	fmt.Printf("# go cross-process benchmark: two processes, %s; capacity %d; slot sizes, hftipc "+
		"(%s) / origin ring: %s; %d messages per case, %d rounds interleaved, "+
		"median; every sequence number checked; %s\n", pin, xbenchCapacity, layout,
		strings.Join(slots, ", "), cfg.messages, cfg.rounds, runtime.Version())
	fmt.Printf("# columns: throughput<TAB>transport<TAB>size<TAB>median msgs/s<TAB>each round's msgs/s\n")
	names := map[string]string{
		xkindHftipc: "go hftipc Send/Receive",
		xkindWait:   "go hftipc SendContext/ReceiveContext (Background)",
		xkindOrigin: "go origin ring (GenshIv/hft-ipc) Push/Pop",
	}
	for _, size := range cfg.sizes {
		for _, kind := range xbenchKinds {
			rs := rates[key{kind, size}]
			each := make([]string, len(rs))
			for i, r := range rs {
				each[i] = strconv.FormatFloat(r, 'f', 0, 64)
			}
			fmt.Printf("throughput\t%s\t%d B\t%.0f\t%s\n", names[kind], size, median(rs),
				strings.Join(each, ","))
		}
	}
	fmt.Printf("# columns: roundtrip<TAB>transport<TAB>size<TAB>p50 ns<TAB>p99 ns (medians of the rounds)\n")
	for _, kind := range xbenchKinds {
		var p50, p99 []float64
		for _, p := range rtt[kind] {
			p50 = append(p50, float64(p[0]))
			p99 = append(p99, float64(p[1]))
		}
		fmt.Printf("roundtrip\t%s\t64 B\t%.0f\t%.0f\n", names[kind], median(p50), median(p99))
	}
	// Target lines in scripts/lib/targets.sh's shape (as hftipc_bench prints them): target,
	// name, measured, baseline, ratio, required, met|missed.
	spread := func(xs []float64) string {
		lo, hi := slices.Min(xs), slices.Max(xs)
		return fmt.Sprintf("median of %d rounds, %.2f M .. %.2f M", len(xs), lo/1e6, hi/1e6)
	}
	for _, size := range cfg.sizes {
		hs, ors := rates[key{xkindHftipc, size}], rates[key{xkindOrigin, size}]
		m, b := median(hs), median(ors)
		ratio := m / b
		verdict := "missed"
		if ratio >= xbenchRequired {
			verdict = "met"
		}
		fmt.Printf("target\tgo send/receive %d B vs origin ring\t%.2f M msgs/s (cross-process; %s)\t"+
			"%.2f M msgs/s (origin ring; %s)\t%.2fx\t>= %.2fx\t%s\n",
			size, m/1e6, spread(hs), b/1e6, spread(ors), ratio, xbenchRequired, verdict)
	}
	// The round-trip target: Go's p50 within 1.25x of C's (hftipc_bench's 64-byte send/receive
	// p50, which scripts/bench-all.sh passes in HFTIPC_GO_XBENCH_C_P50_NS). Without it the
	// p50 is a context line. The go-roundtrip-p50 lines carry the bare figures: spinning on
	// Send/Receive, and SendContext/ReceiveContext with a Background context.
	p50s := map[string]float64{}
	for _, kind := range []string{xkindHftipc, xkindWait} {
		var p50 []float64
		for _, p := range rtt[kind] {
			p50 = append(p50, float64(p[0]))
		}
		p50s[kind] = median(p50)
		what := map[string]string{xkindHftipc: "send/receive", xkindWait: "sendcontext/receivecontext"}[kind]
		fmt.Printf("go-roundtrip-p50\tgo %s 64 B\t%.0f\n", what, p50s[kind])
	}
	goP50 := p50s[xkindHftipc]
	name := "go round trip p50, 64 B, Send/Receive, vs C send/receive"
	measured := fmt.Sprintf("p50 %.0f ns (cross-process; median of %d rounds)", goP50, cfg.rounds)
	if cP50, err := envInt(envXBenchCP50, 0); err != nil {
		return err
	} else if cP50 > 0 {
		ratio := goP50 / float64(cP50)
		verdict := "missed"
		if ratio <= xbenchRTTLimit {
			verdict = "met"
		}
		fmt.Printf("target\t%s\t%s\tC p50 %d ns (hftipc_bench, same run)\t%.2fx\t<= %.2fx\t%s\n",
			name, measured, cP50, ratio, xbenchRTTLimit, verdict)
	} else {
		fmt.Printf("context\t%s\t%s\tno C figure (%s unset)\t-\t-\t-\n", name, measured, envXBenchCP50)
	}
	return nil
}

func median(xs []float64) float64 {
	s := slices.Clone(xs)
	slices.Sort(s)
	n := len(s)
	if n == 0 {
		return 0
	}
	if n%2 == 1 {
		return s[n/2]
	}
	return (s[n/2-1] + s[n/2]) / 2
}

var xbenchFile int

// newFile creates a fresh channel or ring file of kind for size-byte messages.
func (cfg *xbenchConfig) newFile(kind string, size int) (string, error) {
	xbenchFile++
	path := filepath.Join(cfg.dir, kind+"-"+strconv.Itoa(xbenchFile))
	if kind == xkindOrigin {
		r, err := openOldRingSlots(path, xbenchCapacity, xbenchOldSlot(size))
		if err != nil {
			return "", err
		}
		return path, r.Close()
	}
	ch, err := Create(path, Config{Capacity: xbenchCapacity, SlotSize: xbenchSlot(size)}, Observer)
	if err != nil {
		return "", err
	}
	return path, ch.Close()
}

// child starts this binary as a child of job on cpu and waits for its READY line.
func (cfg *xbenchConfig) child(ctx context.Context, job, kind string, cpu int, size, count int,
	paths ...string) (*exec.Cmd, *bufio.Scanner, error) {
	cmd := exec.CommandContext(ctx, os.Args[0])
	cmd.Env = append(os.Environ(), envXBench+"="+job, envXBenchKind+"="+kind,
		envXBenchPath+"="+paths[0], envXBenchSize+"="+strconv.Itoa(size),
		envXBenchCount+"="+strconv.Itoa(count))
	if len(paths) > 1 {
		cmd.Env = append(cmd.Env, envXBenchPath2+"="+paths[1])
	}
	if cfg.pinned {
		cmd.Env = append(cmd.Env, envXBenchCPU+"="+strconv.Itoa(cpu))
	}
	cmd.Stderr = os.Stderr
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, nil, err
	}
	sc := bufio.NewScanner(out)
	if !sc.Scan() || sc.Text() != "READY" {
		cmd.Process.Kill()
		cmd.Wait()
		return nil, nil, fmt.Errorf("%s %s child did not start", kind, job)
	}
	return cmd, sc, nil
}

// result waits for the child and returns the fields of its RESULT line.
func result(cmd *exec.Cmd, sc *bufio.Scanner) (map[string]int64, error) {
	res := map[string]int64{}
	for sc.Scan() {
		line, ok := strings.CutPrefix(sc.Text(), "RESULT ")
		if !ok {
			continue
		}
		for _, f := range strings.Fields(line) {
			k, v, _ := strings.Cut(f, "=")
			n, err := strconv.ParseInt(v, 10, 64)
			if err != nil {
				return nil, fmt.Errorf("bad RESULT field %q", f)
			}
			res[k] = n
		}
	}
	if err := cmd.Wait(); err != nil {
		return nil, err
	}
	if len(res) == 0 {
		return nil, errors.New("child printed no RESULT line")
	}
	return res, nil
}

// throughput runs one case: a consumer on CPU 1, then a producer on CPU 0; msgs/s.
func (cfg *xbenchConfig) throughput(kind string, size, count int) (float64, error) {
	path, err := cfg.newFile(kind, size)
	if err != nil {
		return 0, err
	}
	defer os.Remove(path)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cons, sc, err := cfg.child(ctx, "consume", kind, 1, size, count, path)
	if err != nil {
		return 0, err
	}
	prod, _, err := cfg.child(ctx, "produce", kind, 0, size, count, path)
	if err != nil {
		cons.Process.Kill()
		cons.Wait()
		return 0, err
	}
	res, err := result(cons, sc)
	perr := prod.Wait()
	if err != nil || perr != nil {
		return 0, fmt.Errorf("%s %d B: consumer: %v, producer: %v", kind, size, err, perr)
	}
	return float64(count-1) / (float64(res["ns"]) / 1e9), nil
}

// roundTrip runs one round-trip case (ping on CPU 0, pong on CPU 1): p50 and p99 in ns.
func (cfg *xbenchConfig) roundTrip(kind string, size, count int) ([2]int64, error) {
	var p [2]int64
	a, err := cfg.newFile(kind, size)
	if err != nil {
		return p, err
	}
	defer os.Remove(a)
	b, err := cfg.newFile(kind, size)
	if err != nil {
		return p, err
	}
	defer os.Remove(b)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	pong, _, err := cfg.child(ctx, "pong", kind, 1, size, count, a, b)
	if err != nil {
		return p, err
	}
	ping, sc, err := cfg.child(ctx, "ping", kind, 0, size, count, a, b)
	if err != nil {
		pong.Process.Kill()
		pong.Wait()
		return p, err
	}
	res, err := result(ping, sc)
	perr := pong.Wait()
	if err != nil || perr != nil {
		return p, fmt.Errorf("%s round trip: ping: %v, pong: %v", kind, err, perr)
	}
	return [2]int64{res["p50"], res["p99"]}, nil
}
