package hftipc

import (
	"encoding/binary"
	"errors"
	"os"
	"sync/atomic"
	"unsafe"
)

// oldRing is a faithful re-implementation of the pure-Go ring this library replaces, kept
// only as a benchmark baseline so the results read as ratios. Its layout and algorithm are
// deliberately the old ones, flaws included:
//   - Head, Tail and Capacity are consecutive 8-byte words at the start of the file (the
//     producer's and consumer's cursors share one cache line);
//   - fixed 512-byte slots, a 4-byte length then the payload;
//   - both cursors are loaded atomically on every operation (no cached peer cursor);
//   - the slot index is head % capacity (a division), and the cursor is published with
//     atomic.AddUint64 (a locked read-modify-write on x86-64).
type oldRing struct {
	mem   []byte
	hdr   *oldRingHeader
	slots []byte
}

type oldRingHeader struct {
	Head     uint64
	Tail     uint64
	Capacity uint64
}

const (
	oldSlotSize   = 512
	oldHeaderSize = int(unsafe.Sizeof(oldRingHeader{}))
)

var (
	errOldFull   = errors.New("oldring: full")
	errOldEmpty  = errors.New("oldring: empty")
	errOldTooBig = errors.New("oldring: message too big")
)

func openOldRing(path string, capacity uint64) (*oldRing, error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	size := oldHeaderSize + int(capacity)*oldSlotSize
	st, err := f.Stat()
	if err != nil {
		return nil, err
	}
	fresh := st.Size() == 0
	if err := f.Truncate(int64(size)); err != nil {
		return nil, err
	}
	mem, err := mapShared(f, size)
	if err != nil {
		return nil, err
	}
	r := &oldRing{mem: mem, hdr: (*oldRingHeader)(unsafe.Pointer(&mem[0])), slots: mem[oldHeaderSize:]}
	if fresh {
		atomic.StoreUint64(&r.hdr.Capacity, capacity)
	}
	return r, nil
}

func (r *oldRing) Close() error { return unmapShared(r.mem) }

func (r *oldRing) Send(msg []byte) error {
	head := atomic.LoadUint64(&r.hdr.Head)
	tail := atomic.LoadUint64(&r.hdr.Tail)
	capacity := r.hdr.Capacity
	if head-tail >= capacity {
		return errOldFull
	}
	if len(msg) > oldSlotSize-4 {
		return errOldTooBig
	}
	off := (head % capacity) * oldSlotSize
	binary.LittleEndian.PutUint32(r.slots[off:], uint32(len(msg)))
	copy(r.slots[off+4:off+oldSlotSize], msg)
	atomic.AddUint64(&r.hdr.Head, 1)
	return nil
}

func (r *oldRing) Receive(buf []byte) (int, error) {
	head := atomic.LoadUint64(&r.hdr.Head)
	tail := atomic.LoadUint64(&r.hdr.Tail)
	capacity := r.hdr.Capacity
	if head == tail {
		return 0, errOldEmpty
	}
	off := (tail % capacity) * oldSlotSize
	n := int(binary.LittleEndian.Uint32(r.slots[off:]))
	if n > len(buf) || n > oldSlotSize-4 {
		return 0, errOldTooBig
	}
	copy(buf, r.slots[off+4:off+4+uint64(n)])
	atomic.AddUint64(&r.hdr.Tail, 1)
	return n, nil
}
