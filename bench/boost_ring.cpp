// boost_ring: boost::lockfree::spsc_queue in shared memory, the C++ baseline of hftipc_bench.
// See boost_ring.h for why it exists and how hftipc_bench uses it.
//
// One queue type per message size: spsc_queue<msg<S>, capacity<BOOST_RING_CAPACITY>> keeps its
// elements inside the object (no allocator, no pointer), and its two indices are
// std::atomic<size_t>, lock-free on every platform hftipc builds for (checked at compile time
// below). So a queue constructed in a MAP_SHARED mapping before fork is one queue for both
// processes, exactly as boost documents it for two threads. Its own memory orders are boost's:
// push stores the write index with release after writing the element, pop loads it with
// acquire before reading the element, and the reverse pair for the read index.
//
// The element is the bare message, alignment 1, as a C++ user would declare it; boost puts the
// elements right after its two indices (at offset 72 of the object on x86-64), so 64-byte
// elements straddle cache lines and neighbours share them. That is the baseline as users get
// it; it is not padded here.
#include "boost_ring.h"

#include <boost/lockfree/spsc_queue.hpp>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <cstring>
#include <new>
#include <vector>

namespace
{

static_assert(std::atomic<size_t>::is_always_lock_free,
              "spsc_queue's indices must be lock-free to be shared between processes");

template <size_t S> struct msg {
    unsigned char b[S];
};

template <size_t S>
using queue = boost::lockfree::spsc_queue<msg<S>, boost::lockfree::capacity<BOOST_RING_CAPACITY>>;

// The message layout of hftipc_bench's msg_init/msg_set_seq/msg_check.
template <size_t S> void msg_init(msg<S> &m, uint64_t mark)
{
    std::memset(m.b, 0xa5, S);
    if (S >= 16)
        std::memcpy(m.b + S - 8, &mark, 8);
}

template <size_t S> inline void msg_set_seq(msg<S> &m, uint64_t seq)
{
    std::memcpy(m.b, &seq, 8);
}

template <size_t S>
inline bool msg_ok(const msg<S> &m, uint64_t expected, uint64_t mark, char *err, size_t err_len)
{
    uint64_t seq, tail = mark;
    std::memcpy(&seq, m.b, 8);
    if (S >= 16)
        std::memcpy(&tail, m.b + S - 8, 8);
    if (seq != expected) {
        std::snprintf(err, err_len, "boost spsc_queue: sequence error: got %llu, expected %llu",
                      (unsigned long long)seq, (unsigned long long)expected);
        return false;
    }
    if (tail != mark) {
        std::snprintf(err, err_len, "boost spsc_queue: message %llu: damaged tail bytes",
                      (unsigned long long)expected);
        return false;
    }
    return true;
}

template <size_t S>
int produce(void *mem, uint64_t n, uint32_t batch, uint64_t mark, boost_ring_wait_fn wait)
{
    queue<S> &q = *static_cast<queue<S> *>(mem);
    if (batch == 0) {
        msg<S> m;
        msg_init(m, mark);
        for (uint64_t i = 0; i < n; i++) {
            msg_set_seq(m, i);
            while (!q.push(m))
                if (wait())
                    return -1;
        }
        return 0;
    }
    // The same shape as hftipc_bench's send_batch producer: number up to `batch` messages, then
    // push what fits until all are in.
    std::vector<msg<S>> buf(batch);
    for (auto &m : buf)
        msg_init(m, mark);
    for (uint64_t i = 0; i < n;) {
        const size_t k = static_cast<size_t>(std::min<uint64_t>(n - i, batch));
        for (size_t j = 0; j < k; j++)
            msg_set_seq(buf[j], i + j);
        for (size_t off = 0; off < k;) {
            const size_t r = q.push(buf.data() + off, k - off);
            if (r == 0 && wait())
                return -1;
            off += r;
        }
        i += k;
    }
    return 0;
}

template <size_t S>
uint64_t consume(void *mem, uint64_t n, uint32_t batch, uint64_t mark, boost_ring_wait_fn wait,
                 char *err, size_t err_len)
{
    queue<S> &q = *static_cast<queue<S> *>(mem);
    uint64_t next = 0;
    if (batch == 0) {
        msg<S> m;
        while (next < n) {
            if (!q.pop(m)) {
                if (wait())
                    return next;
                continue;
            }
            if (!msg_ok(m, next, mark, err, err_len))
                return next;
            next++;
        }
        return next;
    }
    std::vector<msg<S>> buf(batch);
    while (next < n) {
        // Never pop more than remain: the producer sends exactly n.
        const size_t r =
            q.pop(buf.data(), static_cast<size_t>(std::min<uint64_t>(n - next, batch)));
        if (r == 0) {
            if (wait())
                return next;
            continue;
        }
        for (size_t j = 0; j < r; j++) {
            if (!msg_ok(buf[j], next, mark, err, err_len))
                return next;
            next++;
        }
    }
    return next;
}

} // namespace

// The sizes a queue type is compiled for: hftipc_bench's default sizes, the one-line message
// of the round-trip target (56), and a few more for -s. Others are reported unsupported.
#define BOOST_RING_SIZES(X) X(8) X(16) X(24) X(32) X(48) X(56) X(64) X(128) X(256) X(512) X(1016)

extern "C" size_t boost_ring_bytes(size_t size)
{
    switch (size) {
#define X(S)                                                                                       \
    case S:                                                                                        \
        return sizeof(queue<S>);
        BOOST_RING_SIZES(X)
#undef X
    default:
        return 0;
    }
}

extern "C" void boost_ring_init(void *mem, size_t size)
{
    switch (size) {
#define X(S)                                                                                       \
    case S:                                                                                        \
        new (mem) queue<S>();                                                                      \
        break;
        BOOST_RING_SIZES(X)
#undef X
    default:
        break;
    }
}

extern "C" void boost_ring_destroy(void *mem, size_t size)
{
    switch (size) {
#define X(S)                                                                                       \
    case S:                                                                                        \
        static_cast<queue<S> *>(mem)->~queue<S>();                                                 \
        break;
        BOOST_RING_SIZES(X)
#undef X
    default:
        break;
    }
}

extern "C" int boost_ring_produce(void *mem, size_t size, uint64_t count, uint32_t batch,
                                  uint64_t tail_mark, boost_ring_wait_fn wait)
{
    switch (size) {
#define X(S)                                                                                       \
    case S:                                                                                        \
        return produce<S>(mem, count, batch, tail_mark, wait);
        BOOST_RING_SIZES(X)
#undef X
    default:
        return -1;
    }
}

extern "C" uint64_t boost_ring_consume(void *mem, size_t size, uint64_t count, uint32_t batch,
                                       uint64_t tail_mark, boost_ring_wait_fn wait, char *err,
                                       size_t err_len)
{
    switch (size) {
#define X(S)                                                                                       \
    case S:                                                                                        \
        return consume<S>(mem, count, batch, tail_mark, wait, err, err_len);
        BOOST_RING_SIZES(X)
#undef X
    default:
        std::snprintf(err, err_len, "boost spsc_queue: no queue type for %zu-byte messages", size);
        return 0;
    }
}
