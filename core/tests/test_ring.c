/*
 * The ring algorithm on its own (ring.h, no files): a producer thread and a consumer thread on
 * one region in one address space. This is the test that gives ThreadSanitizer something to
 * check: both threads touch the same virtual addresses, so a missing acquire/release pairing
 * on the cursors or the slots is reported as a data race.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <pthread.h>
#include <sched.h>

#include "ring.h"
#include "ring_mpsc.h"
#include "test_util.h"

enum { CAPACITY = 64, SLOT_SIZE = 48, MESSAGES = 1000000 };

typedef struct shared_region {
    hftipc__atomic_u64 head;
    char pad1[120];
    hftipc__atomic_u64 tail;
    char pad2[120];
    hftipc__atomic_u64 full_count;
    _Alignas(64) uint8_t slots[CAPACITY * SLOT_SIZE];
} shared_region;

static void ring_init(hftipc__ring *r, shared_region *s)
{
    memset(r, 0, sizeof *r);
    r->slots = s->slots;
    r->head = &s->head;
    r->tail = &s->tail;
    r->full_count = &s->full_count;
    r->capacity = CAPACITY;
    r->mask = CAPACITY - 1;
    r->slot_size = SLOT_SIZE;
    r->max_payload = SLOT_SIZE - HFTIPC_SLOT_HEADER_SIZE;
}

static void *producer_thread(void *arg)
{
    hftipc__ring r;
    ring_init(&r, arg);
    for (uint64_t seq = 0; seq < MESSAGES;) {
        int64_t free_slots = hftipc__ring_free(&r, 1);
        if (free_slots < 0)
            return (void *)1;
        if (free_slots == 0) {
            sched_yield();
            continue;
        }
        /* Up to four messages per publish, like send_batch. */
        uint64_t n = free_slots < 4 ? (uint64_t)free_slots : 4;
        if (n > MESSAGES - seq)
            n = MESSAGES - seq;
        for (uint64_t i = 0; i < n; i++) {
            unsigned char msg[40];
            uint32_t len = 8 + (uint32_t)((seq + i) % 33);
            memset(msg, (int)((seq + i) & 0xff), len);
            memcpy(msg, &(uint64_t){seq + i}, 8);
            hftipc__ring_write(&r, seq + i, msg, len);
        }
        hftipc__ring_publish(&r, seq + n);
        seq += n;
    }
    return NULL;
}

static void test_two_threads_move_messages_in_order(void **state)
{
    (void)state;
    shared_region *s = calloc(1, sizeof *s);
    pthread_t t;
    assert_int_equal(pthread_create(&t, NULL, producer_thread, s), 0);
    hftipc__ring r;
    ring_init(&r, s);
    for (uint64_t seq = 0; seq < MESSAGES;) {
        int64_t avail = hftipc__ring_available(&r, 1);
        assert_true(avail >= 0);
        if (avail == 0) {
            sched_yield();
            continue;
        }
        hftipc__slot *slot = NULL;
        int64_t len = hftipc__ring_length(&r, seq, &slot);
        assert_int_equal(len, 8 + (int64_t)(seq % 33));
        uint64_t got;
        memcpy(&got, hftipc__slot_payload(slot), 8);
        if (got != seq)
            fail_msg("got %llu want %llu", (unsigned long long)got, (unsigned long long)seq);
        for (int64_t i = 8; i < len; i++)
            assert_int_equal(hftipc__slot_payload(slot)[i], seq & 0xff);
        hftipc__ring_release(&r, ++seq);
    }
    void *rc;
    pthread_join(t, &rc);
    assert_null(rc);
    free(s);
}

static void test_free_and_available_reject_out_of_range_cursors(void **state)
{
    (void)state;
    shared_region *s = calloc(1, sizeof *s);
    hftipc__ring p, c;
    ring_init(&p, s);
    ring_init(&c, s);
    assert_int_equal(hftipc__ring_free(&p, 1), CAPACITY);
    /* Producer's view: a tail ahead of its head, then one more than a ring behind. */
    p.position = 10;
    p.cached_peer = 0;
    atomic_store(&s->tail, 11);
    assert_int_equal(hftipc__ring_free(&p, CAPACITY), HFTIPC_ECORRUPT);
    /* Invariant kept by the API: position - cached_peer <= capacity (here: full). */
    p.position = CAPACITY + 20;
    p.cached_peer = 20;
    atomic_store(&s->tail, 19);
    assert_int_equal(hftipc__ring_free(&p, CAPACITY), HFTIPC_ECORRUPT);
    atomic_store(&s->tail, 20);
    assert_int_equal(hftipc__ring_free(&p, 1), 0);
    /* Consumer's view of head. */
    c.position = 5;
    c.cached_peer = 5;
    atomic_store(&s->head, 4);
    assert_int_equal(hftipc__ring_available(&c, 1), HFTIPC_ECORRUPT);
    atomic_store(&s->head, 5 + CAPACITY + 1);
    assert_int_equal(hftipc__ring_available(&c, 1), HFTIPC_ECORRUPT);
    atomic_store(&s->head, 5 + CAPACITY);
    assert_int_equal(hftipc__ring_available(&c, 1), CAPACITY);
    free(s);
}

/* ---- MPSC: three producer threads, one consumer thread ---- */

enum { MPSC_PRODUCERS = 3, MPSC_EACH = 200000 };

typedef struct mpsc_arg {
    shared_region *region;
    hftipc__holder record;
    uint32_t id;
} mpsc_arg;

static void *mpsc_producer_thread(void *arg_)
{
    mpsc_arg *arg = arg_;
    hftipc__ring r;
    ring_init(&r, arg->region);
    for (uint32_t seq = 0; seq < MPSC_EACH;) {
        uint64_t first;
        int64_t n = hftipc__mpsc_ring_claim(&r, &arg->record, 2, &first);
        if (n == HFTIPC_EFULL) {
            sched_yield();
            continue;
        }
        if (n < 0)
            return (void *)1;
        int64_t i = 0;
        for (; i < n && seq < MPSC_EACH; i++, seq++) {
            uint32_t msg[2] = {arg->id, seq};
            hftipc__ring_write(&r, first + (uint64_t)i, msg, sizeof msg); /* commits (S1) */
        }
        /* A claim of two near the end may exceed what is left: commit the spare as empty.
         * (Only our own unwritten slots: a slot we committed may already hold a newer lap.) */
        for (; i < n; i++)
            hftipc__ring_write(&r, first + (uint64_t)i, NULL, 0);
    }
    return NULL;
}

static void test_mpsc_threads_keep_per_producer_order(void **state)
{
    (void)state;
    shared_region *s = calloc(1, sizeof *s);
    mpsc_arg args[MPSC_PRODUCERS];
    pthread_t t[MPSC_PRODUCERS];
    for (uint32_t i = 0; i < MPSC_PRODUCERS; i++) {
        memset(&args[i], 0, sizeof args[i]);
        args[i].region = s;
        args[i].id = i;
        assert_int_equal(pthread_create(&t[i], NULL, mpsc_producer_thread, &args[i]), 0);
    }
    hftipc__ring r;
    ring_init(&r, s);
    uint32_t next[MPSC_PRODUCERS] = {0};
    uint64_t done = 0;
    while (done < (uint64_t)MPSC_PRODUCERS * MPSC_EACH) {
        hftipc__slot *slot = NULL;
        int64_t len = hftipc__ring_committed_length(&r, r.position, &slot);
        if (len == HFTIPC_EEMPTY) {
            sched_yield();
            continue;
        }
        assert_true(len >= 0);
        if (len == sizeof(uint32_t[2])) {
            uint32_t msg[2];
            memcpy(msg, hftipc__slot_payload(slot), sizeof msg);
            assert_true(msg[0] < MPSC_PRODUCERS);
            assert_int_equal(msg[1], next[msg[0]]);
            next[msg[0]]++;
            done++;
        }
        hftipc__ring_release(&r, r.position + 1);
    }
    for (int i = 0; i < MPSC_PRODUCERS; i++) {
        void *rc;
        pthread_join(t[i], &rc);
        assert_null(rc);
    }
    free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_two_threads_move_messages_in_order),
        cmocka_unit_test(test_free_and_available_reject_out_of_range_cursors),
        cmocka_unit_test(test_mpsc_threads_keep_per_producer_order),
    };
    return cmocka_run_group_tests_name("ring", tests, NULL, NULL);
}
