// Command host is the plugin sample's host: it sends requests to a plugin process over one
// channel and reads the answers from another, while it replaces the plugin with a new process
// every -swap-every, alternately gracefully (the new plugin takes over and the old one stops)
// and by kill -9 followed by a new plugin. It checks that every request is answered exactly
// once, correctly, and in order, and exits non-zero otherwise.
//
//	host -dir /dev/shm/x -plugin build-samples/bin/plugin_c -requests 200000 -rate 50000 -swaps 4
//
// The protocol and the takeover are described in samples/plugin/README.md and plugin.c.
package main

import (
	"context"
	"encoding/binary"
	"errors"
	"flag"
	"fmt"
	"log"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	hftipc "github.com/hftipc/hftipc/bindings/go"
)

const (
	requestSize  = 32
	responseSize = 40
	opScore      = 1
)

// score is the plugin's function (plugin.c), recomputed here to check every answer.
func score(arg int64) int64 {
	z := uint64(arg) + 0x9e3779b97f4a7c15
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb
	return int64(z ^ (z >> 31))
}

func argOf(id uint64) int64 { return int64(id*7 + 3) }

// plugin is one plugin process.
type plugin struct {
	gen      int
	cmd      *exec.Cmd
	done     chan struct{}
	err      error // from Wait, valid after done is closed
	expected bool  // the host replaces or stops it (guarded by host.mu)
}

type host struct {
	pluginPath  string
	reqPath     string
	respPath    string
	injectCrash int // generation 1 kills itself after this many answers (0: never)
	mu          sync.Mutex
	gen         int
	plugins     []*plugin
	stopping    bool
	restarts    []string // plugins that died on their own and were restarted
}

// start launches the next generation of the plugin. A plugin that exits without the host
// having asked it to (a crash) is replaced by a new one at once, as a supervisor would.
func (h *host) start() (*plugin, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.startLocked()
}

func (h *host) startLocked() (*plugin, error) {
	h.gen++
	args := []string{"--requests", h.reqPath, "--responses", h.respPath, "--generation", fmt.Sprint(h.gen)}
	if h.gen == 1 && h.injectCrash > 0 {
		args = append(args, "--crash-after-reply", fmt.Sprint(h.injectCrash))
	}
	cmd := exec.Command(h.pluginPath, args...)
	cmd.Stdout, cmd.Stderr = os.Stdout, os.Stderr
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	p := &plugin{gen: h.gen, cmd: cmd, done: make(chan struct{})}
	go func() {
		p.err = cmd.Wait()
		h.mu.Lock()
		defer h.mu.Unlock()
		if !p.expected && !h.stopping {
			h.restarts = append(h.restarts, fmt.Sprintf("plugin %d died on its own (%v); plugin %d started", p.gen, exitText(p.err), h.gen+1))
			if _, err := h.startLocked(); err != nil {
				log.Fatalf("restarting the plugin: %v", err)
			}
		}
		close(p.done)
	}()
	h.plugins = append(h.plugins, p)
	return p, nil
}

// current returns the newest plugin and marks it as one the host is about to replace.
func (h *host) current() *plugin {
	h.mu.Lock()
	defer h.mu.Unlock()
	p := h.plugins[len(h.plugins)-1]
	p.expected = true
	return p
}

func main() {
	dir := flag.String("dir", "", "directory for the two channel files (requests, responses)")
	pluginPath := flag.String("plugin", "", "the plugin program (default: plugin_c next to this program)")
	count := flag.Int("requests", 200_000, "requests to send")
	rate := flag.Float64("rate", 50_000, "requests per second")
	swaps := flag.Int("swaps", 4, "plugin replacements while the host runs, alternately graceful and kill -9")
	injectCrash := flag.Int("inject-crash", 0, "fault injection: the first plugin dies by SIGKILL right after its N-th answer, before acknowledging the request (0: off)")
	flag.Parse()
	log.SetFlags(0)
	log.SetPrefix("host: ")
	if *dir == "" || *count < 1 || *rate <= 0 || *swaps < 0 {
		log.Fatal("usage: host -dir DIR [-plugin PROGRAM] [-requests N] [-rate N] [-swaps N]")
	}
	if *pluginPath == "" {
		exe, err := os.Executable()
		if err != nil {
			log.Fatal(err)
		}
		*pluginPath = filepath.Join(filepath.Dir(exe), "plugin_c")
	}
	h := &host{pluginPath: *pluginPath, reqPath: filepath.Join(*dir, "requests"),
		respPath: filepath.Join(*dir, "responses"), injectCrash: *injectCrash}

	req, err := hftipc.OpenOrCreate(h.reqPath, hftipc.Config{Capacity: 4096, SlotSize: requestSize + 8}, hftipc.Producer)
	if err != nil {
		log.Fatal(err)
	}
	defer req.Close()
	resp, err := hftipc.OpenOrCreate(h.respPath, hftipc.Config{Capacity: 4096, SlotSize: responseSize + 8}, hftipc.Consumer)
	if err != nil {
		log.Fatal(err)
	}
	defer resp.Close()

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	if _, err := h.start(); err != nil {
		log.Fatalf("starting the plugin: %v", err)
	}

	// Sender: the requests at a fixed rate (sleeping between them; the pacing is coarse).
	interval := time.Duration(float64(time.Second) / *rate)
	total := time.Duration(*count) * interval
	sendErr := make(chan error, 1)
	go func() {
		var rec [requestSize]byte
		le := binary.LittleEndian
		start := time.Now()
		for i := 0; i < *count; i++ {
			if d := time.Until(start.Add(time.Duration(i) * interval)); d > 0 {
				time.Sleep(d)
			}
			le.PutUint64(rec[0:], uint64(i))
			le.PutUint32(rec[8:], opScore)
			le.PutUint64(rec[16:], uint64(argOf(uint64(i))))
			le.PutUint64(rec[24:], uint64(hftipc.MonotonicNow()))
			if err := req.SendContext(ctx, rec[:]); err != nil {
				sendErr <- fmt.Errorf("send request %d: %w", i, err)
				return
			}
		}
		sendErr <- nil
	}()

	var badExits atomic.Int32 // replaced or stopped plugins that did not exit with status 0

	// Swapper: replaces the plugin at even intervals over the sending time.
	swapLog := make(chan string, *swaps+1)
	go func() {
		every := total / time.Duration(*swaps+1)
		for s := 1; s <= *swaps; s++ {
			select {
			case <-ctx.Done():
				return
			case <-time.After(every):
			}
			cur := h.current()
			if s%2 == 1 { // graceful: the new one fences the old one, which stops by itself
				if _, err := h.start(); err != nil {
					log.Fatalf("starting plugin: %v", err)
				}
				select {
				case <-cur.done:
				case <-time.After(15 * time.Second):
					log.Fatalf("plugin %d did not stop within 15 s of its replacement", cur.gen)
				}
				// The old plugin stops by itself once fenced (status 0). A library that cannot
				// prove it idle at the takeover ends it with SIGKILL instead (libhftipc 1.1);
				// either way the new plugin resumes after its last answer.
				how := "it stopped by itself"
				if cur.err != nil {
					how = "the takeover ended it: " + exitText(cur.err)
					if !killedBySIGKILL(cur.err) {
						badExits.Add(1)
					}
				}
				swapLog <- fmt.Sprintf("swap %d: plugin %d replaced by plugin %d while running (%s)", s, cur.gen, cur.gen+1, how)
			} else { // crash: kill -9, then a new one
				_ = cur.cmd.Process.Signal(syscall.SIGKILL)
				<-cur.done
				if _, err := h.start(); err != nil {
					log.Fatalf("starting plugin: %v", err)
				}
				swapLog <- fmt.Sprintf("swap %d: plugin %d killed (kill -9), plugin %d started", s, cur.gen, cur.gen+1)
			}
		}
	}()

	// Receiver: every response is checked against its request.
	answers := make([]uint8, *count)
	var dup, wrong, outOfOrder, unknown int
	byGen := map[uint32]int{}
	rtt := make([]time.Duration, 0, *count)
	var rec [responseSize]byte
	le := binary.LittleEndian
	next := uint64(0)
	received := 0
	sendDone := false
	deadline := time.Time{}
	for received < *count {
		if !sendDone {
			select {
			case err := <-sendErr:
				if err != nil {
					log.Fatal(err)
				}
				sendDone = true
				deadline = time.Now().Add(30 * time.Second)
			default:
			}
		}
		if sendDone && time.Now().After(deadline) {
			break
		}
		n, err := resp.Receive(rec[:])
		if errors.Is(err, hftipc.ErrEmpty) {
			// Nothing yet: sleep in the library's wait (woken by the plugin's next response),
			// 200 ms at most so that the end of sending and the deadline are noticed.
			wctx, wcancel := context.WithTimeout(ctx, 200*time.Millisecond)
			err = resp.Wait(wctx)
			wcancel()
			if err != nil && !errors.Is(err, context.DeadlineExceeded) {
				log.Fatalf("wait for responses: %v", err)
			}
			continue
		}
		if err != nil {
			log.Fatalf("receive: %v", err)
		}
		now := hftipc.MonotonicNow()
		if n != responseSize {
			unknown++
			continue
		}
		id := le.Uint64(rec[0:])
		gen := le.Uint32(rec[12:])
		result := int64(le.Uint64(rec[16:]))
		sent := time.Duration(le.Uint64(rec[24:]))
		if id >= uint64(*count) {
			unknown++
			continue
		}
		if answers[id] > 0 {
			dup++
		}
		answers[id]++
		if id != next {
			outOfOrder++
		}
		next = id + 1
		if result != score(argOf(id)) {
			wrong++
		}
		byGen[gen]++
		rtt = append(rtt, now-sent)
		received++
	}
	cancel()
	close(swapLog)
	for line := range swapLog {
		fmt.Println("host: " + line)
	}
	// Stop the last plugin.
	h.mu.Lock()
	h.stopping = true
	last := h.plugins[len(h.plugins)-1]
	h.mu.Unlock()
	_ = last.cmd.Process.Signal(syscall.SIGTERM)
	<-last.done
	for _, r := range h.restarts {
		fmt.Println("host: " + r)
	}
	if last.err != nil {
		badExits.Add(1)
	}

	lost := 0
	for _, a := range answers {
		if a == 0 {
			lost++
		}
	}
	gens := make([]uint32, 0, len(byGen))
	for g := range byGen {
		gens = append(gens, g)
	}
	slices.Sort(gens)
	fmt.Printf("host: answers per plugin generation:")
	for _, g := range gens {
		fmt.Printf(" %d:%d", g, byGen[g])
	}
	fmt.Println()
	slices.Sort(rtt)
	q := func(p float64) time.Duration {
		if len(rtt) == 0 {
			return 0
		}
		i := int(p*float64(len(rtt))+0.999999) - 1
		return rtt[max(0, min(i, len(rtt)-1))]
	}
	fmt.Printf("host: round trip p50 %v p99 %v p99.9 %v max %v (the max includes the swaps)\n",
		q(0.5), q(0.99), q(0.999), q(1))
	fmt.Printf("host: sent %d requests, %d answered, %d lost, %d answered twice, %d wrong, %d out of order, %d unknown; %d plugin processes\n",
		*count, received, lost, dup, wrong, outOfOrder, unknown, len(h.plugins))
	wantGens := *swaps + 1 + len(h.restarts)
	if lost != 0 || dup != 0 || wrong != 0 || outOfOrder != 0 || unknown != 0 || len(gens) != wantGens || badExits.Load() != 0 {
		fmt.Printf("host: FAILED (answers came from %d plugin generations, want %d; %d plugins stopped with an error)\n", len(gens), wantGens, badExits.Load())
		os.Exit(1)
	}
	fmt.Println("host: ok: every request answered exactly once, by", len(gens), "plugin generations in turn")
}

func killedBySIGKILL(err error) bool {
	var ee *exec.ExitError
	if !errors.As(err, &ee) {
		return false
	}
	ws, ok := ee.Sys().(syscall.WaitStatus)
	return ok && ws.Signaled() && ws.Signal() == syscall.SIGKILL
}

func exitText(err error) string {
	if err == nil {
		return "status 0"
	}
	return err.Error()
}
