package hftipc

import (
	"bytes"
	"context"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"testing"
)

// tempPath returns a channel path in a fresh per-test directory.
func tempPath(t testing.TB) string {
	t.Helper()
	return filepath.Join(t.TempDir(), "chan")
}

// pair creates a channel with cfg and returns its producer and consumer handles, closed at
// the end of the test.
func pair(t testing.TB, cfg Config) (p, c *Channel, path string) {
	t.Helper()
	path = tempPath(t)
	p, err := Create(path, cfg, Producer)
	if err != nil {
		t.Fatalf("Create: %v", err)
	}
	c, err = Open(path, Consumer)
	if err != nil {
		p.Close()
		t.Fatalf("Open consumer: %v", err)
	}
	t.Cleanup(func() { p.Close(); c.Close() })
	return p, c, path
}

func mustErr(t *testing.T, err, want error) {
	t.Helper()
	if !errors.Is(err, want) {
		t.Fatalf("got error %v, want %v", err, want)
	}
}

var _ io.Closer = (*Channel)(nil)

func TestCreateOpenGeometryAndAccessors(t *testing.T) {
	p, c, path := pair(t, Config{Capacity: 64, SlotSize: 136})
	for _, ch := range []*Channel{p, c} {
		if ch.Capacity() != 64 || ch.SlotSize() != 136 || ch.MaxPayload() != 128 {
			t.Fatalf("geometry %d/%d/%d", ch.Capacity(), ch.SlotSize(), ch.MaxPayload())
		}
		if ch.Path() != path {
			t.Fatalf("Path %q", ch.Path())
		}
	}
	if p.Role() != Producer || c.Role() != Consumer {
		t.Fatalf("roles %v %v", p.Role(), c.Role())
	}
	if Producer.String() != "producer" || Observer.String() != "observer" || Role(9).String() != "Role(9)" {
		t.Fatal("Role.String")
	}
}

func TestDefaultConfigAndZeroConfigAgree(t *testing.T) {
	d := DefaultConfig()
	if d.Capacity != 1024 || d.SlotSize != 512 || d.Mode != ModeSPSC || d.FileMode != 0o600 {
		t.Fatalf("DefaultConfig = %+v", d)
	}
	path := tempPath(t)
	ch, err := Create(path, Config{}, Producer)
	if err != nil {
		t.Fatal(err)
	}
	defer ch.Close()
	if ch.Capacity() != 1024 || ch.SlotSize() != 512 {
		t.Fatalf("zero config gave %d/%d", ch.Capacity(), ch.SlotSize())
	}
	st, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if st.Mode().Perm() != 0o600 {
		t.Fatalf("file mode %v", st.Mode())
	}
}

func TestCreateHonoursFileMode(t *testing.T) {
	path := tempPath(t)
	ch, err := Create(path, Config{FileMode: 0o640}, Observer)
	if err != nil {
		t.Fatal(err)
	}
	ch.Close()
	st, _ := os.Stat(path)
	if st.Mode().Perm() != 0o640 {
		t.Fatalf("file mode %v, want 0640", st.Mode().Perm())
	}
}

// An execute, setuid, setgid or sticky bit on a file that peers write through a mapping would
// let one of them plant a program (issue 11, finding 7): every mode outside 0o666 is ErrInvalid,
// and nothing is created.
func TestCreateRefusesFileModeOutside0666(t *testing.T) {
	modes := []os.FileMode{
		0o777, 0o700, 0o766, 0o100, 0o001, os.ModeSetuid | 0o666, os.ModeSetgid | 0o600,
		os.ModeSticky | 0o600, os.ModeSetuid | 0o777, os.ModeDir | 0o600,
	}
	existing := tempPath(t)
	ch, err := Create(existing, Config{}, Observer)
	if err != nil {
		t.Fatal(err)
	}
	ch.Close()
	for _, m := range modes {
		path := tempPath(t)
		if _, err := Create(path, Config{FileMode: m}, Producer); !errors.Is(err, ErrInvalid) {
			t.Errorf("Create with mode %v: %v, want ErrInvalid", m, err)
		}
		if _, err := OpenOrCreate(path, Config{FileMode: m}, Producer); !errors.Is(err, ErrInvalid) {
			t.Errorf("OpenOrCreate with mode %v: %v, want ErrInvalid", m, err)
		}
		if _, err := os.Stat(path); !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("mode %v: a file was created (%v)", m, err)
		}
		if _, err := OpenOrCreate(existing, Config{FileMode: m}, Observer); !errors.Is(err, ErrInvalid) {
			t.Errorf("OpenOrCreate of an existing file with mode %v: %v, want ErrInvalid", m, err)
		}
	}
}

// SlotSizeFor is the C core's hftipc_slot_size_for: slots that tile a cache line up to 64
// bytes and start one above, the header included.
func TestSlotSizeFor(t *testing.T) {
	for _, tc := range []struct{ payload, slot uint32 }{
		{0, 16}, {8, 16}, {9, 32}, {56, 64}, {57, 128}, {64, 128}, {120, 128}, {121, 192},
		{512, 576}, {MaxSlotSize - SlotHeaderSize, MaxSlotSize},
		{MaxSlotSize - SlotHeaderSize + 1, 0}, {1<<32 - 1, 0},
	} {
		if got := SlotSizeFor(tc.payload); got != tc.slot {
			t.Errorf("SlotSizeFor(%d) = %d, want %d", tc.payload, got, tc.slot)
		}
	}
	for p := uint32(0); p <= 2048; p++ {
		s := SlotSizeFor(p)
		if s < p+SlotHeaderSize || s%8 != 0 || s < MinSlotSize || (s <= 64 && 64%s != 0) || (s > 64 && s%64 != 0) {
			t.Fatalf("SlotSizeFor(%d) = %d: too small, misaligned or sharing a line", p, s)
		}
	}
}

// A channel created with MaxPayload carries messages of that size in slots of
// SlotSizeFor(MaxPayload) (SlotSize ignored); its MaxPayload() is the slot's payload, at least
// the one asked for, and one byte more is refused; OpenOrCreate with the same Config matches
// the file.
func TestCreateWithMaxPayload(t *testing.T) {
	for _, want := range []uint32{8, 56, 64, 512} {
		t.Run(strconv.Itoa(int(want)), func(t *testing.T) {
			cfg := Config{Capacity: 8, SlotSize: 24, MaxPayload: want}
			p, c, path := pair(t, cfg)
			slot := SlotSizeFor(want)
			if p.SlotSize() != int(slot) || c.SlotSize() != int(slot) {
				t.Fatalf("SlotSize = %d (consumer %d), want SlotSizeFor(%d) = %d", p.SlotSize(), c.SlotSize(), want, slot)
			}
			if mp := p.MaxPayload(); mp != int(slot)-SlotHeaderSize || mp < int(want) {
				t.Fatalf("MaxPayload() = %d, want %d", mp, slot-SlotHeaderSize)
			}
			msg := make([]byte, p.MaxPayload()+1)
			for i := range msg {
				msg[i] = byte(i)
			}
			if err := p.Send(msg[:want]); err != nil {
				t.Fatalf("Send of %d bytes: %v", want, err)
			}
			mustErr(t, p.Send(msg), ErrTooBig)
			buf := make([]byte, len(msg))
			n, err := c.Receive(buf)
			if err != nil || n != int(want) || !bytes.Equal(buf[:n], msg[:want]) {
				t.Fatalf("Receive: %d bytes, %v; want the %d-byte message", n, err, want)
			}
			if _, err := c.Receive(buf); err != ErrEmpty {
				t.Fatalf("the refused message was published: %v", err)
			}
			o, err := OpenOrCreate(path, cfg, Observer)
			if err != nil {
				t.Fatalf("OpenOrCreate with the same Config: %v", err)
			}
			o.Close()
			info, err := Inspect(path)
			if err != nil || info.SlotSize != slot {
				t.Fatalf("Inspect: slot size %d, %v; want %d", info.SlotSize, err, slot)
			}
		})
	}
}

func TestCreateRefusesBadGeometry(t *testing.T) {
	cases := []struct {
		name string
		cfg  Config
		want error
	}{
		{"capacity not a power of two", Config{Capacity: 3}, ErrCapacity},
		{"capacity above the limit", Config{Capacity: MaxCapacity * 2}, ErrCapacity},
		{"slot size not a multiple of 8", Config{SlotSize: 20}, ErrSlotSize},
		{"slot size below the minimum", Config{SlotSize: 8}, ErrSlotSize},
		{"slot size above the maximum", Config{SlotSize: MaxSlotSize + 8}, ErrSlotSize},
		{"unknown mode", Config{Mode: 7}, ErrMode},
		{"max payload above the maximum", Config{MaxPayload: MaxSlotSize - SlotHeaderSize + 1}, ErrSlotSize},
		{"max payload above the maximum, valid slot size", Config{SlotSize: 64, MaxPayload: 1 << 31}, ErrSlotSize},
		{"file too large", Config{Capacity: MaxCapacity, SlotSize: MaxSlotSize}, ErrTooLarge},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			path := tempPath(t)
			_, err := Create(path, tc.cfg, Producer)
			mustErr(t, err, tc.want)
			var ce *ChannelError
			if !errors.As(err, &ce) || ce.Op != "create" || ce.Path != path || ce.Code >= 0 {
				t.Fatalf("ChannelError = %#v", err)
			}
			if _, err := os.Stat(path); !errors.Is(err, fs.ErrNotExist) {
				t.Fatalf("a failed create left a file: %v", err)
			}
		})
	}
}

func TestCreateExistingAndOpenMissing(t *testing.T) {
	path := tempPath(t)
	ch, err := Create(path, Config{}, Producer)
	if err != nil {
		t.Fatal(err)
	}
	defer ch.Close()
	_, err = Create(path, Config{}, Consumer)
	mustErr(t, err, ErrExist)
	mustErr(t, err, fs.ErrExist)
	mustErr(t, err, os.ErrExist)

	_, err = Open(path+".missing", Consumer)
	mustErr(t, err, ErrNotExist)
	mustErr(t, err, fs.ErrNotExist)
	if !os.IsNotExist(errors.Unwrap(err)) && !errors.Is(err, os.ErrNotExist) {
		t.Fatal("not an fs.ErrNotExist")
	}
	_, err = Create(filepath.Join(t.TempDir(), "no", "dir"), Config{}, Producer)
	mustErr(t, err, ErrNotExist)
}

func TestInvalidArguments(t *testing.T) {
	path := tempPath(t)
	_, err := Create(path, Config{}, Role(0))
	mustErr(t, err, ErrInvalid)
	_, err = Open(path, Role(42))
	mustErr(t, err, ErrInvalid)
	_, err = Create("bad\x00path", Config{}, Producer)
	mustErr(t, err, ErrInvalid)
	_, err = Inspect("bad\x00path")
	mustErr(t, err, ErrInvalid)
	_, err = Create("", Config{}, Producer)
	if err == nil {
		t.Fatal("empty path accepted")
	}
}

func TestOpenOrCreate(t *testing.T) {
	path := tempPath(t)
	cfg := Config{Capacity: 32, SlotSize: 64}
	p, err := OpenOrCreate(path, cfg, Producer)
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	c, err := OpenOrCreate(path, cfg, Consumer)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if err := p.Send([]byte("x")); err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 8)
	if n, err := c.Receive(buf); err != nil || string(buf[:n]) != "x" {
		t.Fatalf("Receive %d %v", n, err)
	}
	_, err = OpenOrCreate(path, Config{Capacity: 64, SlotSize: 64}, Observer)
	mustErr(t, err, ErrMismatch)
}

func TestRolesAreExclusive(t *testing.T) {
	p, c, path := pair(t, Config{Capacity: 8, SlotSize: 32})
	_, err := Open(path, Producer)
	mustErr(t, err, ErrBusy)
	_, err = Open(path, Consumer)
	mustErr(t, err, ErrBusy)
	o1, err := Open(path, Observer)
	if err != nil {
		t.Fatal(err)
	}
	defer o1.Close()
	o2, err := Open(path, Observer)
	if err != nil {
		t.Fatal(err)
	}
	defer o2.Close()
	// Releasing a role makes it available again, with a new epoch.
	if err := p.Close(); err != nil {
		t.Fatal(err)
	}
	p2, err := Open(path, Producer)
	if err != nil {
		t.Fatal(err)
	}
	defer p2.Close()
	st, err := c.Stats()
	if err != nil {
		t.Fatal(err)
	}
	if st.Producer.Epoch != 2 || st.Producer.Liveness != PeerAlive || st.Producer.PID != uint32(os.Getpid()) {
		t.Fatalf("producer holder %+v", st.Producer)
	}
}

func TestSendReceiveRoundTrip(t *testing.T) {
	p, c, _ := pair(t, Config{Capacity: 4, SlotSize: 40})
	msgs := [][]byte{[]byte("hello"), {}, bytes.Repeat([]byte{0xab}, 32)}
	for _, m := range msgs {
		if err := p.Send(m); err != nil {
			t.Fatalf("Send(%d bytes): %v", len(m), err)
		}
	}
	if err := p.Send(nil); err != nil { // nil is an empty message
		t.Fatal(err)
	}
	mustErr(t, p.Send([]byte("x")), ErrFull)
	if err := p.Send([]byte("x")); err != ErrFull {
		t.Fatalf("ErrFull must be returned bare, got %T", err)
	}
	buf := make([]byte, 32)
	for _, m := range append(msgs, nil) {
		n, err := c.Receive(buf)
		if err != nil || !bytes.Equal(buf[:n], m) {
			t.Fatalf("Receive = %q, %v; want %q", buf[:n], err, m)
		}
	}
	if _, err := c.Receive(buf); err != ErrEmpty {
		t.Fatalf("want bare ErrEmpty, got %v", err)
	}
}

func TestSendTooBigAndReceiveBufferTooSmall(t *testing.T) {
	p, c, _ := pair(t, Config{Capacity: 4, SlotSize: 24})
	err := p.Send(make([]byte, 17))
	mustErr(t, err, ErrTooBig)
	var ce *ChannelError
	if !errors.As(err, &ce) || ce.Op != "send" || ce.Code != -3 {
		t.Fatalf("%#v", err)
	}
	if err := p.Send(make([]byte, 16)); err != nil {
		t.Fatal(err)
	}
	_, err = c.Receive(make([]byte, 15))
	mustErr(t, err, ErrBufferTooSmall)
	_, err = c.Receive(nil)
	mustErr(t, err, ErrBufferTooSmall)
	// Nothing was consumed: the message is still there.
	if m, err := c.Peek(); err != nil || len(m) != 16 {
		t.Fatalf("Peek %d %v", len(m), err)
	}
	if n, err := c.Receive(make([]byte, 16)); n != 16 || err != nil {
		t.Fatalf("Receive %d %v", n, err)
	}
}

func TestWrongRole(t *testing.T) {
	p, c, path := pair(t, Config{Capacity: 4, SlotSize: 32})
	o, err := Open(path, Observer)
	if err != nil {
		t.Fatal(err)
	}
	defer o.Close()
	buf := make([]byte, 32)
	lens := make([]uint32, 2)
	mustErr(t, c.Send(nil), ErrRole)
	mustErr(t, o.Send(nil), ErrRole)
	_, err = c.SendBatch(buf, lens)
	mustErr(t, err, ErrRole)
	_, err = c.TryClaim()
	mustErr(t, err, ErrRole)
	mustErr(t, c.Commit(0), ErrRole)
	_, err = p.Receive(buf)
	mustErr(t, err, ErrRole)
	_, err = p.ReceiveBatch(buf, lens)
	mustErr(t, err, ErrRole)
	_, err = o.ReceiveBatch(buf, lens)
	mustErr(t, err, ErrRole)
	_, err = p.Peek()
	mustErr(t, err, ErrRole)
	_, err = o.Peek()
	mustErr(t, err, ErrRole)
	mustErr(t, p.Ack(), ErrRole)
}

func TestBatchRoundTrip(t *testing.T) {
	p, c, _ := pair(t, Config{Capacity: 8, SlotSize: 32})
	data := []byte("aabbbcccc")
	lens := []uint32{2, 3, 4, 0}
	n, err := p.SendBatch(data, lens)
	if n != 4 || err != nil {
		t.Fatalf("SendBatch = %d, %v", n, err)
	}
	// Only 4 of 6 fit.
	n, err = p.SendBatch(make([]byte, 6), []uint32{1, 1, 1, 1, 1, 1})
	if n != 4 || err != nil {
		t.Fatalf("partial SendBatch = %d, %v", n, err)
	}
	if n, err := p.SendBatch(data, lens); n != 0 || err != ErrFull {
		t.Fatalf("full SendBatch = %d, %v", n, err)
	}
	if n, err := p.SendBatch(nil, nil); n != 0 || err != nil {
		t.Fatalf("empty SendBatch = %d, %v", n, err)
	}
	out := make([]byte, 64)
	olens := make([]uint32, 3)
	n, err = c.ReceiveBatch(out, olens)
	if n != 3 || err != nil || string(out[:9]) != "aabbbcccc" || olens[0] != 2 || olens[1] != 3 || olens[2] != 4 {
		t.Fatalf("ReceiveBatch = %d, %v, %q %v", n, err, out[:9], olens)
	}
	// A buffer too small for the second message stops the batch after the first.
	olens = make([]uint32, 8)
	n, err = c.ReceiveBatch(out[:0], olens) // first message is empty: fits in 0 bytes
	if n != 1 || err != nil || olens[0] != 0 {
		t.Fatalf("ReceiveBatch(empty buf) = %d, %v", n, err)
	}
	n, err = c.ReceiveBatch(out[:2], olens)
	if n != 2 || err != nil {
		t.Fatalf("ReceiveBatch(2 bytes) = %d, %v", n, err)
	}
	if n, err := c.ReceiveBatch(out, olens); n != 2 || err != nil {
		t.Fatalf("ReceiveBatch rest = %d, %v", n, err)
	}
	if n, err := c.ReceiveBatch(out, olens); n != 0 || err != ErrEmpty {
		t.Fatalf("ReceiveBatch empty = %d, %v", n, err)
	}
	_, err = c.ReceiveBatch(out, nil)
	mustErr(t, err, ErrInvalid)
}

func TestBatchErrors(t *testing.T) {
	p, c, _ := pair(t, Config{Capacity: 8, SlotSize: 16})
	_, err := p.SendBatch(make([]byte, 20), []uint32{1, 9})
	mustErr(t, err, ErrTooBig)
	_, err = p.SendBatch(make([]byte, 3), []uint32{2, 2})
	mustErr(t, err, ErrInvalid)
	if st, _ := p.Stats(); st.Head != 0 {
		t.Fatalf("a refused batch wrote %d messages", st.Head)
	}
	if err := p.Send(make([]byte, 8)); err != nil {
		t.Fatal(err)
	}
	_, err = c.ReceiveBatch(make([]byte, 7), make([]uint32, 4))
	mustErr(t, err, ErrBufferTooSmall)
}

func TestClaimCommit(t *testing.T) {
	p, c, _ := pair(t, Config{Capacity: 2, SlotSize: 24})
	mustErr(t, p.Commit(0), ErrState)
	b, err := p.TryClaim()
	if err != nil || len(b) != 16 {
		t.Fatalf("TryClaim = %d, %v", len(b), err)
	}
	n := copy(b, "claimed")
	b2, err := p.TryClaim() // claiming again returns the same slot
	if err != nil || &b2[0] != &b[0] {
		t.Fatal("second TryClaim moved")
	}
	mustErr(t, p.Commit(17), ErrTooBig)
	mustErr(t, p.Commit(-1), ErrInvalid)
	if err := p.Commit(n); err != nil {
		t.Fatal(err)
	}
	mustErr(t, p.Commit(n), ErrState)
	if _, err := p.TryClaim(); err != nil {
		t.Fatal(err)
	}
	if err := p.Commit(0); err != nil {
		t.Fatal(err)
	}
	if _, err := p.TryClaim(); err != ErrFull {
		t.Fatalf("TryClaim on full = %v", err)
	}
	buf := make([]byte, 16)
	if n, err := c.Receive(buf); err != nil || string(buf[:n]) != "claimed" {
		t.Fatalf("Receive = %q %v", buf[:n], err)
	}
	if n, err := c.Receive(buf); err != nil || n != 0 {
		t.Fatalf("Receive = %d %v", n, err)
	}
}

func TestPeekAck(t *testing.T) {
	p, c, _ := pair(t, Config{Capacity: 4, SlotSize: 24})
	if _, err := c.Peek(); err != ErrEmpty {
		t.Fatalf("Peek on empty = %v", err)
	}
	if err := c.Ack(); err != ErrEmpty {
		t.Fatalf("Ack on empty = %v", err)
	}
	p.Send([]byte("one"))
	p.Send([]byte{})
	m, err := c.Peek()
	if err != nil || string(m) != "one" {
		t.Fatalf("Peek = %q %v", m, err)
	}
	m2, _ := c.Peek()
	if &m2[0] != &m[0] {
		t.Fatal("second Peek moved")
	}
	if err := c.Ack(); err != nil {
		t.Fatal(err)
	}
	m, err = c.Peek()
	if err != nil || len(m) != 0 || m == nil {
		t.Fatalf("Peek of empty message = %v %v", m, err)
	}
	if err := c.Ack(); err != nil {
		t.Fatal(err)
	}
	st, _ := c.Stats()
	if st.Tail != 2 || st.Backlog != 0 {
		t.Fatalf("stats after ack %+v", st)
	}
}

func TestObserverReadsWithoutConsuming(t *testing.T) {
	p, c, path := pair(t, Config{Capacity: 4, SlotSize: 24})
	p.Send([]byte("before")) // an observer starts at the newest message
	o, err := Open(path, Observer)
	if err != nil {
		t.Fatal(err)
	}
	defer o.Close()
	buf := make([]byte, 16)
	if _, err := o.Receive(buf); err != ErrEmpty {
		t.Fatalf("observer saw an old message: %v", err)
	}
	p.Send([]byte("after"))
	if n, err := o.Receive(buf); err != nil || string(buf[:n]) != "after" {
		t.Fatalf("observer Receive = %q %v", buf[:n], err)
	}
	// The consumer still gets both.
	for _, want := range []string{"before", "after"} {
		if n, err := c.Receive(buf); err != nil || string(buf[:n]) != want {
			t.Fatalf("consumer Receive = %q %v", buf[:n], err)
		}
	}
	// Lapping: the producer laps the observer by more than a ring.
	for i := 0; i < 3; i++ {
		for j := 0; j < 4; j++ {
			if err := p.Send([]byte{byte(j)}); err != nil {
				t.Fatal(err)
			}
		}
		for j := 0; j < 4; j++ {
			c.Receive(buf)
		}
	}
	_, err = o.Receive(buf)
	mustErr(t, err, ErrLapped)
}

func TestStatsAndInspect(t *testing.T) {
	p, c, path := pair(t, Config{Capacity: 16, SlotSize: 64})
	for i := 0; i < 20; i++ {
		p.Send([]byte("abc"))
	}
	c.Receive(make([]byte, 8))
	st, err := p.Stats()
	if err != nil {
		t.Fatal(err)
	}
	fmaj, fmin := FormatVersion()
	if st.FormatMajor != uint16(fmaj) || st.FormatMinor != uint16(fmin) || st.Capacity != 16 ||
		st.SlotSize != 64 || st.MaxPayload != 56 || st.Mode != ModeSPSC || st.FileSize != 4096+16*64 {
		t.Fatalf("stats geometry %+v", st)
	}
	if st.Head != 16 || st.Tail != 1 || st.Backlog != 15 || st.FullCount != 4 {
		t.Fatalf("stats cursors %+v", st)
	}
	if st.CreatorPID != uint32(os.Getpid()) || st.Created.IsZero() || st.CreatorVersion == 0 {
		t.Fatalf("stats identity %+v", st)
	}
	if st.Consumer.Liveness != PeerAlive || st.Consumer.Epoch != 1 {
		t.Fatalf("consumer holder %+v", st.Consumer)
	}
	info, err := Inspect(path)
	if err != nil {
		t.Fatal(err)
	}
	if info.Head != 16 || info.Tail != 1 || info.Capacity != 16 || info.Producer.PID != uint32(os.Getpid()) {
		t.Fatalf("inspect %+v", info)
	}
	if PeerAlive.String() != "alive" || Liveness(9).String() != "Liveness(9)" {
		t.Fatal("Liveness.String")
	}
	if Version() == "" {
		t.Fatal("Version")
	}
	_, err = Inspect(path + ".missing")
	mustErr(t, err, ErrNotExist)
}

func TestCloseIsIdempotentAndGuardsEveryMethod(t *testing.T) {
	p, c, _ := pair(t, Config{Capacity: 4, SlotSize: 32})
	if err := p.Close(); err != nil {
		t.Fatal(err)
	}
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
	err := p.Close()
	mustErr(t, err, ErrClosed)
	mustErr(t, err, fs.ErrClosed)
	var ce *ChannelError
	if !errors.As(err, &ce) || ce.Op != "close" {
		t.Fatalf("%#v", err)
	}
	buf := make([]byte, 8)
	lens := make([]uint32, 1)
	for _, ch := range []*Channel{p, c} {
		mustErr(t, ch.Send(buf), ErrClosed)
		_, err = ch.SendBatch(buf, []uint32{1})
		mustErr(t, err, ErrClosed)
		_, err = ch.TryClaim()
		mustErr(t, err, ErrClosed)
		mustErr(t, ch.Commit(1), ErrClosed)
		_, err = ch.Receive(buf)
		mustErr(t, err, ErrClosed)
		_, err = ch.ReceiveBatch(buf, lens)
		mustErr(t, err, ErrClosed)
		_, err = ch.Peek()
		mustErr(t, err, ErrClosed)
		mustErr(t, ch.Ack(), ErrClosed)
		_, err = ch.Stats()
		mustErr(t, err, ErrClosed)
	}
	var nilCh *Channel
	mustErr(t, nilCh.Close(), ErrClosed)
}

func TestReopenedConsumerResumes(t *testing.T) {
	p, c, path := pair(t, Config{Capacity: 8, SlotSize: 16})
	for i := byte(0); i < 5; i++ {
		p.Send([]byte{i})
	}
	buf := make([]byte, 8)
	c.Receive(buf)
	c.Receive(buf)
	c.Close()
	c2, err := Open(path, Consumer)
	if err != nil {
		t.Fatal(err)
	}
	defer c2.Close()
	if n, err := c2.Receive(buf); err != nil || n != 1 || buf[0] != 2 {
		t.Fatalf("resumed at %v %v", buf[:n], err)
	}
}

// The header allows a NULL buffer with length 0; an empty message fits in it. (A nil or
// empty Go slice reaches C as NULL, 0.)
func TestEmptyMessageIntoNilBuffer(t *testing.T) {
	p, c, _ := pair(t, Config{Capacity: 4, SlotSize: 16})
	for i := 0; i < 3; i++ {
		if err := p.Send(nil); err != nil {
			t.Fatal(err)
		}
	}
	if n, err := c.Receive(nil); n != 0 || err != nil {
		t.Fatalf("Receive(nil) = %d, %v", n, err)
	}
	if n, err := c.Receive([]byte{}); n != 0 || err != nil {
		t.Fatalf("Receive([]byte{}) = %d, %v", n, err)
	}
	lens := make([]uint32, 4)
	if n, err := c.ReceiveBatch(nil, lens); n != 1 || err != nil {
		t.Fatalf("ReceiveBatch(nil) = %d, %v", n, err)
	}
}

func TestNilChannelAndNilContextAreErrors(t *testing.T) {
	var ch *Channel
	mustErr(t, ch.Send(nil), ErrClosed)
	if _, err := ch.Receive(nil); !errors.Is(err, ErrClosed) {
		t.Fatal(err)
	}
	if ch.MaxPayload() != 0 || ch.Capacity() != 0 || ch.SlotSize() != 0 || ch.Role() != 0 || ch.Path() != "" {
		t.Fatal("accessors of a nil Channel")
	}
	if _, err := ch.Stats(); !errors.Is(err, ErrClosed) {
		t.Fatal(err)
	}
	p, c, _ := pair(t, Config{Capacity: 2, SlotSize: 16})
	//lint:ignore SA1012 testing the nil-context guard
	var nilCtx context.Context
	mustErr(t, p.SendContext(nilCtx, nil), ErrInvalid)
	_, err := p.SendBatchContext(nilCtx, nil, nil)
	mustErr(t, err, ErrInvalid)
	_, err = c.ReceiveContext(nilCtx, nil)
	mustErr(t, err, ErrInvalid)
	_, err = c.ReceiveBatchContext(nilCtx, nil, nil)
	mustErr(t, err, ErrInvalid)
}
