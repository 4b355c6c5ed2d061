/*
 * MPSC channels (docs/FORMAT.md, "MPSC channels"): claims through the shared cursor, commits
 * out of order, per-producer order, full rings, the producer table, abandoned claims of dead
 * producers, blocking waits, and a multi-process stress run with checksums.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <sched.h>
#include <sys/wait.h>
#include <time.h>

#include "hftipc.h"
#include "test_util.h"

#define MS 1000000ll

static const char *fresh_mpsc(const char *name, uint32_t capacity, hftipc_role_t role,
                              hftipc_channel_t **ch)
{
    const char *path = test_path("%s", name);
    unlink(path);
    hftipc_options_t o;
    hftipc_options_init(&o);
    o.capacity = capacity;
    o.slot_size = 64;
    o.mode = HFTIPC_MODE_MPSC;
    assert_int_equal(hftipc_channel_create(path, &o, role, ch), HFTIPC_OK);
    return path;
}

static int exit_code(pid_t pid)
{
    int st;
    if (waitpid(pid, &st, 0) != pid)
        return -1;
    return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

static void sleep_ms(int ms)
{
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000};
    while (nanosleep(&ts, &ts) != 0)
        ;
}

static void test_producers_share_one_channel(void **state)
{
    (void)state;
    hftipc_channel_t *c, *p1, *p2;
    const char *path = fresh_mpsc("mpsc-basic", 8, HFTIPC_ROLE_CONSUMER, &c);
    assert_int_equal(hftipc_channel_open(path, HFTIPC_ROLE_PRODUCER, &p1), HFTIPC_OK);
    assert_int_equal(hftipc_channel_open(path, HFTIPC_ROLE_PRODUCER, &p2), HFTIPC_OK);
    hftipc_channel_t *c2;
    assert_int_equal(hftipc_channel_open(path, HFTIPC_ROLE_CONSUMER, &c2), HFTIPC_EBUSY);

    assert_int_equal(hftipc_channel_send(p1, "a1", 2), HFTIPC_OK);
    assert_int_equal(hftipc_channel_send(p2, "b1", 2), HFTIPC_OK);
    assert_int_equal(hftipc_channel_send(p1, "a2", 2), HFTIPC_OK);
    char buf[64];
    const char *want[] = {"a1", "b1", "a2"};
    for (int i = 0; i < 3; i++) {
        assert_int_equal(hftipc_channel_receive(c, buf, sizeof buf), 2);
        assert_memory_equal(buf, want[i], 2);
    }
    assert_int_equal(hftipc_channel_receive(c, buf, sizeof buf), HFTIPC_EEMPTY);

    hftipc_info_t info = {.size = sizeof info};
    assert_int_equal(hftipc_channel_stats(c, &info), HFTIPC_OK);
    assert_int_equal(info.mode, HFTIPC_MODE_MPSC);
    assert_int_equal(info.producer_count, 2);
    assert_int_equal(info.head, 3);
    assert_int_equal(info.tail, 3);
    hftipc_channel_close(p1);
    assert_int_equal(hftipc_channel_stats(c, &info), HFTIPC_OK);
    assert_int_equal(info.producer_count, 1);
    hftipc_channel_close(p2);
    hftipc_channel_close(c);
}

static void test_uncommitted_claim_holds_back_later_messages(void **state)
{
    (void)state;
    hftipc_channel_t *c, *p1, *p2;
    const char *path = fresh_mpsc("mpsc-order", 8, HFTIPC_ROLE_CONSUMER, &c);
    assert_int_equal(hftipc_channel_open(path, HFTIPC_ROLE_PRODUCER, &p1), HFTIPC_OK);
    assert_int_equal(hftipc_channel_open(path, HFTIPC_ROLE_PRODUCER, &p2), HFTIPC_OK);
    void *slot, *again;
    uint32_t cap;
    assert_int_equal(hftipc_channel_try_claim(p1, &slot, &cap), HFTIPC_OK);
    assert_int_equal(cap, 56);
    assert_int_equal(hftipc_channel_try_claim(p1, &again, NULL), HFTIPC_OK);
    assert_ptr_equal(slot, again); /* claiming again returns the same slot */
    assert_int_equal(hftipc_channel_send(p2, "later", 5), HFTIPC_OK);
    char buf[64];
    /* The later message is committed, but the consumer reads in claim order. */
    assert_int_equal(hftipc_channel_receive(c, buf, sizeof buf), HFTIPC_EEMPTY);
    const void *view;
    assert_int_equal(hftipc_channel_peek(c, &view), HFTIPC_EEMPTY);
    memcpy(slot, "first", 5);
    assert_int_equal(hftipc_channel_commit(p1, 5), HFTIPC_OK);
    assert_int_equal(hftipc_channel_commit(p1, 5), HFTIPC_ESTATE);
    assert_int_equal(hftipc_channel_receive(c, buf, sizeof buf), 5);
    assert_memory_equal(buf, "first", 5);
    assert_int_equal(hftipc_channel_peek(c, &view), 5);
    assert_memory_equal(view, "later", 5);
    assert_int_equal(hftipc_channel_ack(c), HFTIPC_OK);
    hftipc_channel_close(p1);
    hftipc_channel_close(p2);
    hftipc_channel_close(c);
}

static void test_batches_full_ring_and_producer_table(void **state)
{
    (void)state;
    hftipc_channel_t *c, *p;
    const char *path = fresh_mpsc("mpsc-batch", 8, HFTIPC_ROLE_PRODUCER, &p);
    assert_int_equal(hftipc_channel_open(path, HFTIPC_ROLE_CONSUMER, &c), HFTIPC_OK);
    char data[10];
    uint32_t lens[10];
    for (int i = 0; i < 10; i++) {
        data[i] = (char)('a' + i);
        lens[i] = 1;
    }
    assert_int_equal(hftipc_channel_send_batch(p, data, 10, lens, 10), 8);
    assert_int_equal(hftipc_channel_send(p, "x", 1), HFTIPC_EFULL);
    uint32_t got[16];
    char out[16];
    assert_int_equal(hftipc_channel_receive_batch(c, out, sizeof out, got, 16), 8);
    assert_memory_equal(out, "abcdefgh", 8);
    hftipc_info_t info = {.size = sizeof info};
    assert_int_equal(hftipc_channel_stats(c, &info), HFTIPC_OK);
    assert_int_equal(info.full_count, 1);

    /* The producer table holds HFTIPC_MPSC_MAX_PRODUCERS producers; one more is busy. */
    hftipc_channel_t *more[HFTIPC_MPSC_MAX_PRODUCERS];
    for (int i = 0; i < HFTIPC_MPSC_MAX_PRODUCERS - 1; i++)
        assert_int_equal(hftipc_channel_open(path, HFTIPC_ROLE_PRODUCER, &more[i]), HFTIPC_OK);
    hftipc_channel_t *extra;
    assert_int_equal(hftipc_channel_open(path, HFTIPC_ROLE_PRODUCER, &extra), HFTIPC_EBUSY);
    hftipc_channel_close(more[3]);
    assert_int_equal(hftipc_channel_open(path, HFTIPC_ROLE_PRODUCER, &extra), HFTIPC_OK);
    more[3] = extra;
    for (int i = 0; i < HFTIPC_MPSC_MAX_PRODUCERS - 1; i++)
        hftipc_channel_close(more[i]);
    hftipc_channel_close(p);
    hftipc_channel_close(c);
}

static void test_dead_claimer_is_skipped_and_counted(void **state)
{
    (void)state;
    hftipc_channel_t *c, *p;
    const char *path = fresh_mpsc("mpsc-abandoned", 8, HFTIPC_ROLE_CONSUMER, &c);
    pid_t child = fork();
    if (child == 0) {
        hftipc_channel_t *dying;
        void *slot;
        if (hftipc_channel_open(path, HFTIPC_ROLE_PRODUCER, &dying) != HFTIPC_OK ||
            hftipc_channel_try_claim(dying, &slot, NULL) != HFTIPC_OK)
            _exit(1);
        memcpy(slot, "never", 5);
        _exit(0); /* dies between claim and commit */
    }
    assert_int_equal(exit_code(child), 0);
    assert_int_equal(hftipc_channel_open(path, HFTIPC_ROLE_PRODUCER, &p), HFTIPC_OK);
    assert_int_equal(hftipc_channel_send(p, "after", 5), HFTIPC_OK);
    char buf[64];
    /* A fresh stall may be a producer mid-write: not skipped at once. */
    assert_int_equal(hftipc_channel_receive(c, buf, sizeof buf), HFTIPC_EEMPTY);
    /* Blocking: the stall outlasts the check delay, the claimer is dead, the slot is skipped. */
    assert_int_equal(hftipc_channel_receive_wait(c, buf, sizeof buf, 5000 * MS), 5);
    assert_memory_equal(buf, "after", 5);
    hftipc_info_t info = {.size = sizeof info};
    assert_int_equal(hftipc_channel_stats(c, &info), HFTIPC_OK);
    assert_int_equal(info.abandoned_count, 1);
    assert_int_equal(info.tail, 2);

    /* A producer that closes with a claim outstanding abandons it the same way. */
    void *slot;
    assert_int_equal(hftipc_channel_try_claim(p, &slot, NULL), HFTIPC_OK);
    hftipc_channel_close(p);
    assert_int_equal(hftipc_channel_open(path, HFTIPC_ROLE_PRODUCER, &p), HFTIPC_OK);
    assert_int_equal(hftipc_channel_send(p, "next", 4), HFTIPC_OK);
    assert_int_equal(hftipc_channel_receive_wait(c, buf, sizeof buf, 5000 * MS), 4);
    assert_int_equal(hftipc_channel_stats(c, &info), HFTIPC_OK);
    assert_int_equal(info.abandoned_count, 2);
    hftipc_channel_close(p);
    hftipc_channel_close(c);
}

static void test_live_slow_claimer_is_not_skipped(void **state)
{
    (void)state;
    hftipc_channel_t *c, *slow, *fast;
    const char *path = fresh_mpsc("mpsc-slow", 8, HFTIPC_ROLE_CONSUMER, &c);
    assert_int_equal(hftipc_channel_open(path, HFTIPC_ROLE_PRODUCER, &slow), HFTIPC_OK);
    assert_int_equal(hftipc_channel_open(path, HFTIPC_ROLE_PRODUCER, &fast), HFTIPC_OK);
    void *slot;
    assert_int_equal(hftipc_channel_try_claim(slow, &slot, NULL), HFTIPC_OK);
    assert_int_equal(hftipc_channel_send(fast, "fast", 4), HFTIPC_OK);
    char buf[64];
    assert_int_equal(hftipc_channel_receive_wait(c, buf, sizeof buf, 50 * MS), HFTIPC_ETIMEDOUT);
    memcpy(slot, "slow", 4);
    assert_int_equal(hftipc_channel_commit(slow, 4), HFTIPC_OK);
    assert_int_equal(hftipc_channel_receive(c, buf, sizeof buf), 4);
    assert_memory_equal(buf, "slow", 4);
    assert_int_equal(hftipc_channel_receive(c, buf, sizeof buf), 4);
    assert_memory_equal(buf, "fast", 4);
    hftipc_info_t info = {.size = sizeof info};
    assert_int_equal(hftipc_channel_stats(c, &info), HFTIPC_OK);
    assert_int_equal(info.abandoned_count, 0);
    hftipc_channel_close(slow);
    hftipc_channel_close(fast);
    hftipc_channel_close(c);
}

/* ---- multi-process stress ---- */

enum { PRODUCERS = 4 };

/* Message: u32 producer id, u32 per-producer sequence, u32 checksum, then filler. */
static size_t encode(uint32_t id, uint32_t seq, unsigned char *out)
{
    size_t len = 12 + (size_t)((seq * 31u + id * 7u) % 45u);
    memcpy(out, &id, 4);
    memcpy(out + 4, &seq, 4);
    for (size_t i = 12; i < len; i++)
        out[i] = (unsigned char)(seq + i * id);
    uint32_t sum = test_checksum(out + 12, len - 12) ^ seq ^ (id << 24);
    memcpy(out + 8, &sum, 4);
    return len;
}

static int producer_main(const char *path, uint32_t id, uint32_t count)
{
    hftipc_channel_t *p;
    if (hftipc_channel_open(path, HFTIPC_ROLE_PRODUCER, &p) != HFTIPC_OK)
        return 10;
    unsigned char buf[16 * 64];
    uint32_t lens[16];
    for (uint32_t seq = 0; seq < count;) {
        int kind = (int)((seq / 1000) % 3);
        if (kind == 0) {
            size_t len = encode(id, seq, buf);
            int rc = hftipc_channel_send_wait(p, buf, len, 10000 * MS);
            if (rc != HFTIPC_OK)
                return 11;
            seq++;
        } else if (kind == 1) {
            size_t n = count - seq < 16 ? count - seq : 16, off = 0;
            for (size_t i = 0; i < n; i++) {
                lens[i] = (uint32_t)encode(id, seq + (uint32_t)i, buf + off);
                off += lens[i];
            }
            int64_t sent = hftipc_channel_send_batch(p, buf, off, lens, n);
            if (sent == HFTIPC_EFULL) {
                if (hftipc_channel_wait(p, 10000 * MS) != HFTIPC_OK)
                    return 12;
                continue;
            }
            if (sent <= 0)
                return 13;
            seq += (uint32_t)sent;
        } else {
            void *slot;
            int rc = hftipc_channel_try_claim(p, &slot, NULL);
            if (rc == HFTIPC_EFULL) {
                if (hftipc_channel_wait(p, 10000 * MS) != HFTIPC_OK)
                    return 14;
                continue;
            }
            if (rc == HFTIPC_OK)
                rc = hftipc_channel_commit(p, encode(id, seq, slot));
            if (rc != HFTIPC_OK) {
                fprintf(stderr, "producer %u: claim/commit of %u: %s\n", id, seq,
                        hftipc_err_name(rc));
                return 15;
            }
            seq++;
        }
    }
    hftipc_channel_close(p);
    return 0;
}

static void test_producers_in_many_processes_keep_their_order(void **state)
{
    (void)state;
    const char *env = getenv("HFTIPC_STRESS_MESSAGES");
    uint64_t total = env ? strtoull(env, NULL, 10) : HFTIPC_STRESS_MESSAGES;
    uint32_t each = (uint32_t)(total / 10 / PRODUCERS + 1);
    hftipc_channel_t *c;
    const char *path = fresh_mpsc("mpsc-stress", 256, HFTIPC_ROLE_CONSUMER, &c);
    pid_t kids[PRODUCERS];
    for (uint32_t id = 0; id < PRODUCERS; id++) {
        kids[id] = fork();
        if (kids[id] == 0)
            _exit(producer_main(path, id, each));
    }
    uint32_t next[PRODUCERS] = {0};
    unsigned char buf[64 * 32];
    uint32_t lens[32];
    for (uint64_t got = 0; got < (uint64_t)each * PRODUCERS;) {
        int64_t n = hftipc_channel_receive_batch(c, buf, sizeof buf, lens, 32);
        if (n == HFTIPC_EEMPTY) {
            int rc = hftipc_channel_wait(c, 10000 * MS);
            if (rc != HFTIPC_OK) {
                hftipc_info_t info = {.size = sizeof info};
                hftipc_channel_stats(c, &info);
                for (int k = 0; k < PRODUCERS; k++)
                    print_error("producer %d exit %d\n", k, exit_code(kids[k]));
                fail_msg("consumer wait: %s after %llu messages; head %llu tail %llu "
                         "producers %u waiting %u/%u abandoned %llu",
                         hftipc_err_name(rc), (unsigned long long)got,
                         (unsigned long long)info.head, (unsigned long long)info.tail,
                         info.producer_count, info.producer_waiting, info.consumer_waiting,
                         (unsigned long long)info.abandoned_count);
            }
            continue;
        }
        assert_true(n > 0);
        size_t off = 0;
        for (int64_t i = 0; i < n; off += lens[i], i++) {
            uint32_t id, seq, sum;
            memcpy(&id, buf + off, 4);
            memcpy(&seq, buf + off + 4, 4);
            memcpy(&sum, buf + off + 8, 4);
            assert_true(id < PRODUCERS);
            if (seq != next[id])
                fail_msg("producer %u: got %u, want %u", id, seq, next[id]);
            if ((test_checksum(buf + off + 12, lens[i] - 12) ^ seq ^ (id << 24)) != sum)
                fail_msg("producer %u message %u is torn", id, seq);
            next[id]++;
        }
        got += (uint64_t)n;
    }
    for (int i = 0; i < PRODUCERS; i++)
        assert_int_equal(exit_code(kids[i]), 0);
    hftipc_info_t info = {.size = sizeof info};
    assert_int_equal(hftipc_channel_stats(c, &info), HFTIPC_OK);
    assert_int_equal(info.abandoned_count, 0);
    assert_int_equal(info.backlog, 0);
    print_message("%d producer processes moved %u messages each\n", PRODUCERS, each);
    hftipc_channel_close(c);
}

static void test_observer_sees_only_committed_messages(void **state)
{
    (void)state;
    hftipc_channel_t *p, *o, *c;
    const char *path = fresh_mpsc("mpsc-observer", 8, HFTIPC_ROLE_PRODUCER, &p);
    assert_int_equal(hftipc_channel_open(path, HFTIPC_ROLE_OBSERVER, &o), HFTIPC_OK);
    assert_int_equal(hftipc_channel_open(path, HFTIPC_ROLE_CONSUMER, &c), HFTIPC_OK);
    void *slot;
    assert_int_equal(hftipc_channel_try_claim(p, &slot, NULL), HFTIPC_OK);
    char buf[64];
    assert_int_equal(hftipc_channel_receive(o, buf, sizeof buf), HFTIPC_EEMPTY);
    assert_int_equal(hftipc_channel_wait(o, 10 * MS), HFTIPC_ETIMEDOUT);
    memcpy(slot, "seen", 4);
    assert_int_equal(hftipc_channel_commit(p, 4), HFTIPC_OK);
    assert_int_equal(hftipc_channel_receive(o, buf, sizeof buf), 4);
    assert_memory_equal(buf, "seen", 4);
    assert_int_equal(hftipc_channel_receive(c, buf, sizeof buf), 4);
    hftipc_channel_close(o);
    hftipc_channel_close(c);
    hftipc_channel_close(p);
    (void)sleep_ms;
}

int main(void)
{
    alarm(300);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_producers_share_one_channel),
        cmocka_unit_test(test_uncommitted_claim_holds_back_later_messages),
        cmocka_unit_test(test_batches_full_ring_and_producer_table),
        cmocka_unit_test(test_dead_claimer_is_skipped_and_counted),
        cmocka_unit_test(test_live_slow_claimer_is_not_skipped),
        cmocka_unit_test(test_producers_in_many_processes_keep_their_order),
        cmocka_unit_test(test_observer_sees_only_committed_messages),
    };
    int rc = cmocka_run_group_tests_name("mpsc", tests, NULL, NULL);
    test_scratch_cleanup();
    return rc;
}
