/*
 * Private memory-ordering layer over C11 <stdatomic.h>.
 *
 * Every shared word in the mapping is reached through these helpers so that each use names
 * its order. The pairing of each release with its acquire is written at the call site
 * (see ring.h) and in docs/FORMAT.md, "Memory ordering".
 */
#ifndef HFTIPC_ATOMIC_H
#define HFTIPC_ATOMIC_H

#include <stdatomic.h>
#include <stdint.h>

typedef _Atomic uint64_t hftipc__atomic_u64;
typedef _Atomic uint32_t hftipc__atomic_u32;

_Static_assert(sizeof(hftipc__atomic_u64) == 8, "atomic u64 must have the plain layout");
_Static_assert(sizeof(hftipc__atomic_u32) == 4, "atomic u32 must have the plain layout");
_Static_assert(ATOMIC_LLONG_LOCK_FREE == 2, "64-bit atomics must be lock-free across processes");

static inline uint64_t hftipc__load_acquire_u64(const hftipc__atomic_u64 *p)
{
    return atomic_load_explicit((hftipc__atomic_u64 *)p, memory_order_acquire);
}

static inline uint64_t hftipc__load_relaxed_u64(const hftipc__atomic_u64 *p)
{
    return atomic_load_explicit((hftipc__atomic_u64 *)p, memory_order_relaxed);
}

static inline void hftipc__store_release_u64(hftipc__atomic_u64 *p, uint64_t v)
{
    atomic_store_explicit(p, v, memory_order_release);
}

static inline void hftipc__store_relaxed_u64(hftipc__atomic_u64 *p, uint64_t v)
{
    atomic_store_explicit(p, v, memory_order_relaxed);
}

static inline uint32_t hftipc__load_acquire_u32(const hftipc__atomic_u32 *p)
{
    return atomic_load_explicit((hftipc__atomic_u32 *)p, memory_order_acquire);
}

static inline uint32_t hftipc__load_relaxed_u32(const hftipc__atomic_u32 *p)
{
    return atomic_load_explicit((hftipc__atomic_u32 *)p, memory_order_relaxed);
}

static inline void hftipc__store_release_u32(hftipc__atomic_u32 *p, uint32_t v)
{
    atomic_store_explicit(p, v, memory_order_release);
}

static inline void hftipc__store_relaxed_u32(hftipc__atomic_u32 *p, uint32_t v)
{
    atomic_store_explicit(p, v, memory_order_relaxed);
}

/* Strong CAS with acq_rel on success (we publish our claim and observe the previous holder's
 * writes) and acquire on failure (we read the current holder's record). */
static inline int hftipc__cas_acq_rel_u64(hftipc__atomic_u64 *p, uint64_t *expected,
                                          uint64_t desired)
{
    return atomic_compare_exchange_strong_explicit(p, expected, desired, memory_order_acq_rel,
                                                   memory_order_acquire);
}

static inline uint64_t hftipc__fetch_add_relaxed_u64(hftipc__atomic_u64 *p, uint64_t v)
{
    return atomic_fetch_add_explicit(p, v, memory_order_relaxed);
}

static inline uint32_t hftipc__fetch_add_relaxed_u32(hftipc__atomic_u32 *p, uint32_t v)
{
    return atomic_fetch_add_explicit(p, v, memory_order_relaxed);
}

static inline uint32_t hftipc__fetch_sub_relaxed_u32(hftipc__atomic_u32 *p, uint32_t v)
{
    return atomic_fetch_sub_explicit(p, v, memory_order_relaxed);
}

/* Orders the plain reads of a copied-out slot before a following relaxed load (seqlock read
 * side, used by the observer to detect that a slot was overwritten while it copied). */
static inline void hftipc__fence_acquire(void)
{
    atomic_thread_fence(memory_order_acquire);
}

/* Orders the stores before it ahead of every access after it (see ring.h, O1). */
static inline void hftipc__fence_release(void)
{
    atomic_thread_fence(memory_order_release);
}

#if defined(__GNUC__) || defined(__clang__)
#define HFTIPC_LIKELY(x)   __builtin_expect(!!(x), 1)
#define HFTIPC_UNLIKELY(x) __builtin_expect(!!(x), 0)
#else
#define HFTIPC_LIKELY(x)   (x)
#define HFTIPC_UNLIKELY(x) (x)
#endif

#endif
