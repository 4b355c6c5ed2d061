package hftipc

import (
	"encoding/binary"
	"errors"
	"os"
	"path/filepath"
	"testing"
)

// Offsets of the header fields the mutations touch (docs/FORMAT.md, "Layout"; pinned by
// _Static_asserts in core/src/format.h). The Go binding never reads them: only these tests
// write them, to build broken files.
const (
	offMagic        = 0
	offFormatMajor  = 8
	offHeaderSize   = 12
	offIncompat     = 24
	offCapacity     = 32
	offSlotSize     = 36
	offMode         = 40
	offInitState    = 44
	offFileSize     = 48
	offHead         = 128
	offTail         = 256
	headerSize      = 4096
	malformedCap    = 8
	malformedSlotSz = 32
)

// validFile creates a closed, valid channel file and returns its bytes and path.
func validFile(t *testing.T) (string, []byte) {
	t.Helper()
	path := tempPath(t)
	ch, err := Create(path, Config{Capacity: malformedCap, SlotSize: malformedSlotSz}, Observer)
	if err != nil {
		t.Fatal(err)
	}
	ch.Close()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return path, b
}

func put32(b []byte, off int, v uint32) { binary.LittleEndian.PutUint32(b[off:], v) }
func put64(b []byte, off int, v uint64) { binary.LittleEndian.PutUint64(b[off:], v) }

// One row per kind of malformed file: the mutation of a valid file, the status Open and
// Inspect must report, and why.
var malformedFiles = []struct {
	name   string
	mutate func(b []byte) []byte
	want   error
}{
	{"empty file: shorter than the magic", func(b []byte) []byte { return b[:0] }, ErrTruncated},
	{"magic only: shorter than the header", func(b []byte) []byte { return b[:100] }, ErrTruncated},
	{"text file: magic differs", func(b []byte) []byte { return []byte("hello, this is not a channel\n") }, ErrBadMagic},
	{"one magic byte flipped", func(b []byte) []byte { b[offMagic+1] ^= 0x20; return b }, ErrBadMagic},
	{"format major 2", func(b []byte) []byte { b[offFormatMajor] = 2; return b }, ErrVersion},
	{"init state never READY", func(b []byte) []byte { put32(b, offInitState, 0); return b }, ErrNotReady},
	{"header size field 2048", func(b []byte) []byte { put32(b, offHeaderSize, 2048); return b }, ErrHeaderSize},
	{"unknown incompat flag", func(b []byte) []byte { put64(b, offIncompat, 1<<63); return b }, ErrIncompat},
	{"capacity 3", func(b []byte) []byte { put32(b, offCapacity, 3); return b }, ErrCapacity},
	{"slot size 12", func(b []byte) []byte { put32(b, offSlotSize, 12); return b }, ErrSlotSize},
	{"mode 9", func(b []byte) []byte { put32(b, offMode, 9); return b }, ErrMode},
	{"header file size field wrong", func(b []byte) []byte { put64(b, offFileSize, 1<<20); return b }, ErrSize},
	{"file cut inside the slots", func(b []byte) []byte { return b[:len(b)-8] }, ErrSize},
	{"file longer than the geometry", func(b []byte) []byte { return append(b, make([]byte, 64)...) }, ErrSize},
	{"capacity larger than the file", func(b []byte) []byte { put32(b, offCapacity, 1024); return b }, ErrSize},
	{"head ahead of tail by more than capacity", func(b []byte) []byte {
		put64(b, offHead, malformedCap+1)
		return b
	}, ErrCorrupt},
	// A tail up to a ring ahead of head is legal with commit words (a producer died between a
	// commit and its head store, docs/FORMAT.md section 5); more than a ring ahead is not.
	{"tail a ring ahead of head", func(b []byte) []byte { put64(b, offTail, 1<<40); return b }, ErrCorrupt},
}

func TestOpenRefusesMalformedFiles(t *testing.T) {
	for _, tc := range malformedFiles {
		t.Run(tc.name, func(t *testing.T) {
			path, b := validFile(t)
			b = tc.mutate(b)
			if err := os.WriteFile(path, b, 0o600); err != nil {
				t.Fatal(err)
			}
			if err := os.Truncate(path, int64(len(b))); err != nil {
				t.Fatal(err)
			}
			for _, role := range []Role{Producer, Consumer, Observer} {
				ch, err := Open(path, role)
				if err == nil {
					ch.Close()
				}
				mustErr(t, err, tc.want)
			}
			_, err := Inspect(path)
			mustErr(t, err, tc.want)
			after, _ := os.ReadFile(path)
			if string(after) != string(b) {
				t.Fatal("a refused open modified the file")
			}
		})
	}
}

func TestInspectReportsWhatItDecoded(t *testing.T) {
	path, b := validFile(t)
	b[offFormatMajor] = 7
	os.WriteFile(path, b, 0o600)
	info, err := Inspect(path)
	mustErr(t, err, ErrVersion)
	if info.FormatMajor != 7 {
		t.Fatalf("Inspect decoded format major %d", info.FormatMajor)
	}
}

func TestOpenRefusesNonRegularFiles(t *testing.T) {
	dir := t.TempDir()
	_, err := Open(dir, Consumer)
	mustErr(t, err, ErrNotFile)

	path, _ := validFile(t)
	link := filepath.Join(t.TempDir(), "link")
	if err := os.Symlink(path, link); err != nil {
		t.Fatal(err)
	}
	_, err = Open(link, Observer)
	mustErr(t, err, ErrNotFile)

	fifo := filepath.Join(t.TempDir(), "fifo")
	if err := mkfifo(fifo); err != nil {
		t.Skip("mkfifo:", err)
	}
	_, err = Open(fifo, Observer)
	mustErr(t, err, ErrNotFile)
}

func TestOpenWithoutPermission(t *testing.T) {
	if os.Geteuid() == 0 {
		t.Skip("root bypasses file permissions")
	}
	path, _ := validFile(t)
	os.Chmod(path, 0o400)
	_, err := Open(path, Consumer)
	mustErr(t, err, ErrPermission)
	mustErr(t, err, os.ErrPermission)
	o, err := Open(path, Observer) // read-only mapping is enough
	if err != nil {
		t.Fatal(err)
	}
	o.Close()
}

func TestReceiveReportsCorruptSlot(t *testing.T) {
	p, c, path := pair(t, Config{Capacity: malformedCap, SlotSize: malformedSlotSz})
	p.Send([]byte("ok"))
	p.Send([]byte("bad"))
	// A hostile peer writes an impossible length into the second slot.
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	var l [4]byte
	binary.LittleEndian.PutUint32(l[:], 1000)
	if _, err := f.WriteAt(l[:], headerSize+malformedSlotSz); err != nil {
		t.Fatal(err)
	}
	f.Close()
	buf := make([]byte, 64)
	if n, err := c.Receive(buf); err != nil || string(buf[:n]) != "ok" {
		t.Fatalf("Receive = %q %v", buf[:n], err)
	}
	_, err = c.Receive(buf)
	mustErr(t, err, ErrCorrupt)
	_, err = c.Peek()
	mustErr(t, err, ErrCorrupt)
	var ce *ChannelError
	if !errors.As(err, &ce) || ce.Op != "peek" {
		t.Fatalf("%#v", err)
	}
	if err := c.Ack(); err != nil { // Ack skips the corrupt slot
		t.Fatal(err)
	}
	if _, err := c.Receive(buf); err != ErrEmpty {
		t.Fatalf("after skipping: %v", err)
	}
}

// A valid header in front of holes: touching a hole through a mapping raises SIGBUS on a full
// tmpfs, so an observer, which cannot allocate, refuses the file with ErrSparse (and so does
// Inspect); a consumer's open allocates the holes without changing a byte, after which the
// observer opens it (issue 11, finding 6).
func TestObserverRefusesSparseFile(t *testing.T) {
	src := tempPath(t)
	ch, err := Create(src, Config{Capacity: 64, SlotSize: 4096}, Observer)
	if err != nil {
		t.Fatal(err)
	}
	ch.Close()
	header := make([]byte, headerSize)
	f, err := os.Open(src)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.ReadAt(header, 0); err != nil {
		t.Fatal(err)
	}
	f.Close()
	path := filepath.Join(t.TempDir(), "sparse")
	if err := os.WriteFile(path, header, 0o600); err != nil {
		t.Fatal(err)
	}
	size := int64(headerSize + 64*4096)
	if err := os.Truncate(path, size); err != nil {
		t.Fatal(err)
	}
	if allocated, err := allocatedBytes(path); err != nil || allocated >= size {
		t.Skipf("the file system allocated the truncated file (%d bytes, %v): no hole to test", allocated, err)
	}
	before, _ := os.ReadFile(path)
	if _, err := Open(path, Observer); !errors.Is(err, ErrSparse) {
		t.Fatalf("observer open of a sparse file: %v, want ErrSparse", err)
	}
	if _, err := Inspect(path); !errors.Is(err, ErrSparse) {
		t.Fatalf("Inspect of a sparse file: %v, want ErrSparse", err)
	}
	c, err := Open(path, Consumer)
	if err != nil {
		t.Fatalf("consumer open allocates the holes: %v", err)
	}
	after, _ := os.ReadFile(path)
	if string(after[headerSize:]) != string(before[headerSize:]) {
		t.Fatal("allocating the holes changed the slots")
	}
	o, err := Open(path, Observer)
	if err != nil {
		t.Fatalf("observer open after allocation: %v", err)
	}
	o.Close()
	c.Close()
}
