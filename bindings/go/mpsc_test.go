package hftipc

import (
	"bufio"
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"io"
	"os"
	"os/exec"
	"strconv"
	"sync"
	"testing"
	"time"
)

// MPSC messages: byte 0 is the producer id, bytes 1..8 the producer's sequence number
// (little-endian), then filler bytes that depend on both, of a length that varies with them,
// so a lost, duplicated, reordered or torn message never matches.
const mpscHeader = 9

const envPeerID = "HFTIPC_GO_TEST_PEER_ID" // producer id of an "mpsc-producer" peer

func mpscMessage(dst []byte, id byte, seq uint64, maxPayload int) int {
	h := mix(uint64(id)<<56 ^ seq)
	n := mpscHeader + int(h%uint64(maxPayload-mpscHeader+1))
	dst[0] = id
	binary.LittleEndian.PutUint64(dst[1:], seq)
	for j := mpscHeader; j < n; j++ {
		dst[j] = byte(h>>(8*(j&7))) + byte(j)
	}
	return n
}

// mpscChecker verifies per-producer order and content of received MPSC messages.
type mpscChecker struct {
	mp   int
	next []uint64
	crc  []uint32
	want []byte
}

func newMPSCChecker(producers, maxPayload int) *mpscChecker {
	return &mpscChecker{mp: maxPayload, next: make([]uint64, producers),
		crc: make([]uint32, producers), want: make([]byte, maxPayload)}
}

func (k *mpscChecker) check(msg []byte) error {
	if len(msg) < mpscHeader || int(msg[0]) >= len(k.next) {
		return fmt.Errorf("bad message %x", msg)
	}
	id := msg[0]
	seq := binary.LittleEndian.Uint64(msg[1:])
	if seq != k.next[id] {
		return fmt.Errorf("producer %d: got seq %d, want %d", id, seq, k.next[id])
	}
	n := mpscMessage(k.want, id, seq, k.mp)
	if !bytes.Equal(msg, k.want[:n]) {
		return fmt.Errorf("producer %d seq %d: got %x, want %x", id, seq, msg, k.want[:n])
	}
	k.crc[id] = crc32.Update(k.crc[id], crc32.IEEETable, msg)
	k.next[id]++
	return nil
}

func mpscCount(t *testing.T, full, short int) int {
	if testing.Short() || raceEnabled {
		return short
	}
	return full
}

// mpscProduce sends count messages of producer id through ch, rotating over the copy, batch
// and zero-copy paths, and returns the CRC-32 of its stream.
func mpscProduce(ctx context.Context, ch *Channel, id byte, count uint64) (uint32, error) {
	mp := ch.MaxPayload()
	const batch = 16
	data := make([]byte, batch*mp)
	lens := make([]uint32, batch)
	crc := uint32(0)
	for seq := uint64(0); seq < count; {
		switch seq / 7 % 3 {
		case 0: // SendContext
			n := mpscMessage(data, id, seq, mp)
			if err := ch.SendContext(ctx, data[:n]); err != nil {
				return 0, fmt.Errorf("send %d: %w", seq, err)
			}
			crc = crc32.Update(crc, crc32.IEEETable, data[:n])
			seq++
		case 1: // TryClaim / Commit
			buf, err := ch.TryClaim()
			if err == ErrFull {
				if err := ch.Wait(ctx); err != nil {
					return 0, err
				}
				continue
			}
			if err != nil {
				return 0, fmt.Errorf("claim %d: %w", seq, err)
			}
			n := mpscMessage(buf, id, seq, mp)
			crc = crc32.Update(crc, crc32.IEEETable, buf[:n])
			if err := ch.Commit(n); err != nil {
				return 0, fmt.Errorf("commit %d: %w", seq, err)
			}
			seq++
		default: // SendBatchContext
			k := int(min(uint64(batch), count-seq))
			used := 0
			for i := 0; i < k; i++ {
				n := mpscMessage(data[used:], id, seq+uint64(i), mp)
				crc = crc32.Update(crc, crc32.IEEETable, data[used:used+n])
				lens[i] = uint32(n)
				used += n
			}
			off, i := 0, 0
			for i < k {
				n, err := ch.SendBatchContext(ctx, data[off:used], lens[i:k])
				if err != nil {
					return 0, fmt.Errorf("send batch at %d: %w", seq+uint64(i), err)
				}
				for j := i; j < i+n; j++ {
					off += int(lens[j])
				}
				i += n
			}
			seq += uint64(k)
		}
	}
	return crc, nil
}

// mpscPeer runs the MPSC peer roles in the re-executed test binary (see TestCrossProcessPeer);
// it reports false for a role it does not know.
//
//	mpsc-producer: open a producer, print READY, wait for a stdin line, send count messages
//	               as producer HFTIPC_GO_TEST_PEER_ID, print "RESULT crc=..."
//	mpsc-claimer:  open a producer, TryClaim, write into the slot, print READY and exit
//	               without Commit or Close
func mpscPeer(t *testing.T, role, path string, count uint64) bool {
	switch role {
	case "mpsc-producer":
		id, err := strconv.Atoi(os.Getenv(envPeerID))
		if err != nil {
			t.Fatal(err)
		}
		ch, err := Open(path, Producer)
		if err != nil {
			t.Fatal(err)
		}
		defer ch.Close()
		fmt.Println("READY")
		if _, err := bufio.NewReader(os.Stdin).ReadString('\n'); err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
		defer cancel()
		crc, err := mpscProduce(ctx, ch, byte(id), count)
		if err != nil {
			t.Fatal(err)
		}
		fmt.Printf("RESULT crc=%08x\n", crc)
	case "mpsc-claimer":
		ch, err := Open(path, Producer)
		if err != nil {
			t.Fatal(err)
		}
		buf, err := ch.TryClaim()
		if err != nil {
			t.Fatal(err)
		}
		copy(buf, "abandoned")
		fmt.Println("READY")
		os.Exit(0) // dies holding the claim
	default:
		return false
	}
	return true
}

func createMPSC(t *testing.T, cfg Config, role Role) (*Channel, string) {
	t.Helper()
	cfg.Mode = ModeMPSC
	path := tempPath(t)
	ch, err := Create(path, cfg, role)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ch.Close() })
	return ch, path
}

func TestModeString(t *testing.T) {
	if ModeSPSC.String() != "spsc" || ModeMPSC.String() != "mpsc" || Mode(7).String() != "Mode(7)" {
		t.Fatal(ModeSPSC.String(), ModeMPSC.String(), Mode(7).String())
	}
}

// Several producer goroutines, each with its own Channel, and one consumer goroutine: every
// message arrives once, in order per producer.
func TestMPSCGoroutines(t *testing.T) {
	const producers = 4
	count := uint64(mpscCount(t, 200_000, 20_000))
	c, path := createMPSC(t, Config{Capacity: 256, SlotSize: 64}, Consumer)

	handles := make([]*Channel, producers)
	for i := range handles {
		p, err := Open(path, Producer)
		if err != nil {
			t.Fatalf("producer %d: %v", i, err)
		}
		t.Cleanup(func() { p.Close() })
		handles[i] = p
	}
	st, err := c.Stats()
	if err != nil {
		t.Fatal(err)
	}
	if st.Mode != ModeMPSC || st.ProducerCount != producers || st.Producer.Liveness != PeerAlive {
		t.Fatalf("stats with %d producers: mode %v, count %d, holder %+v", producers, st.Mode,
			st.ProducerCount, st.Producer)
	}

	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	var wg sync.WaitGroup
	crcs := make([]uint32, producers)
	errs := make([]error, producers)
	for i, p := range handles {
		wg.Add(1)
		go func() {
			defer wg.Done()
			crcs[i], errs[i] = mpscProduce(ctx, p, byte(i), count)
		}()
	}

	k := newMPSCChecker(producers, c.MaxPayload())
	buf := make([]byte, 32*c.MaxPayload())
	lens := make([]uint32, 32)
	var cerr error
	for got := uint64(0); got < producers*count && cerr == nil; {
		if got%3 == 0 { // single receive on even steps, batches otherwise
			n, err := c.ReceiveContext(ctx, buf)
			if err != nil {
				cerr = err
				break
			}
			cerr = k.check(buf[:n])
			got++
			continue
		}
		n, err := c.ReceiveBatchContext(ctx, buf, lens)
		if err != nil {
			cerr = err
			break
		}
		off := 0
		for i := 0; i < n && cerr == nil; i++ {
			cerr = k.check(buf[off : off+int(lens[i])])
			off += int(lens[i])
		}
		got += uint64(n)
	}
	if cerr != nil {
		cancel()
	}
	wg.Wait()
	if cerr != nil {
		t.Fatal(cerr)
	}
	for i := range handles {
		if errs[i] != nil {
			t.Fatalf("producer %d: %v", i, errs[i])
		}
		if k.next[i] != count || k.crc[i] != crcs[i] {
			t.Fatalf("producer %d: received %d (crc %08x), sent %d (crc %08x)", i, k.next[i],
				k.crc[i], count, crcs[i])
		}
	}
	if _, err := c.Receive(buf); err != ErrEmpty {
		t.Fatalf("after all messages: %v", err)
	}
	st, _ = c.Stats()
	if st.Head != producers*count || st.Tail != st.Head || st.Abandoned != 0 {
		t.Fatalf("final stats head %d tail %d abandoned %d", st.Head, st.Tail, st.Abandoned)
	}
}

// Three producer processes send 100k messages each to one consumer (this process): per
// producer, order, bytes and CRC-32 agree.
func TestCrossProcessMPSC(t *testing.T) {
	const producers = 3
	count := mpscCount(t, 100_000, 20_000)
	c, path := createMPSC(t, Config{Capacity: 1024, SlotSize: 128}, Consumer)

	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	cmds := make([]*execPeer, producers)
	for i := range cmds {
		cmds[i] = startPeer(t, ctx, "mpsc-producer", path, count, envPeerID+"="+strconv.Itoa(i))
		if line := cmds[i].line(t); line != "READY" {
			t.Fatalf("producer %d said %q", i, line)
		}
	}
	if st, _ := c.Stats(); st.ProducerCount != producers {
		t.Fatalf("ProducerCount %d, want %d", st.ProducerCount, producers)
	}
	for _, p := range cmds { // start all at once
		p.stdin.Write([]byte("go\n"))
	}

	k := newMPSCChecker(producers, c.MaxPayload())
	buf := make([]byte, 64*c.MaxPayload())
	lens := make([]uint32, 64)
	start := time.Now()
	for got := 0; got < producers*count; {
		n, err := c.ReceiveBatchContext(ctx, buf, lens)
		if err != nil {
			t.Fatalf("receive after %d: %v", got, err)
		}
		off := 0
		for i := 0; i < n; i++ {
			if err := k.check(buf[off : off+int(lens[i])]); err != nil {
				t.Fatal(err)
			}
			off += int(lens[i])
		}
		got += n
	}
	elapsed := time.Since(start)
	for i, p := range cmds {
		res := p.line(t)
		if err := p.cmd.Wait(); err != nil {
			t.Fatalf("producer %d: %v", i, err)
		}
		if want := fmt.Sprintf("RESULT crc=%08x", k.crc[i]); res != want || k.next[i] != uint64(count) {
			t.Fatalf("producer %d: said %q, consumer saw %d messages, %s", i, res, k.next[i], want)
		}
	}
	st, _ := c.Stats()
	if st.Head != uint64(producers*count) || st.Tail != st.Head || st.ProducerCount != 0 || st.Abandoned != 0 {
		t.Fatalf("final stats %+v", st)
	}
	t.Logf("%d producers x %d messages in %v", producers, count, elapsed.Round(time.Millisecond))
}

// The 17th producer of an MPSC channel gets ErrBusy; closing one makes room.
func TestMPSCMaxProducers(t *testing.T) {
	c, path := createMPSC(t, Config{Capacity: 64, SlotSize: 32}, Consumer)
	ps := make([]*Channel, MaxProducers)
	for i := range ps {
		p, err := Open(path, Producer)
		if err != nil {
			t.Fatalf("producer %d: %v", i+1, err)
		}
		defer func() { p.Close() }()
		ps[i] = p
	}
	_, err := Open(path, Producer)
	mustErr(t, err, ErrBusy)
	_, err = OpenOrCreate(path, Config{Capacity: 64, SlotSize: 32, Mode: ModeMPSC}, Producer)
	mustErr(t, err, ErrBusy)
	st, _ := c.Stats()
	if st.ProducerCount != MaxProducers {
		t.Fatalf("ProducerCount %d", st.ProducerCount)
	}
	if err := ps[5].Close(); err != nil {
		t.Fatal(err)
	}
	p, err := Open(path, Producer)
	if err != nil {
		t.Fatalf("after a close: %v", err)
	}
	defer p.Close()
	if err := p.Send([]byte("x")); err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, c.MaxPayload())
	if n, err := c.Receive(buf); err != nil || string(buf[:n]) != "x" {
		t.Fatalf("receive %q %v", buf[:n], err)
	}
	// A second consumer is still refused.
	_, err = Open(path, Consumer)
	mustErr(t, err, ErrBusy)
}

// A producer process that dies between TryClaim and Commit leaves an abandoned slot: the
// consumer skips it (after about 1 ms) and delivers the next message; Stats counts it.
func TestCrossProcessMPSCAbandonedClaim(t *testing.T) {
	c, path := createMPSC(t, Config{Capacity: 16, SlotSize: 64}, Consumer)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()

	p, err := Open(path, Producer)
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	if err := p.Send([]byte("before")); err != nil {
		t.Fatal(err)
	}
	claimer := startPeer(t, ctx, "mpsc-claimer", path, 0)
	if line := claimer.line(t); line != "READY" {
		t.Fatalf("claimer said %q", line)
	}
	if err := claimer.cmd.Wait(); err != nil {
		t.Fatal(err)
	}
	if err := p.Send([]byte("after")); err != nil {
		t.Fatal(err)
	}

	buf := make([]byte, c.MaxPayload())
	for _, want := range []string{"before", "after"} {
		rctx, rcancel := context.WithTimeout(ctx, 5*time.Second)
		n, err := c.ReceiveContext(rctx, buf)
		rcancel()
		if err != nil || string(buf[:n]) != want {
			t.Fatalf("got %q, %v; want %q", buf[:n], err, want)
		}
	}
	st, err := c.Stats()
	if err != nil {
		t.Fatal(err)
	}
	if st.Abandoned != 1 || st.Head != 3 || st.Tail != 3 || st.ProducerCount != 1 {
		t.Fatalf("stats: abandoned %d head %d tail %d producers %d", st.Abandoned, st.Head,
			st.Tail, st.ProducerCount)
	}
	if info, err := Inspect(path); err != nil || info.Abandoned != 1 || info.Mode != ModeMPSC {
		t.Fatalf("inspect: %+v %v", info, err)
	}
	rctx, rcancel := context.WithTimeout(ctx, 20*time.Millisecond)
	defer rcancel()
	if _, err := c.ReceiveContext(rctx, buf); err != context.DeadlineExceeded {
		t.Fatalf("empty channel: %v", err)
	}
}

// A producer handle closed between TryClaim and Commit leaves its claim the same way.
func TestMPSCClosedWithClaim(t *testing.T) {
	c, path := createMPSC(t, Config{Capacity: 16, SlotSize: 64}, Consumer)
	p1, err := Open(path, Producer)
	if err != nil {
		t.Fatal(err)
	}
	p2, err := Open(path, Producer)
	if err != nil {
		t.Fatal(err)
	}
	defer p2.Close()
	if _, err := p1.TryClaim(); err != nil {
		t.Fatal(err)
	}
	if err := p1.Close(); err != nil {
		t.Fatal(err)
	}
	if err := p2.Send([]byte("next")); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	buf := make([]byte, c.MaxPayload())
	if n, err := c.ReceiveContext(ctx, buf); err != nil || string(buf[:n]) != "next" {
		t.Fatalf("got %q, %v", buf[:n], err)
	}
	if st, _ := c.Stats(); st.Abandoned != 1 {
		t.Fatalf("abandoned %d", st.Abandoned)
	}
}

// execPeer is a running peer process with line-oriented stdin and stdout.
type execPeer struct {
	cmd   *exec.Cmd
	stdin io.WriteCloser
	out   *bufio.Reader
}

func startPeer(t *testing.T, ctx context.Context, role, path string, count int, env ...string) *execPeer {
	t.Helper()
	cmd := peerCommand(ctx, role, path, count)
	cmd.Env = append(cmd.Env, env...)
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		stdin.Close()
		if cmd.ProcessState == nil {
			cmd.Process.Kill()
			cmd.Wait()
		}
	})
	return &execPeer{cmd: cmd, stdin: stdin, out: bufio.NewReader(stdout)}
}

// line reads the peer's next stdout line without its newline.
func (p *execPeer) line(t *testing.T) string {
	t.Helper()
	s, err := p.out.ReadString('\n')
	if err != nil {
		t.Fatalf("peer %s: %v (read %q)", p.cmd.Path, err, s)
	}
	return s[:len(s)-1]
}
