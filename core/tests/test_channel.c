/*
 * The public API in one process: lifecycle, roles, every operation and its statuses, file
 * permissions, hostile shared state, and the error table.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <signal.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/wait.h>

#include "format.h"
#include "hftipc.h"
#include "platform/platform.h"
#include "test_util.h"

static hftipc_options_t geometry(uint32_t capacity, uint32_t slot_size)
{
    hftipc_options_t o;
    hftipc_options_init(&o);
    o.capacity = capacity;
    o.slot_size = slot_size;
    return o;
}

/* A fresh path, a producer and a consumer on it. */
static void pair(const char *name, uint32_t capacity, uint32_t slot_size, hftipc_channel_t **p,
                 hftipc_channel_t **c)
{
    const char *path = test_path("%s", name);
    unlink(path);
    hftipc_options_t o = geometry(capacity, slot_size);
    assert_int_equal(hftipc_channel_create(path, &o, HFTIPC_ROLE_PRODUCER, p), HFTIPC_OK);
    assert_int_equal(hftipc_channel_open(path, HFTIPC_ROLE_CONSUMER, c), HFTIPC_OK);
}

static void close_pair(hftipc_channel_t *p, hftipc_channel_t *c)
{
    assert_int_equal(hftipc_channel_close(p), HFTIPC_OK);
    assert_int_equal(hftipc_channel_close(c), HFTIPC_OK);
}

static void test_version_macros_match_runtime(void **state)
{
    (void)state;
    assert_int_equal(hftipc_version_number(), HFTIPC_VERSION_NUMBER);
    assert_string_equal(hftipc_version_string(), HFTIPC_VERSION_STRING);
}

static void test_every_status_has_name_and_text(void **state)
{
    (void)state;
    for (int s = 0; s >= HFTIPC_STATUS_MIN; s--) {
        assert_string_not_equal(hftipc_err_name(s), "HFTIPC_E?");
        assert_string_not_equal(hftipc_strerror(s), "unknown hftipc status");
    }
    assert_string_equal(hftipc_err_name(HFTIPC_EFULL), "HFTIPC_EFULL");
    assert_string_equal(hftipc_err_name(HFTIPC_ESTATE), "HFTIPC_ESTATE");
    assert_string_equal(hftipc_err_name(HFTIPC_STATUS_MIN - 1), "HFTIPC_E?");
    assert_string_equal(hftipc_err_name(1), "HFTIPC_E?");
    assert_string_equal(hftipc_strerror(INT64_MIN), "unknown hftipc status");
}

static void test_status_values_are_pinned(void **state)
{
    (void)state;
    /* These values are ABI: bindings and files on disk in other languages rely on them. */
    assert_int_equal(HFTIPC_EFULL, -1);
    assert_int_equal(HFTIPC_EEMPTY, -2);
    assert_int_equal(HFTIPC_ETOOBIG, -3);
    assert_int_equal(HFTIPC_EBUSY, -7);
    assert_int_equal(HFTIPC_ECORRUPT, -11);
    assert_int_equal(HFTIPC_EINCOMPAT, -15);
    assert_int_equal(HFTIPC_ESYSTEM, -26);
    assert_int_equal(HFTIPC_ESTATE, -29);
}

static void test_send_receive_roundtrip(void **state)
{
    (void)state;
    hftipc_channel_t *p, *c;
    pair("roundtrip", 8, 64, &p, &c);
    assert_int_equal(hftipc_channel_max_payload(p), 56);
    assert_int_equal(hftipc_channel_capacity(c), 8);
    assert_int_equal(hftipc_channel_slot_size(c), 64);
    assert_int_equal(hftipc_channel_role(p), HFTIPC_ROLE_PRODUCER);
    assert_int_equal(hftipc_channel_role(c), HFTIPC_ROLE_CONSUMER);

    char buf[64];
    assert_int_equal(hftipc_channel_receive(c, buf, sizeof buf), HFTIPC_EEMPTY);
    assert_int_equal(hftipc_channel_send(p, "hello", 5), HFTIPC_OK);
    assert_int_equal(hftipc_channel_send(p, "world!", 6), HFTIPC_OK);
    assert_int_equal(hftipc_channel_receive(c, buf, sizeof buf), 5);
    assert_memory_equal(buf, "hello", 5);
    assert_int_equal(hftipc_channel_receive(c, buf, sizeof buf), 6);
    assert_memory_equal(buf, "world!", 6);
    assert_int_equal(hftipc_channel_receive(c, buf, sizeof buf), HFTIPC_EEMPTY);
    close_pair(p, c);
}

static void test_ring_wraps_many_times_capacity(void **state)
{
    (void)state;
    hftipc_channel_t *p, *c;
    pair("wrap", 4, 32, &p, &c);
    uint64_t next_send = 0, next_recv = 0;
    /* Uneven bursts so every (head, tail) phase relative to the mask occurs. */
    for (int round = 0; round < 5000; round++) {
        int burst = 1 + round % 5;
        for (int i = 0; i < burst; i++) {
            int rc = hftipc_channel_send(p, &next_send, sizeof next_send);
            if (rc == HFTIPC_EFULL)
                break;
            assert_int_equal(rc, HFTIPC_OK);
            next_send++;
        }
        int drain = 1 + (round * 7) % 4;
        for (int i = 0; i < drain; i++) {
            uint64_t v;
            int64_t n = hftipc_channel_receive(c, &v, sizeof v);
            if (n == HFTIPC_EEMPTY)
                break;
            assert_int_equal(n, sizeof v);
            assert_int_equal(v, next_recv);
            next_recv++;
        }
    }
    assert_true(next_recv > 4 * 1000);
    close_pair(p, c);
}

static void test_full_and_empty_statuses(void **state)
{
    (void)state;
    hftipc_channel_t *p, *c;
    pair("full", 4, 16, &p, &c);
    for (int i = 0; i < 4; i++)
        assert_int_equal(hftipc_channel_send(p, &i, sizeof i), HFTIPC_OK);
    assert_int_equal(hftipc_channel_send(p, "x", 1), HFTIPC_EFULL);
    assert_int_equal(hftipc_channel_send(p, "x", 1), HFTIPC_EFULL);
    hftipc_info_t info = {.size = sizeof info};
    assert_int_equal(hftipc_channel_stats(c, &info), HFTIPC_OK);
    assert_int_equal(info.full_count, 2);
    assert_int_equal(info.backlog, 4);
    int v;
    assert_int_equal(hftipc_channel_receive(c, &v, sizeof v), sizeof v);
    assert_int_equal(v, 0);
    assert_int_equal(hftipc_channel_send(p, "x", 1), HFTIPC_OK);
    close_pair(p, c);
}

static void test_zero_max_and_too_big_messages(void **state)
{
    (void)state;
    hftipc_channel_t *p, *c;
    pair("sizes", 4, 128, &p, &c);
    uint32_t max = hftipc_channel_max_payload(p);
    assert_int_equal(max, 120);
    unsigned char big[200];
    for (size_t i = 0; i < sizeof big; i++)
        big[i] = (unsigned char)(i * 13 + 1);
    assert_int_equal(hftipc_channel_send(p, NULL, 0), HFTIPC_OK);
    assert_int_equal(hftipc_channel_send(p, big, max), HFTIPC_OK);
    assert_int_equal(hftipc_channel_send(p, big, max + 1), HFTIPC_ETOOBIG);
    assert_int_equal(hftipc_channel_send(p, big, SIZE_MAX), HFTIPC_ETOOBIG);
    unsigned char out[200];
    assert_int_equal(hftipc_channel_receive(c, out, sizeof out), 0);
    /* A buffer one byte short: nothing consumed, the message stays. */
    assert_int_equal(hftipc_channel_receive(c, out, max - 1), HFTIPC_EBUFSIZE);
    assert_int_equal(hftipc_channel_receive(c, out, max), max);
    assert_memory_equal(out, big, max);
    /* The too-big send wrote nothing. */
    assert_int_equal(hftipc_channel_receive(c, out, sizeof out), HFTIPC_EEMPTY);
    close_pair(p, c);
}

static void test_invalid_arguments(void **state)
{
    (void)state;
    hftipc_channel_t *p, *c, *ch;
    pair("invalid", 4, 64, &p, &c);
    char buf[8];
    assert_int_equal(hftipc_channel_send(NULL, "x", 1), HFTIPC_EINVAL);
    assert_int_equal(hftipc_channel_send(p, NULL, 1), HFTIPC_EINVAL);
    assert_int_equal(hftipc_channel_receive(NULL, buf, 1), HFTIPC_EINVAL);
    assert_int_equal(hftipc_channel_receive(c, NULL, 1), HFTIPC_EINVAL);
    assert_int_equal(hftipc_channel_receive_batch(c, buf, 8, NULL, 1), HFTIPC_EINVAL);
    uint32_t lens[1];
    assert_int_equal(hftipc_channel_receive_batch(c, buf, 8, lens, 0), HFTIPC_EINVAL);
    assert_int_equal(hftipc_channel_try_claim(p, NULL, NULL), HFTIPC_EINVAL);
    assert_int_equal(hftipc_channel_peek(c, NULL), HFTIPC_EINVAL);
    assert_int_equal(hftipc_channel_drain(c, NULL, NULL, 1), HFTIPC_EINVAL);
    assert_int_equal(hftipc_channel_ack(NULL), HFTIPC_EINVAL);
    assert_int_equal(hftipc_channel_commit(NULL, 0), HFTIPC_EINVAL);
    assert_int_equal(hftipc_channel_stats(p, NULL), HFTIPC_EINVAL);
    assert_int_equal(hftipc_channel_open(NULL, HFTIPC_ROLE_CONSUMER, &ch), HFTIPC_EINVAL);
    assert_int_equal(hftipc_channel_open(test_path("invalid"), (hftipc_role_t)9, &ch),
                     HFTIPC_EINVAL);
    assert_null(ch);
    assert_int_equal(hftipc_channel_open(test_path("invalid"), HFTIPC_ROLE_OBSERVER, NULL),
                     HFTIPC_EINVAL);
    hftipc_options_t o = geometry(4, 64);
    o.size = 2; /* too small to contain even the capacity */
    assert_int_equal(hftipc_channel_create(test_path("bad-opts"), &o, HFTIPC_ROLE_PRODUCER, &ch),
                     HFTIPC_EINVAL);
    o = geometry(4, 64);
    o.file_mode = 010000;
    assert_int_equal(hftipc_channel_create(test_path("bad-mode"), &o, HFTIPC_ROLE_PRODUCER, &ch),
                     HFTIPC_EINVAL);
    assert_int_equal(hftipc_channel_create(test_scratch(), NULL, HFTIPC_ROLE_PRODUCER, &ch),
                     HFTIPC_EEXIST);
    char slash[600];
    snprintf(slash, sizeof slash, "%s/", test_scratch());
    assert_int_equal(hftipc_channel_create(slash, NULL, HFTIPC_ROLE_PRODUCER, &ch), HFTIPC_EINVAL);
    assert_int_equal(hftipc_channel_close(NULL), HFTIPC_OK);
    close_pair(p, c);
}

static void test_create_refuses_bad_geometry(void **state)
{
    (void)state;
    static const struct {
        uint32_t capacity, slot_size, mode;
        int expected;
    } rows[] = {
        {0, 64, 1, HFTIPC_ECAPACITY},
        {6, 64, 1, HFTIPC_ECAPACITY},
        {1u << 31, 64, 1, HFTIPC_ECAPACITY},
        {4, 8, 1, HFTIPC_ESLOTSIZE},
        {4, 60, 1, HFTIPC_ESLOTSIZE},
        {4, 64, 3, HFTIPC_EMODE},
        {1u << 30, 1u << 26, 1, HFTIPC_ETOOLARGE},
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        hftipc_options_t o = geometry(rows[i].capacity, rows[i].slot_size);
        o.mode = rows[i].mode;
        hftipc_channel_t *ch;
        const char *path = test_path("bad-geometry-%zu", i);
        assert_int_equal(hftipc_channel_create(path, &o, HFTIPC_ROLE_PRODUCER, &ch),
                         rows[i].expected);
        assert_int_equal(access(path, F_OK), -1); /* nothing left behind */
    }
}

static void test_roles_are_enforced(void **state)
{
    (void)state;
    hftipc_channel_t *p, *c, *o;
    pair("roles", 4, 64, &p, &c);
    assert_int_equal(hftipc_channel_open(test_path("roles"), HFTIPC_ROLE_OBSERVER, &o), HFTIPC_OK);
    char buf[8];
    const void *view;
    void *slot;
    uint32_t lens[1];
    assert_int_equal(hftipc_channel_send(c, "x", 1), HFTIPC_EROLE);
    assert_int_equal(hftipc_channel_send(o, "x", 1), HFTIPC_EROLE);
    assert_int_equal(hftipc_channel_send_batch(c, "x", 1, lens, 0), HFTIPC_EROLE);
    assert_int_equal(hftipc_channel_try_claim(c, &slot, NULL), HFTIPC_EROLE);
    assert_int_equal(hftipc_channel_commit(o, 1), HFTIPC_EROLE);
    assert_int_equal(hftipc_channel_receive(p, buf, sizeof buf), HFTIPC_EROLE);
    assert_int_equal(hftipc_channel_receive_batch(p, buf, 8, lens, 1), HFTIPC_EROLE);
    assert_int_equal(hftipc_channel_peek(p, &view), HFTIPC_EROLE);
    assert_int_equal(hftipc_channel_peek(o, &view), HFTIPC_EROLE);
    assert_int_equal(hftipc_channel_ack(p), HFTIPC_EROLE);
    assert_int_equal(hftipc_channel_ack(o), HFTIPC_EROLE);
    assert_int_equal(hftipc_channel_close(o), HFTIPC_OK);
    close_pair(p, c);
}

static void test_second_live_holder_is_busy(void **state)
{
    (void)state;
    hftipc_channel_t *p, *c, *again;
    pair("busy", 4, 64, &p, &c);
    assert_int_equal(hftipc_channel_open(test_path("busy"), HFTIPC_ROLE_PRODUCER, &again),
                     HFTIPC_EBUSY);
    assert_null(again);
    assert_int_equal(hftipc_channel_open(test_path("busy"), HFTIPC_ROLE_CONSUMER, &again),
                     HFTIPC_EBUSY);
    /* Closing releases the role. */
    assert_int_equal(hftipc_channel_close(c), HFTIPC_OK);
    assert_int_equal(hftipc_channel_open(test_path("busy"), HFTIPC_ROLE_CONSUMER, &c), HFTIPC_OK);
    hftipc_info_t info = {.size = sizeof info};
    assert_int_equal(hftipc_channel_stats(p, &info), HFTIPC_OK);
    assert_int_equal(info.producer_pid, (uint32_t)getpid());
    assert_int_equal(info.producer_liveness, HFTIPC_PEER_ALIVE);
    assert_int_equal(info.consumer_epoch, 2);
    assert_int_equal(info.consumer_takeovers, 0);
    close_pair(p, c);
}

static void test_dead_holder_is_taken_over(void **state)
{
    (void)state;
    const char *path = test_path("takeover");
    unlink(path);
    hftipc_options_t o = geometry(8, 64);
    hftipc_channel_t *ch;
    assert_int_equal(hftipc_channel_create(path, &o, HFTIPC_ROLE_OBSERVER, &ch), HFTIPC_OK);
    hftipc_channel_close(ch);
    pid_t child = fork();
    assert_true(child >= 0);
    if (child == 0) {
        hftipc_channel_t *p;
        if (hftipc_channel_open(path, HFTIPC_ROLE_PRODUCER, &p) != HFTIPC_OK)
            _exit(1);
        hftipc_channel_send(p, "from-child", 10);
        _exit(0); /* dies holding the role: no close */
    }
    int status;
    assert_int_equal(waitpid(child, &status, 0), child);
    assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);

    hftipc_info_t info = {.size = sizeof info};
    assert_int_equal(hftipc_inspect(path, &info), HFTIPC_OK);
    assert_int_equal(info.producer_pid, (uint32_t)child);
    assert_int_equal(info.producer_liveness, HFTIPC_PEER_DEAD);

    hftipc_channel_t *p, *c;
    assert_int_equal(hftipc_channel_open(path, HFTIPC_ROLE_PRODUCER, &p), HFTIPC_OK);
    assert_int_equal(hftipc_channel_stats(p, &info), HFTIPC_OK);
    assert_int_equal(info.producer_takeovers, 1);
    assert_int_equal(info.producer_epoch, 2);
    assert_int_equal(info.head, 1); /* the new producer resumes after the child's message */
    assert_int_equal(hftipc_channel_send(p, "from-parent", 11), HFTIPC_OK);
    assert_int_equal(hftipc_channel_open(path, HFTIPC_ROLE_CONSUMER, &c), HFTIPC_OK);
    char buf[64];
    assert_int_equal(hftipc_channel_receive(c, buf, sizeof buf), 10);
    assert_memory_equal(buf, "from-child", 10);
    assert_int_equal(hftipc_channel_receive(c, buf, sizeof buf), 11);
    close_pair(p, c);
}

static void test_zombie_holder_counts_as_dead(void **state)
{
    (void)state;
    const char *path = test_path("zombie");
    unlink(path);
    hftipc_options_t o = geometry(8, 64);
    hftipc_channel_t *ch;
    assert_int_equal(hftipc_channel_create(path, &o, HFTIPC_ROLE_OBSERVER, &ch), HFTIPC_OK);
    hftipc_channel_close(ch);
    int fds[2];
    assert_int_equal(pipe(fds), 0);
    pid_t child = fork();
    if (child == 0) {
        hftipc_channel_t *c;
        char ok = hftipc_channel_open(path, HFTIPC_ROLE_CONSUMER, &c) == HFTIPC_OK;
        if (write(fds[1], &ok, 1) != 1)
            _exit(2);
        _exit(0);
    }
    char ok = 0;
    assert_int_equal(read(fds[0], &ok, 1), 1);
    assert_true(ok);
    /* Wait until the child is a zombie (exited, not reaped). */
    siginfo_t si;
    assert_int_equal(waitid(P_PID, (id_t)child, &si, WEXITED | WNOWAIT), 0);
    hftipc_channel_t *c;
#if defined(HFTIPC_PLATFORM_POSIX) && !defined(__APPLE__)
    /* The generic POSIX layer has no process state to read (docs/FORMAT.md section 7): a
     * zombie's pid still exists, so its role stays held until the parent reaps it. */
    assert_int_equal(hftipc_channel_open(path, HFTIPC_ROLE_CONSUMER, &c), HFTIPC_EBUSY);
    waitpid(child, NULL, 0);
    assert_int_equal(hftipc_channel_open(path, HFTIPC_ROLE_CONSUMER, &c), HFTIPC_OK);
    hftipc_channel_close(c);
#else
    assert_int_equal(hftipc_channel_open(path, HFTIPC_ROLE_CONSUMER, &c), HFTIPC_OK);
    hftipc_channel_close(c);
    waitpid(child, NULL, 0);
#endif
    close(fds[0]);
    close(fds[1]);
}

static void test_consumer_position_persists_across_reopen(void **state)
{
    (void)state;
    hftipc_channel_t *p, *c;
    pair("persist", 16, 64, &p, &c);
    for (uint32_t i = 0; i < 10; i++)
        assert_int_equal(hftipc_channel_send(p, &i, sizeof i), HFTIPC_OK);
    uint32_t v;
    for (uint32_t i = 0; i < 4; i++)
        assert_int_equal(hftipc_channel_receive(c, &v, sizeof v), sizeof v);
    /* Peeked but not acked: delivered again after a restart (at-least-once). */
    const void *view;
    assert_int_equal(hftipc_channel_peek(c, &view), sizeof v);
    assert_int_equal(hftipc_channel_close(c), HFTIPC_OK);
    assert_int_equal(hftipc_channel_open(test_path("persist"), HFTIPC_ROLE_CONSUMER, &c),
                     HFTIPC_OK);
    assert_int_equal(hftipc_channel_receive(c, &v, sizeof v), sizeof v);
    assert_int_equal(v, 4);
    /* The producer also resumes at the persisted head. */
    assert_int_equal(hftipc_channel_close(p), HFTIPC_OK);
    assert_int_equal(hftipc_channel_open(test_path("persist"), HFTIPC_ROLE_PRODUCER, &p),
                     HFTIPC_OK);
    uint32_t ten = 10;
    assert_int_equal(hftipc_channel_send(p, &ten, sizeof ten), HFTIPC_OK);
    for (uint32_t i = 5; i <= 10; i++) {
        assert_int_equal(hftipc_channel_receive(c, &v, sizeof v), sizeof v);
        assert_int_equal(v, i);
    }
    close_pair(p, c);
}

static void test_claim_commit_and_peek_ack(void **state)
{
    (void)state;
    hftipc_channel_t *p, *c;
    pair("zerocopy", 4, 64, &p, &c);
    assert_int_equal(hftipc_channel_commit(p, 1), HFTIPC_ESTATE);
    void *slot, *again;
    uint32_t cap = 0;
    assert_int_equal(hftipc_channel_try_claim(p, &slot, &cap), HFTIPC_OK);
    assert_int_equal(cap, 56);
    assert_int_equal(hftipc_channel_try_claim(p, &again, NULL), HFTIPC_OK);
    assert_ptr_equal(slot, again);
    memcpy(slot, "in-place", 8);
    assert_int_equal(hftipc_channel_commit(p, 57), HFTIPC_ETOOBIG); /* the claim stays */
    const void *view;
    assert_int_equal(hftipc_channel_peek(c, &view), HFTIPC_EEMPTY);
    assert_int_equal(hftipc_channel_commit(p, 8), HFTIPC_OK);
    assert_int_equal(hftipc_channel_commit(p, 8), HFTIPC_ESTATE);

    assert_int_equal(hftipc_channel_peek(c, &view), 8);
    assert_memory_equal(view, "in-place", 8);
    const void *view2;
    assert_int_equal(hftipc_channel_peek(c, &view2), 8); /* same message until ack */
    assert_ptr_equal(view, view2);
    assert_int_equal(hftipc_channel_ack(c), HFTIPC_OK);
    assert_int_equal(hftipc_channel_peek(c, &view), HFTIPC_EEMPTY);
    assert_int_equal(hftipc_channel_ack(c), HFTIPC_EEMPTY);

    /* Claim until full. */
    for (int i = 0; i < 4; i++) {
        assert_int_equal(hftipc_channel_try_claim(p, &slot, NULL), HFTIPC_OK);
        assert_int_equal(hftipc_channel_commit(p, 0), HFTIPC_OK);
    }
    assert_int_equal(hftipc_channel_try_claim(p, &slot, NULL), HFTIPC_EFULL);
    close_pair(p, c);
}

static void test_batch_send_and_receive(void **state)
{
    (void)state;
    hftipc_channel_t *p, *c;
    pair("batch", 8, 32, &p, &c);
    char data[10 * 24];
    uint32_t lens[10];
    size_t off = 0;
    for (uint32_t i = 0; i < 10; i++) {
        lens[i] = i * 2;
        memset(data + off, 'a' + (int)i, lens[i]);
        off += lens[i];
    }
    assert_int_equal(hftipc_channel_send_batch(p, data, off, lens, 0), 0);
    assert_int_equal(hftipc_channel_send_batch(p, data, off - 1, lens, 10), HFTIPC_EINVAL);
    uint32_t big[2] = {1, 25};
    assert_int_equal(hftipc_channel_send_batch(p, data, 26, big, 2), HFTIPC_ETOOBIG);
    /* Only 8 fit: a partial batch reports how many went. */
    assert_int_equal(hftipc_channel_send_batch(p, data, off, lens, 10), 8);
    assert_int_equal(hftipc_channel_send_batch(p, data, off, lens, 10), HFTIPC_EFULL);

    char out[256];
    uint32_t got[16];
    /* A buffer that holds the first three messages only (0 + 2 + 4 bytes). */
    assert_int_equal(hftipc_channel_receive_batch(c, out, 7, got, 16), 3);
    assert_int_equal(got[0], 0);
    assert_int_equal(got[1], 2);
    assert_int_equal(got[2], 4);
    assert_memory_equal(out, "bbcccc", 6);
    assert_int_equal(hftipc_channel_receive_batch(c, out, 5, got, 16), HFTIPC_EBUFSIZE);
    assert_int_equal(hftipc_channel_receive_batch(c, out, sizeof out, got, 2), 2);
    assert_int_equal(got[0], 6);
    assert_int_equal(got[1], 8);
    assert_int_equal(hftipc_channel_receive_batch(c, out, sizeof out, got, 16), 3);
    assert_int_equal(got[2], 14);
    assert_int_equal(hftipc_channel_receive_batch(c, out, sizeof out, got, 16), HFTIPC_EEMPTY);
    close_pair(p, c);
}

typedef struct drain_ctx {
    int calls;
    int stop_at;
    uint32_t sum;
} drain_ctx;

static int drain_handler(void *ctx_, const void *msg, uint32_t len)
{
    drain_ctx *ctx = ctx_;
    uint32_t v;
    assert_int_equal(len, sizeof v);
    memcpy(&v, msg, sizeof v);
    ctx->sum += v;
    return ++ctx->calls == ctx->stop_at;
}

static void test_drain_hands_messages_in_place(void **state)
{
    (void)state;
    hftipc_channel_t *p, *c;
    pair("drain", 16, 32, &p, &c);
    for (uint32_t i = 1; i <= 10; i++)
        assert_int_equal(hftipc_channel_send(p, &i, sizeof i), HFTIPC_OK);
    drain_ctx ctx = {.stop_at = 3};
    assert_int_equal(hftipc_channel_drain(c, drain_handler, &ctx, 100), 3);
    assert_int_equal(ctx.sum, 1 + 2 + 3);
    ctx = (drain_ctx){.stop_at = -1};
    assert_int_equal(hftipc_channel_drain(c, drain_handler, &ctx, 4), 4);
    assert_int_equal(hftipc_channel_drain(c, drain_handler, &ctx, 100), 3);
    assert_int_equal(ctx.sum, 4 + 5 + 6 + 7 + 8 + 9 + 10);
    assert_int_equal(hftipc_channel_drain(c, drain_handler, &ctx, 100), HFTIPC_EEMPTY);
    close_pair(p, c);
}

static void test_observer_reads_without_consuming(void **state)
{
    (void)state;
    hftipc_channel_t *p, *c, *o;
    pair("observer", 4, 32, &p, &c);
    assert_int_equal(hftipc_channel_send(p, "old", 3), HFTIPC_OK);
    assert_int_equal(hftipc_channel_open(test_path("observer"), HFTIPC_ROLE_OBSERVER, &o),
                     HFTIPC_OK);
    char buf[32];
    /* Starts at the newest message: "old" was published before it attached. */
    assert_int_equal(hftipc_channel_receive(o, buf, sizeof buf), HFTIPC_EEMPTY);
    assert_int_equal(hftipc_channel_send(p, "new", 3), HFTIPC_OK);
    assert_int_equal(hftipc_channel_receive(o, buf, sizeof buf), 3);
    assert_memory_equal(buf, "new", 3);
    /* The consumer still sees both. */
    assert_int_equal(hftipc_channel_receive(c, buf, sizeof buf), 3);
    assert_memory_equal(buf, "old", 3);
    assert_int_equal(hftipc_channel_receive(c, buf, sizeof buf), 3);
    assert_memory_equal(buf, "new", 3);
    /* Lapping: the producer runs far ahead while the consumer keeps up. */
    for (int i = 0; i < 10; i++) {
        assert_int_equal(hftipc_channel_send(p, &i, sizeof i), HFTIPC_OK);
        assert_int_equal(hftipc_channel_receive(c, buf, sizeof buf), sizeof i);
    }
    assert_int_equal(hftipc_channel_receive(o, buf, sizeof buf), HFTIPC_ELAPPED);
    assert_int_equal(hftipc_channel_receive(o, buf, sizeof buf), HFTIPC_EEMPTY);
    int x = 42;
    assert_int_equal(hftipc_channel_send(p, &x, sizeof x), HFTIPC_OK);
    assert_int_equal(hftipc_channel_receive(o, buf, sizeof buf), sizeof x);
    assert_int_equal(hftipc_channel_close(o), HFTIPC_OK);
    close_pair(p, c);
}

static void test_open_or_create_checks_geometry(void **state)
{
    (void)state;
    const char *path = test_path("ooc");
    unlink(path);
    hftipc_options_t o = geometry(32, 128);
    hftipc_channel_t *a, *b;
    assert_int_equal(hftipc_channel_open_or_create(path, &o, HFTIPC_ROLE_PRODUCER, &a), HFTIPC_OK);
    assert_int_equal(hftipc_channel_open_or_create(path, &o, HFTIPC_ROLE_CONSUMER, &b), HFTIPC_OK);
    hftipc_channel_close(b);
    hftipc_options_t other = geometry(64, 128);
    assert_int_equal(hftipc_channel_open_or_create(path, &other, HFTIPC_ROLE_CONSUMER, &b),
                     HFTIPC_EMISMATCH);
    assert_null(b);
    other = geometry(32, 256);
    assert_int_equal(hftipc_channel_open_or_create(path, &other, HFTIPC_ROLE_CONSUMER, &b),
                     HFTIPC_EMISMATCH);
    /* A mismatch must not leave the role taken. */
    assert_int_equal(hftipc_channel_open(path, HFTIPC_ROLE_CONSUMER, &b), HFTIPC_OK);
    hftipc_channel_close(b);
    hftipc_channel_close(a);
}

static void test_create_refuses_existing_path(void **state)
{
    (void)state;
    const char *path = test_path("exists");
    unlink(path);
    hftipc_channel_t *ch;
    assert_int_equal(hftipc_channel_create(path, NULL, HFTIPC_ROLE_PRODUCER, &ch), HFTIPC_OK);
    hftipc_channel_t *again;
    assert_int_equal(hftipc_channel_create(path, NULL, HFTIPC_ROLE_CONSUMER, &again),
                     HFTIPC_EEXIST);
    assert_null(again);
    hftipc_channel_close(ch);
    assert_int_equal(hftipc_channel_open(test_path("does-not-exist"), HFTIPC_ROLE_CONSUMER, &ch),
                     HFTIPC_ENOENT);
    assert_int_equal(
        hftipc_channel_create(test_path("no-such-dir/x"), NULL, HFTIPC_ROLE_PRODUCER, &ch),
        HFTIPC_ENOENT);
}

static void test_file_modes(void **state)
{
    (void)state;
    mode_t old = umask(0);
    const char *path = test_path("mode-default");
    unlink(path);
    hftipc_channel_t *ch;
    assert_int_equal(hftipc_channel_create(path, NULL, HFTIPC_ROLE_PRODUCER, &ch), HFTIPC_OK);
    struct stat st;
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_mode & 07777, 0600);
    hftipc_channel_close(ch);
    umask(077); /* the requested mode wins over the umask */
    path = test_path("mode-0640");
    unlink(path);
    hftipc_options_t o = geometry(4, 64);
    o.file_mode = 0640;
    assert_int_equal(hftipc_channel_create(path, &o, HFTIPC_ROLE_PRODUCER, &ch), HFTIPC_OK);
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_mode & 07777, 0640);
    hftipc_channel_close(ch);
    umask(old);
}

/* Finding 7 of issue 11: a channel file every peer writes through a mapping must never carry an
 * execute, setuid, setgid or sticky bit (a setuid-root file written by anyone is a root shell).
 * One row per refused mode; nothing may be created, and open_or_create refuses even when the
 * file already exists. */
static void test_create_refuses_file_mode_outside_0666(void **state)
{
    (void)state;
    static const uint32_t refused[] = {04777, 04666, 02666, 01666, 0777,   0700,
                                       0100,  0010,  0001,  0766,  010000, 0xffffffffu};
    static const uint32_t accepted[] = {0, 0400, 0600, 0640, 0660, 0666};
    mode_t old = umask(0);
    hftipc_channel_t *ch;
    const char *existing = test_path("mode-existing");
    unlink(existing);
    assert_int_equal(hftipc_channel_create(existing, NULL, HFTIPC_ROLE_OBSERVER, &ch), HFTIPC_OK);
    hftipc_channel_close(ch);
    for (size_t i = 0; i < sizeof refused / sizeof refused[0]; i++) {
        const char *path = test_path("mode-refused-%zu", i);
        unlink(path);
        hftipc_options_t o;
        hftipc_options_init(&o);
        o.file_mode = refused[i];
        ch = (hftipc_channel_t *)&o; /* must be reset to NULL */
        assert_int_equal(hftipc_channel_create(path, &o, HFTIPC_ROLE_PRODUCER, &ch), HFTIPC_EINVAL);
        assert_null(ch);
        assert_int_equal(hftipc_channel_open_or_create(path, &o, HFTIPC_ROLE_PRODUCER, &ch),
                         HFTIPC_EINVAL);
        assert_null(ch);
        struct stat st;
        assert_int_equal(stat(path, &st), -1); /* nothing was created */
        assert_int_equal(hftipc_channel_open_or_create(existing, &o, HFTIPC_ROLE_OBSERVER, &ch),
                         HFTIPC_EINVAL);
        assert_null(ch);
    }
    for (size_t i = 0; i < sizeof accepted / sizeof accepted[0]; i++) {
        const char *path = test_path("mode-accepted-%zu", i);
        unlink(path);
        hftipc_options_t o;
        hftipc_options_init(&o);
        o.file_mode = accepted[i];
        assert_int_equal(hftipc_channel_create(path, &o, HFTIPC_ROLE_PRODUCER, &ch), HFTIPC_OK);
        struct stat st;
        assert_int_equal(stat(path, &st), 0);
        assert_int_equal(st.st_mode & 07777, accepted[i]);
        hftipc_channel_close(ch);
        unlink(path);
    }
    unlink(existing);
    umask(old);
}

static void test_open_refuses_non_regular_files(void **state)
{
    (void)state;
    const char *target = test_path("symlink-target");
    unlink(target);
    hftipc_channel_t *ch;
    assert_int_equal(hftipc_channel_create(target, NULL, HFTIPC_ROLE_OBSERVER, &ch), HFTIPC_OK);
    hftipc_channel_close(ch);
    const char *link = test_path("symlink");
    unlink(link);
    assert_int_equal(symlink(target, link), 0);
    assert_int_equal(hftipc_channel_open(link, HFTIPC_ROLE_CONSUMER, &ch), HFTIPC_ENOTFILE);
    hftipc_info_t info = {.size = sizeof info};
    assert_int_equal(hftipc_inspect(link, &info), HFTIPC_ENOTFILE);
    /* create() must not write through a symlink either. */
    assert_int_equal(hftipc_channel_create(link, NULL, HFTIPC_ROLE_PRODUCER, &ch), HFTIPC_EEXIST);

    const char *fifo = test_path("fifo");
    unlink(fifo);
    assert_int_equal(mkfifo(fifo, 0600), 0);
    /* Must not hang waiting for a writer. */
    assert_int_equal(hftipc_channel_open(fifo, HFTIPC_ROLE_OBSERVER, &ch), HFTIPC_ENOTFILE);
    assert_int_equal(hftipc_channel_open(fifo, HFTIPC_ROLE_CONSUMER, &ch), HFTIPC_ENOTFILE);
    assert_int_equal(hftipc_channel_open(test_scratch(), HFTIPC_ROLE_OBSERVER, &ch),
                     HFTIPC_ENOTFILE);
    assert_int_equal(hftipc_channel_open("/dev/null", HFTIPC_ROLE_OBSERVER, &ch), HFTIPC_ENOTFILE);
}

static void test_unreadable_file_is_access_denied(void **state)
{
    (void)state;
    const char *path = test_path("no-access");
    unlink(path);
    hftipc_channel_t *ch;
    assert_int_equal(hftipc_channel_create(path, NULL, HFTIPC_ROLE_OBSERVER, &ch), HFTIPC_OK);
    hftipc_channel_close(ch);
    /* Root bypasses permission bits: check as an unprivileged user in a child. */
    assert_int_equal(chmod(test_scratch(), 0711), 0);
    pid_t child = fork();
    assert_true(child >= 0);
    if (child == 0) {
        if (geteuid() == 0 && (setgid(65534) != 0 || setuid(65534) != 0))
            _exit(77);
        int rc = hftipc_channel_open(path, HFTIPC_ROLE_CONSUMER, &ch);
        int rc2 = hftipc_channel_open(path, HFTIPC_ROLE_OBSERVER, &ch);
        _exit(rc == HFTIPC_EACCES && rc2 == HFTIPC_EACCES ? 0 : 1);
    }
    int status;
    assert_int_equal(waitpid(child, &status, 0), child);
    chmod(test_scratch(), 0700);
    assert_true(WIFEXITED(status));
    if (WEXITSTATUS(status) == 77)
        skip();
    assert_int_equal(WEXITSTATUS(status), 0);
}

static void test_full_disk_fails_at_create(void **state)
{
    (void)state;
    /* RLIMIT_FSIZE makes sizing fail exactly like a full tmpfs would (EFBIG/ENOSPC), in a
     * child so the limit does not leak into other tests. */
    pid_t child = fork();
    assert_true(child >= 0);
    if (child == 0) {
        signal(SIGXFSZ, SIG_IGN);
        struct rlimit rl = {.rlim_cur = 64 * 1024, .rlim_max = 64 * 1024};
        if (setrlimit(RLIMIT_FSIZE, &rl) != 0)
            _exit(3);
        const char *path = test_path("full-disk");
        unlink(path);
        hftipc_options_t o = geometry(1024, 512);
        hftipc_channel_t *ch;
        int rc = hftipc_channel_create(path, &o, HFTIPC_ROLE_PRODUCER, &ch);
        if (rc != HFTIPC_ENOSPC)
            _exit(1);
        if (access(path, F_OK) == 0)
            _exit(2); /* nothing half-made may appear at the path */
        _exit(0);
    }
    int status;
    assert_int_equal(waitpid(child, &status, 0), child);
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 0);
}

static hftipc__header *raw_header(const char *path, int *fd, size_t *len)
{
    *fd = open(path, O_RDWR);
    assert_true(*fd >= 0);
    struct stat st;
    fstat(*fd, &st);
    *len = (size_t)st.st_size;
    void *base = mmap(NULL, *len, PROT_READ | PROT_WRITE, MAP_SHARED, *fd, 0);
    assert_true(base != MAP_FAILED);
    return base;
}

static void test_hostile_peer_cannot_cause_out_of_bounds(void **state)
{
    (void)state;
    hftipc_channel_t *p, *c;
    pair("hostile", 8, 64, &p, &c);
    int fd;
    size_t len;
    hftipc__header *h = raw_header(test_path("hostile"), &fd, &len);
    uint8_t *slots = (uint8_t *)h + HFTIPC__HEADER_SIZE;
    char buf[256];
    uint32_t lens[8];
    const void *view;

    /* A slot length past the payload capacity. */
    assert_int_equal(hftipc_channel_send(p, "ok", 2), HFTIPC_OK);
    uint32_t evil = 0xFFFFFFF0u;
    memcpy(slots, &evil, 4);
    assert_int_equal(hftipc_channel_receive(c, buf, sizeof buf), HFTIPC_ECORRUPT);
    assert_int_equal(hftipc_channel_peek(c, &view), HFTIPC_ECORRUPT);
    assert_int_equal(hftipc_channel_receive_batch(c, buf, sizeof buf, lens, 8), HFTIPC_ECORRUPT);
    /* ack skips the corrupt slot and the channel carries on. */
    assert_int_equal(hftipc_channel_ack(c), HFTIPC_OK);
    assert_int_equal(hftipc_channel_send(p, "next", 4), HFTIPC_OK);
    assert_int_equal(hftipc_channel_receive(c, buf, sizeof buf), 4);

    /* A producer cursor that claims more than a ring of messages, or goes backwards. New files
     * carry commit words, so the consumer never reads head: nothing is delivered.
     * (test_format_1_0_consumer_uses_head covers files without commit words.) */
    uint64_t head = atomic_load(&h->head);
    atomic_store(&h->head, head + 1000);
    assert_int_equal(hftipc_channel_receive(c, buf, sizeof buf), HFTIPC_EEMPTY);
    atomic_store(&h->head, head - 1);
    assert_int_equal(hftipc_channel_receive(c, buf, sizeof buf), HFTIPC_EEMPTY);
    atomic_store(&h->head, head);
    /* A commit word that claims a slot holds this lap's message, over a garbage length. */
    uint64_t pos = atomic_load(&h->tail);
    hftipc__slot *fake = (hftipc__slot *)(slots + (pos & 7) * 64);
    atomic_store(&fake->length, 4000);
    atomic_store(&fake->commit, (uint32_t)(pos + 1));
    assert_int_equal(hftipc_channel_receive(c, buf, sizeof buf), HFTIPC_ECORRUPT);
    assert_int_equal(hftipc_channel_ack(c), HFTIPC_OK); /* skip it */
    atomic_store(&h->head, pos + 1); /* keep the producer's cursor consistent with the skip */
    hftipc_channel_close(p);
    assert_int_equal(hftipc_channel_open(test_path("hostile"), HFTIPC_ROLE_PRODUCER, &p),
                     HFTIPC_OK);

    /* A consumer cursor ahead of the producer, or far behind. */
    uint64_t tail = atomic_load(&h->tail);
    for (int i = 0; i < 8; i++)
        assert_int_equal(hftipc_channel_send(p, "x", 1), HFTIPC_OK);
    atomic_store(&h->tail, head + 100);
    assert_int_equal(hftipc_channel_send(p, "x", 1), HFTIPC_ECORRUPT);
    atomic_store(&h->tail, 0);
    assert_int_equal(hftipc_channel_send(p, "x", 1), HFTIPC_ECORRUPT);
    atomic_store(&h->tail, tail);

    /* Geometry rewritten under our feet is ignored: the handle keeps its validated copy. */
    h->capacity = 1u << 30;
    h->slot_size = 1u << 26;
    hftipc_info_t info = {.size = sizeof info};
    assert_int_equal(hftipc_channel_stats(c, &info), HFTIPC_OK);
    assert_int_equal(info.capacity, 8);
    assert_int_equal(info.slot_size, 64);
    assert_int_equal(hftipc_channel_receive(c, buf, sizeof buf), 1);
    /* A garbage holder word: the owner looks dead or alive, never crashes the opener. */
    atomic_store(&h->consumer_holder.owner, ~0ull);
    hftipc_channel_t *c2;
    int rc = hftipc_channel_open(test_path("hostile"), HFTIPC_ROLE_CONSUMER, &c2);
    assert_true(rc == HFTIPC_OK || rc == HFTIPC_EBUSY || rc == HFTIPC_ESIZE ||
                rc == HFTIPC_ECAPACITY || rc == HFTIPC_ETOOLARGE);
    if (rc == HFTIPC_OK)
        hftipc_channel_close(c2);
    munmap(h, len);
    close(fd);
    close_pair(p, c);
}

/* A producer that died after committing a message but before storing head: the consumer takes
 * the message through its commit word and ends up ahead of head. The next producer must resume
 * after it, not overwrite or repeat it (FORMAT.md section 5, "Crash of the producer"). */
static void test_producer_resumes_after_committed_but_unpublished_slots(void **state)
{
    (void)state;
    hftipc_channel_t *p, *c;
    pair("commit-before-head", 8, 64, &p, &c);
    for (int i = 0; i < 3; i++)
        assert_int_equal(hftipc_channel_send(p, &i, sizeof i), HFTIPC_OK);
    int fd;
    size_t len;
    hftipc__header *h = raw_header(test_path("commit-before-head"), &fd, &len);
    hftipc__slot *slot = (hftipc__slot *)((uint8_t *)h + HFTIPC__HEADER_SIZE + 3 * 64);
    int three = 3, four = 4;
    memcpy((uint8_t *)slot + HFTIPC_SLOT_HEADER_SIZE, &three, sizeof three);
    atomic_store(&slot->length, sizeof three);
    atomic_store(&slot->commit, 4); /* committed; the crash came before head = 4 */
    assert_int_equal(hftipc_channel_close(p), HFTIPC_OK);
    for (int i = 0; i < 4; i++) {
        int v;
        assert_int_equal(hftipc_channel_receive(c, &v, sizeof v), sizeof v);
        assert_int_equal(v, i);
    }
    assert_int_equal(atomic_load(&h->head), 3);
    assert_int_equal(atomic_load(&h->tail), 4);
    /* Both sides reopen on a file whose consumer is ahead of head. */
    assert_int_equal(hftipc_channel_close(c), HFTIPC_OK);
    assert_int_equal(hftipc_channel_open(test_path("commit-before-head"), HFTIPC_ROLE_CONSUMER, &c),
                     HFTIPC_OK);
    assert_int_equal(hftipc_channel_open(test_path("commit-before-head"), HFTIPC_ROLE_PRODUCER, &p),
                     HFTIPC_OK);
    assert_int_equal(atomic_load(&h->head), 4); /* repaired */
    assert_int_equal(hftipc_channel_send(p, &four, sizeof four), HFTIPC_OK);
    int v;
    assert_int_equal(hftipc_channel_receive(c, &v, sizeof v), sizeof v);
    assert_int_equal(v, 4);
    assert_int_equal(hftipc_channel_receive(c, &v, sizeof v), HFTIPC_EEMPTY);
    hftipc_info_t info = {.size = sizeof info};
    assert_int_equal(hftipc_inspect(test_path("commit-before-head"), &info), HFTIPC_OK);
    assert_int_equal(info.head, 5);
    assert_int_equal(info.tail, 5);
    munmap(h, len);
    close(fd);
    close_pair(p, c);
}

/* A file written by a format 1.0 writer has no SLOT_COMMIT flag and zero commit words: the
 * consumer must find messages through head (P1), and check head against its cursor. */
static void test_format_1_0_consumer_uses_head(void **state)
{
    (void)state;
    const char *path = test_path("format-1.0");
    unlink(path);
    hftipc_options_t o = geometry(8, 64);
    hftipc_channel_t *p, *c;
    assert_int_equal(hftipc_channel_create(path, &o, HFTIPC_ROLE_OBSERVER, &p), HFTIPC_OK);
    hftipc_channel_close(p);
    int fd;
    size_t len;
    hftipc__header *h = raw_header(path, &fd, &len);
    assert_int_equal(h->incompat_flags, HFTIPC__INCOMPAT_SLOT_COMMIT);
    h->incompat_flags = 0;
    h->format_minor = 0;
    assert_int_equal(hftipc_channel_open(path, HFTIPC_ROLE_PRODUCER, &p), HFTIPC_OK);
    assert_int_equal(hftipc_channel_open(path, HFTIPC_ROLE_CONSUMER, &c), HFTIPC_OK);
    uint8_t *slots = (uint8_t *)h + HFTIPC__HEADER_SIZE;
    char buf[64];
    for (int round = 0; round < 3; round++) {
        for (int i = 0; i < 5; i++)
            assert_int_equal(hftipc_channel_send(p, &i, sizeof i), HFTIPC_OK);
        /* What a 1.0 producer leaves: no commit words. */
        for (int i = 0; i < 8; i++)
            atomic_store(&((hftipc__slot *)(slots + i * 64))->commit, 0);
        for (int i = 0; i < 5; i++) {
            int v;
            assert_int_equal(hftipc_channel_receive_wait(c, &v, sizeof v, 1000000000), sizeof v);
            assert_int_equal(v, i);
        }
        assert_int_equal(hftipc_channel_receive(c, buf, sizeof buf), HFTIPC_EEMPTY);
    }
    uint64_t head = atomic_load(&h->head);
    atomic_store(&h->head, head + 1000);
    assert_int_equal(hftipc_channel_receive(c, buf, sizeof buf), HFTIPC_ECORRUPT);
    atomic_store(&h->head, head - 1);
    assert_int_equal(hftipc_channel_receive(c, buf, sizeof buf), HFTIPC_ECORRUPT);
    atomic_store(&h->head, head);
    assert_int_equal(hftipc_channel_receive(c, buf, sizeof buf), HFTIPC_EEMPTY);
    munmap(h, len);
    close(fd);
    close_pair(p, c);
}

static void test_info_struct_can_grow(void **state)
{
    (void)state;
    hftipc_channel_t *p, *c;
    pair("info-size", 4, 64, &p, &c);
    /* A caller compiled against an older, shorter struct gets only what it asked for. */
    unsigned char raw[sizeof(hftipc_info_t) + 16];
    memset(raw, 0xEE, sizeof raw);
    hftipc_info_t *info = (hftipc_info_t *)raw;
    info->size = offsetof(hftipc_info_t, capacity);
    assert_int_equal(hftipc_channel_stats(p, info), HFTIPC_OK);
    assert_int_equal(info->size, offsetof(hftipc_info_t, capacity));
    assert_int_equal(info->format_major, HFTIPC_FORMAT_MAJOR);
    for (size_t i = offsetof(hftipc_info_t, capacity); i < sizeof raw; i++)
        assert_int_equal(raw[i], 0xEE);
    info->size = 0;
    assert_int_equal(hftipc_channel_stats(p, info), HFTIPC_EINVAL);
    close_pair(p, c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_version_macros_match_runtime),
        cmocka_unit_test(test_every_status_has_name_and_text),
        cmocka_unit_test(test_status_values_are_pinned),
        cmocka_unit_test(test_send_receive_roundtrip),
        cmocka_unit_test(test_ring_wraps_many_times_capacity),
        cmocka_unit_test(test_full_and_empty_statuses),
        cmocka_unit_test(test_zero_max_and_too_big_messages),
        cmocka_unit_test(test_invalid_arguments),
        cmocka_unit_test(test_create_refuses_bad_geometry),
        cmocka_unit_test(test_roles_are_enforced),
        cmocka_unit_test(test_second_live_holder_is_busy),
        cmocka_unit_test(test_dead_holder_is_taken_over),
        cmocka_unit_test(test_zombie_holder_counts_as_dead),
        cmocka_unit_test(test_consumer_position_persists_across_reopen),
        cmocka_unit_test(test_claim_commit_and_peek_ack),
        cmocka_unit_test(test_batch_send_and_receive),
        cmocka_unit_test(test_drain_hands_messages_in_place),
        cmocka_unit_test(test_observer_reads_without_consuming),
        cmocka_unit_test(test_open_or_create_checks_geometry),
        cmocka_unit_test(test_create_refuses_existing_path),
        cmocka_unit_test(test_file_modes),
        cmocka_unit_test(test_create_refuses_file_mode_outside_0666),
        cmocka_unit_test(test_open_refuses_non_regular_files),
        cmocka_unit_test(test_unreadable_file_is_access_denied),
        cmocka_unit_test(test_full_disk_fails_at_create),
        cmocka_unit_test(test_hostile_peer_cannot_cause_out_of_bounds),
        cmocka_unit_test(test_format_1_0_consumer_uses_head),
        cmocka_unit_test(test_producer_resumes_after_committed_but_unpublished_slots),
        cmocka_unit_test(test_info_struct_can_grow),
    };
    int rc = cmocka_run_group_tests_name("channel", tests, NULL, NULL);
    test_scratch_cleanup();
    return rc;
}
