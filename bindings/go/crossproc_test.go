package hftipc

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"hash/crc32"
	"io"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"
)

// Cross-process tests re-execute the test binary (os.Args[0]) as the peer process, with
// -test.run selecting TestCrossProcessPeer and these environment variables its job.
const (
	envPeerRole  = "HFTIPC_GO_TEST_PEER"       // "producer", "consumer", "holder", or see blockingPeer
	envPeerPath  = "HFTIPC_GO_TEST_PEER_PATH"  // the channel file
	envPeerCount = "HFTIPC_GO_TEST_PEER_COUNT" // messages to move

	// EnvStressCount overrides the number of messages the cross-process stress test moves.
	envStressCount = "HFTIPC_GO_STRESS_COUNT"

	defaultStressCount = 2_000_000
	raceStressCount    = 200_000 // the race detector slows the Go side about tenfold

	stressCapacity = 4096
	stressSlotSize = 128 // max payload 120: sizes 0..120
	stressBatch    = 64
)

func stressCount(t *testing.T) int {
	if s := os.Getenv(envStressCount); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 0 {
			t.Fatalf("%s=%q: not a count", envStressCount, s)
		}
		return n
	}
	if testing.Short() {
		return raceStressCount
	}
	if raceEnabled {
		return raceStressCount
	}
	return defaultStressCount
}

// mix is a cheap bijective 64-bit hash (splitmix64's finaliser).
func mix(x uint64) uint64 {
	x ^= x >> 30
	x *= 0xbf58476d1ce4e5b9
	x ^= x >> 27
	x *= 0x94d049bb133111eb
	return x ^ x>>31
}

// stressMessage writes message seq into dst and returns its length: the length varies over
// 0..maxPayload, the first 8 bytes are the sequence number (little-endian, truncated for
// short messages), and every other byte depends on seq and its position, so a lost,
// duplicated, reordered or torn message never matches.
func stressMessage(dst []byte, seq uint64, maxPayload int) int {
	h := mix(seq)
	n := int(h % uint64(maxPayload+1))
	for j := 0; j < n; j++ {
		if j < 8 {
			dst[j] = byte(seq >> (8 * j))
		} else {
			dst[j] = byte(h>>(8*(j&7))) + byte(j)
		}
	}
	return n
}

// TestCrossProcessPeer is the peer side of the cross-process tests; it does nothing in a
// normal run. It reports on stdout, one "key=value ..." line.
func TestCrossProcessPeer(t *testing.T) {
	role := os.Getenv(envPeerRole)
	if role == "" {
		t.Skip("runs only as a peer process of TestCrossProcess*")
	}
	path := os.Getenv(envPeerPath)
	count, _ := strconv.ParseUint(os.Getenv(envPeerCount), 10, 64)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	switch role {
	case "producer":
		ch, err := Open(path, Producer)
		if err != nil {
			t.Fatal(err)
		}
		defer ch.Close()
		mp := ch.MaxPayload()
		data := make([]byte, stressBatch*mp)
		lens := make([]uint32, stressBatch)
		crc := uint32(0)
		var bytesSent uint64
		for seq := uint64(0); seq < count; {
			k := int(min(uint64(stressBatch), count-seq))
			used := 0
			for i := 0; i < k; i++ {
				n := stressMessage(data[used:], seq+uint64(i), mp)
				crc = crc32.Update(crc, crc32.IEEETable, data[used:used+n])
				lens[i] = uint32(n)
				used += n
			}
			bytesSent += uint64(used)
			off, i := 0, 0
			for i < k {
				n, err := ch.SendBatchContext(ctx, data[off:used], lens[i:k])
				if err != nil {
					t.Fatalf("send at %d: %v", seq+uint64(i), err)
				}
				for j := i; j < i+n; j++ {
					off += int(lens[j])
				}
				i += n
			}
			seq += uint64(k)
		}
		fmt.Printf("RESULT count=%d bytes=%d crc=%08x\n", count, bytesSent, crc)
	case "consumer":
		ch, err := Open(path, Consumer)
		if err != nil {
			t.Fatal(err)
		}
		defer ch.Close()
		mp := ch.MaxPayload()
		buf := make([]byte, stressBatch*mp)
		lens := make([]uint32, stressBatch)
		want := make([]byte, mp)
		crc := uint32(0)
		var bytesGot uint64
		for seq := uint64(0); seq < count; {
			n, err := ch.ReceiveBatchContext(ctx, buf, lens)
			if err != nil {
				t.Fatalf("receive at %d: %v", seq, err)
			}
			off := 0
			for i := 0; i < n; i++ {
				got := buf[off : off+int(lens[i])]
				wn := stressMessage(want, seq, mp)
				if !bytes.Equal(got, want[:wn]) {
					t.Fatalf("message %d: got %d bytes %x, want %d bytes %x", seq, len(got), got, wn, want[:wn])
				}
				crc = crc32.Update(crc, crc32.IEEETable, got)
				off += len(got)
				seq++
			}
			bytesGot += uint64(off)
		}
		fmt.Printf("RESULT count=%d bytes=%d crc=%08x\n", count, bytesGot, crc)
	case "holder":
		// Takes the producer role, publishes 3 messages, then dies without Close when its
		// stdin closes: the role stays recorded for a process that no longer exists.
		ch, err := Open(path, Producer)
		if err != nil {
			t.Fatal(err)
		}
		for i := byte(0); i < 3; i++ {
			if err := ch.Send([]byte{i}); err != nil {
				t.Fatal(err)
			}
		}
		fmt.Println("READY")
		io.Copy(io.Discard, os.Stdin)
		os.Exit(0)
	default:
		if !blockingPeer(t, role, path) && !mpscPeer(t, role, path, count) && !claimPeer(t, role, path) {
			t.Fatalf("unknown peer role %q", role)
		}
	}
}

func peerCommand(ctx context.Context, role, path string, count int) *exec.Cmd {
	cmd := exec.CommandContext(ctx, os.Args[0], "-test.run=^TestCrossProcessPeer$", "-test.v=false")
	cmd.Env = append(os.Environ(), envPeerRole+"="+role, envPeerPath+"="+path,
		envPeerCount+"="+strconv.Itoa(count))
	cmd.Stderr = os.Stderr
	return cmd
}

func parseResult(t *testing.T, who string, out []byte) string {
	for _, line := range strings.Split(string(out), "\n") {
		if strings.HasPrefix(line, "RESULT ") {
			return strings.TrimPrefix(line, "RESULT ")
		}
	}
	t.Fatalf("%s printed no RESULT line:\n%s", who, out)
	return ""
}

// A Go producer and a Go consumer in two processes move stressCount messages (2 million by
// default) of sizes 0..MaxPayload through a 4096-slot ring on the batch paths. The consumer
// checks every message's sequence and bytes; both sides' CRC-32 of the stream must agree.
func TestCrossProcessStress(t *testing.T) {
	count := stressCount(t)
	path := tempPath(t)
	setup, err := Create(path, Config{Capacity: stressCapacity, SlotSize: stressSlotSize}, Observer)
	if err != nil {
		t.Fatal(err)
	}
	setup.Close()

	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	cons := peerCommand(ctx, "consumer", path, count)
	prod := peerCommand(ctx, "producer", path, count)
	var consOut, prodOut bytes.Buffer
	cons.Stdout, prod.Stdout = &consOut, &prodOut
	start := time.Now()
	if err := cons.Start(); err != nil {
		t.Fatal(err)
	}
	if err := prod.Start(); err != nil {
		t.Fatal(err)
	}
	perr, cerr := prod.Wait(), cons.Wait()
	elapsed := time.Since(start)
	if perr != nil || cerr != nil {
		t.Fatalf("producer: %v\n%s\nconsumer: %v\n%s", perr, prodOut.String(), cerr, consOut.String())
	}
	pr, cr := parseResult(t, "producer", prodOut.Bytes()), parseResult(t, "consumer", consOut.Bytes())
	if pr != cr {
		t.Fatalf("stream differs: producer %s, consumer %s", pr, cr)
	}
	info, err := Inspect(path)
	if err != nil {
		t.Fatal(err)
	}
	if info.Head != uint64(count) || info.Tail != uint64(count) {
		t.Fatalf("cursors head=%d tail=%d, want %d", info.Head, info.Tail, count)
	}
	if info.Producer.PID != 0 || info.Consumer.PID != 0 {
		t.Fatalf("roles still held after both closed: %+v %+v", info.Producer, info.Consumer)
	}
	t.Logf("%d messages (%s) in %v: %.1f M msg/s, full refusals %d",
		count, pr, elapsed.Round(time.Millisecond), float64(count)/elapsed.Seconds()/1e6, info.FullCount)
}

// A producer in another process holds the role (ErrBusy here) and then dies without
// closing: the role is taken over, and its messages are still delivered.
func TestCrossProcessBusyThenTakeover(t *testing.T) {
	path := tempPath(t)
	c, err := Create(path, Config{Capacity: 8, SlotSize: 16}, Consumer)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	holder := peerCommand(ctx, "holder", path, 0)
	stdin, err := holder.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := holder.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := holder.Start(); err != nil {
		t.Fatal(err)
	}
	line, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil || line != "READY\n" {
		stdin.Close()
		holder.Wait()
		t.Fatalf("holder said %q, %v", line, err)
	}
	_, err = Open(path, Producer)
	mustErr(t, err, ErrBusy)
	st, _ := c.Stats()
	if st.Producer.PID != uint32(holder.Process.Pid) || st.Producer.Liveness != PeerAlive {
		t.Fatalf("producer holder %+v, want pid %d alive", st.Producer, holder.Process.Pid)
	}
	stdin.Close()
	if err := holder.Wait(); err != nil {
		t.Fatal(err)
	}
	info, err := Inspect(path)
	if err != nil {
		t.Fatal(err)
	}
	if info.Producer.Liveness != PeerDead {
		t.Fatalf("dead holder reported %v", info.Producer.Liveness)
	}
	p, err := Open(path, Producer)
	if err != nil {
		t.Fatalf("takeover: %v", err)
	}
	defer p.Close()
	st, _ = p.Stats()
	if st.Producer.Takeovers != 1 || st.Producer.Epoch != 2 || st.Producer.PID != uint32(os.Getpid()) {
		t.Fatalf("after takeover %+v", st.Producer)
	}
	buf := make([]byte, 8)
	for i := byte(0); i < 3; i++ {
		if n, err := c.Receive(buf); err != nil || n != 1 || buf[0] != i {
			t.Fatalf("message %d: %v %v", i, buf[:n], err)
		}
	}
}
