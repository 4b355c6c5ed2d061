/* libFuzzer target: a consumer and an observer reading a channel whose shared state a hostile
 * peer overwrites with arbitrary bytes (cursors, slot lengths, payloads). Every call must
 * return a documented status; ASan reports any access outside the mapping. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <fcntl.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "format.h"
#include "hftipc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

enum { CAPACITY = 8, SLOT_SIZE = 64 };

static hftipc_channel_t *consumer, *observer;
static uint8_t *raw; /* a second mapping of the same file: the hostile peer's view */
static size_t raw_len;

static void setup(void)
{
    char path[128];
    snprintf(path, sizeof path, "/tmp/hftipc-fuzz-consumer-%d", (int)getpid());
    unlink(path);
    hftipc_options_t o;
    hftipc_options_init(&o);
    o.capacity = CAPACITY;
    o.slot_size = SLOT_SIZE;
    if (hftipc_channel_create(path, &o, HFTIPC_ROLE_CONSUMER, &consumer) != HFTIPC_OK ||
        hftipc_channel_open(path, HFTIPC_ROLE_OBSERVER, &observer) != HFTIPC_OK)
        abort();
    int fd = open(path, O_RDWR);
    raw_len = HFTIPC__HEADER_SIZE + CAPACITY * SLOT_SIZE;
    raw = mmap(NULL, raw_len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (raw == MAP_FAILED)
        abort();
    close(fd);
    unlink(path);
}

static void check(int64_t rc)
{
    if (rc < HFTIPC_STATUS_MIN)
        abort();
}

static int count_handler(void *ctx, const void *msg, uint32_t len)
{
    (void)msg;
    *(uint64_t *)ctx += len;
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (consumer == NULL)
        setup();
    if (size < 16)
        return 0;
    hftipc__header *h = (hftipc__header *)raw;
    uint64_t head, tail;
    memcpy(&head, data, 8);
    memcpy(&tail, data + 8, 8);
    /* Keep the cursors near the consumer's position half of the time, so the slot-reading code
     * is reached, not only the cursor checks. */
    if (head & 1)
        head = atomic_load(&h->tail) + (head >> 1) % (2 * CAPACITY);
    atomic_store(&h->head, head);
    if (tail & 1)
        atomic_store(&h->tail, tail >> 1);
    size_t n = size - 16 < CAPACITY * SLOT_SIZE ? size - 16 : CAPACITY * SLOT_SIZE;
    memcpy(raw + HFTIPC__HEADER_SIZE, data + 16, n);

    uint8_t buf[SLOT_SIZE * CAPACITY];
    uint32_t lens[CAPACITY];
    const void *view;
    uint64_t total = 0;
    check(hftipc_channel_receive(consumer, buf, sizeof buf));
    check(hftipc_channel_receive(consumer, buf, 7));
    int64_t len = hftipc_channel_peek(consumer, &view);
    check(len);
    if (len > 0 && ((const uint8_t *)view < raw || (size_t)len > SLOT_SIZE))
        abort();
    check(hftipc_channel_receive_batch(consumer, buf, sizeof buf, lens, CAPACITY));
    check(hftipc_channel_drain(consumer, count_handler, &total, CAPACITY));
    check(hftipc_channel_ack(consumer));
    check(hftipc_channel_receive(observer, buf, sizeof buf));
    hftipc_info_t info = {.size = sizeof info};
    check(hftipc_channel_stats(consumer, &info));
    return 0;
}
