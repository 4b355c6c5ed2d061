/*
 * boost_ring: boost::lockfree::spsc_queue in shared memory, a same-run baseline of hftipc_bench
 * (issue 14: "C++ boost::lockfree::spsc_queue in shared memory, push/pop").
 *
 * Why it exists: it is the queue a C++ user would otherwise pick for one producer and one
 * consumer, so hftipc's per-message and batch paths are judged against it in the same run. The
 * queue is used as a user would use it: a compile-time capacity (its storage lives inside the
 * object, so the object can sit in a shared mapping and serve two processes after fork), one
 * fixed-size element per message, push/pop one at a time or the array push/pop. The loops are in
 * bench/boost_ring.cpp, so the queue's calls inline as in a C++ program.
 *
 * Messages have the layout of hftipc_bench's: the sequence number in the first 8 bytes and, from
 * 16 bytes on, `tail_mark` in the last 8; the consumer checks both on every message.
 *
 * Built only when CMake finds the Boost headers (bench/CMakeLists.txt defines
 * HFTIPC_BENCH_BOOST); otherwise the functions below report every size unsupported and
 * hftipc_bench leaves the boost rows out, saying why.
 */
#ifndef HFTIPC_BENCH_BOOST_RING_H
#define HFTIPC_BENCH_BOOST_RING_H

#include <stddef.h>
#include <stdint.h>

/* Elements per queue: spsc_queue's capacity is a template argument, fixed here. */
#define BOOST_RING_CAPACITY 4096u

/* Called while waiting for the peer (queue full or empty); returns nonzero to give up. */
typedef int (*boost_ring_wait_fn)(void);

#ifdef __cplusplus
extern "C" {
#endif

#ifdef HFTIPC_BENCH_BOOST

/* Bytes of shared memory for a queue of `size`-byte messages, or 0 if no queue type was
 * compiled for that size (see BOOST_RING_SIZES in boost_ring.cpp). */
size_t boost_ring_bytes(size_t size);

/* Construct the queue in `mem` (boost_ring_bytes(size) bytes, aligned to 64; a fresh shared
 * mapping is). */
void boost_ring_init(void *mem, size_t size);

/* Destroy the queue constructed in `mem`, after both sides are done with it. */
void boost_ring_destroy(void *mem, size_t size);

/* Producer: push `count` messages numbered 0..count-1, one per push() when `batch` is 0, else
 * up to `batch` per array push(). Returns 0, or -1 when `wait` gave up. */
int boost_ring_produce(void *mem, size_t size, uint64_t count, uint32_t batch, uint64_t tail_mark,
                       boost_ring_wait_fn wait);

/* Consumer: pop and check `count` messages, one per pop() when `batch` is 0, else up to `batch`
 * per array pop(). Returns the number popped in sequence and intact; on a bad message or when
 * `wait` gave up it returns fewer and, for a bad message, writes why to `err`. */
uint64_t boost_ring_consume(void *mem, size_t size, uint64_t count, uint32_t batch,
                            uint64_t tail_mark, boost_ring_wait_fn wait, char *err, size_t err_len);

#define BOOST_RING_BUILT 1

#else /* built without the Boost headers: no size is supported and no case runs */

static inline size_t boost_ring_bytes(size_t size)
{
    (void)size;
    return 0;
}
static inline void boost_ring_init(void *mem, size_t size)
{
    (void)mem;
    (void)size;
}
static inline void boost_ring_destroy(void *mem, size_t size)
{
    (void)mem;
    (void)size;
}
static inline int boost_ring_produce(void *mem, size_t size, uint64_t count, uint32_t batch,
                                     uint64_t tail_mark, boost_ring_wait_fn wait)
{
    (void)mem, (void)size, (void)count, (void)batch, (void)tail_mark, (void)wait;
    return -1;
}
static inline uint64_t boost_ring_consume(void *mem, size_t size, uint64_t count, uint32_t batch,
                                          uint64_t tail_mark, boost_ring_wait_fn wait, char *err,
                                          size_t err_len)
{
    (void)mem, (void)size, (void)count, (void)batch, (void)tail_mark, (void)wait, (void)err,
        (void)err_len;
    return 0;
}

#define BOOST_RING_BUILT 0

#endif

#ifdef __cplusplus
}
#endif

#endif
