/*
 * Sleeping and waking across processes (docs/FORMAT.md, "Blocking waits"): a sleep on a cursor
 * word (platform layer: a shared futex on Linux), and the asymmetric fence that lets the
 * publishing side skip any fence of its own. Everything here is off the hot path except
 * hftipc__wake_if_waiting's flag check.
 */
#ifndef HFTIPC_WAIT_H
#define HFTIPC_WAIT_H

#include <stdint.h>

#include "atomic.h"
#include "format.h"
#include "hftipc.h"
#include "platform/platform.h"

/* Called by a waiter after it set its waiting flag and before it re-checks the cursor: makes
 * the flag store and every peer's earlier cursor store mutually visible (Dekker pairing W1). */
void hftipc__announce_waiter(void);

/* Sleeps while *word == expected, at most until `deadline_ns` (CLOCK_MONOTONIC; < 0: no
 * deadline) and at most `slice_ns`. Returns on a wake, a timeout, a signal or a value change:
 * the caller re-checks its condition in every case. */
void hftipc__sleep_on(const void *word, uint32_t expected, int64_t deadline_ns, int64_t slice_ns);

/* The slow half of a wake-up (channel.h, hftipc__channel_wake_word): wakes the sleepers on
 * `word`; if there were none, clears flags left by sleepers that died or were replaced
 * (FORMAT.md, "Sleeper tags"), at most once a millisecond. */
void hftipc__wake_sleeper(hftipc_channel_t *ch, const void *word);

/* A new holder clears flags its role's previous holder may have left (FORMAT.md, "Sleeper tags"):
 * the SPSC flag of the role, or the MPSC record's own flag and its share of the count. */
void hftipc__waiting_reset(hftipc__header *hdr, hftipc__holder *record, int mpsc_producer,
                           hftipc__atomic_u32 *role_flag);

/* Absolute CLOCK_MONOTONIC deadline `timeout_ns` from now; -1 for none (negative timeouts and
 * ones too far away). */
int64_t hftipc__deadline_after(int64_t timeout_ns);

/* The blocking wait (FORMAT.md, "Blocking waits"): until the handle can proceed (HFTIPC_OK), the
 * deadline passes (HFTIPC_ETIMEDOUT), it is fenced, or its readiness check fails. */
int hftipc__wait_until(hftipc_channel_t *ch, int64_t deadline_ns);

#endif
