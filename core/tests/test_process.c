/*
 * Multi-process behaviour: a two-process stress run with sequence numbers and checksums,
 * kill -9 of the consumer and of the producer mid-stream, and a create race.
 * Message counts can be raised or lowered with HFTIPC_STRESS_MESSAGES in the environment.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <sched.h>
#include <signal.h>
#include <stdatomic.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>

#include "hftipc.h"
#include "test_util.h"

static uint64_t stress_messages(void)
{
    const char *env = getenv("HFTIPC_STRESS_MESSAGES");
    return env ? strtoull(env, NULL, 10) : HFTIPC_STRESS_MESSAGES;
}

/* Message layout: u64 sequence, u32 checksum of the rest, then seq-derived filler whose length
 * varies with the sequence so every size from 12 bytes to the payload maximum occurs. */
enum { MSG_HEADER = 12 };

static size_t encode_message(uint64_t seq, unsigned char *out, uint32_t max_payload)
{
    size_t len = MSG_HEADER + (size_t)(seq * 7919 % (max_payload - MSG_HEADER + 1));
    memcpy(out, &seq, 8);
    for (size_t i = MSG_HEADER; i < len; i++)
        out[i] = (unsigned char)(seq >> (i % 8) ^ i);
    uint32_t sum = test_checksum(out + MSG_HEADER, len - MSG_HEADER) ^ (uint32_t)seq;
    memcpy(out + 8, &sum, 4);
    return len;
}

/* Returns the sequence number, or -1 if the message is torn or malformed. */
static int64_t decode_message(const unsigned char *msg, size_t len)
{
    if (len < MSG_HEADER)
        return -1;
    uint64_t seq;
    uint32_t sum;
    memcpy(&seq, msg, 8);
    memcpy(&sum, msg + 8, 4);
    if ((test_checksum(msg + MSG_HEADER, len - MSG_HEADER) ^ (uint32_t)seq) != sum)
        return -1;
    return (int64_t)seq;
}

static void backoff(unsigned *spins)
{
    if (++*spins > 64) {
        sched_yield();
        *spins = 0;
    }
}

static const char *fresh_channel(const char *name, uint32_t capacity, uint32_t slot_size)
{
    const char *path = test_path("%s", name);
    unlink(path);
    hftipc_options_t o;
    hftipc_options_init(&o);
    o.capacity = capacity;
    o.slot_size = slot_size;
    hftipc_channel_t *ch;
    assert_int_equal(hftipc_channel_create(path, &o, HFTIPC_ROLE_OBSERVER, &ch), HFTIPC_OK);
    hftipc_channel_close(ch);
    return path;
}

static int child_status(pid_t pid)
{
    int status;
    if (waitpid(pid, &status, 0) != pid)
        return -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

/* Producer for the stress test: cycles through send, send_batch and claim/commit. */
static int stress_producer(const char *path, uint64_t total)
{
    hftipc_channel_t *p;
    if (hftipc_channel_open(path, HFTIPC_ROLE_PRODUCER, &p) != HFTIPC_OK)
        return 10;
    uint32_t max = hftipc_channel_max_payload(p);
    unsigned char batch[16 * 256];
    uint32_t lens[16];
    uint64_t seq = 0;
    unsigned spins = 0;
    while (seq < total) {
        int path_kind = (int)((seq >> 10) % 3);
        if (path_kind == 0) {
            unsigned char msg[256];
            size_t len = encode_message(seq, msg, max);
            int rc = hftipc_channel_send(p, msg, len);
            if (rc == HFTIPC_EFULL) {
                backoff(&spins);
                continue;
            }
            if (rc != HFTIPC_OK)
                return 11;
            seq++;
        } else if (path_kind == 1) {
            size_t n = total - seq < 16 ? (size_t)(total - seq) : 16, off = 0;
            for (size_t i = 0; i < n; i++) {
                lens[i] = (uint32_t)encode_message(seq + i, batch + off, max);
                off += lens[i];
            }
            int64_t sent = hftipc_channel_send_batch(p, batch, off, lens, n);
            if (sent == HFTIPC_EFULL) {
                backoff(&spins);
                continue;
            }
            if (sent <= 0)
                return 12;
            seq += (uint64_t)sent;
        } else {
            void *slot;
            int rc = hftipc_channel_try_claim(p, &slot, NULL);
            if (rc == HFTIPC_EFULL) {
                backoff(&spins);
                continue;
            }
            if (rc != HFTIPC_OK)
                return 13;
            size_t len = encode_message(seq, slot, max);
            if (hftipc_channel_commit(p, len) != HFTIPC_OK)
                return 14;
            seq++;
        }
    }
    hftipc_channel_close(p);
    return 0;
}

typedef struct verify_ctx {
    uint64_t expected;
    int bad;
} verify_ctx;

static int verify_handler(void *ctx_, const void *msg, uint32_t len)
{
    verify_ctx *ctx = ctx_;
    if (decode_message(msg, len) != (int64_t)ctx->expected)
        ctx->bad = 1;
    ctx->expected++;
    return ctx->bad;
}

static void test_stress_two_processes_sequence_and_checksum(void **state)
{
    (void)state;
    uint64_t total = stress_messages();
    const char *path = fresh_channel("stress", 1024, 64);
    pid_t producer = fork();
    assert_true(producer >= 0);
    if (producer == 0)
        _exit(stress_producer(path, total));

    hftipc_channel_t *c;
    assert_int_equal(hftipc_channel_open(path, HFTIPC_ROLE_CONSUMER, &c), HFTIPC_OK);
    unsigned char buf[64 * 32];
    uint32_t lens[32];
    verify_ctx v = {0};
    unsigned spins = 0;
    while (v.expected < total && !v.bad) {
        int kind = (int)((v.expected >> 12) % 3);
        int64_t rc;
        if (kind == 0) {
            rc = hftipc_channel_receive(c, buf, sizeof buf);
            if (rc >= 0 && !verify_handler(&v, buf, (uint32_t)rc))
                continue;
        } else if (kind == 1) {
            rc = hftipc_channel_receive_batch(c, buf, sizeof buf, lens, 32);
            for (int64_t i = 0, off = 0; i < rc; off += lens[i], i++)
                verify_handler(&v, buf + off, lens[i]);
        } else {
            rc = hftipc_channel_drain(c, verify_handler, &v, 64);
        }
        if (rc == HFTIPC_EEMPTY)
            backoff(&spins);
        else if (rc < 0)
            fail_msg("consumer got %s at %llu", hftipc_err_name(rc),
                     (unsigned long long)v.expected);
    }
    if (v.bad)
        fail_msg("torn or out-of-order message at sequence %llu",
                 (unsigned long long)v.expected - 1);
    assert_int_equal(child_status(producer), 0);
    hftipc_info_t info = {.size = sizeof info};
    assert_int_equal(hftipc_channel_stats(c, &info), HFTIPC_OK);
    assert_int_equal(info.head, total);
    assert_int_equal(info.tail, total);
    assert_int_equal(hftipc_channel_receive(c, buf, sizeof buf), HFTIPC_EEMPTY);
    hftipc_channel_close(c);
    print_message("moved %llu messages between two processes\n", (unsigned long long)total);
}

/* ---- kill -9 of the consumer ---- */

static int plain_producer(const char *path, uint64_t first, uint64_t total)
{
    hftipc_channel_t *p;
    if (hftipc_channel_open(path, HFTIPC_ROLE_PRODUCER, &p) != HFTIPC_OK)
        return 20;
    uint32_t max = hftipc_channel_max_payload(p);
    unsigned char msg[256];
    unsigned spins = 0;
    for (uint64_t seq = first; seq < total;) {
        size_t len = encode_message(seq, msg, max);
        int rc = hftipc_channel_send(p, msg, len);
        if (rc == HFTIPC_EFULL) {
            backoff(&spins);
            continue;
        }
        if (rc != HFTIPC_OK)
            return 21;
        seq++;
    }
    hftipc_channel_close(p);
    return 0;
}

/* Peek, record delivery, ack: the at-least-once loop a real consumer runs. */
static int recording_consumer(const char *path, _Atomic uint8_t *deliveries, uint64_t total)
{
    hftipc_channel_t *c;
    int rc = hftipc_channel_open(path, HFTIPC_ROLE_CONSUMER, &c);
    if (rc != HFTIPC_OK)
        return 30;
    unsigned spins = 0;
    for (;;) {
        const void *msg;
        int64_t len = hftipc_channel_peek(c, &msg);
        if (len == HFTIPC_EEMPTY) {
            /* An earlier (killed) consumer may have taken the last message already. */
            if (atomic_load(&deliveries[total - 1]) != 0)
                break;
            backoff(&spins);
            continue;
        }
        int64_t seq = len < 0 ? -1 : decode_message(msg, (size_t)len);
        if (seq < 0 || (uint64_t)seq >= total)
            return 31;
        atomic_fetch_add(&deliveries[seq], 1);
        if (hftipc_channel_ack(c) != HFTIPC_OK)
            return 32;
        if ((uint64_t)seq == total - 1)
            break;
    }
    hftipc_channel_close(c);
    return 0;
}

static void random_pause_us(unsigned min_us, unsigned max_us)
{
    struct timespec ts = {0, (long)(min_us + (unsigned)rand() % (max_us - min_us + 1)) * 1000};
    nanosleep(&ts, NULL);
}

static void test_consumer_killed_resumes_with_at_most_one_redelivery(void **state)
{
    (void)state;
    uint64_t total = stress_messages() / 20 + 1000;
    const int kills = 6;
    const char *path = fresh_channel("kill-consumer", 256, 64);
    _Atomic uint8_t *deliveries =
        mmap(NULL, total, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    assert_true(deliveries != MAP_FAILED);
    pid_t producer = fork();
    if (producer == 0)
        _exit(plain_producer(path, 0, total));
    srand((unsigned)getpid());
    for (int k = 0; k < kills; k++) {
        pid_t consumer = fork();
        if (consumer == 0)
            _exit(recording_consumer(path, deliveries, total));
        random_pause_us(1000, 15000);
        kill(consumer, SIGKILL);
        int st = child_status(consumer);
        /* It may have finished before the kill landed, but never failed on its own. */
        assert_true(st == 128 + SIGKILL || st == 0);
    }
    pid_t last = fork();
    if (last == 0)
        _exit(recording_consumer(path, deliveries, total));
    assert_int_equal(child_status(last), 0);
    assert_int_equal(child_status(producer), 0);

    uint64_t twice = 0;
    for (uint64_t s = 0; s < total; s++) {
        uint8_t d = atomic_load(&deliveries[s]);
        if (d == 0 || d > 2)
            fail_msg("message %llu delivered %u times", (unsigned long long)s, d);
        twice += d == 2;
    }
    /* Each kill can interrupt at most one message between its delivery and its ack. */
    assert_true(twice <= (uint64_t)kills);
    munmap(deliveries, total);
}

/* ---- kill -9 of the producer mid-write ---- */

/* Writes each message into the claimed slot in small steps, yielding in between, so a kill
 * lands mid-write often. Resumes from the persisted head. */
static int slow_producer(const char *path)
{
    hftipc_channel_t *p;
    if (hftipc_channel_open(path, HFTIPC_ROLE_PRODUCER, &p) != HFTIPC_OK)
        return 40;
    hftipc_info_t info = {.size = sizeof info};
    hftipc_channel_stats(p, &info);
    uint32_t max = hftipc_channel_max_payload(p);
    unsigned char msg[256];
    unsigned spins = 0;
    for (uint64_t seq = info.head;;) {
        void *slot;
        int rc = hftipc_channel_try_claim(p, &slot, NULL);
        if (rc == HFTIPC_EFULL) {
            backoff(&spins);
            continue;
        }
        if (rc != HFTIPC_OK)
            return 41;
        size_t len = encode_message(seq, msg, max);
        for (size_t off = 0; off < len; off += 8) {
            memcpy((unsigned char *)slot + off, msg + off, len - off < 8 ? len - off : 8);
            if (off % 32 == 0)
                sched_yield();
        }
        if (hftipc_channel_commit(p, len) != HFTIPC_OK)
            return 42;
        seq++;
    }
}

static void test_producer_killed_mid_write_exposes_no_torn_message(void **state)
{
    (void)state;
    const char *path = fresh_channel("kill-producer", 64, 128);
    hftipc_channel_t *c;
    assert_int_equal(hftipc_channel_open(path, HFTIPC_ROLE_CONSUMER, &c), HFTIPC_OK);
    unsigned char buf[128];
    uint64_t expected = 0;
    const int kills = 8;
    srand((unsigned)getpid() * 31u);
    for (int k = 0; k <= kills; k++) {
        pid_t producer = fork();
        if (producer == 0)
            _exit(slow_producer(path));
        uint64_t goal = expected + 2000;
        unsigned spins = 0;
        while (expected < goal) {
            int64_t len = hftipc_channel_receive(c, buf, sizeof buf);
            if (len == HFTIPC_EEMPTY) {
                backoff(&spins);
                continue;
            }
            assert_true(len >= 0);
            int64_t seq = decode_message(buf, (size_t)len);
            if (seq != (int64_t)expected)
                fail_msg("after %d kills: got %lld, want message %llu intact", k, (long long)seq,
                         (unsigned long long)expected);
            expected++;
        }
        random_pause_us(0, 300);
        kill(producer, SIGKILL);
        assert_int_equal(child_status(producer), 128 + SIGKILL);
    }
    /* Drain what the last producer published before it died: all intact and in order. */
    int64_t len;
    while ((len = hftipc_channel_receive(c, buf, sizeof buf)) >= 0)
        assert_int_equal(decode_message(buf, (size_t)len), (int64_t)expected++);
    assert_int_equal(len, HFTIPC_EEMPTY);
    hftipc_info_t info = {.size = sizeof info};
    assert_int_equal(hftipc_channel_stats(c, &info), HFTIPC_OK);
    assert_int_equal(info.producer_takeovers, kills);
    hftipc_channel_close(c);
}

/* ---- create race ---- */

enum { RACERS = 16 };

typedef struct race_board {
    _Atomic int go;
    int status[RACERS];
    uint32_t capacity[RACERS];
} race_board;

static void test_create_race_has_exactly_one_initialiser(void **state)
{
    (void)state;
    race_board *board =
        mmap(NULL, sizeof *board, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    assert_true(board != MAP_FAILED);
    for (int mode = 0; mode < 2; mode++) { /* 0: create, 1: open_or_create */
        const char *path = test_path("race-%d", mode);
        unlink(path);
        memset(board, 0, sizeof *board);
        pid_t kids[RACERS];
        for (int i = 0; i < RACERS; i++) {
            kids[i] = fork();
            if (kids[i] == 0) {
                while (!atomic_load(&board->go))
                    ;
                hftipc_options_t o;
                hftipc_options_init(&o);
                o.capacity = i % 2 ? 64 : 128; /* two camps with different geometry */
                o.slot_size = 64;
                hftipc_channel_t *ch;
                int rc = mode == 0
                             ? hftipc_channel_create(path, &o, HFTIPC_ROLE_OBSERVER, &ch)
                             : hftipc_channel_open_or_create(path, &o, HFTIPC_ROLE_OBSERVER, &ch);
                board->status[i] = rc;
                board->capacity[i] = o.capacity;
                if (rc == HFTIPC_OK)
                    hftipc_channel_close(ch);
                _exit(0);
            }
        }
        atomic_store(&board->go, 1);
        for (int i = 0; i < RACERS; i++)
            assert_int_equal(child_status(kids[i]), 0);
        hftipc_info_t info = {.size = sizeof info};
        assert_int_equal(hftipc_inspect(path, &info), HFTIPC_OK);
        int created = 0;
        for (int i = 0; i < RACERS; i++) {
            int rc = board->status[i];
            if (mode == 0) {
                assert_true(rc == HFTIPC_OK || rc == HFTIPC_EEXIST);
                created += rc == HFTIPC_OK;
            } else if (board->capacity[i] == info.capacity) {
                /* Everyone whose options match the winner's file opened it. */
                assert_int_equal(rc, HFTIPC_OK);
            } else {
                assert_int_equal(rc, HFTIPC_EMISMATCH);
            }
            if (kids[i] == (pid_t)info.creator_pid)
                assert_int_equal(board->capacity[i], info.capacity);
        }
        if (mode == 0)
            assert_int_equal(created, 1);
    }
    munmap(board, sizeof *board);
}

int main(void)
{
    /* A hang is a failure: every scenario here finishes in seconds when correct. */
    alarm(500);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_stress_two_processes_sequence_and_checksum),
        cmocka_unit_test(test_consumer_killed_resumes_with_at_most_one_redelivery),
        cmocka_unit_test(test_producer_killed_mid_write_exposes_no_torn_message),
        cmocka_unit_test(test_create_race_has_exactly_one_initialiser),
    };
    int rc = cmocka_run_group_tests_name("process", tests, NULL, NULL);
    test_scratch_cleanup();
    return rc;
}
