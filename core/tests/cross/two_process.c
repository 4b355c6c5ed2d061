/*
 * Two processes, one channel: the writer creates the channel and sends N messages, the reader
 * (another process, started independently) opens it when it appears and checks that it gets
 * every sequence number 0..N-1 once and in order, each payload intact, and nothing after.
 *
 * Only the public API and C11: the same program runs natively on Linux and, cross-built, under
 * Wine (scripts/cross.sh windows), where it exercises the Windows layer's file mapping shared
 * between two processes and its wake-ups across them. The ring is small (64 slots) so that the
 * writer fills it and blocks many times and the reader empties it and blocks many times:
 * both blocking paths wait on the other process and need its wake-up (or the documented
 * fallback) to go on.
 *
 *   two_process write PATH N    create PATH (it must not exist), send N messages
 *   two_process read PATH N     open PATH (waiting up to 60 s for it), receive and check N
 *
 * Exit status 0 when the side did all it should, 1 otherwise (the reason on stderr).
 */
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "hftipc.h"

#define SLOT_SIZE  128
#define TIMEOUT_NS (30 * 1000000000LL) /* a stuck peer fails the test, not hangs it */

/* Message `seq`: its sequence number (8 bytes, little-endian), then a length and bytes that
 * depend on it, so a message that is torn, stale or another's does not pass for it. */
static size_t message_make(uint64_t seq, unsigned char *buf)
{
    size_t len = 8 + (size_t)(seq % 57);
    for (int k = 0; k < 8; k++)
        buf[k] = (unsigned char)(seq >> (8 * k));
    for (size_t k = 8; k < len; k++)
        buf[k] = (unsigned char)(seq * 31 + k);
    return len;
}

static int fail(const char *side, const char *what, int64_t status)
{
    fprintf(stderr, "two_process %s: %s: %s [%s]\n", side, what, hftipc_strerror(status),
            hftipc_err_name(status));
    return 1;
}

static int writer(const char *path, uint64_t n)
{
    hftipc_options_t opts;
    hftipc_options_init(&opts);
    opts.capacity = 64;
    opts.slot_size = SLOT_SIZE;
    hftipc_channel_t *ch;
    int rc = hftipc_channel_create(path, &opts, HFTIPC_ROLE_PRODUCER, &ch);
    if (rc != HFTIPC_OK)
        return fail("write", path, rc);
    unsigned char msg[SLOT_SIZE];
    for (uint64_t seq = 0; seq < n; seq++) {
        size_t len = message_make(seq, msg);
        rc = hftipc_channel_send_wait(ch, msg, len, TIMEOUT_NS);
        if (rc != HFTIPC_OK) {
            fprintf(stderr, "two_process write: message %" PRIu64 " of %" PRIu64 ":\n", seq, n);
            hftipc_channel_close(ch);
            return fail("write", "send", rc);
        }
    }
    rc = hftipc_channel_close(ch);
    if (rc != HFTIPC_OK)
        return fail("write", "close", rc);
    printf("two_process write: sent %" PRIu64 " messages\n", n);
    return 0;
}

static int reader(const char *path, uint64_t n)
{
    hftipc_channel_t *ch;
    int rc = hftipc_channel_open_wait(path, HFTIPC_ROLE_CONSUMER, 2 * TIMEOUT_NS, &ch);
    if (rc != HFTIPC_OK)
        return fail("read", path, rc);
    unsigned char want[SLOT_SIZE], got[SLOT_SIZE];
    clock_t start = clock();
    int bad = 0;
    for (uint64_t seq = 0; seq < n && !bad; seq++) {
        int64_t len = hftipc_channel_receive_wait(ch, got, sizeof got, TIMEOUT_NS);
        if (len < 0) {
            fprintf(stderr, "two_process read: waiting for message %" PRIu64 " of %" PRIu64 ":\n",
                    seq, n);
            hftipc_channel_close(ch);
            return fail("read", "receive", len);
        }
        size_t want_len = message_make(seq, want);
        uint64_t got_seq = 0;
        for (int k = 0; k < 8 && k < len; k++)
            got_seq |= (uint64_t)got[k] << (8 * k);
        if (got_seq != seq) {
            fprintf(stderr,
                    "two_process read: message %" PRIu64 " has sequence number %" PRIu64 "\n", seq,
                    got_seq);
            bad = 1;
        } else if ((size_t)len != want_len || memcmp(got, want, want_len) != 0) {
            fprintf(stderr,
                    "two_process read: message %" PRIu64 ": %" PRId64 " bytes, want %zu, or"
                    " other bytes\n",
                    seq, len, want_len);
            bad = 1;
        }
    }
    /* The writer sent exactly n: one more is an error, and none may be waiting. */
    int64_t extra = bad ? 0 : hftipc_channel_receive(ch, got, sizeof got);
    hftipc_channel_close(ch);
    if (bad)
        return 1;
    if (extra != HFTIPC_EEMPTY) {
        fprintf(stderr,
                "two_process read: after %" PRIu64 " messages, receive gives %" PRId64
                ", want HFTIPC_EEMPTY\n",
                n, extra);
        return 1;
    }
    printf("two_process read: %" PRIu64 " messages, sequence numbers 0..%" PRIu64
           " in order, payloads intact, nothing after (%.0f ms of CPU)\n",
           n, n - 1, 1000.0 * (double)(clock() - start) / CLOCKS_PER_SEC);
    return 0;
}

int main(int argc, char **argv)
{
    char *end = NULL;
    uint64_t n = argc == 4 ? strtoull(argv[3], &end, 10) : 0;
    if (argc != 4 || end == argv[3] || *end != '\0' || n == 0) {
        fprintf(stderr, "usage: two_process write|read PATH N (N > 0)\n");
        return 2;
    }
    if (strcmp(argv[1], "write") == 0)
        return writer(argv[2], n);
    if (strcmp(argv[1], "read") == 0)
        return reader(argv[2], n);
    fprintf(stderr, "two_process: unknown side '%s' (write or read)\n", argv[1]);
    return 2;
}
