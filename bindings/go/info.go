package hftipc

/*
#include <stdlib.h>
#include "hftipc.h"

// The core's clock of the heartbeats (core/src/platform/platform.h, in the amalgamation):
// MonotonicNow must read the very clock the holders write, on every OS.
int64_t hftipc__monotonic_ns(void);
*/
import "C"

import (
	"strconv"
	"time"
	"unsafe"
)

// Liveness of a role holder, as seen from the calling process.
type Liveness uint32

const (
	PeerNone    Liveness = 0 // nobody holds the role
	PeerAlive   Liveness = 1 // the holder's process exists
	PeerDead    Liveness = 2 // the holder died; the role can be taken over
	PeerUnknown Liveness = 3 // the holder is in another pid namespace
)

func (l Liveness) String() string {
	switch l {
	case PeerNone:
		return "none"
	case PeerAlive:
		return "alive"
	case PeerDead:
		return "dead"
	case PeerUnknown:
		return "unknown"
	}
	return "Liveness(" + strconv.Itoa(int(l)) + ")"
}

// Holder describes the process holding the producer or consumer role.
type Holder struct {
	PID       uint32   // 0 when the role is free
	Liveness  Liveness // as seen from this process
	Epoch     uint64   // holders of the role so far
	Takeovers uint64   // times the role was taken over from a previous holder

	// Heartbeat is the holder's last sign of life (open, a blocking wait, Heartbeat) as a
	// CLOCK_MONOTONIC reading, that is time since boot (excluding suspend), the same clock
	// in every process on the machine; 0 when never recorded. Compare it with
	// MonotonicNow: MonotonicNow() - Heartbeat is the heartbeat's age.
	Heartbeat time.Duration
	// Waiting is true while the holder sleeps in a blocking wait (the producer for a free
	// slot, the consumer for a message).
	Waiting bool
}

// MonotonicNow returns the current CLOCK_MONOTONIC reading (time since boot), the clock of
// Holder.Heartbeat and of the staleness test of OpenTakeover and Takeover.
func MonotonicNow() time.Duration { return time.Duration(C.hftipc__monotonic_ns()) }

// Info is a decoded view of a channel file: geometry, cursors, counters and role holders.
type Info struct {
	FormatMajor, FormatMinor uint16
	CompatFlags              uint64
	IncompatFlags            uint64
	Capacity                 uint32
	SlotSize                 uint32
	MaxPayload               uint32
	Mode                     Mode
	FileSize                 uint64
	Head                     uint64 // messages ever published
	Tail                     uint64 // messages ever consumed
	Backlog                  uint64 // Head - Tail
	FullCount                uint64 // sends refused with ErrFull
	Created                  time.Time
	CreatorPID               uint32
	CreatorVersion           uint32 // HFTIPC_VERSION_NUMBER of the creating library
	// Producer describes the producer role holder. In an MPSC channel it is the first
	// producer record in use (the core reports one); ProducerCount says how many there are.
	Producer Holder
	Consumer Holder
	// ProducerCount is the number of producers holding the role: 0 or 1 for SPSC, up to
	// MaxProducers for MPSC.
	ProducerCount uint32
	// Abandoned counts the claimed MPSC slots the consumer skipped because their producer
	// died, closed or was taken over between Claim (or TryClaim) and Commit. Always 0 for
	// SPSC.
	Abandoned uint64
	// Aborted counts the skip records of aborted MPSC claims (Claim.Abort) the consumer passed
	// over. Always 0 for SPSC, whose aborted claims leave no trace.
	Aborted uint64
}

// Stats is the momentary state of an open channel, as returned by Channel.Stats.
type Stats = Info

func infoFromC(in *C.hftipc_info_t) Info {
	info := Info{
		FormatMajor:    uint16(in.format_major),
		FormatMinor:    uint16(in.format_minor),
		CompatFlags:    uint64(in.compat_flags),
		IncompatFlags:  uint64(in.incompat_flags),
		Capacity:       uint32(in.capacity),
		SlotSize:       uint32(in.slot_size),
		MaxPayload:     uint32(in.max_payload),
		Mode:           Mode(in.mode),
		FileSize:       uint64(in.file_size),
		Head:           uint64(in.head),
		Tail:           uint64(in.tail),
		Backlog:        uint64(in.backlog),
		FullCount:      uint64(in.full_count),
		CreatorPID:     uint32(in.creator_pid),
		CreatorVersion: uint32(in.creator_version),
		ProducerCount:  uint32(in.producer_count),
		Abandoned:      uint64(in.abandoned_count),
		Aborted:        uint64(in.aborted_count),
		Producer: Holder{PID: uint32(in.producer_pid), Liveness: Liveness(in.producer_liveness),
			Epoch: uint64(in.producer_epoch), Takeovers: uint64(in.producer_takeovers),
			Heartbeat: time.Duration(in.producer_heartbeat_ns), Waiting: in.producer_waiting != 0},
		Consumer: Holder{PID: uint32(in.consumer_pid), Liveness: Liveness(in.consumer_liveness),
			Epoch: uint64(in.consumer_epoch), Takeovers: uint64(in.consumer_takeovers),
			Heartbeat: time.Duration(in.consumer_heartbeat_ns), Waiting: in.consumer_waiting != 0},
	}
	if in.created_ns != 0 {
		info.Created = time.Unix(0, int64(in.created_ns))
	}
	return info
}

// Stats returns the channel's geometry, cursors, counters and role holders. The cursors are
// a momentary snapshot.
func (c *Channel) Stats() (Stats, error) {
	if c == nil || c.ch == nil {
		return Stats{}, c.closedErr("stats")
	}
	var in C.hftipc_info_t
	in.size = C.uint32_t(unsafe.Sizeof(in))
	if rc := C.hftipc_channel_stats(c.ch, &in); rc != 0 {
		return Stats{}, c.fail("stats", int(rc))
	}
	return infoFromC(&in), nil
}

// Inspect reads and validates the channel file at path without modifying it or taking a
// role. When validation fails, the returned Info still holds the fields decoded before the
// failing check (at least the format version once the magic matched), with the error.
func Inspect(path string) (Info, error) {
	cs, err := cpath("inspect", path)
	if err != nil {
		return Info{}, err
	}
	defer C.free(unsafe.Pointer(cs))
	var in C.hftipc_info_t
	in.size = C.uint32_t(unsafe.Sizeof(in))
	rc, errno := C.hftipc_inspect(cs, &in)
	info := infoFromC(&in)
	if rc != 0 {
		return info, newError("inspect", path, int(rc), errno)
	}
	return info, nil
}

// Remove retires the channel at path, then unlinks the path if it still names that file
// (docs/FORMAT.md, section 15). Every handle on it learns at once, in its slow paths: a send
// that finds the ring full, a receive that finds it empty (a consumer drains what is left
// first), a blocking call (sleepers are woken), Heartbeat and Stats return ErrStale from then
// on. Removing a file that is already retired unlinks it again.
func Remove(path string) error {
	cs, err := cpath("remove", path)
	if err != nil {
		return err
	}
	defer C.free(unsafe.Pointer(cs))
	rc, errno := C.hftipc_channel_remove(cs)
	if rc != 0 {
		return newError("remove", path, int(rc), errno)
	}
	return nil
}

// Version returns the version of the C core compiled into the package, as "MAJOR.MINOR.PATCH".
func Version() string { return C.GoString(C.hftipc_version_string()) }

// FormatVersion returns the channel file format version the core writes.
func FormatVersion() (major, minor int) { return C.HFTIPC_FORMAT_MAJOR, C.HFTIPC_FORMAT_MINOR }
