/*
 * The plugin sample's plugin: answers the host's requests (samples/plugin/host) over two
 * channels, and can be replaced by a new process at any time, gracefully or by kill -9, with
 * no request lost and none answered twice (samples/plugin/README.md).
 *
 *   requests  (host = producer, plugin = consumer): 32-byte requests, ids 0, 1, 2, ...
 *   responses (plugin = producer, host = consumer): 40-byte responses, one per request, in order
 *
 * Taking over, in this order:
 *  1. The request channel's consumer role with hftipc_channel_open_takeover() and a staleness
 *     limit of 0: the running plugin is fenced at once, so its next request operation returns
 *     HFTIPC_EFENCED and it stops taking requests (a dead one simply loses the role).
 *  2. The response channel's producer role with plain hftipc_channel_open(), retried while it
 *     is HFTIPC_EBUSY: a fenced plugin releases it when it exits, after its last response; a
 *     dead one is taken over by open itself. So there is never a second live producer.
 *  3. The responses ever published (`head` of the response channel, from
 *     hftipc_channel_stats()) say which requests are answered, because the plugins answer
 *     every request, in order, with exactly one response. Requests below that id are
 *     acknowledged without an answer: they are the ones a predecessor answered but did not
 *     get to acknowledge (it died, or was fenced, between its response and its ack).
 *
 * Each request is handled with peek, then the response, then ack (at-least-once on the request
 * channel; the id check above turns it into exactly-once answers).
 *
 *   plugin_c --requests DIR/requests --responses DIR/responses --generation 2
 */
#define _POSIX_C_SOURCE 200809L

#include "sample_util.h"

#include <hftipc.h>

#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct plugin_request {
    uint64_t id; /* 0, 1, 2, ... in the order the host sends them */
    uint32_t op; /* 1 = score */
    uint32_t reserved;
    int64_t arg;
    int64_t send_ns; /* CLOCK_MONOTONIC when the host sent it */
};
_Static_assert(sizeof(struct plugin_request) == 32, "a request is 32 bytes");

struct plugin_response {
    uint64_t id;  /* the request's id */
    uint32_t pid; /* the answering plugin process */
    uint32_t generation;
    int64_t result; /* score(arg) */
    int64_t request_send_ns;
    int64_t reply_ns; /* CLOCK_MONOTONIC when the plugin answered */
};
_Static_assert(sizeof(struct plugin_response) == 40, "a response is 40 bytes");

enum { OP_SCORE = 1, SPIN_NS = 50 * 1000 };

/* The plugin's "business logic": a 64-bit mix (splitmix64's finaliser) the host recomputes. */
static int64_t score(int64_t arg)
{
    uint64_t z = (uint64_t)arg + 0x9e3779b97f4a7c15ull;
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return (int64_t)(z ^ (z >> 31));
}

static const char usage[] =
    "usage: plugin_c --requests CHANNEL --responses CHANNEL [--generation N]\n"
    "                [--crash-after-reply N]\n"
    "Answers the plugin sample's requests; a newer plugin started on the same\n"
    "channels takes over from this one (see samples/plugin/README.md).\n"
    "  --crash-after-reply N  fault injection: die by SIGKILL right after the N-th\n"
    "                         answer, before acknowledging its request\n";

int main(int argc, char **argv)
{
    const char *req_path = NULL, *resp_path = NULL;
    unsigned long generation = 1, crash_after = 0;
    const struct sample_opt opts[] = {
        {"--requests", SAMPLE_OPT_STRING, &req_path},
        {"--responses", SAMPLE_OPT_STRING, &resp_path},
        {"--generation", SAMPLE_OPT_ULONG, &generation},
        {"--crash-after-reply", SAMPLE_OPT_ULONG, &crash_after},
        {NULL, 0, NULL},
    };
    sample_parse_args(argc, argv, opts, usage);
    if (req_path == NULL || resp_path == NULL) {
        fputs(usage, stderr);
        return 2;
    }
    sample_catch_signals();
    char me[32];
    snprintf(me, sizeof me, "plugin[%lu]", generation);

    /* 1. Fence whoever consumes requests now. */
    hftipc_channel_t *req = NULL, *resp = NULL;
    int rc = hftipc_channel_open_takeover(req_path, HFTIPC_ROLE_CONSUMER, 0, &req);
    if (rc != HFTIPC_OK)
        sample_die(me, "take over (consumer)", req_path, rc);

    /* 2. Wait for the predecessor to release the response channel (10 s at most). */
    int64_t deadline = sample_now_ns() + 10 * 1000000000LL;
    while ((rc = hftipc_channel_open(resp_path, HFTIPC_ROLE_PRODUCER, &resp)) == HFTIPC_EBUSY) {
        if (sample_now_ns() > deadline || sample_stop_requested) {
            fprintf(stderr, "%s: the previous plugin still holds %s after 10 s\n", me, resp_path);
            return 1;
        }
        struct timespec ms = {0, 1000000};
        nanosleep(&ms, NULL);
    }
    if (rc != HFTIPC_OK)
        sample_die(me, "open (producer)", resp_path, rc);

    /* 3. Where the predecessors stopped answering. */
    hftipc_info_t info;
    memset(&info, 0, sizeof info);
    info.size = sizeof info;
    rc = hftipc_channel_stats(resp, &info);
    if (rc != HFTIPC_OK)
        sample_die(me, "stats of", resp_path, rc);
    uint64_t answered = info.head, first = info.head, skipped = 0;
    printf("%s: ready: pid %ld, answering from request %" PRIu64 "\n", me, (long)getpid(),
           answered);
    fflush(stdout);

    const char *why = "stopped (SIGTERM)";
    int status = 0;
    int64_t idle_since = sample_now_ns();
    while (!sample_stop_requested) {
        const void *p;
        int64_t n = hftipc_channel_peek(req, &p);
        if (n == HFTIPC_EEMPTY) {
            if (sample_now_ns() - idle_since < SPIN_NS)
                continue;
            rc = hftipc_channel_wait(req, 100 * 1000000LL);
            if (rc == HFTIPC_EFENCED) {
                why = "replaced by a newer plugin";
                break;
            }
            if (rc != HFTIPC_OK && rc != HFTIPC_ETIMEDOUT)
                sample_die(me, "wait on", req_path, rc);
            idle_since = sample_now_ns();
            continue;
        }
        if (n == HFTIPC_EFENCED) {
            why = "replaced by a newer plugin";
            break;
        }
        if (n < 0)
            sample_die(me, "peek at", req_path, n);
        idle_since = sample_now_ns();
        struct plugin_request r;
        if (n != (int64_t)sizeof r) {
            fprintf(stderr, "%s: a request of %" PRId64 " bytes; want %zu\n", me, n, sizeof r);
            status = 1;
            break;
        }
        memcpy(&r, p, sizeof r); /* the mapping is shared: read each field once, from a copy */
        if (r.id < answered) {
            skipped++; /* answered by a predecessor that did not get to ack it */
        } else if (r.id != answered || r.op != OP_SCORE) {
            fprintf(stderr, "%s: request %" PRIu64 " (op %u) where %" PRIu64 " was due\n", me, r.id,
                    r.op, answered);
            status = 1;
            break;
        } else {
            struct plugin_response a = {
                .id = r.id,
                .pid = (uint32_t)getpid(),
                .generation = (uint32_t)generation,
                .result = score(r.arg),
                .request_send_ns = r.send_ns,
                .reply_ns = sample_now_ns(),
            };
            while ((rc = hftipc_channel_send(resp, &a, sizeof a)) == HFTIPC_EFULL) {
                int wrc = hftipc_channel_wait(resp, 100 * 1000000LL);
                if (wrc != HFTIPC_OK && wrc != HFTIPC_ETIMEDOUT)
                    sample_die(me, "wait on", resp_path, wrc);
                if (sample_stop_requested)
                    break;
            }
            if (rc != HFTIPC_OK) {
                if (rc == HFTIPC_EFULL) /* stopped while the host was not reading */
                    break;
                sample_die(me, "send to", resp_path, rc);
            }
            answered++;
            if (crash_after != 0 && answered - first == crash_after) {
                printf("%s: injected crash after answering request %" PRIu64 ", before its ack\n",
                       me, r.id);
                fflush(stdout);
                raise(SIGKILL); /* the worst moment: answered, not acknowledged */
            }
        }
        rc = hftipc_channel_ack(req);
        if (rc == HFTIPC_EFENCED) {
            /* Answered but not acknowledged: the successor skips it by its id. */
            why = "replaced by a newer plugin";
            break;
        }
        if (rc != HFTIPC_OK)
            sample_die(me, "ack on", req_path, rc);
    }
    /* Closing the response channel releases the producer role the successor waits for. */
    hftipc_channel_close(resp);
    hftipc_channel_close(req);
    printf("%s: %s after answering %" PRIu64 " requests from id %" PRIu64 "; skipped %" PRIu64
           " answered by a predecessor\n",
           me, why, answered - first, first, skipped);
    return status;
}
