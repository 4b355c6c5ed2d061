package hftipc

/*
#cgo CFLAGS: -O2 -std=c11
#include <stdlib.h>
#include "hftipc.h"
#include "hftipc_go.h" // byte-pointer wrappers: no cgo pointer check per call

// Hot-path functions neither keep the Go pointers passed to them beyond the call nor call
// back into Go: noescape lets the slices stay on the caller's stack (no allocation). Go 1.26
// honours noescape only together with nocallback (without it the slices escape:
// TestHotPathsDoNotAllocate's stack-buffer case fails), and nocallback itself only adds a
// check (about 30 instructions a call) that C does not call back.
#cgo noescape hftipc_go_send
#cgo nocallback hftipc_go_send
#cgo noescape hftipc_go_send_batch
#cgo nocallback hftipc_go_send_batch
#cgo noescape hftipc_go_try_claim
#cgo nocallback hftipc_go_try_claim
#cgo noescape hftipc_go_commit
#cgo nocallback hftipc_go_commit
#cgo noescape hftipc_go_claim
#cgo nocallback hftipc_go_claim
#cgo noescape hftipc_go_commit_claim
#cgo nocallback hftipc_go_commit_claim
#cgo noescape hftipc_go_abort_claim
#cgo nocallback hftipc_go_abort_claim
#cgo noescape hftipc_go_receive
#cgo nocallback hftipc_go_receive
#cgo noescape hftipc_go_receive_batch
#cgo nocallback hftipc_go_receive_batch
#cgo noescape hftipc_go_peek
#cgo nocallback hftipc_go_peek
#cgo noescape hftipc_go_ack
#cgo nocallback hftipc_go_ack
#cgo noescape hftipc_channel_stats
#cgo nocallback hftipc_channel_stats
#cgo noescape hftipc_version_number
#cgo nocallback hftipc_version_number
#cgo noescape hftipc_channel_heartbeat
#cgo nocallback hftipc_channel_heartbeat

// hftipc_channel_wait is deliberately not annotated: it passes no Go pointer (noescape would
// change nothing) and it sleeps in the kernel, where the callback bookkeeping nocallback
// saves is irrelevant.
*/
import "C"

import (
	"os"
	"strconv"
	"time"
	"unsafe"
)

// Role is what a handle may do with a channel.
type Role int

const (
	// Producer publishes messages. One live holder per SPSC channel file, up to
	// MaxProducers per MPSC file.
	Producer Role = 1
	// Consumer receives and consumes messages. One live holder per channel file.
	Consumer Role = 2
	// Observer maps the file read-only and reads messages without consuming them, from the
	// newest message at open time onwards. Any number of observers may be open.
	Observer Role = 3
)

func (r Role) String() string {
	switch r {
	case Producer:
		return "producer"
	case Consumer:
		return "consumer"
	case Observer:
		return "observer"
	}
	return "Role(" + strconv.Itoa(int(r)) + ")"
}

// Mode is the channel's concurrency mode.
type Mode uint32

// Channel modes.
const (
	// ModeSPSC is one producer and one consumer.
	ModeSPSC Mode = 1
	// ModeMPSC is up to MaxProducers producers (processes, or Channels in one process) and
	// one consumer (format 1.1). Per-producer order is preserved; messages of different
	// producers interleave in claim order.
	ModeMPSC Mode = 2
)

// MaxProducers is the number of producers an MPSC channel admits at once; one more gets
// ErrBusy.
const MaxProducers = 16

func (m Mode) String() string {
	switch m {
	case ModeSPSC:
		return "spsc"
	case ModeMPSC:
		return "mpsc"
	}
	return "Mode(" + strconv.Itoa(int(m)) + ")"
}

// Geometry limits and defaults (see hftipc.h).
const (
	DefaultCapacity = 1024 // slots
	DefaultSlotSize = 512  // bytes, including the slot header
	SlotHeaderSize  = 8    // bytes of each slot not available to payload
	MinSlotSize     = 16
	MaxSlotSize     = 1 << 26
	MaxCapacity     = 1 << 30
)

// Config is the geometry and permissions of a channel to create. Zero fields mean the
// defaults, so Config{} is the same as DefaultConfig().
type Config struct {
	// Capacity is the number of slots: a power of two up to MaxCapacity. Default 1024.
	Capacity uint32
	// SlotSize is the bytes per slot, including the 8-byte slot header: a multiple of 8 in
	// [MinSlotSize, MaxSlotSize]. The largest message is SlotSize-8. Default 512. Ignored
	// when MaxPayload is set.
	SlotSize uint32
	// MaxPayload, when not 0, is the largest message the channel must carry: the slot size
	// becomes SlotSizeFor(MaxPayload), which keeps neighbouring slots off shared cache lines,
	// and SlotSize is ignored. The channel's MaxPayload() is then at least this, and may be
	// more (SlotSizeFor(64) is 128: messages of up to 120 bytes fit). A value over
	// MaxSlotSize-8 gives ErrSlotSize. The file is an ordinary file of that slot size.
	MaxPayload uint32
	// Mode is the concurrency mode: ModeSPSC (the default) or ModeMPSC.
	Mode Mode
	// FileMode holds the permission bits of a created file (the umask is not applied).
	// Default 0600. Only read and write bits (at most 0o666) are allowed: every peer writes
	// the file through a mapping, so an execute, setuid, setgid or sticky bit (or any other
	// os.FileMode bit) would let one of them plant a program; Create and OpenOrCreate refuse
	// such a mode with ErrInvalid.
	FileMode os.FileMode
}

// SlotSizeFor returns the slot size the MaxPayload option picks for messages of up to
// maxPayload bytes: the 8-byte slot header plus maxPayload, rounded up so that no two slots
// share a 64-byte cache line (the next power of two up to 64 bytes, the next multiple of 64
// above), so the producer writing one slot and the consumer reading its neighbour do not take
// the line from each other. Examples: 8 -> 16, 56 -> 64, 64 -> 128, 512 -> 576. It returns 0
// when maxPayload exceeds MaxSlotSize-8. The result is what the C core's
// hftipc_slot_size_for returns.
func SlotSizeFor(maxPayload uint32) uint32 {
	return uint32(C.hftipc_slot_size_for(C.uint32_t(maxPayload)))
}

// DefaultConfig returns the defaults: 1024 slots of 512 bytes, SPSC, file mode 0600.
func DefaultConfig() Config {
	return Config{Capacity: DefaultCapacity, SlotSize: DefaultSlotSize, Mode: ModeSPSC, FileMode: 0o600}
}

func (cfg Config) options() C.hftipc_options_t {
	var o C.hftipc_options_t
	C.hftipc_options_init(&o)
	if cfg.Capacity != 0 {
		o.capacity = C.uint32_t(cfg.Capacity)
	}
	if cfg.SlotSize != 0 {
		o.slot_size = C.uint32_t(cfg.SlotSize)
	}
	if cfg.Mode != 0 {
		o.mode = C.uint32_t(cfg.Mode)
	}
	o.max_payload = C.uint32_t(cfg.MaxPayload) // 0, the default, leaves slot_size in charge
	if cfg.FileMode != 0 {
		m := uint32(cfg.FileMode.Perm())
		if cfg.FileMode&^os.ModePerm != 0 {
			// Setuid, setgid, sticky, type bits: pass a bit outside 07777, which the C core
			// refuses with HFTIPC_EINVAL like any mode outside 0666, so there is one check.
			m |= 1 << 31
		}
		o.file_mode = C.uint32_t(m)
	}
	return o
}

// Channel is an open handle on a channel file, holding one Role.
//
// A Channel is not safe for concurrent use: use it from one goroutine at a time (like the C
// handle, "one thread at a time"), and do not call Close while another method is running.
// The producer and the consumer normally use two Channels, in two processes or goroutines;
// two handles need no coordination.
type Channel struct {
	ch         *C.hftipc_channel_t // nil once closed
	path       string
	role       Role
	maxPayload uint32
	capacity   uint32
	slotSize   uint32
}

func newChannel(ch *C.hftipc_channel_t, path string) *Channel {
	return &Channel{
		ch:         ch,
		path:       path,
		role:       Role(C.hftipc_channel_role(ch)),
		maxPayload: uint32(C.hftipc_channel_max_payload(ch)),
		capacity:   uint32(C.hftipc_channel_capacity(ch)),
		slotSize:   uint32(C.hftipc_channel_slot_size(ch)),
	}
}

// bytePtr is the first byte of b for C (nil for a nil slice), typed so that cgo skips its
// pointer check (see hftipc_go.h).
func bytePtr(b []byte) *C.uint8_t { return (*C.uint8_t)(unsafe.SliceData(b)) }

// handle is the C handle as an integer, for the wrappers of hftipc_go.h: cgo cannot see
// that an opaque C struct holds no Go pointers, so a *C.hftipc_channel_t argument costs a
// runtime.cgoCheckPointer call on every call. The handle is C memory (malloc'd by the core),
// which the Go collector neither moves nor frees, so the integer form loses nothing.
func (c *Channel) handle() C.uintptr_t { return C.uintptr_t(uintptr(unsafe.Pointer(c.ch))) }

func validRole(r Role) bool { return r == Producer || r == Consumer || r == Observer }

// cpath converts a path for C; NUL bytes are refused like the os package does.
func cpath(op, path string) (*C.char, error) {
	for i := 0; i < len(path); i++ {
		if path[i] == 0 {
			return nil, &ChannelError{Op: op, Path: path, Err: ErrInvalid, Code: int(C.HFTIPC_EINVAL)}
		}
	}
	return C.CString(path), nil
}

// Create creates a new channel file at path with the geometry of cfg and opens it in role.
// The file appears at path only once it is fully initialised, so concurrent openers never
// see a partial header. The directory must exist; the path must not (ErrExist, which also
// matches fs.ErrExist).
func Create(path string, cfg Config, role Role) (*Channel, error) {
	return openCommon("create", path, &cfg, role)
}

// Open opens the existing channel file at path in role, after validating its header.
// Producer and Consumer are exclusive: ErrBusy if a live process holds the role; a role held
// by a dead process is taken over.
func Open(path string, role Role) (*Channel, error) {
	return openCommon("open", path, nil, role)
}

// OpenOrCreate opens the channel at path, creating it with cfg if it does not exist. It is
// safe against concurrent callers. An existing file must have cfg's geometry (ErrMismatch).
func OpenOrCreate(path string, cfg Config, role Role) (*Channel, error) {
	return openCommon("open_or_create", path, &cfg, role)
}

// OpenTakeover opens the existing channel file at path in role like Open, and also takes
// the role from a holder whose process still exists but whose heartbeat is older than
// staleAfter: a stopped process, a paused VM, a process stuck elsewhere. It is Takeover
// without flags; see there for what happens to the previous holder, which may be killed.
// A holder refreshes its heartbeat when it opens, while it waits in a blocking method, and
// with Heartbeat. A live holder with a fresh heartbeat still gives ErrBusy. A negative
// staleAfter behaves as Open.
//
// ErrNoFence (wrapped) means the stale holder could be neither proven idle nor ended: it
// keeps the role. Retry later, or use Takeover with TakeoverForce.
func OpenTakeover(path string, role Role, staleAfter time.Duration) (*Channel, error) {
	return openWith("open_takeover", path, nil, role, int64(staleAfter), 0)
}

// TakeoverFlags modify Takeover.
type TakeoverFlags uint32

// TakeoverForce takes the role even when the stale holder can be neither proven idle nor
// ended (another user, another pid namespace): see Takeover for what that still allows.
const TakeoverForce TakeoverFlags = 1

// Takeover is OpenTakeover with flags (0 or TakeoverForce). The role's epoch increases, and
// before Takeover returns the previous holder is proven unable to touch the ring again:
//
//   - a dead holder needs nothing more;
//   - a holder idle between two operations is fenced and left running: its next operation
//     returns ErrFenced (wrapped) and it publishes or consumes nothing more;
//   - a holder inside an operation or holding a claim (Claim, TryClaim) is ended: its process
//     is sent SIGKILL, through a pidfd so a reused pid is never signalled, and Takeover waits
//     until it has exited.
//
// So, unforced, no message the new holder publishes is ever lost, overwritten or reordered by
// the old one, and the cursors never move backwards. When the holder can be neither proven
// idle nor ended (it runs as another user, or in another pid namespace), Takeover returns
// ErrNoFence (wrapped) and the role stays with it, unless flags has TakeoverForce: then the
// role is taken and that holder may still complete the one operation it was inside when it
// resumes (a producer may write the slots it had claimed and move the head once, a consumer
// may move the tail back by one batch, see docs/FORMAT.md section 12); every later operation
// of it returns ErrFenced.
//
// In an MPSC channel a producer takeover takes the record of a dead or stale producer,
// preferring the one whose claim holds up the consumer, so that claim is skipped and the
// channel moves on. Unknown flag bits give ErrInvalid.
func Takeover(path string, role Role, staleAfter time.Duration, flags TakeoverFlags) (*Channel, error) {
	return openWith("takeover", path, nil, role, int64(staleAfter), flags)
}

func openCommon(op, path string, cfg *Config, role Role) (*Channel, error) {
	return openWith(op, path, cfg, role, -1, 0)
}

func openWith(op, path string, cfg *Config, role Role, staleAfterNs int64, flags TakeoverFlags) (*Channel, error) {
	if !validRole(role) {
		return nil, &ChannelError{Op: op, Path: path, Err: ErrInvalid, Code: int(C.HFTIPC_EINVAL)}
	}
	cs, err := cpath(op, path)
	if err != nil {
		return nil, err
	}
	defer C.free(unsafe.Pointer(cs))
	var ch *C.hftipc_channel_t
	var rc C.int
	var errno error
	switch op {
	case "create":
		o := cfg.options()
		rc, errno = C.hftipc_channel_create(cs, &o, C.hftipc_role_t(role), &ch)
	case "open_or_create":
		o := cfg.options()
		rc, errno = C.hftipc_channel_open_or_create(cs, &o, C.hftipc_role_t(role), &ch)
	case "open_takeover":
		rc, errno = C.hftipc_channel_open_takeover(cs, C.hftipc_role_t(role), C.int64_t(staleAfterNs), &ch)
	case "takeover":
		rc, errno = C.hftipc_channel_takeover(cs, C.hftipc_role_t(role), C.int64_t(staleAfterNs),
			C.uint32_t(flags), &ch)
	default:
		rc, errno = C.hftipc_channel_open(cs, C.hftipc_role_t(role), &ch)
	}
	if rc != 0 {
		return nil, newError(op, path, int(rc), errno)
	}
	return newChannel(ch, path), nil
}

// Close releases the role, unmaps the file and frees the handle; messages and cursors stay
// in the file. Slices returned by Claim, TryClaim and Peek must not be used afterwards. A second
// Close returns an error wrapping ErrClosed.
func (c *Channel) Close() error {
	if c == nil || c.ch == nil {
		return c.closedErr("close")
	}
	ch := c.ch
	c.ch = nil
	if rc, errno := C.hftipc_channel_close(ch); rc != 0 {
		return newError("close", c.path, int(rc), errno)
	}
	return nil
}

func (c *Channel) closedErr(op string) error {
	path := ""
	if c != nil {
		path = c.path
	}
	return &ChannelError{Op: op, Path: path, Err: ErrClosed}
}

func (c *Channel) fail(op string, rc int) error {
	return &ChannelError{Op: op, Path: c.Path(), Err: sentinel(rc), Code: rc}
}

// Path returns the channel file's path as given to Create or Open.
func (c *Channel) Path() string {
	if c == nil {
		return ""
	}
	return c.path
}

// Role returns the handle's role.
func (c *Channel) Role() Role {
	if c == nil {
		return 0
	}
	return c.role
}

// MaxPayload returns the largest message in bytes (SlotSize - 8).
func (c *Channel) MaxPayload() int {
	if c == nil {
		return 0
	}
	return int(c.maxPayload)
}

// Capacity returns the number of slots in the ring.
func (c *Channel) Capacity() int {
	if c == nil {
		return 0
	}
	return int(c.capacity)
}

// SlotSize returns the bytes per slot, including the 8-byte slot header.
func (c *Channel) SlotSize() int {
	if c == nil {
		return 0
	}
	return int(c.slotSize)
}

// ---- Producer ----

// Send copies msg into the next slot and publishes it. It never blocks: when the ring is
// full it returns ErrFull. A message longer than MaxPayload fails with ErrTooBig and nothing
// is written. An empty message is valid. While a claim is outstanding (Claim, TryClaim), Send
// publishes msg into the claimed slot, which uses the claim up: whatever was written there is
// replaced, and committing or aborting that claim afterwards gives ErrState.
//
// ErrFull (and ErrEmpty from the receive methods) are returned bare, not wrapped in a
// *ChannelError: they are expected flow control on the hot path, and returning a
// pre-allocated sentinel keeps Send and Receive allocation-free. Every other error is a
// *ChannelError.
func (c *Channel) Send(msg []byte) error {
	if c == nil || c.ch == nil {
		return c.closedErr("send")
	}
	rc := C.hftipc_go_send(c.handle(), bytePtr(msg), C.size_t(len(msg)))
	if rc == 0 {
		return nil
	}
	if rc == C.HFTIPC_EFULL {
		return ErrFull
	}
	return c.fail("send", int(rc))
}

// SendBatch publishes up to len(lens) messages laid back to back in data (message i has
// lens[i] bytes) with one cursor update, and returns how many it published: all that fit,
// at least one. When none fit it returns 0, ErrFull. The lengths are checked first: if any
// exceeds MaxPayload nothing is written (ErrTooBig); their sum must not exceed len(data)
// (ErrInvalid). An empty lens publishes nothing and returns 0, nil. While a claim is
// outstanding, the first message goes into the claimed slot, which uses the claim up (as Send).
func (c *Channel) SendBatch(data []byte, lens []uint32) (int, error) {
	if c == nil || c.ch == nil {
		return 0, c.closedErr("send_batch")
	}
	n := C.hftipc_go_send_batch(c.handle(), bytePtr(data), C.size_t(len(data)),
		(*C.uint32_t)(unsafe.SliceData(lens)), C.size_t(len(lens)))
	if n >= 0 {
		return int(n), nil
	}
	if n == C.HFTIPC_EFULL {
		return 0, ErrFull
	}
	return 0, c.fail("send_batch", int(n))
}

// TryClaim reserves the next slot for writing in place and returns its payload area,
// MaxPayload bytes long. Write the message into it, then call Commit with its length;
// nothing is visible to the consumer before Commit. ErrFull when the ring is full.
//
// TryClaim is Claim without the Claim value: both reserve the handle's one claim. Calling
// either again before the claim is committed returns the same slot; Commit commits it,
// whichever call made it. A Send or SendBatch while the claim is outstanding publishes its
// (first) message into the claimed slot, which uses the claim up: Commit then gives ErrState.
// To give a claim up without publishing anything, use Claim and Claim.Abort.
//
// The slice aliases the shared mapping: it must not be used after Commit, Send, SendBatch or
// Close, and must not be retained.
func (c *Channel) TryClaim() ([]byte, error) {
	if c == nil || c.ch == nil {
		return nil, c.closedErr("try_claim")
	}
	var rc C.int64_t
	p := C.hftipc_go_try_claim(c.handle(), &rc)
	if rc != 0 {
		if rc == C.HFTIPC_EFULL {
			return nil, ErrFull
		}
		return nil, c.fail("try_claim", int(rc))
	}
	return unsafe.Slice((*byte)(p), c.maxPayload), nil
}

// Commit publishes the handle's outstanding claim (made by TryClaim or Claim) with a message
// of n bytes. ErrState if no claim is outstanding (never made, already committed or aborted,
// or used up by a Send); ErrTooBig if n exceeds MaxPayload (the claim stays).
func (c *Channel) Commit(n int) error {
	if c == nil || c.ch == nil {
		return c.closedErr("commit")
	}
	if n < 0 {
		return c.fail("commit", int(C.HFTIPC_EINVAL))
	}
	rc := C.hftipc_go_commit(c.handle(), C.size_t(n))
	if rc != 0 {
		return c.fail("commit", int(rc))
	}
	return nil
}

// Claim is a slot of a producer's ring reserved for writing one message in place, as
// returned by Channel.Claim. It is a small value: copy it freely; it does not allocate.
// Write the message into Bytes, then Commit it, or Abort it to publish nothing. A Claim is
// used up by its Commit or Abort, or by a Send or SendBatch on its Channel while it is
// outstanding (which publishes that message into the claimed slot); after that its Commit
// and Abort give ErrState, unless a later claim has the same sequence (an SPSC abort frees the
// slot for the next claim, see Sequence). The zero Claim is never outstanding.
type Claim struct {
	ch  *Channel
	seq int64
	buf []byte
}

// Claim reserves the next slot for writing in place (zero copy) and returns it. Nothing is
// visible to the consumer before Claim.Commit. ErrFull (bare, like Send) when the ring is
// full. A handle has one claim at most: calling Claim (or TryClaim) again before the claim is
// committed or aborted returns the same claim.
//
// A producer that dies, closes, or is taken over while it holds a claim leaves nothing stuck:
// an SPSC claim was never visible; the consumer of an MPSC channel skips it (Info.Abandoned).
func (c *Channel) Claim() (Claim, error) {
	if c == nil || c.ch == nil {
		return Claim{}, c.closedErr("claim")
	}
	var seq C.int64_t
	p := C.hftipc_go_claim(c.handle(), &seq)
	if seq < 0 {
		if seq == C.HFTIPC_EFULL {
			return Claim{}, ErrFull
		}
		return Claim{}, c.fail("claim", int(seq))
	}
	return Claim{ch: c, seq: int64(seq), buf: unsafe.Slice((*byte)(p), c.maxPayload)}, nil
}

// Sequence is the claim's position in the channel's message sequence; -1 for the zero Claim.
// An SPSC claim that is aborted leaves its slot unused, so the next claim has the same
// sequence (and the old Claim value then names it); MPSC sequences are never reused.
func (cl Claim) Sequence() int64 {
	if cl.ch == nil {
		return -1
	}
	return cl.seq
}

// Bytes is the claimed slot's payload area, MaxPayload bytes long; nil for the zero Claim.
// It aliases the shared mapping: write the message from index 0, and do not use or retain it
// after Commit, Abort, a Send or SendBatch on the Channel, or Close.
func (cl Claim) Bytes() []byte { return cl.buf }

// Commit publishes the claim as a message of its first n bytes. ErrState (wrapped) if the
// claim is not the Channel's outstanding claim (already committed or aborted, used up by a
// Send, or the zero Claim); ErrTooBig if n exceeds MaxPayload (the claim stays); ErrFenced if
// the role was taken over.
func (cl Claim) Commit(n int) error {
	c := cl.ch
	if c == nil {
		return errNoClaim("commit_claim")
	}
	if c.ch == nil {
		return c.closedErr("commit_claim")
	}
	if n < 0 {
		return c.fail("commit_claim", int(C.HFTIPC_EINVAL))
	}
	if rc := C.hftipc_go_commit_claim(c.handle(), C.int64_t(cl.seq), C.size_t(n)); rc != 0 {
		return c.fail("commit_claim", int(rc))
	}
	return nil
}

// Abort gives the claim up: nothing is published. In an SPSC channel the slot is simply not
// used; in an MPSC channel it becomes a skip record that the consumer and observers pass
// over without delivering anything (counted in Info.Aborted). ErrState (wrapped) as for
// Commit; ErrIncompat (wrapped) in an MPSC file created by a 1.0 library, which cannot hold
// skip records: the claim stays, so commit it (empty, if need be); ErrFenced if the role was
// taken over.
func (cl Claim) Abort() error {
	c := cl.ch
	if c == nil {
		return errNoClaim("abort_claim")
	}
	if c.ch == nil {
		return c.closedErr("abort_claim")
	}
	if rc := C.hftipc_go_abort_claim(c.handle(), C.int64_t(cl.seq)); rc != 0 {
		return c.fail("abort_claim", int(rc))
	}
	return nil
}

// errNoClaim is the error of the zero Claim's Commit and Abort.
func errNoClaim(op string) error {
	return &ChannelError{Op: op, Err: ErrState, Code: int(C.HFTIPC_ESTATE)}
}

// ---- Consumer and observer ----

// Receive copies the next message into buf, consumes it, and returns its length (0 is a
// valid, empty message). It never blocks: ErrEmpty when there is no message (returned bare,
// see Send). ErrBufferTooSmall if the message does not fit: nothing is consumed, and Peek
// tells the length. For an Observer, Receive reads without consuming and may return
// ErrLapped when the producer overwrote the message being read (it skips ahead).
func (c *Channel) Receive(buf []byte) (int, error) {
	if c == nil || c.ch == nil {
		return 0, c.closedErr("receive")
	}
	n := C.hftipc_go_receive(c.handle(), bytePtr(buf), C.size_t(len(buf)))
	if n >= 0 {
		return int(n), nil
	}
	if n == C.HFTIPC_EEMPTY {
		return 0, ErrEmpty
	}
	return 0, c.fail("receive", int(n))
}

// ReceiveBatch copies up to len(lens) messages back to back into buf, stores their lengths
// in lens, consumes them with one cursor update, and returns how many it received (at least
// one). It stops early at the first message that does not fit in the rest of buf.
// ErrEmpty (bare) when there is none; ErrBufferTooSmall if the first does not fit;
// ErrInvalid if lens is empty.
func (c *Channel) ReceiveBatch(buf []byte, lens []uint32) (int, error) {
	if c == nil || c.ch == nil {
		return 0, c.closedErr("receive_batch")
	}
	n := C.hftipc_go_receive_batch(c.handle(), bytePtr(buf), C.size_t(len(buf)),
		(*C.uint32_t)(unsafe.SliceData(lens)), C.size_t(len(lens)))
	if n >= 0 {
		return int(n), nil
	}
	if n == C.HFTIPC_EEMPTY {
		return 0, ErrEmpty
	}
	return 0, c.fail("receive_batch", int(n))
}

// Peek returns the oldest unconsumed message in place, without copying or consuming it.
// Calling Peek again returns the same message; Ack consumes it. ErrEmpty (bare) when there
// is none; ErrCorrupt for a slot with an impossible length (Ack skips it). Consumer only.
//
// The slice aliases the shared mapping: it is valid until Ack or Close, must not be
// retained, and must not be written to.
func (c *Channel) Peek() ([]byte, error) {
	if c == nil || c.ch == nil {
		return nil, c.closedErr("peek")
	}
	var n C.int64_t
	p := C.hftipc_go_peek(c.handle(), &n)
	if n < 0 {
		if n == C.HFTIPC_EEMPTY {
			return nil, ErrEmpty
		}
		return nil, c.fail("peek", int(n))
	}
	return unsafe.Slice((*byte)(p), int(n)), nil
}

// Ack consumes the oldest unconsumed message (the one Peek returns), invalidating the slice
// Peek returned. ErrEmpty (bare) when there is none.
func (c *Channel) Ack() error {
	if c == nil || c.ch == nil {
		return c.closedErr("ack")
	}
	rc := C.hftipc_go_ack(c.handle())
	if rc == 0 {
		return nil
	}
	if rc == C.HFTIPC_EEMPTY {
		return ErrEmpty
	}
	return c.fail("ack", int(rc))
}

// cgoNop makes one cgo call to a trivial C function (with the hot-path annotations); the
// crossing benchmark uses it to measure the fixed cost of a Go-to-C call.
func cgoNop() uint32 { return uint32(C.hftipc_version_number()) }

// cgoNopPlain is cgoNop without the noescape/nocallback annotations.
func cgoNopPlain() uint32 { return uint32(C.hftipc_channel_capacity(nil)) }
