/* Part of the Go binding, not of the C core: thin wrappers the cgo preambles of channel.go and
 * wait.go call instead of the core's copying functions, so that cgo emits no argument check.
 *
 * cgo checks every pointer argument that may point to memory holding Go pointers, with a
 * runtime.cgoCheckPointer call (a heap-span lookup for a Go pointer): an unsafe.Pointer payload
 * (void *) is checked, and so is the channel handle, since cgo cannot see inside the opaque
 * hftipc_channel_t. So the wrappers take the payload as a byte pointer, which is not checked,
 * and the handle as an integer; the handle is C memory (malloc'd by the core), which the Go
 * collector neither moves nor frees. Callgrind, one Send plus one Receive of 64 bytes in one
 * goroutine: 1407 instructions with both checks, 1010 without the payload's, 908 without
 * either. Being static inline, the wrappers compile into cgo's call stubs; the core is called
 * unchanged. */
#ifndef HFTIPC_GO_H
#define HFTIPC_GO_H

#include <stdint.h>
#include "hftipc.h"

static inline int hftipc_go_send(uintptr_t ch, const uint8_t *msg, size_t len)
{
    return hftipc_channel_send((hftipc_channel_t *)ch, msg, len);
}

static inline int64_t hftipc_go_receive(uintptr_t ch, uint8_t *buf, size_t len)
{
    return hftipc_channel_receive((hftipc_channel_t *)ch, buf, len);
}

static inline int64_t hftipc_go_send_batch(uintptr_t ch, const uint8_t *data, size_t len,
                                           const uint32_t *lens, size_t count)
{
    return hftipc_channel_send_batch((hftipc_channel_t *)ch, data, len, lens, count);
}

static inline int64_t hftipc_go_receive_batch(uintptr_t ch, uint8_t *buf, size_t len,
                                              uint32_t *lens, size_t count)
{
    return hftipc_channel_receive_batch((hftipc_channel_t *)ch, buf, len, lens, count);
}

static inline int hftipc_go_send_wait(uintptr_t ch, const uint8_t *msg, size_t len,
                                      int64_t timeout_ns)
{
    return hftipc_channel_send_wait((hftipc_channel_t *)ch, msg, len, timeout_ns);
}

static inline int64_t hftipc_go_receive_wait(uintptr_t ch, uint8_t *buf, size_t len,
                                             int64_t timeout_ns)
{
    return hftipc_channel_receive_wait((hftipc_channel_t *)ch, buf, len, timeout_ns);
}

#endif
