/*
 * The SPSC ring over a raw mapped region: cursors and slots, no I/O (docs/FORMAT.md,
 * "Publish and consume protocol" and "Memory ordering").
 *
 * Invariants (sequence numbers are unsigned 64-bit and never wrap in practice):
 *   tail <= head <= tail + capacity, except that with commit words a producer that died between
 *   a commit and its head store can leave tail up to a ring ahead of head (FORMAT.md, section 5)
 *   slot of sequence s = slots + (s & mask) * slot_size
 *   messages [tail, head) are published and unconsumed; slots of [head, tail + capacity) free.
 *
 * Pairings (each release names its acquire):
 *   P1 producer store_release(head) -> consumer/observer load_acquire(head): the slot's length
 *      and payload writes happen-before the consumer's reads of them.
 *   C1 consumer store_release(tail) -> producer load_acquire(tail): the consumer's reads of a
 *      slot happen-before the producer's overwrite of it one lap later (no write-after-read).
 *   S1 producer store_release(slot.commit) -> consumer load_acquire(slot.commit), in files with
 *      commit words: the slot's length and payload writes happen-before the consumer's reads,
 *      without the consumer touching head.
 * The producer loads tail only when its cached copy says full; the consumer of a file with
 * commit words never loads head (it polls the slot), and of an older file loads head only when
 * its cached copy says empty. Publishing is plain release stores: no locked instruction on
 * x86-64.
 *
 * Everything read from the mapping is untrusted: a peer may write any value at any time.
 * Cursors are range-checked when loaded, a slot's length is loaded once into a local and
 * checked before use, and geometry comes from the handle, never from the mapping.
 */
#ifndef HFTIPC_RING_H
#define HFTIPC_RING_H

#include <stdint.h>
#include <string.h>

#include "atomic.h"
#include "format.h"
#include "hftipc.h"

typedef struct hftipc__ring {
    uint8_t *slots;
    hftipc__atomic_u64 *head;
    hftipc__atomic_u64 *tail;
    hftipc__atomic_u64 *full_count;
    uint64_t mask;
    uint64_t capacity;
    uint32_t slot_size;
    uint32_t max_payload;
    /* Producer: next sequence to write (its own head). Consumer: next sequence to consume (its
     * own tail). Observer: next sequence to read, private to the handle. */
    uint64_t position;
    /* Producer: last tail loaded. Consumer and observer: last head loaded. */
    uint64_t cached_peer;
} hftipc__ring;

static inline hftipc__slot *hftipc__ring_slot(const hftipc__ring *r, uint64_t seq)
{
    return (hftipc__slot *)(r->slots + (size_t)(seq & r->mask) * r->slot_size);
}

static inline uint8_t *hftipc__slot_payload(hftipc__slot *s)
{
    return (uint8_t *)s + HFTIPC_SLOT_HEADER_SIZE;
}

/* Copies `len` bytes from `src` to `dst`, touching only [src, src + len) and [dst, dst + len),
 * like memcpy. Messages of up to 64 bytes, the common case of batches, are copied inline with
 * two overlapping fixed-size moves instead of a call into the C library's memcpy, whose call and
 * size dispatch cost about 12 instructions per message on each side (callgrind;
 * docs/BENCHMARKS.md). Fixed-size memcpy calls compile to single loads and stores. */
static inline void hftipc__copy(void *dst, const void *src, size_t len)
{
    uint8_t *d = dst;
    const uint8_t *s = src;
    if (len <= 16) { /* the smallest first: fewest tests for the commonest batches */
        if (len >= 8) {
            uint64_t a, b;
            memcpy(&a, s, 8);
            memcpy(&b, s + len - 8, 8);
            memcpy(d, &a, 8);
            memcpy(d + len - 8, &b, 8);
        } else if (len >= 4) {
            uint32_t a, b;
            memcpy(&a, s, 4);
            memcpy(&b, s + len - 4, 4);
            memcpy(d, &a, 4);
            memcpy(d + len - 4, &b, 4);
        } else if (len != 0) {
            /* 1 to 3 bytes: first, middle and last cover every byte */
            uint8_t a = s[0], m = s[len / 2], z = s[len - 1];
            d[0] = a;
            d[len / 2] = m;
            d[len - 1] = z;
        }
    } else if (len <= 32) {
        uint8_t a[16], b[16];
        memcpy(a, s, 16);
        memcpy(b, s + len - 16, 16);
        memcpy(d, a, 16);
        memcpy(d + len - 16, b, 16);
    } else if (len <= 64) {
        /* four 16-byte temporaries, not two of 32: GCC keeps these in registers */
        uint8_t a[16], b[16], y[16], z[16];
        memcpy(a, s, 16);
        memcpy(b, s + 16, 16);
        memcpy(y, s + len - 32, 16);
        memcpy(z, s + len - 16, 16);
        memcpy(d, a, 16);
        memcpy(d + 16, b, 16);
        memcpy(d + len - 32, y, 16);
        memcpy(d + len - 16, z, 16);
    } else {
        memcpy(d, s, len);
    }
}

/* ---- Producer side ---- */

/* Free slots, loading the consumer's tail only when the cached value leaves fewer than
 * `wanted`. Returns the count (>= 0) or HFTIPC_ECORRUPT. */
static inline int64_t hftipc__ring_free(hftipc__ring *r, uint64_t wanted)
{
    uint64_t free_slots = r->capacity - (r->position - r->cached_peer);
    if (HFTIPC_LIKELY(free_slots >= wanted))
        return (int64_t)free_slots;
    /* Acquire pairs with C1: slots the consumer released are no longer being read. */
    uint64_t tail = hftipc__load_acquire_u64(r->tail);
    if (HFTIPC_UNLIKELY(r->position - tail > r->capacity))
        return HFTIPC_ECORRUPT;
    r->cached_peer = tail;
    return (int64_t)(r->capacity - (r->position - tail));
}

static inline void hftipc__ring_count_full(hftipc__ring *r)
{
    /* Statistics only, written by the single producer: no ordering needed. */
    hftipc__store_relaxed_u64(r->full_count, hftipc__load_relaxed_u64(r->full_count) + 1);
}

/* Free slots for a send of up to `wanted` messages: > 0, or HFTIPC_EFULL (counted in the
 * file's statistics), or HFTIPC_ECORRUPT. */
static inline int64_t hftipc__ring_reserve(hftipc__ring *r, uint64_t wanted)
{
    int64_t free_slots = hftipc__ring_free(r, wanted);
    if (HFTIPC_LIKELY(free_slots > 0))
        return free_slots;
    if (free_slots == 0) {
        hftipc__ring_count_full(r);
        return HFTIPC_EFULL;
    }
    return free_slots;
}

static inline void hftipc__ring_commit(const hftipc__ring *r, uint64_t seq);

/* Writes message `seq` into its slot (length and payload), not yet visible. */
static inline hftipc__slot *hftipc__ring_fill(const hftipc__ring *r, uint64_t seq, const void *msg,
                                              uint32_t len)
{
    hftipc__slot *s = hftipc__ring_slot(r, seq);
    /* Relaxed: ordered for the consumer by the release store of the commit word (S1) or of
     * head (P1). */
    hftipc__store_relaxed_u32(&s->length, len);
    hftipc__copy(hftipc__slot_payload(s), msg, len);
    return s;
}

static inline void hftipc__slot_commit(hftipc__slot *s, uint64_t seq);

/* Writes message `seq` into its slot and commits it (S1). In files without commit words the
 * commit store is ignored by readers, and head (P1) publishes the message. The slot's address
 * is computed once: after the copy's stores the compiler would reload the ring to compute it
 * again. */
static inline void hftipc__ring_write(hftipc__ring *r, uint64_t seq, const void *msg, uint32_t len)
{
    hftipc__slot_commit(hftipc__ring_fill(r, seq, msg, len), seq);
}

/* Writes `n` messages laid back to back in `data`, then commits them in order. Two passes: a
 * consumer polling commit words would otherwise start reading the batch's first slots while
 * the producer still writes their neighbours in the same cache lines, and the lines would
 * bounce once per message instead of once per batch. Committing in order keeps the committed
 * slots a prefix (what a restarted producer relies on, FORMAT.md section 5). */
static inline void hftipc__ring_write_batch(hftipc__ring *r, uint64_t first, const uint8_t *data,
                                            const uint32_t *lens, uint64_t n)
{
    /* A private copy of the geometry: the slot stores go through byte pointers, which may alias
     * *r as far as the compiler knows, so reading r in the loop would reload its fields once
     * per message (about 6 instructions each; docs/BENCHMARKS.md). */
    const hftipc__ring g = *r;
    for (uint64_t i = 0; i < n; i++) {
        hftipc__ring_fill(&g, first + i, data, lens[i]);
        data += lens[i];
    }
    for (uint64_t i = 0; i < n; i++)
        hftipc__ring_commit(&g, first + i);
}

static inline void hftipc__ring_publish(hftipc__ring *r, uint64_t new_head)
{
    r->position = new_head;
    /* P1: makes every slot write before it visible to an acquire load of head. */
    hftipc__store_release_u64(r->head, new_head);
    /* O1: keeps the next lap's slot writes after this head store, so an observer that saw
     * such a write also sees the head that announces it (observer.c). A compiler barrier only
     * on x86-64 (TSO keeps stores in order); on weakly ordered CPUs a full barrier instruction
     * (dmb ish on AArch64, lwsync on POWER): C11 has no store-store fence. */
    hftipc__fence_release();
}

/* ---- Consumer side ---- */

/* Published, unconsumed messages from `r->position`, loading the producer's head only when the
 * cached value says there are fewer than `wanted`. Returns the count (>= 0) or HFTIPC_ECORRUPT. */
static inline int64_t hftipc__ring_available(hftipc__ring *r, uint64_t wanted)
{
    uint64_t avail = r->cached_peer - r->position;
    if (HFTIPC_LIKELY(avail >= wanted))
        return (int64_t)avail;
    /* Acquire pairs with P1: the slots below head are fully written. */
    uint64_t head = hftipc__load_acquire_u64(r->head);
    if (HFTIPC_UNLIKELY(head - r->position > r->capacity))
        return HFTIPC_ECORRUPT;
    r->cached_peer = head;
    return (int64_t)(head - r->position);
}

/* Messages ready for a receive of up to `wanted`: > 0, HFTIPC_EEMPTY or HFTIPC_ECORRUPT. */
static inline int64_t hftipc__ring_ready(hftipc__ring *r, uint64_t wanted)
{
    int64_t avail = hftipc__ring_available(r, wanted);
    return HFTIPC_LIKELY(avail != 0) ? avail : HFTIPC_EEMPTY;
}

/* Length of the message at `seq`, loaded once (a hostile peer cannot make us use two different
 * values) and checked against the payload capacity. Returns the length or HFTIPC_ECORRUPT. */
static inline int64_t hftipc__slot_length(uint32_t max_payload, hftipc__slot *s,
                                          hftipc__slot **slot)
{
    /* Relaxed: ordered after the acquire load of head in hftipc__ring_available (P1) or of the
     * commit word in hftipc__ring_committed_length (S1). */
    uint32_t len = hftipc__load_relaxed_u32(&s->length);
    if (HFTIPC_UNLIKELY(len > max_payload))
        return HFTIPC_ECORRUPT;
    *slot = s;
    return len;
}

static inline int64_t hftipc__ring_length(const hftipc__ring *r, uint64_t seq, hftipc__slot **slot)
{
    return hftipc__slot_length(r->max_payload, hftipc__ring_slot(r, seq), slot);
}

/* Commit words (docs/FORMAT.md, "Slots"; every MPSC file, and SPSC files with the
 * SLOT_COMMIT flag): makes message `seq` visible to a consumer that polls the slot itself (S1).
 * The payload and length are already written. The consumer then needs no load of head, so one
 * cache line (the slot) carries a small message and its readiness together. */
static inline void hftipc__slot_commit(hftipc__slot *s, uint64_t seq)
{
    atomic_store_explicit(&s->commit, (uint32_t)(seq + 1), memory_order_release);
}

static inline void hftipc__ring_commit(const hftipc__ring *r, uint64_t seq)
{
    hftipc__slot_commit(hftipc__ring_slot(r, seq), seq);
}

/* Length of message `seq` if its commit word says it is whole (S1, acquire): the length,
 * HFTIPC_EEMPTY (not yet) or HFTIPC_ECORRUPT. */
static inline int64_t hftipc__ring_committed_length(const hftipc__ring *r, uint64_t seq,
                                                    hftipc__slot **slot)
{
    /* The slot's address and the limit are read before the acquire load: after it the
     * compiler would have to load the ring's fields again. */
    hftipc__slot *s = hftipc__ring_slot(r, seq);
    uint32_t max_payload = r->max_payload;
    if (hftipc__load_acquire_u32(&s->commit) != (uint32_t)(seq + 1)) /* S1 */
        return HFTIPC_EEMPTY;
    return hftipc__slot_length(max_payload, s, slot);
}

static inline void hftipc__ring_release(hftipc__ring *r, uint64_t new_tail)
{
    r->position = new_tail;
    /* C1: our reads of the released slots happen-before the producer reuses them. */
    hftipc__store_release_u64(r->tail, new_tail);
}

#endif
