/*
 * Every operation of every role once, each status recorded against the header's @return lists
 * (test_doc.h). Shared by test_statuses.c and test_hostile.c.
 */
#ifndef HFTIPC_TEST_OPS_H
#define HFTIPC_TEST_OPS_H

#include "test_doc.h"
#include "test_world.h"

/* What the calls below are doing, for the report of an undocumented status. */
static const char *scenario = "";

/* Calls `fn` and records its status for `fn`. */
#define R(fn, ...) doc_record(#fn, (int64_t)fn(__VA_ARGS__), scenario, __LINE__)

#define MS (1000 * 1000)

/* The timeout of the blocking calls below (besides 0). */
static int64_t ops_timeout_ns = MS;

/* Every producer operation once on `ch`. */
static inline void producer_ops(hftipc_channel_t *ch, uint32_t max_payload)
{
    char msg[64] = {0};
    uint32_t lens[3] = {1, 2, 3};
    R(hftipc_channel_send, ch, msg, 1);
    R(hftipc_channel_send_batch, ch, msg, sizeof msg, lens, 3);
    void *payload;
    uint32_t cap;
    R(hftipc_channel_try_claim, ch, &payload, &cap);
    R(hftipc_channel_commit, ch, 1);
    R(hftipc_channel_commit, ch, (size_t)max_payload + 1);
    /* Claims the caller holds (1.1.0): a commit too long, a claim that is not outstanding, an
     * abort, and a claim committed. */
    int64_t k = R(hftipc_channel_claim, ch, &payload, &cap);
    int64_t held = k >= 0 ? k : 0;
    R(hftipc_channel_commit_claim, ch, held, (size_t)max_payload + 1);
    R(hftipc_channel_commit_claim, ch, held + 1, 1);
    R(hftipc_channel_abort_claim, ch, held + 1);
    R(hftipc_channel_abort_claim, ch, held);
    R(hftipc_channel_commit_claim, ch, -1, 1);
    R(hftipc_channel_abort_claim, ch, -1);
    R(hftipc_channel_claim, ch, NULL, &cap);
    k = R(hftipc_channel_claim, ch, &payload, NULL);
    R(hftipc_channel_commit_claim, ch, k >= 0 ? k : 0, 1);
    R(hftipc_channel_send_wait, ch, msg, 1, 0);
    R(hftipc_channel_send_wait, ch, msg, 1, ops_timeout_ns);
    R(hftipc_channel_wait, ch, 0);
    R(hftipc_channel_wait, ch, ops_timeout_ns);
    R(hftipc_channel_heartbeat, ch);
    hftipc_info_t info = {.size = sizeof info};
    R(hftipc_channel_stats, ch, &info);
}

static inline int count_msgs(void *ctx, const void *msg, uint32_t len)
{
    (void)msg;
    (void)len;
    ++*(int *)ctx;
    return 0;
}

/* Every consumer operation once on `ch` (consumer or observer). */
static inline void consumer_ops(hftipc_channel_t *ch, size_t buf_len)
{
    char buf[64];
    uint32_t lens[4];
    int count = 0;
    const void *payload;
    R(hftipc_channel_peek, ch, &payload);
    R(hftipc_channel_receive, ch, buf, buf_len);
    R(hftipc_channel_receive_batch, ch, buf, buf_len, lens, 4);
    R(hftipc_channel_drain, ch, count_msgs, &count, 2);
    R(hftipc_channel_ack, ch);
    R(hftipc_channel_receive_wait, ch, buf, buf_len, 0);
    R(hftipc_channel_receive_wait, ch, buf, buf_len, ops_timeout_ns);
    R(hftipc_channel_wait, ch, 0);
    R(hftipc_channel_wait, ch, ops_timeout_ns);
    R(hftipc_channel_heartbeat, ch);
    hftipc_info_t info = {.size = sizeof info};
    R(hftipc_channel_stats, ch, &info);
}

static inline void all_ops(world *w)
{
    hftipc_channel_t *hs[3] = {w->p, w->c, w->o};
    for (int i = 0; i < 3; i++) {
        if (hs[i] == NULL)
            continue;
        producer_ops(hs[i], w->slot_size - 8);
        consumer_ops(hs[i], 64);
        consumer_ops(hs[i], 0);
    }
    hftipc_info_t info = {.size = sizeof info};
    R(hftipc_inspect, w->path, &info);
}

#endif
