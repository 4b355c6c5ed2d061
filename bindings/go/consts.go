package hftipc

/*
#include "hftipc.h"
*/
import "C"

// The exported constants are written as literals so that the documentation shows values;
// this function, never called, fails to compile if any of them differs from hftipc.h
// (a constant index out of [0, 1) is a compile-time error).
func _() {
	var ok [1]struct{}
	_ = ok[Producer-C.HFTIPC_ROLE_PRODUCER]
	_ = ok[Consumer-C.HFTIPC_ROLE_CONSUMER]
	_ = ok[Observer-C.HFTIPC_ROLE_OBSERVER]
	_ = ok[ModeSPSC-C.HFTIPC_MODE_SPSC]
	_ = ok[ModeMPSC-C.HFTIPC_MODE_MPSC]
	_ = ok[MaxProducers-C.HFTIPC_MPSC_MAX_PRODUCERS]
	_ = ok[DefaultCapacity-C.HFTIPC_DEFAULT_CAPACITY]
	_ = ok[DefaultSlotSize-C.HFTIPC_DEFAULT_SLOT_SIZE]
	_ = ok[SlotHeaderSize-C.HFTIPC_SLOT_HEADER_SIZE]
	_ = ok[MinSlotSize-C.HFTIPC_MIN_SLOT_SIZE]
	_ = ok[MaxSlotSize-C.HFTIPC_MAX_SLOT_SIZE]
	_ = ok[MaxCapacity-C.HFTIPC_MAX_CAPACITY]
	_ = ok[PeerNone-C.HFTIPC_PEER_NONE]
	_ = ok[PeerAlive-C.HFTIPC_PEER_ALIVE]
	_ = ok[PeerDead-C.HFTIPC_PEER_DEAD]
	_ = ok[PeerUnknown-C.HFTIPC_PEER_UNKNOWN]
	_ = ok[TakeoverForce-C.HFTIPC_TAKEOVER_FORCE]
	_ = ok[EntryFile-C.HFTIPC_ENTRY_REGULAR]
	_ = ok[EntrySymlink-C.HFTIPC_ENTRY_SYMLINK]
	_ = ok[EntryDirectory-C.HFTIPC_ENTRY_DIRECTORY]
	_ = ok[EntryOther-C.HFTIPC_ENTRY_OTHER]
	_ = ok[Added-C.HFTIPC_WATCH_ADDED]
	_ = ok[Changed-C.HFTIPC_WATCH_CHANGED]
	_ = ok[Removed-C.HFTIPC_WATCH_REMOVED]
	_ = ok[len(statusErrors)-1+C.HFTIPC_STATUS_MIN] // one sentinel per status
}
