/*
 * The channel file layout (docs/FORMAT.md, "Layout"). This is the only code that knows offsets.
 * Every field another language could read is pinned by a _Static_assert below.
 */
#ifndef HFTIPC_FORMAT_H
#define HFTIPC_FORMAT_H

#include <stddef.h>
#include <stdint.h>

#include "atomic.h"
#include "hftipc.h"

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "hftipc format v1 is little-endian; a big-endian port must byte-swap every field"
#endif

#define HFTIPC__MAGIC         "\x89HFTIPC\n"
#define HFTIPC__MAGIC_LEN     8
#define HFTIPC__HEADER_SIZE   4096u
#define HFTIPC__STATE_READY   0x59444552u /* "REDY" read as little-endian bytes */
#define HFTIPC__MAX_FILE_SIZE (1ull << 40)

/* Feature flags known to this library (docs/FORMAT.md, section 14). */
/* SLOT_COMMIT (format 1.1): every slot's commit word is written, and consumers detect messages
 * by it instead of by head. Incompat: a reader that ignored it could pair with a writer that
 * leaves commit words at zero, and its consumer would wait forever. */
#define HFTIPC__INCOMPAT_SLOT_COMMIT  HFTIPC_INCOMPAT_SLOT_COMMIT
#define HFTIPC__INCOMPAT_SKIP_RECORDS HFTIPC_INCOMPAT_SKIP_RECORDS

/* A committed slot with this length is a skip record (an aborted MPSC claim, FORMAT.md 2.5):
 * consumers and observers pass over it. Above every valid length (at most 2^26 - 8). */
#define HFTIPC__SLOT_SKIP 0xFFFFFFFFu

/* The `retired` word of a channel that hftipc_channel_remove() retired (FORMAT.md section 15):
 * the bytes "ETRD" read as little-endian. */
#define HFTIPC__RETIRED              0x44525445u
#define HFTIPC__KNOWN_COMPAT_FLAGS   0ull
#define HFTIPC__KNOWN_INCOMPAT_FLAGS HFTIPC_INCOMPAT_KNOWN

/* Role holder record (docs/FORMAT.md, "Role holders"). `owner` packs pid and start time so that
 * one CAS claims the role and a reused pid never matches the old holder. */
#define HFTIPC__OWNER_PID_BITS 22
#define HFTIPC__OWNER_PID_MASK ((1ull << HFTIPC__OWNER_PID_BITS) - 1)

typedef struct hftipc__holder {
    hftipc__atomic_u64 owner;       /* 0 = free; else pid | (start_time_ticks << 22) */
    hftipc__atomic_u64 epoch;       /* incremented by each new holder */
    hftipc__atomic_u64 pidns;       /* inode of the holder's pid namespace, 0 if unknown */
    hftipc__atomic_u64 acquired_ns; /* CLOCK_REALTIME when the role was taken */
    hftipc__atomic_u64 takeovers;   /* times the role was taken from a dead holder */
    /* Format 1.1 (zero in 1.0 files): */
    hftipc__atomic_u64 heartbeat_ns; /* CLOCK_MONOTONIC of the holder's last sign of life */
    hftipc__atomic_u32 wake_capable; /* 1: the holder wakes sleepers after every publish */
    uint32_t pad;
    /* MPSC producer records only: the holder's claimed, not yet committed slots, written
     * before the claim CAS so a consumer can tell an abandoned claim from a slow one. */
    hftipc__atomic_u64 pending_first; /* first claimed sequence + 1; 0: none */
    hftipc__atomic_u32 pending_count; /* slots in the claim */
    uint32_t reserved_68;
    /* Format 1.2: (epoch << 1) | busy, written by the holder around every operation, so that a
     * takeover can prove it idle (docs/FORMAT.md, "Fencing", F1). */
    hftipc__atomic_u64 active;
    /* Format 1.2, MPSC producer records: the holder's sleeper tag while it sleeps, else 0. */
    hftipc__atomic_u32 waiting;
    uint8_t reserved[44];
} hftipc__holder;

typedef struct hftipc__header {
    /* Identity block: written by the initialiser, immutable once init_state is READY. */
    uint8_t magic[8];
    uint16_t format_major;
    uint16_t format_minor;
    uint32_t header_size;
    uint64_t compat_flags;
    uint64_t incompat_flags;
    uint32_t capacity;
    uint32_t slot_size;
    uint32_t mode;
    hftipc__atomic_u32 init_state;
    uint64_t file_size;
    uint64_t created_ns;
    uint32_t creator_pid;
    uint32_t creator_version;
    uint8_t identity_reserved[56];

    /* Producer block: written only by the producer. Own 128-byte span (adjacent-line prefetch
     * pairs 64-byte lines, so 128 keeps the consumer's span off the producer's pair). */
    hftipc__atomic_u64 head;
    hftipc__atomic_u64 full_count;
    uint8_t producer_reserved[112];

    /* Consumer block: written only by the consumer. */
    hftipc__atomic_u64 tail;
    hftipc__atomic_u64 abandoned_count; /* MPSC: claimed slots skipped after their claimer died */
    hftipc__atomic_u64 aborted_count;   /* MPSC, 1.2: skip records (aborted claims) passed over */
    uint8_t consumer_reserved[104];

    hftipc__holder producer_holder;
    hftipc__holder consumer_holder;

    /* Wait block (format 1.1): set by a side about to sleep, read after every publish by the
     * other. Written only around sleeps, so it stays cached on the reading side. */
    hftipc__atomic_u32 consumer_waiting; /* a consumer sleeps on the low word of head */
    hftipc__atomic_u32 producer_waiting; /* a producer sleeps on the low word of tail */
    /* Format 1.2: HFTIPC__RETIRED once hftipc_channel_remove() retired the channel. */
    hftipc__atomic_u32 retired;
    uint8_t wait_reserved[116];

    uint8_t reserved_768[256];

    /* MPSC producer table (format 1.1, mode 2): one holder record per producer process. */
    hftipc__holder mpsc_producers[HFTIPC_MPSC_MAX_PRODUCERS];

    uint8_t reserved[HFTIPC__HEADER_SIZE - 1024 - 128 * HFTIPC_MPSC_MAX_PRODUCERS];
} hftipc__header;

/* Slot header (docs/FORMAT.md, "Slots"). */
typedef struct hftipc__slot {
    hftipc__atomic_u32 length; /* payload bytes; <= slot_size - 8 */
    hftipc__atomic_u32 commit; /* SPSC: 0. MPSC: (uint32_t)(seq + 1) once the message is whole */
} hftipc__slot;

_Static_assert(sizeof(hftipc__header) == HFTIPC__HEADER_SIZE, "header is one 4 KiB page");
_Static_assert(offsetof(hftipc__header, magic) == 0, "FORMAT.md offset");
_Static_assert(offsetof(hftipc__header, format_major) == 8, "FORMAT.md offset");
_Static_assert(offsetof(hftipc__header, format_minor) == 10, "FORMAT.md offset");
_Static_assert(offsetof(hftipc__header, header_size) == 12, "FORMAT.md offset");
_Static_assert(offsetof(hftipc__header, compat_flags) == 16, "FORMAT.md offset");
_Static_assert(offsetof(hftipc__header, incompat_flags) == 24, "FORMAT.md offset");
_Static_assert(offsetof(hftipc__header, capacity) == 32, "FORMAT.md offset");
_Static_assert(offsetof(hftipc__header, slot_size) == 36, "FORMAT.md offset");
_Static_assert(offsetof(hftipc__header, mode) == 40, "FORMAT.md offset");
_Static_assert(offsetof(hftipc__header, init_state) == 44, "FORMAT.md offset");
_Static_assert(offsetof(hftipc__header, file_size) == 48, "FORMAT.md offset");
_Static_assert(offsetof(hftipc__header, created_ns) == 56, "FORMAT.md offset");
_Static_assert(offsetof(hftipc__header, creator_pid) == 64, "FORMAT.md offset");
_Static_assert(offsetof(hftipc__header, creator_version) == 68, "FORMAT.md offset");
_Static_assert(offsetof(hftipc__header, head) == 128, "FORMAT.md offset");
_Static_assert(offsetof(hftipc__header, full_count) == 136, "FORMAT.md offset");
_Static_assert(offsetof(hftipc__header, tail) == 256, "FORMAT.md offset");
_Static_assert(offsetof(hftipc__header, producer_holder) == 384, "FORMAT.md offset");
_Static_assert(offsetof(hftipc__header, consumer_holder) == 512, "FORMAT.md offset");
_Static_assert(offsetof(hftipc__holder, owner) == 0, "FORMAT.md offset");
_Static_assert(offsetof(hftipc__holder, epoch) == 8, "FORMAT.md offset");
_Static_assert(offsetof(hftipc__holder, pidns) == 16, "FORMAT.md offset");
_Static_assert(offsetof(hftipc__holder, acquired_ns) == 24, "FORMAT.md offset");
_Static_assert(offsetof(hftipc__holder, takeovers) == 32, "FORMAT.md offset");
_Static_assert(offsetof(hftipc__holder, heartbeat_ns) == 40, "FORMAT.md offset");
_Static_assert(offsetof(hftipc__holder, wake_capable) == 48, "FORMAT.md offset");
_Static_assert(offsetof(hftipc__header, consumer_waiting) == 640, "FORMAT.md offset");
_Static_assert(offsetof(hftipc__header, retired) == 648, "FORMAT.md offset");
_Static_assert(offsetof(hftipc__header, abandoned_count) == 264, "FORMAT.md offset");
_Static_assert(offsetof(hftipc__header, mpsc_producers) == 1024, "FORMAT.md offset");
_Static_assert(offsetof(hftipc__holder, pending_first) == 56, "FORMAT.md offset");
_Static_assert(offsetof(hftipc__holder, pending_count) == 64, "FORMAT.md offset");
_Static_assert(offsetof(hftipc__holder, active) == 72, "FORMAT.md offset");
_Static_assert(offsetof(hftipc__holder, waiting) == 80, "FORMAT.md offset");
_Static_assert(offsetof(hftipc__header, aborted_count) == 272, "FORMAT.md offset");
_Static_assert(offsetof(hftipc__slot, commit) == 4, "FORMAT.md offset");
_Static_assert(offsetof(hftipc__header, producer_waiting) == 644, "FORMAT.md offset");
_Static_assert(sizeof(hftipc__holder) == 128, "holder record is 128 bytes");
_Static_assert(sizeof(hftipc__slot) == 8, "slot header is 8 bytes");

/* Validated geometry: a private copy taken at open, never re-read from the shared mapping. */
typedef struct hftipc__geometry {
    uint32_t capacity;
    uint32_t slot_size;
    uint32_t mode;
    uint64_t file_size;
    uint64_t incompat_flags; /* as validated: only flags this library knows */
} hftipc__geometry;

/* Checks capacity, slot size, mode and the size limit; fills g->file_size. */
int hftipc__geometry_check(hftipc__geometry *g);

/* Writes a complete v1 header into `hdr` (HFTIPC__HEADER_SIZE zeroed bytes) except the final
 * READY state, which the caller publishes with release order once the file is sized. */
void hftipc__header_encode(hftipc__header *hdr, const hftipc__geometry *g, uint64_t created_ns,
                           uint32_t creator_pid);

/* Publishes the header: init_state = READY with release order. */
void hftipc__header_publish(hftipc__header *hdr);

/* Validates `len` bytes of a header copy against the reader checks of docs/FORMAT.md, in their
 * order, and the actual file size. Fills `g` on success. Never reads beyond `len`. */
int hftipc__header_validate(const void *buf, size_t len, uint64_t actual_file_size,
                            hftipc__geometry *g);

/* Checks that cursors read from the file are consistent with the capacity. In files with
 * commit words the consumer may be up to a ring ahead of a head that a producer died before
 * storing (docs/FORMAT.md, section 5, "Crash of the producer"). */
int hftipc__cursors_check(uint64_t head, uint64_t tail, const hftipc__geometry *g);

/* Fills `info` from a header: the live mapping (stats) or a private copy (inspect), with role
 * holders' liveness when `with_liveness`. `producer` is the record the producer_* fields describe
 * in MPSC files (NULL: the first in use). */
void hftipc__info_fill(const hftipc__header *hdr, int with_liveness, const hftipc__holder *producer,
                       hftipc_info_t *info);

/* Copies at most the caller's declared info->size bytes of `full` into `info`. */
int hftipc__info_deliver(const hftipc_info_t *full, hftipc_info_t *info);

#endif
