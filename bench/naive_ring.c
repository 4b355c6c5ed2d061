/*
 * naive_ring: reproduction of the OLD library's SPSC ring, as a baseline for hftipc_bench.
 *
 * What it reproduces, on purpose (each is a cost hftipc's ring.h was designed to remove):
 *  1. Fixed 512-byte slots (plus an 8-byte length word), whatever the message size: an 8-byte
 *     message still strides over 520 bytes of mapping, so small messages touch ~8 cache lines
 *     per slot stride instead of a fraction of one.
 *  2. Head, Tail and Capacity words at the very start of the shared mapping, next to each
 *     other: the producer's and the consumer's cursors share one cache line (false sharing),
 *     so every publish by one side invalidates the line the other side is writing.
 *  3. BOTH cursors loaded with seq_cst atomics on every operation (no cached copy of the
 *     peer's cursor), so every send and every receive pulls the peer's line across cores.
 *  4. Modulo indexing, `seq % capacity`, with the capacity read from the mapping at run time:
 *     the compiler cannot know it is a power of two and emits a 64-bit `div` per operation.
 *  5. Publishing with an atomic fetch_add (a `lock xadd` on x86-64: a full barrier) instead of
 *     a plain release store.
 * The slot area is given the benefit of 64-byte alignment; nothing else is tuned.
 * The functions live in their own translation unit so that the capacity cannot be
 * constant-folded into the benchmark loops.
 */
#include "naive_ring.h"

#include <stdatomic.h>
#include <string.h>

typedef struct naive_hdr {
    _Atomic uint64_t head;     /* Head: written by the producer */
    _Atomic uint64_t tail;     /* Tail: written by the consumer, same cache line as Head */
    _Atomic uint64_t capacity; /* Capacity: read on every operation */
} naive_hdr;

#define NAIVE_SLOTS_OFFSET 64u
#define NAIVE_SLOT_STRIDE  (8u + NAIVE_SLOT_PAYLOAD)

size_t naive_ring_bytes(uint64_t capacity)
{
    return NAIVE_SLOTS_OFFSET + (size_t)capacity * NAIVE_SLOT_STRIDE;
}

void naive_ring_init(void *mem, uint64_t capacity)
{
    naive_hdr *h = mem;
    atomic_store(&h->head, 0);
    atomic_store(&h->tail, 0);
    atomic_store(&h->capacity, capacity);
}

static unsigned char *slot_at(void *mem, uint64_t seq, uint64_t capacity)
{
    return (unsigned char *)mem + NAIVE_SLOTS_OFFSET + (size_t)(seq % capacity) * NAIVE_SLOT_STRIDE;
}

int naive_ring_send(void *mem, const void *msg, uint32_t len)
{
    naive_hdr *h = mem;
    uint64_t capacity = atomic_load(&h->capacity);
    uint64_t head = atomic_load(&h->head); /* seq_cst, every call */
    uint64_t tail = atomic_load(&h->tail); /* seq_cst, every call */
    if (head - tail >= capacity || len > NAIVE_SLOT_PAYLOAD)
        return -1;
    unsigned char *s = slot_at(mem, head, capacity);
    memcpy(s, &len, sizeof len);
    memcpy(s + 8, msg, len);
    atomic_fetch_add(&h->head, 1); /* lock xadd: publishes the slot */
    return 0;
}

int64_t naive_ring_receive(void *mem, void *buf, size_t buf_len)
{
    naive_hdr *h = mem;
    uint64_t capacity = atomic_load(&h->capacity);
    uint64_t head = atomic_load(&h->head);
    uint64_t tail = atomic_load(&h->tail);
    if (head == tail)
        return -1;
    unsigned char *s = slot_at(mem, tail, capacity);
    uint32_t len;
    memcpy(&len, s, sizeof len);
    if (len > buf_len || len > NAIVE_SLOT_PAYLOAD)
        return -2;
    memcpy(buf, s + 8, len);
    atomic_fetch_add(&h->tail, 1); /* lock xadd: frees the slot */
    return len;
}
