/*
 * Blocking waits, heartbeats and fenced takeover (docs/FORMAT.md, "Blocking waits", "Fencing"):
 * wake-ups across processes, timeouts that signals neither shorten nor lose, an idle sleeper
 * that uses no CPU, and a stopped producer that is taken over and then refused.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <signal.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>

#include "format.h"
#include "hftipc.h"
#include "platform/platform.h"
#include "test_util.h"

#include <sys/mman.h>

#define MS 1000000ll

static int64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static void sleep_ms(int ms)
{
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000};
    while (nanosleep(&ts, &ts) != 0)
        ;
}

static const char *fresh(const char *name, uint32_t capacity)
{
    const char *path = test_path("%s", name);
    unlink(path);
    hftipc_options_t o;
    hftipc_options_init(&o);
    o.capacity = capacity;
    o.slot_size = 64;
    hftipc_channel_t *ch;
    assert_int_equal(hftipc_channel_create(path, &o, HFTIPC_ROLE_OBSERVER, &ch), HFTIPC_OK);
    hftipc_channel_close(ch);
    return path;
}

static int exit_code(pid_t pid)
{
    int st;
    pid_t got;
    while ((got = waitpid(pid, &st, 0)) < 0 && errno == EINTR)
        ; /* test_timeouts_survive_signals keeps a 5 ms interval timer running */
    if (got != pid)
        return -1;
    return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

/* A child that opens the producer role, waits `delay_ms`, then sends `count` messages. */
static pid_t delayed_producer(const char *path, int delay_ms, int count)
{
    pid_t pid = fork();
    if (pid == 0) {
        hftipc_channel_t *p;
        if (hftipc_channel_open(path, HFTIPC_ROLE_PRODUCER, &p) != HFTIPC_OK)
            _exit(10);
        sleep_ms(delay_ms);
        for (int i = 0; i < count; i++)
            if (hftipc_channel_send_wait(p, &i, sizeof i, 5000 * MS) != HFTIPC_OK)
                _exit(11);
        hftipc_channel_close(p);
        _exit(0);
    }
    return pid;
}

static void test_receive_wait_is_woken_by_a_publish(void **state)
{
    (void)state;
    const char *path = fresh("wake", 8);
    hftipc_channel_t *c;
    assert_int_equal(hftipc_channel_open(path, HFTIPC_ROLE_CONSUMER, &c), HFTIPC_OK);
    pid_t producer = delayed_producer(path, 150, 1);
    int v = -1;
    int64_t start = now_ns();
    assert_int_equal(hftipc_channel_receive_wait(c, &v, sizeof v, HFTIPC_WAIT_FOREVER), sizeof v);
    int64_t waited = now_ns() - start;
    assert_int_equal(v, 0);
    assert_true(waited >= 100 * MS); /* it really waited for the publish */
    assert_int_equal(exit_code(producer), 0);
    hftipc_channel_close(c);
}

static void test_send_wait_is_woken_by_a_release(void **state)
{
    (void)state;
    const char *path = fresh("wake-full", 2);
    hftipc_channel_t *c;
    assert_int_equal(hftipc_channel_open(path, HFTIPC_ROLE_CONSUMER, &c), HFTIPC_OK);
    pid_t producer = delayed_producer(path, 0, 200); /* blocks on a full ring many times */
    for (int i = 0; i < 200; i++) {
        int v;
        if (i % 50 == 0)
            sleep_ms(30); /* long enough for the producer to go to sleep */
        assert_int_equal(hftipc_channel_receive_wait(c, &v, sizeof v, 5000 * MS), sizeof v);
        assert_int_equal(v, i);
    }
    assert_int_equal(exit_code(producer), 0);
    hftipc_channel_close(c);
}

static volatile sig_atomic_t ticks;

static void on_tick(int sig)
{
    (void)sig;
    ticks++;
}

static void test_timeouts_survive_signals(void **state)
{
    (void)state;
    const char *path = fresh("timeout", 8);
    hftipc_channel_t *c;
    assert_int_equal(hftipc_channel_open(path, HFTIPC_ROLE_CONSUMER, &c), HFTIPC_OK);
    struct sigaction sa = {.sa_handler = on_tick}; /* no SA_RESTART: futex returns EINTR */
    sigaction(SIGALRM, &sa, NULL);
    struct itimerval every_5ms = {{0, 5000}, {0, 5000}};
    setitimer(ITIMER_REAL, &every_5ms, NULL);

    int v;
    int64_t start = now_ns();
    assert_int_equal(hftipc_channel_receive_wait(c, &v, sizeof v, 120 * MS), HFTIPC_ETIMEDOUT);
    int64_t waited = now_ns() - start;
    assert_true(ticks > 5);          /* signals did arrive during the wait */
    assert_true(waited >= 120 * MS); /* and did not shorten it */
    assert_true(waited < 2000 * MS); /* nor make it hang */

    /* A wake-up during a storm of signals is not lost. */
    pid_t producer = delayed_producer(path, 60, 1);
    assert_int_equal(hftipc_channel_receive_wait(c, &v, sizeof v, 5000 * MS), sizeof v);
    assert_int_equal(exit_code(producer), 0);

    struct itimerval off = {{0, 0}, {0, 0}};
    setitimer(ITIMER_REAL, &off, NULL);
    signal(SIGALRM, SIG_DFL);
    assert_int_equal(hftipc_channel_wait(c, 0), HFTIPC_ETIMEDOUT);
    hftipc_channel_close(c);
}

static void test_idle_blocked_consumer_uses_no_cpu(void **state)
{
    (void)state;
    const char *path = fresh("idle", 8);
    pid_t consumer = fork();
    if (consumer == 0) {
        hftipc_channel_t *c;
        if (hftipc_channel_open(path, HFTIPC_ROLE_CONSUMER, &c) != HFTIPC_OK)
            _exit(10);
        int v;
        _exit(hftipc_channel_receive_wait(c, &v, sizeof v, 800 * MS) == HFTIPC_ETIMEDOUT ? 0 : 11);
    }
    assert_int_equal(exit_code(consumer), 0);
    struct rusage ru;
    getrusage(RUSAGE_CHILDREN, &ru);
    double cpu_s = (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
                   (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
    /* All children of this test so far, including this 0.8 s sleeper: far below a core. */
    print_message("children CPU time so far: %.3f s\n", cpu_s);
    assert_true(cpu_s < 0.4);
}

static void test_observer_waits_for_new_messages(void **state)
{
    (void)state;
    const char *path = fresh("observer-wait", 8);
    hftipc_channel_t *o;
    assert_int_equal(hftipc_channel_open(path, HFTIPC_ROLE_OBSERVER, &o), HFTIPC_OK);
    assert_int_equal(hftipc_channel_wait(o, 20 * MS), HFTIPC_ETIMEDOUT);
    pid_t producer = delayed_producer(path, 50, 1);
    assert_int_equal(hftipc_channel_wait(o, 5000 * MS), HFTIPC_OK);
    int v;
    assert_int_equal(hftipc_channel_receive(o, &v, sizeof v), sizeof v);
    assert_int_equal(exit_code(producer), 0);
    hftipc_channel_close(o);
}

/* ---- fenced takeover ---- */

/* Sends one message per byte read from `go`; reports each send's status on `done`. */
static int stepped_producer(const char *path, int go, int done)
{
    hftipc_channel_t *p;
    if (hftipc_channel_open(path, HFTIPC_ROLE_PRODUCER, &p) != HFTIPC_OK)
        return 10;
    char step;
    int seq = 0;
    while (read(go, &step, 1) == 1) {
        int value = 1000 + seq++; /* the old producer's messages */
        int rc = hftipc_channel_send(p, &value, sizeof value);
        /* Going quiet between two operations: say so with a heartbeat, which declares the
         * holder idle, so that a takeover fences it instead of ending it (FORMAT.md,
         * "Fencing"; a holder that goes quiet without one is ended). */
        if (rc == HFTIPC_OK && hftipc_channel_heartbeat(p) != HFTIPC_OK)
            return 14;
        if (write(done, &rc, sizeof rc) != sizeof rc)
            return 11;
        if (rc == HFTIPC_EFENCED) {
            /* Every later operation is refused too, and close releases nothing of the new
             * holder's. */
            void *slot;
            if (hftipc_channel_try_claim(p, &slot, NULL) != HFTIPC_EFENCED ||
                hftipc_channel_heartbeat(p) != HFTIPC_EFENCED)
                return 12;
            hftipc_channel_close(p);
            return 0;
        }
    }
    return 13;
}

static void test_stopped_producer_is_taken_over_and_fenced(void **state)
{
    (void)state;
    const char *path = fresh("fence", 16);
    int go[2], done[2];
    assert_int_equal(pipe(go), 0);
    assert_int_equal(pipe(done), 0);
    pid_t old = fork();
    if (old == 0)
        _exit(stepped_producer(path, go[0], done[1]));
    int rc;
    for (int i = 0; i < 3; i++) {
        assert_int_equal(write(go[1], "s", 1), 1);
        assert_int_equal(read(done[0], &rc, sizeof rc), sizeof rc);
        assert_int_equal(rc, HFTIPC_OK);
    }
    /* The old producer is now between operations, waiting for its next step: freeze it. */
    assert_int_equal(kill(old, SIGSTOP), 0);
    hftipc_channel_t *p;
    /* It is alive, so a plain open and a takeover with a long staleness limit are refused. */
    assert_int_equal(hftipc_channel_open(path, HFTIPC_ROLE_PRODUCER, &p), HFTIPC_EBUSY);
    assert_int_equal(hftipc_channel_open_takeover(path, HFTIPC_ROLE_PRODUCER, 60000 * MS, &p),
                     HFTIPC_EBUSY);
    sleep_ms(60);
#if !defined(HFTIPC_PLATFORM_LINUX)
    /* The generic POSIX layer has no cross-process barrier to prove the stale holder idle and
     * no pidfd to end it without racing pid reuse: the takeover is refused and the role left
     * as it was (docs/FORMAT.md section 12). The old producer resumes as the holder. */
    assert_int_equal(hftipc_channel_open_takeover(path, HFTIPC_ROLE_PRODUCER, 50 * MS, &p),
                     HFTIPC_ENOFENCE);
    assert_int_equal(hftipc_channel_open(path, HFTIPC_ROLE_PRODUCER, &p), HFTIPC_EBUSY);
    assert_int_equal(kill(old, SIGCONT), 0);
    assert_int_equal(write(go[1], "s", 1), 1);
    assert_int_equal(read(done[0], &rc, sizeof rc), sizeof rc);
    assert_int_equal(rc, HFTIPC_OK);
    assert_int_equal(kill(old, SIGKILL), 0); /* it holds go[1] too: end it */
    assert_int_equal(exit_code(old), 128 + SIGKILL);
    hftipc_channel_t *c0;
    assert_int_equal(hftipc_channel_open(path, HFTIPC_ROLE_CONSUMER, &c0), HFTIPC_OK);
    for (int want = 1000; want < 1004; want++) {
        int v0;
        assert_int_equal(hftipc_channel_receive(c0, &v0, sizeof v0), sizeof v0);
        assert_int_equal(v0, want);
    }
    hftipc_channel_close(c0);
    close(go[0]);
    close(go[1]);
    close(done[0]);
    close(done[1]);
    return;
#endif
    assert_int_equal(hftipc_channel_open_takeover(path, HFTIPC_ROLE_PRODUCER, 50 * MS, &p),
                     HFTIPC_OK);
    hftipc_info_t info = {.size = sizeof info};
    assert_int_equal(hftipc_channel_stats(p, &info), HFTIPC_OK);
    assert_int_equal(info.producer_epoch, 2);
    assert_int_equal(info.producer_takeovers, 1);
    assert_int_equal(info.producer_pid, (uint32_t)getpid());
    for (int v = 2000; v < 2003; v++)
        assert_int_equal(hftipc_channel_send(p, &v, sizeof v), HFTIPC_OK);

    /* The zombie resumes and tries to publish: refused, nothing written. */
    assert_int_equal(kill(old, SIGCONT), 0);
    assert_int_equal(write(go[1], "s", 1), 1);
    assert_int_equal(read(done[0], &rc, sizeof rc), sizeof rc);
    assert_int_equal(rc, HFTIPC_EFENCED);
    assert_int_equal(exit_code(old), 0);

    /* The consumer sees the old producer's three messages, then only the new producer's. */
    hftipc_channel_t *c;
    assert_int_equal(hftipc_channel_open(path, HFTIPC_ROLE_CONSUMER, &c), HFTIPC_OK);
    static const int expected[] = {1000, 1001, 1002, 2000, 2001, 2002};
    for (size_t i = 0; i < sizeof expected / sizeof expected[0]; i++) {
        int v;
        assert_int_equal(hftipc_channel_receive(c, &v, sizeof v), sizeof v);
        assert_int_equal(v, expected[i]);
    }
    int v;
    assert_int_equal(hftipc_channel_receive(c, &v, sizeof v), HFTIPC_EEMPTY);
    /* The new holder still holds the role after the zombie's close. */
    assert_int_equal(hftipc_channel_send(p, &v, sizeof v), HFTIPC_OK);
    hftipc_channel_close(c);
    hftipc_channel_close(p);
    close(go[0]);
    close(go[1]);
    close(done[0]);
    close(done[1]);
}

static void test_heartbeat_keeps_an_idle_holder(void **state)
{
    (void)state;
    const char *path = fresh("heartbeat", 8);
    hftipc_channel_t *c, *other;
    assert_int_equal(hftipc_channel_open(path, HFTIPC_ROLE_CONSUMER, &c), HFTIPC_OK);
    sleep_ms(40);
    assert_int_equal(hftipc_channel_heartbeat(c), HFTIPC_OK);
    /* Same process: busy whatever the heartbeat says. From a child, a fresh heartbeat keeps
     * the role and a stale one gives it away. */
    pid_t child = fork();
    if (child == 0) {
        int rc = hftipc_channel_open_takeover(path, HFTIPC_ROLE_CONSUMER, 30 * MS, &other);
        _exit(rc == HFTIPC_EBUSY ? 0 : 1);
    }
    assert_int_equal(exit_code(child), 0);
    hftipc_info_t info = {.size = sizeof info};
    assert_int_equal(hftipc_channel_stats(c, &info), HFTIPC_OK);
    assert_true(info.consumer_heartbeat_ns > 0);
    assert_int_equal(info.consumer_waiting, 0);
    hftipc_channel_t *o;
    assert_int_equal(hftipc_channel_open(path, HFTIPC_ROLE_OBSERVER, &o), HFTIPC_OK);
    assert_int_equal(hftipc_channel_heartbeat(o), HFTIPC_EROLE);
    assert_int_equal(hftipc_channel_heartbeat(NULL), HFTIPC_EINVAL);
    assert_int_equal(hftipc_channel_wait(NULL, 0), HFTIPC_EINVAL);
    hftipc_channel_close(o);
    hftipc_channel_close(c);
}

/* On Linux every holder registers for the asymmetric fence (membarrier) and says so in its
 * record; without it (the generic POSIX layer) sleepers fall back to 1 ms polling. */
static void test_holders_announce_they_can_wake(void **state)
{
    (void)state;
    const char *path = fresh("wake-capable", 8);
    hftipc_channel_t *p, *c;
    assert_int_equal(hftipc_channel_open(path, HFTIPC_ROLE_PRODUCER, &p), HFTIPC_OK);
    assert_int_equal(hftipc_channel_open(path, HFTIPC_ROLE_CONSUMER, &c), HFTIPC_OK);
    int fd = open(path, O_RDONLY);
    assert_true(fd >= 0);
    const hftipc__header *h = mmap(NULL, HFTIPC__HEADER_SIZE, PROT_READ, MAP_SHARED, fd, 0);
    assert_true(h != MAP_FAILED);
#if defined(HFTIPC_PLATFORM_LINUX)
    assert_int_equal(atomic_load(&((hftipc__header *)h)->producer_holder.wake_capable), 1);
    assert_int_equal(atomic_load(&((hftipc__header *)h)->consumer_holder.wake_capable), 1);
#else
    /* No cross-process barrier in the generic layer: holders say they cannot wake, so that
     * every peer polls instead of waiting for a wake-up that may be missed (FORMAT.md 11). */
    assert_int_equal(atomic_load(&((hftipc__header *)h)->producer_holder.wake_capable), 0);
    assert_int_equal(atomic_load(&((hftipc__header *)h)->consumer_holder.wake_capable), 0);
#endif
    munmap((void *)h, HFTIPC__HEADER_SIZE);
    close(fd);
    hftipc_channel_close(p);
    hftipc_channel_close(c);
}

/* ---- Sleepers that die (finding 5 of issue 11; FORMAT.md, "Sleeper tags") ---- */

/* A child that opens `role` and sleeps in a blocking call until it is killed: a consumer on an
 * empty ring, or a producer that first fills the ring. */
static pid_t sleeper(const char *path, hftipc_role_t role)
{
    pid_t pid = fork();
    if (pid == 0) {
        hftipc_channel_t *ch;
        if (hftipc_channel_open(path, role, &ch) != HFTIPC_OK)
            _exit(10);
        char buf[64] = {0};
        if (role == HFTIPC_ROLE_CONSUMER)
            hftipc_channel_receive_wait(ch, buf, sizeof buf, HFTIPC_WAIT_FOREVER);
        else
            for (;;)
                hftipc_channel_send_wait(ch, buf, 8, HFTIPC_WAIT_FOREVER);
        _exit(11);
    }
    return pid;
}

static uint32_t waiting_flag(const char *path, hftipc_role_t role)
{
    hftipc_info_t in = {.size = sizeof in};
    assert_int_equal(hftipc_inspect(path, &in), HFTIPC_OK);
    return role == HFTIPC_ROLE_CONSUMER ? in.consumer_waiting : in.producer_waiting;
}

/* Kills `role`'s holder while it sleeps; returns once its flag is known to be left behind. */
static void kill_asleep(const char *path, hftipc_role_t role, pid_t pid)
{
    int64_t until = now_ns() + 3000 * MS;
    while (waiting_flag(path, role) == 0 && now_ns() < until)
        sleep_ms(1);
    assert_int_not_equal(waiting_flag(path, role), 0);
    sleep_ms(5); /* well inside its futex sleep */
    kill(pid, SIGKILL);
    assert_int_equal(exit_code(pid), 128 + SIGKILL);
    assert_int_not_equal(waiting_flag(path, role), 0); /* the phantom sleeper */
}

/* The waker finds nobody to wake, sees the flag's sleeper is dead and clears it: from then on a
 * publish costs no system call. On 1.0.0 the flag stayed for ever. */
static void phantom_cleared_by_waker(uint32_t mode, hftipc_role_t dead_role)
{
    const char *path = test_path("phantom-%u-%d", mode, (int)dead_role);
    unlink(path);
    hftipc_options_t o;
    hftipc_options_init(&o);
    o.capacity = 4;
    o.slot_size = 64;
    o.mode = mode;
    hftipc_role_t live_role =
        dead_role == HFTIPC_ROLE_CONSUMER ? HFTIPC_ROLE_PRODUCER : HFTIPC_ROLE_CONSUMER;
    hftipc_channel_t *live;
    assert_int_equal(hftipc_channel_create(path, &o, live_role, &live), HFTIPC_OK);
    kill_asleep(path, dead_role, sleeper(path, dead_role));
    char buf[64] = {0};
    if (live_role == HFTIPC_ROLE_PRODUCER)
        assert_int_equal(hftipc_channel_send(live, buf, 8), HFTIPC_OK);
    else
        assert_int_equal(hftipc_channel_receive(live, buf, sizeof buf), 8);
    assert_int_equal(waiting_flag(path, dead_role), 0);
    hftipc_channel_close(live);
    unlink(path);
}

static void test_consumer_killed_asleep_leaves_no_flag(void **state)
{
    (void)state;
    phantom_cleared_by_waker(HFTIPC_MODE_SPSC, HFTIPC_ROLE_CONSUMER);
}

static void test_producer_killed_asleep_leaves_no_flag(void **state)
{
    (void)state;
    phantom_cleared_by_waker(HFTIPC_MODE_SPSC, HFTIPC_ROLE_PRODUCER);
}

static void test_mpsc_producer_killed_asleep_leaves_no_count(void **state)
{
    (void)state;
    phantom_cleared_by_waker(HFTIPC_MODE_MPSC, HFTIPC_ROLE_PRODUCER);
}

/* The next holder of the role clears the flag its dead predecessor left, before any publish. */
static void test_new_holder_clears_a_dead_sleepers_flag(void **state)
{
    (void)state;
    const char *path = fresh("phantom-reopen", 4);
    kill_asleep(path, HFTIPC_ROLE_CONSUMER, sleeper(path, HFTIPC_ROLE_CONSUMER));
    hftipc_channel_t *c;
    assert_int_equal(hftipc_channel_open(path, HFTIPC_ROLE_CONSUMER, &c), HFTIPC_OK);
    assert_int_equal(waiting_flag(path, HFTIPC_ROLE_CONSUMER), 0);
    hftipc_channel_close(c);
    unlink(path);
}

int main(void)
{
    alarm(300);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_receive_wait_is_woken_by_a_publish),
        cmocka_unit_test(test_send_wait_is_woken_by_a_release),
        cmocka_unit_test(test_timeouts_survive_signals),
        cmocka_unit_test(test_idle_blocked_consumer_uses_no_cpu),
        cmocka_unit_test(test_observer_waits_for_new_messages),
        cmocka_unit_test(test_stopped_producer_is_taken_over_and_fenced),
        cmocka_unit_test(test_heartbeat_keeps_an_idle_holder),
        cmocka_unit_test(test_holders_announce_they_can_wake),
        cmocka_unit_test(test_consumer_killed_asleep_leaves_no_flag),
        cmocka_unit_test(test_producer_killed_asleep_leaves_no_flag),
        cmocka_unit_test(test_mpsc_producer_killed_asleep_leaves_no_count),
        cmocka_unit_test(test_new_holder_clears_a_dead_sleepers_flag),
    };
    int rc = cmocka_run_group_tests_name("wait", tests, NULL, NULL);
    test_scratch_cleanup();
    return rc;
}
