package hftipc

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"
)

// cancelSlack is how soon after cancel a blocked call must return (the C wait runs in
// slices of at most waitSlice = 50ms).
const cancelSlack = 200 * time.Millisecond

// blockingPeer runs the peer roles of the tests in this file in the re-executed test binary
// (see TestCrossProcessPeer); it reports false for a role it does not know.
//
//	waker:    open the producer, wait until the consumer sleeps in a blocking wait, send "wake"
//	fenced:   open the producer, print READY, then per stdin line "send" send one message and
//	          heartbeat (declaring itself idle), print OK, FENCED or ERR; at EOF close and
//	          print "CLOSED <err>"
//	takeover: print READY, then per stdin line "try <ns>" call OpenTakeover(Producer) with
//	          that staleness limit and print TOOK (keeping the role), BUSY or ERR; close at EOF
func blockingPeer(t *testing.T, role, path string) bool {
	switch role {
	case "waker":
		ch, err := Open(path, Producer)
		if err != nil {
			t.Fatal(err)
		}
		defer ch.Close()
		deadline := time.Now().Add(30 * time.Second)
		for {
			st, err := ch.Stats()
			if err != nil {
				t.Fatal(err)
			}
			if st.Consumer.Waiting {
				break
			}
			if time.Now().After(deadline) {
				t.Fatal("the consumer never slept in a blocking wait")
			}
			time.Sleep(time.Millisecond)
		}
		if err := ch.Send([]byte("wake")); err != nil {
			t.Fatal(err)
		}
		fmt.Println("RESULT sent")
	case "fenced":
		ch, err := Open(path, Producer)
		if err != nil {
			t.Fatal(err)
		}
		fmt.Println("READY")
		sc := bufio.NewScanner(os.Stdin)
		for sc.Scan() {
			err := ch.Send([]byte{0xEE})
			if err == nil {
				// Going quiet until the next command: a heartbeat declares the holder idle,
				// so that a takeover fences it rather than ends it (FORMAT.md, "Fencing").
				err = ch.Heartbeat()
			}
			printOutcome(err)
		}
		fmt.Println("CLOSED", ch.Close())
	case "takeover":
		var held []*Channel
		defer func() {
			for _, ch := range held {
				ch.Close()
			}
		}()
		fmt.Println("READY")
		sc := bufio.NewScanner(os.Stdin)
		for sc.Scan() {
			ns, err := strconv.ParseInt(strings.TrimPrefix(sc.Text(), "try "), 10, 64)
			if err != nil {
				t.Fatalf("bad command %q", sc.Text())
			}
			ch, err := OpenTakeover(path, Producer, time.Duration(ns))
			switch {
			case err == nil:
				held = append(held, ch)
				fmt.Println("TOOK")
			case errors.Is(err, ErrBusy):
				fmt.Println("BUSY")
			default:
				fmt.Println("ERR", err)
			}
		}
	default:
		return false
	}
	return true
}

// printOutcome prints a peer's answer for an operation's result: OK, FENCED or ERR <err>.
func printOutcome(err error) {
	switch {
	case err == nil:
		fmt.Println("OK")
	case errors.Is(err, ErrFenced):
		fmt.Println("FENCED")
	default:
		fmt.Println("ERR", err)
	}
}

// linePeer is a running peer process driven by stdin lines that answers with stdout lines.
type linePeer struct {
	cmd *exec.Cmd
	in  io.WriteCloser
	out *bufio.Reader
}

// startLinePeer starts the peer process for role, with setup (if any) applied to its command
// first, and waits for its READY line.
func startLinePeer(t *testing.T, role, path string, setup ...func(*exec.Cmd)) *linePeer {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	cmd := peerCommand(ctx, role, path, 0)
	for _, f := range setup {
		f(cmd)
	}
	in, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	lp := &linePeer{cmd: cmd, in: in, out: bufio.NewReader(out)}
	t.Cleanup(func() {
		// Never leave a stopped or running child behind, whatever failed.
		continueProcess(cmd.Process.Pid)
		in.Close()
		cmd.Process.Kill()
		cmd.Wait()
		cancel()
	})
	lp.expect(t, "READY")
	return lp
}

// ask writes a command line (if any) and returns the next line the peer prints.
func (lp *linePeer) ask(t *testing.T, cmd string) string {
	t.Helper()
	if cmd != "" {
		if _, err := io.WriteString(lp.in, cmd+"\n"); err != nil {
			t.Fatalf("peer stdin: %v", err)
		}
	}
	line, err := lp.out.ReadString('\n')
	if err != nil {
		t.Fatalf("peer said %q, %v", line, err)
	}
	return strings.TrimSuffix(line, "\n")
}

func (lp *linePeer) expect(t *testing.T, want string) {
	t.Helper()
	if got := lp.ask(t, ""); got != want {
		t.Fatalf("peer said %q, want %q", got, want)
	}
}

// waitUntil polls cond every millisecond for up to 30s.
func waitUntil(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(30 * time.Second); !cond(); time.Sleep(time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
	}
}

// A consumer sleeping in ReceiveContext (no deadline) is woken by a send from another
// goroutine; the Waiting flag shows it was asleep in the C wait.
func TestReceiveContextWokenByGoroutine(t *testing.T) {
	p, c, _ := pair(t, Config{Capacity: 4, SlotSize: 16})
	sent := make(chan time.Time, 1)
	errc := make(chan error, 1)
	go func() {
		defer close(errc)
		for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(time.Millisecond) {
			st, err := p.Stats()
			if err != nil {
				errc <- err
				return
			}
			if st.Consumer.Waiting {
				break
			}
			if time.Now().After(deadline) {
				errc <- errors.New("the consumer never slept in a blocking wait")
				return
			}
		}
		sent <- time.Now()
		errc <- p.Send([]byte("wake"))
	}()
	buf := make([]byte, 8)
	n, err := c.ReceiveContext(context.Background(), buf)
	got := time.Now()
	if err := <-errc; err != nil {
		t.Fatal(err)
	}
	if err != nil || string(buf[:n]) != "wake" {
		t.Fatalf("received %q, %v", buf[:n], err)
	}
	t.Logf("woken %v after the send", got.Sub(<-sent))
	st, _ := c.Stats()
	if st.Consumer.Waiting {
		t.Fatal("consumer still flagged as waiting after its receive returned")
	}
}

// The same across processes: the peer producer sends once it sees this consumer asleep.
func TestCrossProcessReceiveWokenByPeer(t *testing.T) {
	path := tempPath(t)
	c, err := Create(path, Config{Capacity: 4, SlotSize: 16}, Consumer)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	peer := peerCommand(ctx, "waker", path, 0)
	out, err := peer.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := peer.Start(); err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 8)
	n, rerr := c.ReceiveContext(ctx, buf)
	res, _ := io.ReadAll(out)
	if err := peer.Wait(); err != nil {
		t.Fatalf("peer: %v\n%s", err, res)
	}
	if rerr != nil || string(buf[:n]) != "wake" {
		t.Fatalf("received %q, %v", buf[:n], rerr)
	}
	if r := parseResult(t, "waker", res); r != "sent" {
		t.Fatalf("waker: %s", r)
	}
}

// Every blocking method returns context.Canceled, unwrapped, within cancelSlack of cancel.
func TestBlockingCancelIsPrompt(t *testing.T) {
	p, c, _ := pair(t, Config{Capacity: 2, SlotSize: 16})
	if err := p.Send(nil); err != nil {
		t.Fatal(err)
	}
	if err := p.Send(nil); err != nil { // p: full
		t.Fatal(err)
	}
	_, o, _ := pair(t, Config{Capacity: 2, SlotSize: 16}) // o: a consumer of an empty ring
	buf := make([]byte, 8)
	lens := make([]uint32, 2)
	cases := []struct {
		name string
		call func(ctx context.Context) error
	}{
		{"SendContext", func(ctx context.Context) error { return p.SendContext(ctx, []byte("x")) }},
		{"SendBatchContext", func(ctx context.Context) error {
			_, err := p.SendBatchContext(ctx, []byte("x"), []uint32{1})
			return err
		}},
		{"ReceiveContext", func(ctx context.Context) error { _, err := o.ReceiveContext(ctx, buf); return err }},
		{"ReceiveBatchContext", func(ctx context.Context) error {
			_, err := o.ReceiveBatchContext(ctx, buf, lens)
			return err
		}},
		{"Wait producer", func(ctx context.Context) error { return p.Wait(ctx) }},
		{"Wait consumer", func(ctx context.Context) error { return o.Wait(ctx) }},
	}
	for _, tc := range cases {
		ctx, cancel := context.WithCancel(context.Background())
		cancelled := make(chan time.Time, 1)
		timer := time.AfterFunc(80*time.Millisecond, func() { cancelled <- time.Now(); cancel() })
		err := tc.call(ctx)
		returned := time.Now()
		timer.Stop()
		cancel()
		if err != context.Canceled {
			t.Fatalf("%s: err = %v, want context.Canceled", tc.name, err)
		}
		if d := returned.Sub(<-cancelled); d > cancelSlack {
			t.Fatalf("%s: returned %v after cancel", tc.name, d)
		}
	}
	// A context already done returns at once once the ring is not ready...
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	mustErr(t, p.SendContext(ctx, nil), context.Canceled)
	mustErr(t, o.Wait(ctx), context.Canceled)
	// ...but a ready ring does not consult it.
	if err := c.Wait(ctx); err != nil {
		t.Fatalf("Wait on a non-empty ring: %v", err)
	}
	if _, err := c.ReceiveContext(ctx, buf); err != nil {
		t.Fatalf("ReceiveContext on a non-empty ring: %v", err)
	}
}

// A deadline ends a blocking wait with context.DeadlineExceeded, not before the deadline and
// promptly after it.
func TestWaitDeadline(t *testing.T) {
	_, c, _ := pair(t, Config{Capacity: 2, SlotSize: 16})
	for _, d := range []time.Duration{time.Millisecond, 30 * time.Millisecond, 120 * time.Millisecond} {
		ctx, cancel := context.WithTimeout(context.Background(), d)
		start := time.Now()
		err := c.Wait(ctx)
		took := time.Since(start)
		cancel()
		if err != context.DeadlineExceeded {
			t.Fatalf("timeout %v: err = %v", d, err)
		}
		if took < d || took > d+cancelSlack {
			t.Fatalf("timeout %v: returned after %v", d, took)
		}
	}
}

func TestWaitRolesAndMisuse(t *testing.T) {
	p, c, path := pair(t, Config{Capacity: 2, SlotSize: 16})
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := p.Wait(ctx); err != nil { // free slots
		t.Fatal(err)
	}
	obs, err := Open(path, Observer)
	if err != nil {
		t.Fatal(err)
	}
	defer obs.Close()
	done := make(chan error, 2)
	go func() { done <- obs.Wait(ctx) }()
	go func() { done <- c.Wait(ctx) }()
	time.Sleep(20 * time.Millisecond)
	if err := p.Send([]byte("m")); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 2; i++ {
		if err := <-done; err != nil {
			t.Fatalf("Wait woken by a send: %v", err)
		}
	}
	//lint:ignore SA1012 a nil Context is the misuse under test
	mustErr(t, c.Wait(nil), ErrInvalid) //nolint:staticcheck
	var nilCh *Channel
	mustErr(t, nilCh.Wait(ctx), ErrClosed)
	mustErr(t, nilCh.Heartbeat(), ErrClosed)
	mustErr(t, obs.Heartbeat(), ErrRole)
}

func TestHeartbeatInStats(t *testing.T) {
	p, c, _ := pair(t, Config{Capacity: 2, SlotSize: 16})
	before := MonotonicNow()
	if err := p.Heartbeat(); err != nil {
		t.Fatal(err)
	}
	if err := c.Heartbeat(); err != nil {
		t.Fatal(err)
	}
	after := MonotonicNow()
	st, err := p.Stats()
	if err != nil {
		t.Fatal(err)
	}
	for _, h := range []Holder{st.Producer, st.Consumer} {
		if h.Heartbeat < before || h.Heartbeat > after {
			t.Fatalf("heartbeat %v not within [%v, %v]", h.Heartbeat, before, after)
		}
		if h.Waiting {
			t.Fatalf("idle holder flagged waiting: %+v", h)
		}
	}
	if a := testing.AllocsPerRun(100, func() { p.Heartbeat() }); a != 0 {
		t.Fatalf("Heartbeat: %v allocations", a)
	}
}

// A producer in another process is stopped (SIGSTOP) while idle between sends; once its
// heartbeat is older than the limit, OpenTakeover takes its role, and when it resumes its
// next Send fails with ErrFenced. Its Close does not release the new holder's role.
func TestCrossProcessTakeoverFencesStoppedHolder(t *testing.T) {
	path := tempPath(t)
	c, err := Create(path, Config{Capacity: 8, SlotSize: 16}, Consumer)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	child := startLinePeer(t, "fenced", path)
	if got := child.ask(t, "send"); got != "OK" {
		t.Fatalf("first send: %s", got)
	}
	// A holder that just opened and sent is not stale for a minute-long limit.
	_, err = OpenTakeover(path, Producer, time.Minute)
	mustErr(t, err, ErrBusy)
	before, _ := c.Stats()

	const staleAfter = 50 * time.Millisecond
	pid := child.cmd.Process.Pid
	stopProcess(t, pid)
	time.Sleep(3 * staleAfter)
	p, err := OpenTakeover(path, Producer, staleAfter)
	if err != nil {
		continueProcess(pid)
		t.Fatalf("takeover of a stopped holder: %v", err)
	}
	defer p.Close()
	if err := p.Send([]byte("T")); err != nil {
		t.Fatal(err)
	}
	if err := continueProcess(pid); err != nil {
		t.Fatal(err)
	}
	if got := child.ask(t, "send"); got != "FENCED" {
		t.Fatalf("send of the fenced holder: %s", got)
	}
	child.in.Close()
	if got := child.ask(t, ""); got != "CLOSED <nil>" {
		t.Fatalf("close of the fenced holder: %s", got)
	}
	if err := child.cmd.Wait(); err != nil {
		t.Fatalf("child: %v", err)
	}

	st, err := p.Stats()
	if err != nil {
		t.Fatal(err)
	}
	if st.Producer.PID != uint32(os.Getpid()) || st.Producer.Epoch != before.Producer.Epoch+1 ||
		st.Producer.Takeovers != before.Producer.Takeovers+1 {
		t.Fatalf("producer after takeover %+v, before %+v", st.Producer, before.Producer)
	}
	if err := p.Send([]byte("U")); err != nil {
		t.Fatalf("the new holder after the old one closed: %v", err)
	}
	buf := make([]byte, 8)
	for _, want := range []string{"\xee", "T", "U"} {
		if n, err := c.Receive(buf); err != nil || string(buf[:n]) != want {
			t.Fatalf("received %q, %v; want %q", buf[:n], err, want)
		}
	}
	if _, err := c.Receive(buf); err != ErrEmpty {
		t.Fatalf("a fenced holder published: %v", err)
	}
}

// Heartbeats keep an idle holder's role: another process's OpenTakeover with a 30ms limit gets
// ErrBusy while they continue, and takes the role once they stop; then this holder is fenced.
func TestCrossProcessHeartbeatKeepsRole(t *testing.T) {
	path := tempPath(t)
	p, err := Create(path, Config{Capacity: 8, SlotSize: 16}, Producer)
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	child := startLinePeer(t, "takeover", path)
	const staleAfter = 30 * time.Millisecond
	try := fmt.Sprintf("try %d", staleAfter.Nanoseconds())

	time.Sleep(2 * staleAfter) // stale now, but for the heartbeats below
	if err := p.Heartbeat(); err != nil {
		t.Fatal(err)
	}
	// Keep beating while the peer tries, so that scheduling delays cannot age the heartbeat.
	stop := make(chan struct{})
	hbErr := make(chan error, 1)
	go func() {
		defer close(hbErr)
		for {
			if err := p.Heartbeat(); err != nil {
				hbErr <- err
				return
			}
			select {
			case <-stop:
				return
			case <-time.After(time.Millisecond):
			}
		}
	}()
	got := child.ask(t, try)
	close(stop)
	if err := <-hbErr; err != nil {
		t.Fatal(err)
	}
	if got != "BUSY" {
		t.Fatalf("takeover while heartbeating: %s, want BUSY", got)
	}
	if err := p.Send([]byte("a")); err != nil {
		t.Fatalf("holder after a refused takeover: %v", err)
	}
	// Going quiet: a heartbeat declares the holder idle, so that the takeover below fences
	// this process rather than ends it (FORMAT.md, "Fencing": a holder that goes quiet right
	// after a successful operation, with no heartbeat or wait, is ended).
	if err := p.Heartbeat(); err != nil {
		t.Fatal(err)
	}

	time.Sleep(3 * staleAfter)
	if got := child.ask(t, try); got != "TOOK" {
		t.Fatalf("takeover of an idle holder: %s, want TOOK", got)
	}
	mustErr(t, p.Send([]byte("b")), ErrFenced)
	mustErr(t, p.Heartbeat(), ErrFenced)
	mustErr(t, p.SendContext(context.Background(), []byte("b")), ErrFenced)
	var ce *ChannelError
	if err := p.Heartbeat(); !errors.As(err, &ce) || ce.Op != "heartbeat" {
		t.Fatalf("fenced heartbeat error %#v", err)
	}
	child.in.Close()
	if err := child.cmd.Wait(); err != nil {
		t.Fatalf("child: %v", err)
	}
}

// A holder fenced while it sleeps in a blocking call gets ErrFenced from that call.
func TestCrossProcessFencedWhileWaiting(t *testing.T) {
	p, _, path := pair(t, Config{Capacity: 2, SlotSize: 16})
	p.Send(nil)
	p.Send(nil) // full
	child := startLinePeer(t, "takeover", path)
	ctx, cancel := context.WithCancel(context.Background())
	errc := make(chan error, 1)
	go func() { errc <- p.SendContext(ctx, []byte("x")) }()
	defer func() { cancel(); <-errc }() // before the cleanup closes p
	waitUntil(t, "the producer to sleep", func() bool {
		st, _ := Inspect(path)
		return st.Producer.Waiting
	})
	// A sleeping holder refreshes its heartbeat at most every slice: a 1ns limit is stale.
	if got := child.ask(t, "try 1"); got != "TOOK" {
		t.Fatalf("takeover of a waiting holder: %s", got)
	}
	select {
	case err := <-errc:
		errc <- err // for the deferred drain
		mustErr(t, err, ErrFenced)
	case <-time.After(5 * time.Second):
		t.Fatal("the fenced waiter did not return")
	}
}
