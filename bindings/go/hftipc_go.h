/* Part of the Go binding, not of the C core: thin wrappers the cgo preambles of channel.go and
 * wait.go call instead of the core's per-message functions (copying, in place, blocking), so
 * that cgo emits no argument check.
 *
 * cgo checks every pointer argument that may point to memory holding Go pointers, with a
 * runtime.cgoCheckPointer call (a heap-span lookup for a Go pointer): an unsafe.Pointer payload
 * (void *) is checked, and so is the channel handle, since cgo cannot see inside the opaque
 * hftipc_channel_t. So the wrappers take the payload as a byte pointer, which is not checked,
 * and the handle as an integer; the handle is C memory (malloc'd by the core), which the Go
 * collector neither moves nor frees. Callgrind, one Send plus one Receive of 64 bytes in one
 * goroutine: 1407 instructions with both checks, 1010 without the payload's, 908 without
 * either (claim+commit and peek+ack: about 220 fewer per pair). Being static inline, the
 * wrappers compile into cgo's call stubs; the core is called unchanged. */
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

/* The in-place paths: the slot's address comes back as the return value, a C pointer, instead
 * of through a void ** out-parameter (a pointer to a pointer, which cgo checks); the status or
 * claim sequence goes to an int64_t out-parameter, which it does not. */
static inline uint8_t *hftipc_go_try_claim(uintptr_t ch, int64_t *rc)
{
    void *p = NULL;
    *rc = hftipc_channel_try_claim((hftipc_channel_t *)ch, &p, NULL);
    return (uint8_t *)p;
}

static inline uint8_t *hftipc_go_claim(uintptr_t ch, int64_t *seq)
{
    void *p = NULL;
    *seq = hftipc_channel_claim((hftipc_channel_t *)ch, &p, NULL);
    return (uint8_t *)p;
}

static inline const uint8_t *hftipc_go_peek(uintptr_t ch, int64_t *len)
{
    const void *p = NULL;
    *len = hftipc_channel_peek((hftipc_channel_t *)ch, &p);
    return (const uint8_t *)p;
}

static inline int hftipc_go_commit(uintptr_t ch, size_t len)
{
    return hftipc_channel_commit((hftipc_channel_t *)ch, len);
}

static inline int hftipc_go_commit_claim(uintptr_t ch, int64_t claim, size_t len)
{
    return hftipc_channel_commit_claim((hftipc_channel_t *)ch, claim, len);
}

static inline int hftipc_go_abort_claim(uintptr_t ch, int64_t claim)
{
    return hftipc_channel_abort_claim((hftipc_channel_t *)ch, claim);
}

static inline int hftipc_go_ack(uintptr_t ch)
{
    return hftipc_channel_ack((hftipc_channel_t *)ch);
}

#endif
