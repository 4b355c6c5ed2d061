package hftipc

import (
	"encoding/binary"
	"errors"
	"os"
	"testing"
)

// Both channel modes, for the tests whose claim behaviour must not depend on the mode.
var claimModes = []Mode{ModeSPSC, ModeMPSC}

func claimPair(t *testing.T, mode Mode, cfg Config) (p, c *Channel, path string) {
	t.Helper()
	cfg.Mode = mode
	return pair(t, cfg)
}

// inBothModes runs test as a subtest per mode, on a fresh producer and consumer with cfg.
func inBothModes(t *testing.T, cfg Config, test func(t *testing.T, p, c *Channel)) {
	for _, mode := range claimModes {
		t.Run(mode.String(), func(t *testing.T) {
			p, c, _ := claimPair(t, mode, cfg)
			test(t, p, c)
		})
	}
}

func mustClaim(t *testing.T, p *Channel) Claim {
	t.Helper()
	cl, err := p.Claim()
	if err != nil {
		t.Fatalf("Claim: %v", err)
	}
	return cl
}

func mustReceive(t *testing.T, c *Channel, want string) {
	t.Helper()
	buf := make([]byte, c.MaxPayload())
	n, err := c.Receive(buf)
	if err != nil || string(buf[:n]) != want {
		t.Fatalf("Receive = %q, %v; want %q", buf[:n], err, want)
	}
}

func mustBeEmpty(t *testing.T, c *Channel) {
	t.Helper()
	buf := make([]byte, c.MaxPayload())
	if n, err := c.Receive(buf); err != ErrEmpty {
		t.Fatalf("Receive = %q, %v; want ErrEmpty", buf[:n], err)
	}
}

// A claim is written in place and committed; claiming again before the commit returns the
// same claim; each commit gives the next claim the next sequence; a full ring gives ErrFull.
func TestClaimValueCommit(t *testing.T) {
	inBothModes(t, Config{Capacity: 2, SlotSize: 24}, func(t *testing.T, p, c *Channel) {
		cl := mustClaim(t, p)
		if cl.Sequence() != 0 || len(cl.Bytes()) != p.MaxPayload() {
			t.Fatalf("first claim: sequence %d, %d bytes", cl.Sequence(), len(cl.Bytes()))
		}
		n := copy(cl.Bytes(), "in place")
		again, err := p.Claim()
		if err != nil || again.Sequence() != cl.Sequence() || &again.Bytes()[0] != &cl.Bytes()[0] {
			t.Fatalf("claim again: %d, %v; want the same claim %d", again.Sequence(), err, cl.Sequence())
		}
		mustBeEmpty(t, c) // nothing is visible before the commit
		mustErr(t, cl.Commit(p.MaxPayload()+1), ErrTooBig)
		mustErr(t, cl.Commit(-1), ErrInvalid)
		if err := cl.Commit(n); err != nil { // the claim stayed through both refusals
			t.Fatal(err)
		}
		next, err := p.Claim()
		if err != nil || next.Sequence() != 1 {
			t.Fatalf("next claim: %d, %v", next.Sequence(), err)
		}
		if err := next.Commit(0); err != nil {
			t.Fatal(err)
		}
		if _, err := p.Claim(); err != ErrFull {
			t.Fatalf("Claim on a full ring: %v", err)
		}
		mustReceive(t, c, "in place")
		mustReceive(t, c, "")
		mustBeEmpty(t, c)
	})
}

// Claim and TryClaim reserve the same claim, and Commit commits it whichever call made it.
func TestClaimAndTryClaimShareOneClaim(t *testing.T) {
	inBothModes(t, Config{Capacity: 4, SlotSize: 24}, func(t *testing.T, p, c *Channel) {
		cl := mustClaim(t, p)
		b, err := p.TryClaim()
		if err != nil || &b[0] != &cl.Bytes()[0] {
			t.Fatalf("TryClaim after Claim: %v, or another slot", err)
		}
		n := copy(b, "old api")
		if err := p.Commit(n); err != nil {
			t.Fatal(err)
		}
		mustErr(t, cl.Commit(n), ErrState) // committed by Commit
		b, err = p.TryClaim()
		if err != nil {
			t.Fatal(err)
		}
		cl, err = p.Claim()
		if err != nil || &b[0] != &cl.Bytes()[0] || cl.Sequence() != 1 {
			t.Fatalf("Claim after TryClaim: %d, %v", cl.Sequence(), err)
		}
		n = copy(cl.Bytes(), "new api")
		if err := cl.Commit(n); err != nil {
			t.Fatal(err)
		}
		mustErr(t, p.Commit(n), ErrState)
		mustReceive(t, c, "old api")
		mustReceive(t, c, "new api")
	})
}

// An aborted SPSC claim publishes nothing and leaves no trace: the slot is simply not used,
// so the next claim or send takes it; no counter moves.
func TestClaimAbortSPSC(t *testing.T) {
	p, c, _ := claimPair(t, ModeSPSC, Config{Capacity: 4, SlotSize: 24})
	cl := mustClaim(t, p)
	copy(cl.Bytes(), "never sent")
	if err := cl.Abort(); err != nil {
		t.Fatal(err)
	}
	mustErr(t, cl.Abort(), ErrState)
	mustErr(t, cl.Commit(1), ErrState)
	mustErr(t, p.Commit(1), ErrState)
	mustBeEmpty(t, c)
	st, err := p.Stats()
	if err != nil || st.Head != 0 || st.Aborted != 0 {
		t.Fatalf("after an SPSC abort: head %d, aborted %d, %v", st.Head, st.Aborted, err)
	}
	again, err := p.Claim()
	if err != nil || again.Sequence() != cl.Sequence() {
		t.Fatalf("the slot of the aborted claim is claimed again: %d, %v", again.Sequence(), err)
	}
	if err := again.Abort(); err != nil {
		t.Fatal(err)
	}
	if err := p.Send([]byte("sent")); err != nil {
		t.Fatal(err)
	}
	mustReceive(t, c, "sent")
	mustBeEmpty(t, c)
}

// An aborted MPSC claim becomes a skip record: the consumer and an observer pass over it
// without delivering anything, and Aborted counts it.
func TestClaimAbortMPSC(t *testing.T) {
	p, c, path := claimPair(t, ModeMPSC, Config{Capacity: 4, SlotSize: 24})
	obs, err := Open(path, Observer)
	if err != nil {
		t.Fatal(err)
	}
	defer obs.Close()
	if err := p.Send([]byte("before")); err != nil {
		t.Fatal(err)
	}
	cl := mustClaim(t, p)
	copy(cl.Bytes(), "never sent")
	if err := cl.Abort(); err != nil {
		t.Fatal(err)
	}
	mustErr(t, cl.Abort(), ErrState)
	mustErr(t, cl.Commit(0), ErrState)
	next, err := p.Claim()
	if err != nil || next.Sequence() != cl.Sequence()+1 {
		t.Fatalf("the claim after an MPSC abort: %d, %v; the skip record keeps its slot", next.Sequence(), err)
	}
	n := copy(next.Bytes(), "after")
	if err := next.Commit(n); err != nil {
		t.Fatal(err)
	}
	for _, r := range []*Channel{obs, c} {
		mustReceive(t, r, "before")
		mustReceive(t, r, "after")
		mustBeEmpty(t, r)
	}
	st, err := c.Stats()
	if err != nil || st.Head != 3 || st.Tail != 3 || st.Aborted != 1 || st.Abandoned != 0 {
		t.Fatalf("after an MPSC abort: head %d tail %d aborted %d abandoned %d, %v",
			st.Head, st.Tail, st.Aborted, st.Abandoned, err)
	}
	info, err := Inspect(path)
	if err != nil || info.Aborted != 1 {
		t.Fatalf("Inspect: aborted %d, %v", info.Aborted, err)
	}
}

// A claim value that is no longer outstanding gives ErrState, and does not disturb the claim
// that is.
func TestStaleClaimIsRefused(t *testing.T) {
	inBothModes(t, Config{Capacity: 4, SlotSize: 24}, func(t *testing.T, p, c *Channel) {
		var zero Claim
		if zero.Sequence() != -1 || zero.Bytes() != nil {
			t.Fatalf("zero Claim: %d, %v", zero.Sequence(), zero.Bytes())
		}
		var ce *ChannelError
		if err := zero.Commit(0); !errors.Is(err, ErrState) || !errors.As(err, &ce) || ce.Op != "commit_claim" {
			t.Fatalf("zero Claim Commit: %#v", err)
		}
		mustErr(t, zero.Abort(), ErrState)

		first := mustClaim(t, p)
		n := copy(first.Bytes(), "first")
		if err := first.Commit(n); err != nil {
			t.Fatal(err)
		}
		second := mustClaim(t, p)
		n = copy(second.Bytes(), "second")
		mustErr(t, first.Commit(1), ErrState)
		err := first.Abort()
		mustErr(t, err, ErrState)
		if !errors.As(err, &ce) || ce.Op != "abort_claim" || ce.Code != -29 || ce.Path != p.Path() {
			t.Fatalf("stale Abort error %#v", err)
		}
		if err := second.Commit(n); err != nil {
			t.Fatal(err)
		}
		mustReceive(t, c, "first")
		mustReceive(t, c, "second")
		mustBeEmpty(t, c)
	})
}

// A Send or SendBatch while a claim is outstanding publishes into the claimed slot and uses
// the claim up: nothing is stranded (in MPSC the consumer is never stuck at the claimed
// slot), and the claim's Commit and Abort give ErrState.
func TestSendAfterClaimUsesTheClaim(t *testing.T) {
	inBothModes(t, Config{Capacity: 4, SlotSize: 24}, func(t *testing.T, p, c *Channel) {
		cl := mustClaim(t, p)
		copy(cl.Bytes(), "overwritten")
		if err := p.Send([]byte("sent")); err != nil {
			t.Fatal(err)
		}
		mustErr(t, cl.Commit(3), ErrState)
		mustErr(t, cl.Abort(), ErrState)
		mustReceive(t, c, "sent")
		mustBeEmpty(t, c)

		cl, err := p.Claim()
		if err != nil || cl.Sequence() != 1 {
			t.Fatalf("claim after the send: %d, %v", cl.Sequence(), err)
		}
		if n, err := p.SendBatch([]byte("ab"), []uint32{1, 1}); err != nil || n != 2 {
			t.Fatalf("SendBatch = %d, %v", n, err)
		}
		mustErr(t, cl.Commit(0), ErrState)
		mustReceive(t, c, "a")
		mustReceive(t, c, "b")
		mustBeEmpty(t, c)
		st, err := c.Stats()
		if err != nil || st.Head != 3 || st.Tail != 3 || st.Abandoned != 0 || st.Aborted != 0 {
			t.Fatalf("head %d tail %d abandoned %d aborted %d, %v", st.Head, st.Tail, st.Abandoned, st.Aborted, err)
		}
	})
}

// Claims need the producer role and an open channel.
func TestClaimRolesAndClosed(t *testing.T) {
	p, c, _ := pair(t, Config{Capacity: 4, SlotSize: 24})
	_, err := c.Claim()
	mustErr(t, err, ErrRole)
	cl := mustClaim(t, p)
	p.Close()
	_, err = p.Claim()
	mustErr(t, err, ErrClosed)
	mustErr(t, cl.Commit(0), ErrClosed)
	mustErr(t, cl.Abort(), ErrClosed)
	var nilCh *Channel
	_, err = nilCh.Claim()
	mustErr(t, err, ErrClosed)
}

// Offset of incompat_flags in the file header (docs/FORMAT.md, 2.1), and the SKIP_RECORDS
// bit (FORMAT.md section 14) that a 1.0 or 1.1 library never sets.
const (
	incompatFlagsOffset = 24
	incompatSkipRecords = 1 << 1
)

// An MPSC file made by a library without skip records (SKIP_RECORDS clear) cannot hold an
// aborted claim: Abort gives ErrIncompat and the claim stays, so it can still be committed.
func TestClaimAbortInOldMPSCFileIsIncompat(t *testing.T) {
	path := tempPath(t)
	ch, err := Create(path, Config{Capacity: 4, SlotSize: 24, Mode: ModeMPSC}, Observer)
	if err != nil {
		t.Fatal(err)
	}
	ch.Close()
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	var word [8]byte
	if _, err := f.ReadAt(word[:], incompatFlagsOffset); err != nil {
		t.Fatal(err)
	}
	flags := binary.LittleEndian.Uint64(word[:])
	if flags&incompatSkipRecords == 0 {
		t.Fatalf("a new MPSC file has incompat flags %#x, without SKIP_RECORDS", flags)
	}
	binary.LittleEndian.PutUint64(word[:], flags&^incompatSkipRecords)
	if _, err := f.WriteAt(word[:], incompatFlagsOffset); err != nil {
		t.Fatal(err)
	}
	f.Close()

	p, err := Open(path, Producer)
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	c, err := Open(path, Consumer)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	cl := mustClaim(t, p)
	n := copy(cl.Bytes(), "kept")
	mustErr(t, cl.Abort(), ErrIncompat)
	if err := cl.Commit(n); err != nil {
		t.Fatalf("commit of the claim an abort refused: %v", err)
	}
	mustReceive(t, c, "kept")
	mustBeEmpty(t, c)
	// SPSC aborts write nothing, so they work in any file.
}

// The explicit claim path allocates nothing, in both modes, including an MPSC abort.
func TestClaimsDoNotAllocate(t *testing.T) {
	inBothModes(t, Config{Capacity: 64, SlotSize: 72}, func(t *testing.T, p, c *Channel) {
		buf := make([]byte, 64)
		var seq uint64
		commit := func() {
			cl := mustClaim(t, p)
			binary.LittleEndian.PutUint64(cl.Bytes(), seq)
			if err := cl.Commit(8); err != nil {
				t.Fatal(err)
			}
			if n, err := c.Receive(buf); err != nil || n != 8 || binary.LittleEndian.Uint64(buf) != seq {
				t.Fatalf("Receive = %d, %v", n, err)
			}
			seq++
		}
		abort := func() {
			cl := mustClaim(t, p)
			if err := cl.Abort(); err != nil {
				t.Fatal(err)
			}
			if _, err := c.Receive(buf); err != ErrEmpty {
				t.Fatalf("Receive after an abort: %v", err)
			}
		}
		full := func() {
			for p.Send(buf[:8]) == nil {
			}
			if _, err := p.Claim(); err != ErrFull {
				t.Fatalf("Claim on a full ring: %v", err)
			}
			for {
				if _, err := c.Receive(buf); err != nil {
					break
				}
			}
		}
		for name, fn := range map[string]func(){"Claim+Commit": commit, "Claim+Abort": abort, "Claim full": full} {
			if a := testing.AllocsPerRun(200, fn); a != 0 {
				t.Errorf("%s: %v allocations per run", name, a)
			}
		}
	})
}
