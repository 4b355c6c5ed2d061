/* Part of the Go binding, not of the C core: thin wrappers the cgo preambles of channel.go and
 * wait.go call instead of the core's copying functions.
 *
 * They take the payload as a byte pointer instead of void *. For a pointer to memory that
 * cannot hold Go pointers cgo emits no argument check, while every unsafe.Pointer argument
 * costs a runtime.cgoCheckPointer call (a heap-span lookup) per call: 10-12 ns of a 45-60 ns
 * Send or Receive, and about a fifth of a consumer's time in the cross-process benchmark.
 * Being static inline, they compile into cgo's call stubs; the core is called unchanged. */
#ifndef HFTIPC_GO_H
#define HFTIPC_GO_H

#include <stdint.h>
#include "hftipc.h"

static inline int hftipc_go_send(hftipc_channel_t *ch, const uint8_t *msg, size_t len)
{
    return hftipc_channel_send(ch, msg, len);
}

static inline int64_t hftipc_go_receive(hftipc_channel_t *ch, uint8_t *buf, size_t len)
{
    return hftipc_channel_receive(ch, buf, len);
}

static inline int64_t hftipc_go_send_batch(hftipc_channel_t *ch, const uint8_t *data, size_t len,
                                           const uint32_t *lens, size_t count)
{
    return hftipc_channel_send_batch(ch, data, len, lens, count);
}

static inline int64_t hftipc_go_receive_batch(hftipc_channel_t *ch, uint8_t *buf, size_t len,
                                              uint32_t *lens, size_t count)
{
    return hftipc_channel_receive_batch(ch, buf, len, lens, count);
}

static inline int hftipc_go_send_wait(hftipc_channel_t *ch, const uint8_t *msg, size_t len,
                                      int64_t timeout_ns)
{
    return hftipc_channel_send_wait(ch, msg, len, timeout_ns);
}

static inline int64_t hftipc_go_receive_wait(hftipc_channel_t *ch, uint8_t *buf, size_t len,
                                             int64_t timeout_ns)
{
    return hftipc_channel_receive_wait(ch, buf, len, timeout_ns);
}

#endif
