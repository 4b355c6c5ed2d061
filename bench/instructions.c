/*
 * hftipc_instructions: a harness for callgrind instruction counts per message on each hot path
 * (docs/BENCHMARKS.md). One process holds the producer and the consumer of one channel and runs
 * one path N times; every call succeeds (no full or empty ring). bench/instructions.sh runs it
 * under callgrind at two counts and prints (Ir(N2) - Ir(N1)) / (N2 - N1) per path, so start-up
 * costs cancel out. Uses only the 1.0 API, so the same harness measures an older library.
 *
 *   hftipc_instructions PATH SIZE COUNT     PATH: send | batch | claim | drain
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hftipc.h"

enum { BATCH = 64 };

static int handler(void *ctx, const void *msg, uint32_t len)
{
    (void)msg;
    *(uint64_t *)ctx += len;
    return 0;
}

static void check(int64_t rc, const char *what)
{
    if (rc < 0) {
        fprintf(stderr, "hftipc_instructions: %s: %s\n", what, hftipc_strerror(rc));
        exit(1);
    }
}

int main(int argc, char **argv)
{
    if (argc != 4) {
        fprintf(stderr, "usage: hftipc_instructions send|batch|claim|drain SIZE COUNT\n");
        return 2;
    }
    const char *path_kind = argv[1];
    uint32_t size = (uint32_t)strtoul(argv[2], NULL, 10);
    uint64_t count = strtoull(argv[3], NULL, 10);
    char path[64];
    snprintf(path, sizeof path, "/dev/shm/hftipc-instr-%d", (int)getpid());
    hftipc_options_t o;
    hftipc_options_init(&o);
    o.capacity = 1024;
    o.slot_size = (size + HFTIPC_SLOT_HEADER_SIZE + 63) & ~63u;
    hftipc_channel_t *p, *c;
    check(hftipc_channel_create(path, &o, HFTIPC_ROLE_PRODUCER, &p), "create");
    check(hftipc_channel_open(path, HFTIPC_ROLE_CONSUMER, &c), "open");
    unlink(path);
    static unsigned char data[BATCH * 4096], buf[BATCH * 4096];
    uint32_t lens[BATCH], out_lens[BATCH];
    for (int i = 0; i < BATCH; i++)
        lens[i] = size;
    memset(data, 7, sizeof data);
    uint64_t sum = 0;
    if (strcmp(path_kind, "send") == 0) {
        for (uint64_t i = 0; i < count; i++) {
            check(hftipc_channel_send(p, data, size), "send");
            check(hftipc_channel_receive(c, buf, sizeof buf), "receive");
        }
    } else if (strcmp(path_kind, "batch") == 0) {
        for (uint64_t i = 0; i < count; i += BATCH) {
            check(hftipc_channel_send_batch(p, data, sizeof data, lens, BATCH), "send_batch");
            check(hftipc_channel_receive_batch(c, buf, sizeof buf, out_lens, BATCH), "receive");
        }
    } else if (strcmp(path_kind, "claim") == 0) {
        for (uint64_t i = 0; i < count; i++) {
            void *slot;
            check(hftipc_channel_try_claim(p, &slot, NULL), "try_claim");
            memcpy(slot, data, size);
            check(hftipc_channel_commit(p, size), "commit");
            const void *msg;
            check(hftipc_channel_peek(c, &msg), "peek");
            check(hftipc_channel_ack(c), "ack");
        }
    } else if (strcmp(path_kind, "drain") == 0) {
        for (uint64_t i = 0; i < count; i += BATCH) {
            check(hftipc_channel_send_batch(p, data, sizeof data, lens, BATCH), "send_batch");
            check(hftipc_channel_drain(c, handler, &sum, BATCH), "drain");
        }
    } else {
        fprintf(stderr, "hftipc_instructions: unknown path '%s'\n", path_kind);
        return 2;
    }
    hftipc_channel_close(c);
    hftipc_channel_close(p);
    return sum == 1 ? 3 : 0;
}
