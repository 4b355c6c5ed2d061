/*
 * Retired and replaced channel files (docs/FORMAT.md, section 15): hftipc_channel_remove() tells
 * every handle at once, in its slow paths; a handle whose path was unlinked or now names another
 * channel finds out in waits, heartbeats and stats. Sleepers are woken, not left to time out.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <signal.h>
#include <sys/wait.h>
#include <time.h>

#include "hftipc.h"
#include "test_util.h"

#define MS (1000 * 1000ll)

static const char *fresh(const char *name, uint32_t mode, hftipc_channel_t **p,
                         hftipc_channel_t **c)
{
    const char *path = test_path("%s", name);
    unlink(path);
    hftipc_options_t o;
    hftipc_options_init(&o);
    o.capacity = 4;
    o.slot_size = 64;
    o.mode = mode;
    assert_int_equal(hftipc_channel_create(path, &o, HFTIPC_ROLE_PRODUCER, p), HFTIPC_OK);
    assert_int_equal(hftipc_channel_open(path, HFTIPC_ROLE_CONSUMER, c), HFTIPC_OK);
    return path;
}

/* Retiring: the consumer drains what is left, then every slow path says HFTIPC_ESTALE. */
static void retire(uint32_t mode)
{
    hftipc_channel_t *p, *c, *o;
    const char *path =
        fresh(mode == HFTIPC_MODE_MPSC ? "retire-mpsc" : "retire-spsc", mode, &p, &c);
    assert_int_equal(hftipc_channel_open(path, HFTIPC_ROLE_OBSERVER, &o), HFTIPC_OK);
    for (int i = 0; i < 2; i++)
        assert_int_equal(hftipc_channel_send(p, "ab", 2), HFTIPC_OK);
    assert_int_equal(hftipc_channel_remove(path), HFTIPC_OK);
    assert_int_equal(access(path, F_OK), -1); /* unlinked */
    char buf[64];
    /* Messages sent before the retirement are still delivered. */
    assert_int_equal(hftipc_channel_receive(c, buf, sizeof buf), 2);
    assert_int_equal(hftipc_channel_receive(c, buf, sizeof buf), 2);
    assert_int_equal(hftipc_channel_receive(c, buf, sizeof buf), HFTIPC_ESTALE);
    assert_int_equal(hftipc_channel_receive(o, buf, sizeof buf), 2); /* observers too */
    assert_int_equal(hftipc_channel_receive(o, buf, sizeof buf), 2);
    assert_int_equal(hftipc_channel_receive(o, buf, sizeof buf), HFTIPC_ESTALE);
    const void *payload;
    assert_int_equal(hftipc_channel_peek(c, &payload), HFTIPC_ESTALE);
    assert_int_equal(hftipc_channel_receive_wait(c, buf, sizeof buf, 10 * MS), HFTIPC_ESTALE);
    /* The producer: sends succeed until the ring is full, then it is told. */
    int rc;
    int sent = 0;
    while ((rc = hftipc_channel_send(p, "cd", 2)) == HFTIPC_OK)
        sent++;
    assert_int_equal(rc, HFTIPC_ESTALE);
    assert_true(sent <= 4);
    assert_int_equal(hftipc_channel_send_wait(p, "cd", 2, 10 * MS), HFTIPC_ESTALE);
    assert_int_equal(hftipc_channel_heartbeat(p), HFTIPC_ESTALE);
    assert_int_equal(hftipc_channel_heartbeat(c), HFTIPC_ESTALE);
    hftipc_info_t in = {.size = sizeof in};
    assert_int_equal(hftipc_channel_stats(c, &in), HFTIPC_ESTALE);
    assert_int_equal(in.capacity, 4); /* filled all the same */
    hftipc_channel_t *again;
    assert_int_equal(hftipc_channel_open(path, HFTIPC_ROLE_CONSUMER, &again), HFTIPC_ENOENT);
    assert_int_equal(hftipc_channel_remove(path), HFTIPC_ENOENT);
    hftipc_channel_close(o);
    hftipc_channel_close(c);
    hftipc_channel_close(p);
}

static void test_retired_spsc_channel_tells_every_handle(void **state)
{
    (void)state;
    retire(HFTIPC_MODE_SPSC);
}

static void test_retired_mpsc_channel_tells_every_handle(void **state)
{
    (void)state;
    retire(HFTIPC_MODE_MPSC);
}

/* A sleeper is woken by the retirement: it returns at once, not when its slice or timeout ends. */
static void test_remove_wakes_a_sleeping_consumer(void **state)
{
    (void)state;
    hftipc_channel_t *p, *c;
    const char *path = fresh("retire-sleeper", HFTIPC_MODE_SPSC, &p, &c);
    hftipc_channel_close(c);
    pid_t kid = fork();
    if (kid == 0) {
        hftipc_channel_t *k;
        if (hftipc_channel_open(path, HFTIPC_ROLE_CONSUMER, &k) != HFTIPC_OK)
            _exit(10);
        char buf[64];
        int64_t rc = hftipc_channel_receive_wait(k, buf, sizeof buf, 20000 * MS);
        _exit(rc == HFTIPC_ESTALE ? 0 : 11);
    }
    /* Until it sleeps (its flag is up). */
    hftipc_info_t in = {.size = sizeof in};
    int64_t until = test_now_ns() + 5000 * MS;
    do {
        struct timespec ts = {0, 2 * MS};
        nanosleep(&ts, NULL);
        assert_int_equal(hftipc_channel_stats(p, &in), HFTIPC_OK);
    } while (in.consumer_waiting == 0 && test_now_ns() < until);
    assert_int_not_equal(in.consumer_waiting, 0);
    int64_t start = test_now_ns();
    assert_int_equal(hftipc_channel_remove(path), HFTIPC_OK);
    int st;
    assert_int_equal(waitpid(kid, &st, 0), kid);
    int64_t took = test_now_ns() - start;
    assert_true(WIFEXITED(st));
    assert_int_equal(WEXITSTATUS(st), 0);
    printf("a sleeping consumer saw the retirement after %.1f ms\n", took / 1e6);
    assert_true(took < 5000 * MS); /* far below its 20 s timeout: it was woken */
    hftipc_channel_close(p);
}

/* Removed with rm, or replaced by a new channel at the same path, without retiring: the handles
 * find out in waits, heartbeats and stats. */
static void replaced(int recreate)
{
    hftipc_channel_t *p, *c;
    const char *path = fresh(recreate ? "replaced" : "unlinked", HFTIPC_MODE_SPSC, &p, &c);
    /* Before: a live, unchanged channel is not stale. */
    char buf[64];
    assert_int_equal(hftipc_channel_receive_wait(c, buf, sizeof buf, 20 * MS), HFTIPC_ETIMEDOUT);
    assert_int_equal(hftipc_channel_heartbeat(c), HFTIPC_OK);
    assert_int_equal(unlink(path), 0);
    hftipc_channel_t *n = NULL;
    if (recreate) {
        hftipc_options_t o;
        hftipc_options_init(&o);
        o.capacity = 4;
        o.slot_size = 64; /* the same geometry: nothing but the inode differs */
        assert_int_equal(hftipc_channel_create(path, &o, HFTIPC_ROLE_PRODUCER, &n), HFTIPC_OK);
    }
    int64_t start = test_now_ns();
    assert_int_equal(hftipc_channel_receive_wait(c, buf, sizeof buf, 20000 * MS), HFTIPC_ESTALE);
    assert_true(test_now_ns() - start < 5000 * MS);
    assert_int_equal(hftipc_channel_heartbeat(p), HFTIPC_ESTALE);
    hftipc_info_t in = {.size = sizeof in};
    assert_int_equal(hftipc_channel_stats(p, &in), HFTIPC_ESTALE);
    /* The non-blocking paths stay free of system calls: a send still works until it fills. */
    assert_int_equal(hftipc_channel_send(p, "x", 1), HFTIPC_OK);
    hftipc_channel_close(n);
    hftipc_channel_close(c);
    hftipc_channel_close(p);
    unlink(path);
}

static void test_unlinked_file_is_noticed(void **state)
{
    (void)state;
    replaced(0);
}

static void test_replaced_file_is_noticed(void **state)
{
    (void)state;
    replaced(1);
}

/* An open that races the unlink of a retired file is refused. Here a second name of the same
 * file is removed: the first name still reaches the retired file. */
static void test_open_of_a_retired_file_is_refused(void **state)
{
    (void)state;
    hftipc_channel_t *p, *c;
    const char *path = fresh("retire-link", HFTIPC_MODE_SPSC, &p, &c);
    char other[600];
    snprintf(other, sizeof other, "%s.other", path);
    unlink(other);
    assert_int_equal(link(path, other), 0);
    assert_int_equal(hftipc_channel_remove(other), HFTIPC_OK);
    assert_int_equal(access(other, F_OK), -1);
    hftipc_channel_t *x;
    assert_int_equal(hftipc_channel_open(path, HFTIPC_ROLE_OBSERVER, &x), HFTIPC_ESTALE);
    assert_int_equal(hftipc_channel_remove(path), HFTIPC_OK); /* idempotent: unlinks it */
    assert_int_equal(access(path, F_OK), -1);
    assert_int_equal(hftipc_channel_remove(NULL), HFTIPC_EINVAL);
    assert_int_equal(hftipc_channel_remove(test_path("no-such")), HFTIPC_ENOENT);
    hftipc_channel_close(c);
    hftipc_channel_close(p);
    unlink(path);
}

/* A handle opened by a relative path keeps its file across a chdir() of the process: it is not
 * taken for replaced. */
static void test_relative_path_survives_chdir(void **state)
{
    (void)state;
    hftipc_channel_t *p, *c;
    const char *path = fresh("relative", HFTIPC_MODE_SPSC, &p, &c);
    hftipc_channel_close(c);
    char cwd[4096];
    assert_non_null(getcwd(cwd, sizeof cwd));
    assert_int_equal(chdir(test_scratch()), 0);
    hftipc_channel_t *r;
    assert_int_equal(hftipc_channel_open(strrchr(path, '/') + 1, HFTIPC_ROLE_CONSUMER, &r),
                     HFTIPC_OK);
    assert_int_equal(chdir("/"), 0);
    assert_int_equal(hftipc_channel_heartbeat(r), HFTIPC_OK);
    hftipc_info_t in = {.size = sizeof in};
    assert_int_equal(hftipc_channel_stats(r, &in), HFTIPC_OK);
    assert_int_equal(chdir(cwd), 0);
    hftipc_channel_close(r);
    hftipc_channel_close(p);
    unlink(path);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_retired_spsc_channel_tells_every_handle),
        cmocka_unit_test(test_retired_mpsc_channel_tells_every_handle),
        cmocka_unit_test(test_remove_wakes_a_sleeping_consumer),
        cmocka_unit_test(test_unlinked_file_is_noticed),
        cmocka_unit_test(test_replaced_file_is_noticed),
        cmocka_unit_test(test_open_of_a_retired_file_is_refused),
        cmocka_unit_test(test_relative_path_survives_chdir),
    };
    int failed = cmocka_run_group_tests(tests, NULL, NULL);
    test_scratch_cleanup();
    return failed;
}
