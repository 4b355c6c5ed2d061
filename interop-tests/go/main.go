// Command peer is the Go interop peer. It implements the same command-line interface and the
// same message function as the C peer (../c/peer.c, which documents both) and the Java peer
// (../java/Peer.java); run.sh pairs them up.
package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"runtime"
	"strconv"
	"strings"
	"time"

	hftipc "github.com/hftipc/hftipc/bindings/go"
)

const chunk = 64

func fatalf(format string, a ...any) {
	fmt.Fprintf(os.Stderr, "go-peer: "+format+"\n", a...)
	os.Exit(1)
}

func check(what string, err error) {
	if err != nil {
		fatalf("%s: %v (%s)", what, err, statusName(err))
	}
}

// statusName is the C status name carried by an error of the binding ("HFTIPC_OK" for nil).
func statusName(err error) string {
	if err == nil {
		return "HFTIPC_OK"
	}
	var se *hftipc.StatusError
	if errors.As(err, &se) {
		return se.Name()
	}
	return "(not an hftipc status: " + err.Error() + ")"
}

// ---- Message function: identical in the three peers ----------------------------------------

func xsNext(x uint64) uint64 {
	x ^= x << 13
	x ^= x >> 7
	x ^= x << 17
	return x
}

func genMessage(seed, seq uint64, maxPayload int, out []byte) int {
	r := seed ^ (seq * 0x9E3779B97F4A7C15)
	if r == 0 {
		r = 0x9E3779B97F4A7C15
	}
	r = xsNext(r)
	var n int
	switch seq % 16 {
	case 0:
		n = 0
	case 1:
		n = maxPayload
	default:
		n = int(r % uint64(maxPayload+1))
	}
	for i := 0; i < n; i++ {
		if i%8 == 0 {
			r = xsNext(r)
		}
		out[i] = byte(r >> (8 * (i % 8)))
	}
	if n >= 8 {
		for i := 0; i < 8; i++ {
			out[i] = byte(seq >> (8 * i))
		}
	}
	return n
}

const fnvInit = 0xcbf29ce484222325

func fnv(h uint64, p []byte) uint64 {
	l := len(p)
	for i := 0; i < 4; i++ {
		h = (h ^ uint64(byte(l>>(8*i)))) * 0x100000001b3
	}
	for _, b := range p {
		h = (h ^ uint64(b)) * 0x100000001b3
	}
	return h
}

// ---- Helpers -------------------------------------------------------------------------------

func backoff(attempt *int) {
	a := *attempt
	*attempt++
	switch {
	case a < 64:
	case a < 128:
		runtime.Gosched()
	default:
		time.Sleep(20 * time.Microsecond)
	}
}

func pace(before, after, n uint64) {
	if n > 0 && before/n != after/n {
		time.Sleep(time.Millisecond)
	}
}

func parseU64(s string) uint64 {
	v, err := strconv.ParseUint(s, 0, 64)
	if err != nil {
		fmt.Fprintf(os.Stderr, "go-peer: bad number %q\n", s)
		os.Exit(2)
	}
	return v
}

func mismatch(seq uint64, got, want []byte) {
	i := 0
	for i < len(got) && i < len(want) && got[i] == want[i] {
		i++
	}
	fatalf("message %d differs: length %d (want %d), first bad byte %d", seq, len(got), len(want), i)
}

// ---- write / read --------------------------------------------------------------------------

func cmdWrite(path string, count, seed, paceN uint64) {
	ch, err := hftipc.Open(path, hftipc.Producer)
	check("open", err)
	st, err := ch.Stats()
	check("stats", err)
	maxP := ch.MaxPayload()
	buf := make([]byte, maxP*chunk)
	lens := make([]uint32, chunk)
	seq, start, h := st.Head, st.Head, uint64(fnvInit)
	ctx := context.Background()
	for ck := 0; seq < count; ck++ {
		before := seq
		n := uint64(chunk)
		if count-seq < n {
			n = count - seq
		}
		switch ck % 8 {
		case 5, 6: // claim/commit, generated in place
			for i, attempt := uint64(0), 0; i < n; {
				slot, err := ch.TryClaim()
				if err == hftipc.ErrFull {
					backoff(&attempt)
					continue
				}
				check("try claim", err)
				attempt = 0
				l := genMessage(seed, seq, maxP, slot)
				h = fnv(h, slot[:l])
				check("commit", ch.Commit(l))
				seq++
				i++
			}
		case 7: // single sends, blocking variant
			for i := uint64(0); i < n; i++ {
				l := genMessage(seed, seq, maxP, buf)
				check("send", ch.SendContext(ctx, buf[:l]))
				h = fnv(h, buf[:l])
				seq++
			}
		default: // batch, blocking variant
			off := 0
			for i := uint64(0); i < n; i++ {
				lens[i] = uint32(genMessage(seed, seq+i, maxP, buf[off:]))
				off += int(lens[i])
			}
			sent, off := 0, 0
			for uint64(sent) < n {
				total := 0
				for _, l := range lens[sent:n] {
					total += int(l)
				}
				k, err := ch.SendBatchContext(ctx, buf[off:off+total], lens[sent:n])
				check("send batch", err)
				for i := 0; i < k; i++ {
					h = fnv(h, buf[off:off+int(lens[sent])])
					off += int(lens[sent])
					sent++
				}
			}
			seq += n
		}
		pace(before-start, seq-start, paceN)
	}
	fmt.Printf("write start=%d end=%d checksum=%016x\n", start, seq, h)
	check("close", ch.Close())
}

func cmdRead(path string, count, seed, paceN uint64) {
	ch, err := hftipc.Open(path, hftipc.Consumer)
	check("open", err)
	st, err := ch.Stats()
	check("stats", err)
	maxP := ch.MaxPayload()
	buf := make([]byte, maxP*chunk)
	want := make([]byte, maxP)
	lens := make([]uint32, chunk)
	seq, start, h := st.Tail, st.Tail, uint64(fnvInit)
	ctx := context.Background()
	verify := func(got []byte) {
		l := genMessage(seed, seq, maxP, want)
		if !bytes.Equal(got, want[:l]) {
			mismatch(seq, got, want[:l])
		}
		h = fnv(h, got)
		seq++
	}
	for it := 0; seq < count; it++ {
		before := seq
		n := uint64(chunk)
		if count-seq < n {
			n = count - seq
		}
		switch it % 8 {
		case 5, 6: // peek/ack
			for i, attempt := uint64(0), 0; i < n; {
				m, err := ch.Peek()
				if err == hftipc.ErrEmpty {
					backoff(&attempt)
					continue
				}
				check("peek", err)
				attempt = 0
				verify(m)
				check("ack", ch.Ack())
				i++
			}
		case 7: // single receives, blocking variant
			for i := uint64(0); i < n; i++ {
				l, err := ch.ReceiveContext(ctx, buf[:maxP])
				check("receive", err)
				verify(buf[:l])
			}
		default: // batch, blocking variant
			k, err := ch.ReceiveBatchContext(ctx, buf, lens[:n])
			check("receive batch", err)
			off := 0
			for i := 0; i < k; i++ {
				verify(buf[off : off+int(lens[i])])
				off += int(lens[i])
			}
		}
		pace(before-start, seq-start, paceN)
	}
	fmt.Printf("read start=%d end=%d checksum=%016x\n", start, seq, h)
	check("close", ch.Close())
}

func cmdReadAck(path string, count, seed uint64, progress string, paceN uint64) {
	ch, err := hftipc.Open(path, hftipc.Consumer)
	check("open", err)
	st, err := ch.Stats()
	check("stats", err)
	f, err := os.OpenFile(progress, os.O_WRONLY|os.O_CREATE, 0o644)
	check("progress", err)
	maxP := ch.MaxPayload()
	want := make([]byte, maxP)
	seq, start := st.Tail, st.Tail
	fmt.Printf("read-ack start=%d\n", start)
	for attempt := 0; seq < count; {
		m, err := ch.Peek()
		if err == hftipc.ErrEmpty {
			backoff(&attempt)
			continue
		}
		check("peek", err)
		attempt = 0
		l := genMessage(seed, seq, maxP, want)
		if !bytes.Equal(m, want[:l]) {
			mismatch(seq, m, want[:l])
		}
		if _, err := f.WriteAt([]byte(fmt.Sprintf("%020d\n", seq+1)), 0); err != nil {
			fatalf("progress: %v", err)
		}
		pace(seq-start, seq+1-start, paceN) // between delivery and ack (see the C peer)
		check("ack", ch.Ack())
		seq++
	}
	fmt.Printf("read-ack end=%d\n", seq)
	check("close", ch.Close())
	f.Close()
}

// ---- MPSC producer (same message function and paths as the C peer's cmd_mpsc_write) --------

func mpscMessage(seed uint64, id uint32, seq uint64, maxPayload int, out []byte) int {
	for i := 0; i < 4; i++ {
		out[i] = byte(id >> (8 * i))
		out[4+i] = byte(seq >> (8 * i))
	}
	s := seed ^ (uint64(id+1) * 0xD1B54A32D192ED03)
	return 8 + genMessage(s, seq, maxPayload-8, out[8:])
}

func cmdMpscWrite(path string, id, nprod uint32, count, seed, paceN uint64) {
	ch, err := hftipc.Open(path, hftipc.Producer)
	check("open", err)
	// Start line: wait until all nprod producers hold the role (see the C peer).
	for i := 0; ; i++ {
		st, err := ch.Stats()
		check("stats", err)
		if uint32(st.ProducerCount) >= nprod {
			break
		}
		if i == 60000 {
			fatalf("only %d of %d producers opened the channel", st.ProducerCount, nprod)
		}
		time.Sleep(time.Millisecond)
	}
	maxP := ch.MaxPayload()
	buf := make([]byte, maxP*chunk)
	lens := make([]uint32, chunk)
	seq, h := uint64(0), uint64(fnvInit)
	ctx := context.Background()
	for ck := 0; seq < count; ck++ {
		before := seq
		n := uint64(chunk)
		if count-seq < n {
			n = count - seq
		}
		switch ck % 4 {
		case 2: // claim/commit, generated in place; Wait on a full ring
			for i := uint64(0); i < n; {
				slot, err := ch.TryClaim()
				if err == hftipc.ErrFull {
					check("wait", ch.Wait(ctx))
					continue
				}
				check("try claim", err)
				l := mpscMessage(seed, id, seq, maxP, slot)
				h = fnv(h, slot[:l])
				check("commit", ch.Commit(l))
				seq++
				i++
			}
		case 3: // single sends, blocking
			for i := uint64(0); i < n; i++ {
				l := mpscMessage(seed, id, seq, maxP, buf)
				check("send", ch.SendContext(ctx, buf[:l]))
				h = fnv(h, buf[:l])
				seq++
			}
		default: // batch, blocking
			off := 0
			for i := uint64(0); i < n; i++ {
				lens[i] = uint32(mpscMessage(seed, id, seq+i, maxP, buf[off:]))
				off += int(lens[i])
			}
			sent, off := 0, 0
			for uint64(sent) < n {
				total := 0
				for _, l := range lens[sent:n] {
					total += int(l)
				}
				k, err := ch.SendBatchContext(ctx, buf[off:off+total], lens[sent:n])
				check("send batch", err)
				for i := 0; i < k; i++ {
					h = fnv(h, buf[off:off+int(lens[sent])])
					off += int(lens[sent])
					sent++
				}
			}
			seq += n
		}
		pace(before, seq, paceN)
	}
	fmt.Printf("mpsc-write id=%d count=%d checksum=%016x\n", id, seq, h)
	check("close", ch.Close())
}

// ---- Layout scenario (same script as the C peer's cmd_scenario) -----------------------------

func scenMessage(seq uint64) []byte {
	n := int((seq * 7) % 57)
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(seq*31 + uint64(i)*7 + 1)
	}
	return b
}

func scenCheck(seq uint64, got []byte) {
	if want := scenMessage(seq); !bytes.Equal(got, want) {
		mismatch(seq, got, want)
	}
}

func scenBatch(from uint64, n int) ([]byte, []uint32) {
	var data []byte
	lens := make([]uint32, n)
	for i := 0; i < n; i++ {
		m := scenMessage(from + uint64(i))
		lens[i] = uint32(len(m))
		data = append(data, m...)
	}
	return data, lens
}

func cmdScenario(path string) {
	p, err := hftipc.Create(path, hftipc.Config{Capacity: 16, SlotSize: 64}, hftipc.Producer)
	check("create", err)
	c, err := hftipc.Open(path, hftipc.Consumer)
	check("open consumer", err)
	var ws, rs uint64
	buf := make([]byte, 16*64)
	for i := 0; i < 12; i++ { // A: 12 single sends
		check("A send", p.Send(scenMessage(ws)))
		ws++
	}
	for i := 0; i < 8; i++ { // B: 8 single receives
		n, err := c.Receive(buf[:56])
		check("B receive", err)
		scenCheck(rs, buf[:n])
		rs++
	}
	data, lens := scenBatch(ws, 10) // C: one batch of 10
	if n, err := p.SendBatch(data, lens); err != nil || n != 10 {
		fatalf("C send batch: %d, %v", n, err)
	}
	ws += 10
	for i := 0; i < 9; i++ { // D: 9 peek/ack
		m, err := c.Peek()
		check("D peek", err)
		scenCheck(rs, m)
		check("D ack", c.Ack())
		rs++
	}
	for i := 0; i < 10; i++ { // E: 10 claim/commit, exactly len bytes written
		slot, err := p.TryClaim()
		check("E claim", err)
		m := scenMessage(ws)
		copy(slot, m)
		check("E commit", p.Commit(len(m)))
		ws++
	}
	lens = make([]uint32, 8) // F: one receive batch of 8
	n, err := c.ReceiveBatch(buf, lens)
	if err != nil || n != 8 {
		fatalf("F receive batch: %d, %v", n, err)
	}
	off := 0
	for i := 0; i < 8; i++ {
		scenCheck(rs, buf[off:off+int(lens[i])])
		off += int(lens[i])
		rs++
	}
	for i := 0; i < 4; i++ { // G: 4 single sends, then one batch of 4
		check("G send", p.Send(scenMessage(ws)))
		ws++
	}
	data, lens = scenBatch(ws, 4)
	if n, err := p.SendBatch(data, lens); err != nil || n != 4 {
		fatalf("G send batch: %d, %v", n, err)
	}
	ws += 4
	st, err := c.Stats()
	check("stats", err)
	if st.Head != 40 || st.Tail != 25 || ws != 40 || rs != 25 {
		fatalf("scenario ended at head %d tail %d", st.Head, st.Tail)
	}
	check("close consumer", c.Close())
	check("close producer", p.Close())
	fmt.Println("scenario head=40 tail=25")
}

// ---- Golden files --------------------------------------------------------------------------

// expect is one golden file's expectation file (golden_tool.py expect): "key value" lines.
type expect struct {
	status, mode string
	v            map[string]uint64
	msgs, obs    []string
	probe        string
}

func readExpect(file string) expect {
	f, err := os.Open(file)
	if err != nil {
		fatalf("%v", err)
	}
	defer f.Close()
	e := expect{v: map[string]uint64{}}
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		fs := strings.Fields(sc.Text())
		if len(fs) != 2 {
			continue
		}
		if fs[1] == "-" {
			fs[1] = ""
		}
		switch fs[0] {
		case "expect":
			e.status = fs[1]
		case "mode":
			e.mode = fs[1]
		case "msg":
			e.msgs = append(e.msgs, fs[1])
		case "obs":
			e.obs = append(e.obs, fs[1])
		case "probe":
			e.probe = fs[1]
		default:
			e.v[fs[0]] = parseU64(fs[1])
		}
	}
	return e
}

var goldenFails int

func goldenf(format string, a ...any) {
	fmt.Fprintf(os.Stderr, "go-peer: golden: "+format+"\n", a...)
	goldenFails++
}

func (e expect) want(k string) uint64 {
	w, ok := e.v[k]
	if !ok {
		fatalf("golden: the expectation file has no %s", k)
	}
	return w
}

func (e expect) checkField(what, k string, got uint64) {
	if w := e.want(k); got != w {
		goldenf("%s: %s is %d, manifest says %d", what, k, got, w)
	}
}

// checkInfo compares inspect or stats with the manifest; consumerExtra is the number of
// consumer holders taken since the file was written (this peer's).
func (e expect) checkInfo(what string, in hftipc.Info, consumerExtra uint64) {
	got := map[string]uint64{
		"format_major": uint64(in.FormatMajor), "format_minor": uint64(in.FormatMinor),
		"compat_flags": in.CompatFlags, "incompat_flags": in.IncompatFlags,
		"capacity": uint64(in.Capacity), "slot_size": uint64(in.SlotSize),
		"max_payload": uint64(in.MaxPayload), "file_size": in.FileSize,
		"head": in.Head, "tail": in.Tail, "full_count": in.FullCount,
		"abandoned_count": in.Abandoned, "producer_count": uint64(in.ProducerCount),
		"producer_epoch": in.Producer.Epoch, "producer_takeovers": in.Producer.Takeovers,
		"consumer_epoch": in.Consumer.Epoch - consumerExtra, "consumer_takeovers": in.Consumer.Takeovers,
	}
	for _, k := range []string{"format_major", "format_minor", "compat_flags", "incompat_flags",
		"capacity", "slot_size", "max_payload", "file_size", "head", "tail", "full_count",
		"abandoned_count", "producer_count", "producer_epoch", "producer_takeovers",
		"consumer_epoch", "consumer_takeovers"} {
		e.checkField(what, k, got[k])
	}
	if in.Mode.String() != e.mode {
		goldenf("%s: mode is %v, manifest says %s", what, in.Mode, e.mode)
	}
}

// receiveAll receives until ErrEmpty, comparing each message with want; it returns the count.
// A consumer that has not reached untilTail yet retries for up to 5 s: it may have to wait out
// an abandoned MPSC claim (FORMAT.md section 13, step 3) before it passes it.
func receiveAll(ch *hftipc.Channel, what string, want []string, untilTail uint64) int {
	buf := make([]byte, ch.MaxPayload())
	got := 0
	deadline := time.Now().Add(5 * time.Second)
	for {
		n, err := ch.Receive(buf)
		if err == hftipc.ErrEmpty {
			st, serr := ch.Stats()
			check("stats", serr)
			if ch.Role() == hftipc.Observer || st.Tail >= untilTail || time.Now().After(deadline) {
				break
			}
			time.Sleep(time.Millisecond)
			continue
		}
		check("golden "+what+" receive", err)
		h := hex.EncodeToString(buf[:n])
		if got >= len(want) || h != want[got] {
			w := "(none)"
			if got < len(want) {
				w = want[got]
			}
			goldenf("%s: message %d is '%s', manifest says '%s'", what, got, h, w)
		}
		got++
	}
	if got != len(want) {
		goldenf("%s: %d messages, manifest says %d", what, got, len(want))
	}
	return got
}

// cmdGolden checks a golden file as the C peer's cmd_golden does (docs/INTEROP.md).
func cmdGolden(path, expfile string) {
	e := readExpect(expfile)
	info, err := hftipc.Inspect(path)
	if e.status != "HFTIPC_OK" {
		if statusName(err) != e.status {
			fatalf("golden: inspect gave %s, want %s", statusName(err), e.status)
		}
		for _, r := range []hftipc.Role{hftipc.Consumer, hftipc.Producer, hftipc.Observer} {
			ch, err := hftipc.Open(path, r)
			if statusName(err) != e.status {
				if ch != nil {
					ch.Close()
				}
				fatalf("golden: open as %v gave %s, want %s", r, statusName(err), e.status)
			}
			// The code in *ChannelError must agree with the sentinel.
			var ce *hftipc.ChannelError
			var se *hftipc.StatusError
			if !errors.As(err, &ce) || !errors.As(err, &se) || ce.Code != se.Code() {
				fatalf("golden: open as %v: error %v is not a *ChannelError with a matching Code", r, err)
			}
		}
		fmt.Printf("refused %s\n", e.status)
		return
	}
	check("golden inspect", err)
	e.checkInfo("inspect", info, 0)

	before, err := os.ReadFile(path)
	check("read", err)
	obs, err := hftipc.Open(path, hftipc.Observer)
	check("golden open observer", err)
	st, err := obs.Stats()
	check("stats", err)
	e.checkInfo("observer stats", st, 0)
	if _, err := obs.Receive(make([]byte, 8)); err != hftipc.ErrEmpty {
		goldenf("an observer opened at head got %s, want HFTIPC_EEMPTY", statusName(err))
	}
	if after, err := os.ReadFile(path); err != nil || !bytes.Equal(before, after) {
		goldenf("opening an observer modified the file")
	}

	ch, err := hftipc.Open(path, hftipc.Consumer)
	check("golden open consumer", err)
	st, err = ch.Stats()
	check("stats", err)
	e.checkInfo("consumer stats", st, 1)
	got := receiveAll(ch, "consumer", e.msgs, e.want("drain_tail"))
	st, err = ch.Stats()
	check("stats", err)
	e.checkField("after the drain", "drain_tail", st.Tail)
	e.checkField("after the drain", "drain_abandoned", st.Abandoned)
	e.checkField("after the drain", "drain_aborted", st.Aborted)

	p, err := hftipc.Open(path, hftipc.Producer)
	check("golden open producer", err)
	ps, err := p.Stats()
	check("stats", err)
	e.checkField("producer stats", "resume_head", ps.Head)
	probe, err := hex.DecodeString(e.probe)
	check("probe", err)
	check("golden send probe", p.Send(probe))
	seen := receiveAll(obs, "observer", e.obs, 0)
	receiveAll(ch, "consumer after the probe", []string{e.probe}, 0)
	check("close producer", p.Close())
	check("close consumer", ch.Close())
	check("close observer", obs.Close())
	if goldenFails > 0 {
		os.Exit(1)
	}
	fmt.Printf("accepted format %d.%d %s, %d messages, %d abandoned, resumed at %d, observer saw %d\n",
		st.FormatMajor, st.FormatMinor, e.mode, got, e.want("drain_abandoned"), e.want("resume_head"), seen)
}

func cmdOpen(path string) {
	ch, err := hftipc.Open(path, hftipc.Consumer)
	fmt.Println(statusName(err))
	if err != nil {
		os.Exit(1)
	}
	ch.Close()
}

func main() {
	a := os.Args[1:]
	arg := func(i int) uint64 {
		if i < len(a) {
			return parseU64(a[i])
		}
		return 0
	}
	switch {
	case len(a) >= 4 && a[0] == "write":
		cmdWrite(a[1], arg(2), arg(3), arg(4))
	case len(a) >= 4 && a[0] == "read":
		cmdRead(a[1], arg(2), arg(3), arg(4))
	case len(a) >= 5 && a[0] == "read-ack":
		cmdReadAck(a[1], arg(2), arg(3), a[4], arg(5))
	case len(a) == 2 && a[0] == "scenario":
		cmdScenario(a[1])
	case len(a) == 3 && a[0] == "golden":
		cmdGolden(a[1], a[2])
	case len(a) == 2 && a[0] == "open":
		cmdOpen(a[1])
	case len(a) >= 6 && a[0] == "mpsc-write":
		cmdMpscWrite(a[1], uint32(arg(2)), uint32(arg(3)), arg(4), arg(5), arg(6))
	default:
		fmt.Fprintln(os.Stderr, "usage: peer write|read PATH COUNT SEED [PACE] | read-ack PATH COUNT SEED PROGRESS [PACE] | scenario PATH | golden PATH EXPECT | open PATH | mpsc-write PATH ID NPRODUCERS COUNT SEED [PACE]")
		os.Exit(2)
	}
}
