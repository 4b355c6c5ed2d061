package hftipc

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"syscall"
	"testing"
	"time"
)

// claimPeer runs the peer role of the tests in this file in the re-executed test binary (see
// TestCrossProcessPeer); it reports false for a role it does not know.
//
//	claim-holder: open the producer, send "a", claim a slot and write "claimed" into it, print
//	              READY, then per stdin line "commit" commit the claim and print OK, FENCED or
//	              ERR; exit at EOF
func claimPeer(t *testing.T, role, path string) bool {
	if role != "claim-holder" {
		return false
	}
	ch, err := Open(path, Producer)
	if err != nil {
		t.Fatal(err)
	}
	if err := ch.Send([]byte("a")); err != nil {
		t.Fatal(err)
	}
	cl, err := ch.Claim()
	if err != nil {
		t.Fatal(err)
	}
	n := copy(cl.Bytes(), "claimed")
	fmt.Println("READY")
	sc := bufio.NewScanner(os.Stdin)
	for sc.Scan() {
		printOutcome(cl.Commit(n))
	}
	os.Exit(0) // no Close: a fenced handle has nothing left to release
	return true
}

// killedBySIGKILL waits for the peer and reports whether SIGKILL ended it.
func killedBySIGKILL(t *testing.T, lp *linePeer) bool {
	t.Helper()
	done := make(chan struct{})
	go func() { lp.cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("the taken-over holder is still running")
	}
	ws, ok := lp.cmd.ProcessState.Sys().(syscall.WaitStatus)
	return ok && ws.Signaled() && ws.Signal() == syscall.SIGKILL
}

// A producer in another process is stopped (SIGSTOP) while it holds a claim: it is inside
// its claim, so it can be neither proven idle nor left running. Takeover ends it with SIGKILL
// before it returns, and the channel continues with the new producer: in SPSC the claim was
// never visible; in MPSC, where the claim held up the consumer (another producer's message
// waits behind it), the consumer skips it as abandoned.
func TestCrossProcessTakeoverEndsStoppedClaimHolder(t *testing.T) {
	for _, mode := range claimModes {
		t.Run(mode.String(), func(t *testing.T) {
			path := tempPath(t)
			c, err := Create(path, Config{Capacity: 8, SlotSize: 24, Mode: mode}, Consumer)
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			child := startLinePeer(t, "claim-holder", path)
			mustReceive(t, c, "a")
			var other *Channel // MPSC: a second producer, whose message waits behind the claim
			if mode == ModeMPSC {
				if other, err = Open(path, Producer); err != nil {
					t.Fatal(err)
				}
				defer other.Close()
				if err := other.Send([]byte("x")); err != nil {
					t.Fatal(err)
				}
				time.Sleep(5 * time.Millisecond) // past the consumer's 1ms stall check
				mustBeEmpty(t, c)                // the live holder's claim holds it up
			}

			const staleAfter = 50 * time.Millisecond
			pid := child.cmd.Process.Pid
			stopProcess(t, pid)
			time.Sleep(3 * staleAfter)
			p, err := Takeover(path, Producer, staleAfter, 0)
			if err != nil {
				t.Fatalf("takeover of a stopped claim holder: %v", err)
			}
			defer p.Close()
			if !killedBySIGKILL(t, child) {
				t.Fatalf("the claim holder was not killed: %v", child.cmd.ProcessState)
			}

			if mode == ModeMPSC {
				buf := make([]byte, c.MaxPayload())
				var got string
				waitUntil(t, "the consumer to pass the abandoned claim", func() bool {
					n, err := c.Receive(buf)
					if err == ErrEmpty {
						return false
					}
					if err != nil {
						t.Fatal(err)
					}
					got = string(buf[:n])
					return true
				})
				if got != "x" {
					t.Fatalf("after the abandoned claim: %q, want \"x\"", got)
				}
			}
			if err := p.Send([]byte("b")); err != nil {
				t.Fatalf("send of the new producer: %v", err)
			}
			mustReceive(t, c, "b")
			mustBeEmpty(t, c)
			st, err := c.Stats()
			if err != nil {
				t.Fatal(err)
			}
			wantHead, wantAbandoned := uint64(2), uint64(0)
			if mode == ModeMPSC {
				wantHead, wantAbandoned = 4, 1 // "a", the claim, "x", "b"
			}
			if st.Head != wantHead || st.Tail != wantHead || st.Abandoned != wantAbandoned || st.Aborted != 0 {
				t.Fatalf("head %d tail %d abandoned %d aborted %d; want head=tail=%d abandoned %d",
					st.Head, st.Tail, st.Abandoned, st.Aborted, wantHead, wantAbandoned)
			}
			if mode == ModeSPSC && (st.Producer.PID != uint32(os.Getpid()) || st.Producer.Takeovers != 1) {
				t.Fatalf("producer after takeover %+v", st.Producer)
			}
		})
	}
}

// A holder in another pid namespace, holding a claim, can be neither proven idle nor ended
// (its pid means nothing here): Takeover refuses with ErrNoFence and the role stays with it;
// TakeoverForce takes the role, and the old holder's commit is then refused with ErrFenced.
func TestCrossProcessTakeoverNoFenceAcrossPIDNamespaces(t *testing.T) {
	probe := exec.Command("/bin/true")
	newPIDNamespace(probe)
	if err := probe.Run(); err != nil {
		t.Skipf("cannot start a process in a new pid namespace (needs root): %v", err)
	}
	path := tempPath(t)
	c, err := Create(path, Config{Capacity: 8, SlotSize: 24}, Consumer)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	child := startLinePeer(t, "claim-holder", path, newPIDNamespace)
	mustReceive(t, c, "a")
	info, err := Inspect(path)
	if err != nil || info.Producer.Liveness != PeerUnknown {
		t.Fatalf("holder in another pid namespace: %+v, %v", info.Producer, err)
	}

	const staleAfter = 30 * time.Millisecond
	time.Sleep(3 * staleAfter)
	_, err = Takeover(path, Producer, staleAfter, 0)
	mustErr(t, err, ErrNoFence)
	var ce *ChannelError
	if !errors.As(err, &ce) || ce.Op != "takeover" || ce.Path != path {
		t.Fatalf("ErrNoFence error %#v", err)
	}
	_, err = OpenTakeover(path, Producer, staleAfter)
	mustErr(t, err, ErrNoFence)
	after, err := Inspect(path)
	if err != nil || after.Producer.PID != info.Producer.PID || after.Producer.Epoch != info.Producer.Epoch ||
		after.Producer.Takeovers != 0 {
		t.Fatalf("a refused takeover moved the role: %+v, was %+v (%v)", after.Producer, info.Producer, err)
	}
	_, err = Takeover(path, Producer, staleAfter, 2)
	mustErr(t, err, ErrInvalid)

	p, err := Takeover(path, Producer, staleAfter, TakeoverForce)
	if err != nil {
		t.Fatalf("forced takeover: %v", err)
	}
	defer p.Close()
	if got := child.ask(t, "commit"); got != "FENCED" {
		t.Fatalf("commit of the claim of the forcibly replaced holder: %s", got)
	}
	if err := p.Send([]byte("b")); err != nil {
		t.Fatal(err)
	}
	mustReceive(t, c, "b")
	mustBeEmpty(t, c)
	st, err := p.Stats()
	if err != nil || st.Producer.PID != uint32(os.Getpid()) || st.Producer.Takeovers != 1 ||
		st.Producer.Epoch != info.Producer.Epoch+1 {
		t.Fatalf("producer after the forced takeover %+v, %v", st.Producer, err)
	}
}
