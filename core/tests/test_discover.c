/* Discovery: directory listings, watches and open-and-wait (core/src/discover.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>
#include <dirent.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#if defined(__linux__)
#include <sys/prctl.h>
#endif
#include <sys/wait.h>
#include <time.h>

#include "format.h"
#include "hftipc.h"
#include "platform/platform.h"
#include "test_util.h"

#define MS 1000000LL

static int64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static void sleep_ms(int ms)
{
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {
    }
}

static int exit_code(pid_t pid)
{
    int st;
    while (waitpid(pid, &st, 0) < 0 && errno == EINTR) {
    }
    return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

/* A fresh, empty directory inside the scratch directory. */
static const char *fresh_dir(const char *name)
{
    char *dir = test_path("%s", name);
    assert_int_equal(mkdir(dir, 0700), 0);
    return dir;
}

static char *join(const char *dir, const char *name)
{
    static char bufs[8][512];
    static int next;
    char *out = bufs[next++ % 8];
    snprintf(out, 512, "%s/%s", dir, name);
    return out;
}

static hftipc_channel_t *make(const char *path, uint32_t mode, uint32_t capacity, int role)
{
    hftipc_options_t o;
    hftipc_options_init(&o);
    o.mode = mode;
    o.capacity = capacity;
    hftipc_channel_t *ch;
    assert_int_equal(hftipc_channel_create(path, &o, (hftipc_role_t)role, &ch), HFTIPC_OK);
    return ch;
}

/* Bytes of a valid, unheld channel header with init_state cleared: what a creator that writes
 * the file in place (not through an unlinked file) leaves during initialisation. */
static unsigned char *unready_header(const char *scratch_name, size_t *len)
{
    char *tmp = test_path("%s", scratch_name);
    hftipc_channel_close(make(tmp, HFTIPC_MODE_SPSC, 4, HFTIPC_ROLE_OBSERVER));
    unsigned char *bytes = test_read_file(tmp, len);
    assert_non_null(bytes);
    unlink(tmp);
    memset(bytes + offsetof(hftipc__header, init_state), 0, 4);
    return bytes;
}

typedef struct found {
    hftipc_dir_entry_t e;
    hftipc_info_t info;
} found;

/* Lists `dir` into `out` (at most `max`); returns the count. */
static int list(const char *dir, found *out, int max)
{
    hftipc_dir_t *d;
    assert_int_equal(hftipc_dir_open(dir, &d), HFTIPC_OK);
    int n = 0;
    for (;;) {
        assert_true(n < max);
        out[n].e.size = sizeof out[n].e;
        out[n].info.size = sizeof out[n].info;
        int rc = hftipc_dir_next(d, &out[n].e, &out[n].info);
        assert_true(rc == 0 || rc == 1);
        if (rc == 0)
            break;
        n++;
    }
    assert_int_equal(hftipc_dir_next(d, &out[n].e, NULL), 0); /* stays at the end */
    hftipc_dir_close(d);
    return n;
}

static void test_dir_lists_every_kind_of_entry(void **state)
{
    (void)state;
    const char *dir = fresh_dir("kinds");
    hftipc_channel_t *spsc = make(join(dir, "a-spsc"), HFTIPC_MODE_SPSC, 64, HFTIPC_ROLE_PRODUCER);
    hftipc_channel_t *mpsc = make(join(dir, "b-mpsc"), HFTIPC_MODE_MPSC, 128, HFTIPC_ROLE_CONSUMER);
    assert_int_equal(hftipc_channel_send(spsc, "x", 1), HFTIPC_OK);
    assert_int_equal(hftipc_channel_send(spsc, "y", 1), HFTIPC_OK);
    hftipc_channel_close(make(join(dir, "c-trunc"), HFTIPC_MODE_SPSC, 4, HFTIPC_ROLE_OBSERVER));
    assert_int_equal(truncate(join(dir, "c-trunc"), 100), 0);
    char text[5000];
    memset(text, 'z', sizeof text);
    assert_int_equal(test_write_file(join(dir, "d-text"), text, sizeof text), 0);
    assert_int_equal(symlink("a-spsc", join(dir, "e-link")), 0);
    assert_int_equal(mkdir(join(dir, "f-dir"), 0700), 0);
    assert_int_equal(mkfifo(join(dir, "g-fifo"), 0600), 0); /* opening it would block */
    size_t hlen;
    unsigned char *hdr = unready_header("unready-src", &hlen);
    assert_int_equal(test_write_file(join(dir, "h-creating"), hdr, hlen), 0);
    free(hdr);

    size_t before_len, after_len;
    unsigned char *before = test_read_file(join(dir, "a-spsc"), &before_len);

    found f[16];
    int n = list(dir, f, 16);
    assert_int_equal(n, 8);
    static const struct {
        const char *name;
        uint32_t type;
        int status;
    } want[] = {
        {"a-spsc", HFTIPC_ENTRY_REGULAR, HFTIPC_OK},
        {"b-mpsc", HFTIPC_ENTRY_REGULAR, HFTIPC_OK},
        {"c-trunc", HFTIPC_ENTRY_REGULAR, HFTIPC_ETRUNCATED},
        {"d-text", HFTIPC_ENTRY_REGULAR, HFTIPC_EBADMAGIC},
        {"e-link", HFTIPC_ENTRY_SYMLINK, HFTIPC_ENOTFILE},
        {"f-dir", HFTIPC_ENTRY_DIRECTORY, HFTIPC_ENOTFILE},
        {"g-fifo", HFTIPC_ENTRY_OTHER, HFTIPC_ENOTFILE},
        {"h-creating", HFTIPC_ENTRY_REGULAR, HFTIPC_ENOTREADY},
    };
    for (int i = 0; i < n; i++) {
        assert_string_equal(f[i].e.name, want[i].name); /* sorted by name */
        assert_int_equal(f[i].e.type, want[i].type);
        assert_int_equal(f[i].e.status, want[i].status);
        assert_int_equal(f[i].e.event, 0);
        assert_int_equal(f[i].e.size, sizeof f[i].e);
        assert_true(f[i].e.inode != 0);
    }
    /* The SPSC channel: geometry, backlog and its live producer (this process). */
    assert_int_equal(f[0].info.mode, HFTIPC_MODE_SPSC);
    assert_int_equal(f[0].info.capacity, 64);
    assert_int_equal(f[0].info.slot_size, HFTIPC_DEFAULT_SLOT_SIZE);
    assert_int_equal(f[0].info.format_major, HFTIPC_FORMAT_MAJOR);
    assert_int_equal(f[0].info.backlog, 2);
    assert_int_equal(f[0].info.producer_pid, (uint32_t)getpid());
    assert_int_equal(f[0].info.producer_liveness, HFTIPC_PEER_ALIVE);
    assert_int_equal(f[0].info.consumer_liveness, HFTIPC_PEER_NONE);
    assert_int_equal(f[0].e.bytes, f[0].info.file_size);
    /* The MPSC channel: its consumer is held, no producer. */
    assert_int_equal(f[1].info.mode, HFTIPC_MODE_MPSC);
    assert_int_equal(f[1].info.capacity, 128);
    assert_int_equal(f[1].info.consumer_pid, (uint32_t)getpid());
    assert_int_equal(f[1].info.consumer_liveness, HFTIPC_PEER_ALIVE);
    assert_int_equal(f[1].info.producer_count, 0);
    assert_int_equal(f[2].e.bytes, 100);
    /* Entries that are not regular files carry no info; the symlink was not followed. */
    for (int i = 4; i < 7; i++) {
        assert_int_equal(f[i].info.capacity, 0);
        assert_int_equal(f[i].info.producer_pid, 0);
        assert_int_equal(f[i].e.bytes, 0);
    }

    /* Nothing was modified and no role was taken. */
    unsigned char *after = test_read_file(join(dir, "a-spsc"), &after_len);
    assert_int_equal(before_len, after_len);
    assert_memory_equal(before, after, before_len);
    free(before);
    free(after);
    hftipc_channel_t *c;
    assert_int_equal(hftipc_channel_open(join(dir, "a-spsc"), HFTIPC_ROLE_CONSUMER, &c), HFTIPC_OK);
    hftipc_channel_close(c);
    hftipc_channel_close(spsc);
    hftipc_channel_close(mpsc);
}

static void test_dir_fills_only_the_declared_size(void **state)
{
    (void)state;
    const char *dir = fresh_dir("sizes");
    hftipc_channel_close(make(join(dir, "ch"), HFTIPC_MODE_SPSC, 8, HFTIPC_ROLE_OBSERVER));
    hftipc_dir_t *d;
    assert_int_equal(hftipc_dir_open(dir, &d), HFTIPC_OK);
    hftipc_dir_entry_t e;
    memset(&e, 0xAB, sizeof e);
    e.size = 8; /* an older caller that knows only size and status */
    hftipc_info_t info;
    memset(&info, 0xCD, sizeof info);
    info.size = offsetof(hftipc_info_t, capacity);
    assert_int_equal(hftipc_dir_next(d, &e, &info), 1);
    assert_int_equal(e.size, 8);
    assert_int_equal(e.status, HFTIPC_OK);
    assert_int_equal(e.type, 0xABABABABu); /* beyond the declared size: untouched */
    assert_int_equal(info.format_major, HFTIPC_FORMAT_MAJOR);
    assert_int_equal(info.capacity, 0xCDCDCDCDu);
    assert_int_equal(hftipc_dir_next(d, &e, NULL), 0);
    e.size = 2;
    assert_int_equal(hftipc_dir_next(d, &e, NULL), HFTIPC_EINVAL);
    assert_int_equal(hftipc_dir_next(NULL, &e, NULL), HFTIPC_EINVAL);
    hftipc_dir_close(d);
    hftipc_dir_close(NULL);
}

static void test_dir_open_reports_bad_directories(void **state)
{
    (void)state;
    hftipc_dir_t *d = (hftipc_dir_t *)1;
    assert_int_equal(hftipc_dir_open(test_path("no-such-dir"), &d), HFTIPC_ENOENT);
    assert_null(d);
    const char *file = test_path("plain-file");
    assert_int_equal(test_write_file(file, "x", 1), 0);
    assert_int_equal(hftipc_dir_open(file, &d), HFTIPC_ENOTFILE);
    assert_int_equal(hftipc_dir_open(NULL, &d), HFTIPC_EINVAL);
    assert_int_equal(hftipc_dir_open(test_scratch(), NULL), HFTIPC_EINVAL);
    hftipc_watch_t *w;
    assert_int_equal(hftipc_watch_open(test_path("no-such-dir"), NULL, &w), HFTIPC_ENOENT);
    assert_int_equal(hftipc_watch_open(file, NULL, &w), HFTIPC_ENOTFILE);
    hftipc_watch_options_t o;
    hftipc_watch_options_init(&o);
    o.interval_ns = 0;
    assert_int_equal(hftipc_watch_open(test_scratch(), &o, &w), HFTIPC_EINVAL);
    hftipc_watch_options_init(&o);
    o.flags = 0x80;
    assert_int_equal(hftipc_watch_open(test_scratch(), &o, &w), HFTIPC_EINVAL);
    assert_null(w);
}

/* Waits up to 3 s for the next event about `name`; fails on a timeout. */
static void expect_event(hftipc_watch_t *w, const char *name, uint32_t event, hftipc_info_t *info)
{
    int64_t deadline = now_ns() + 3000 * MS;
    for (;;) {
        hftipc_dir_entry_t e = {.size = sizeof e};
        info->size = sizeof *info;
        int64_t left = deadline - now_ns();
        assert_true(left > 0);
        int rc = hftipc_watch_next(w, left, &e, info);
        if (rc == HFTIPC_ETIMEDOUT)
            fail_msg("no event %u for %s within 3 s", event, name);
        assert_int_equal(rc, 1);
        if (strcmp(e.name, name) == 0) {
            assert_int_equal(e.event, event);
            return;
        }
    }
}

/* A child that creates `path` as its producer, tells the parent, and exits on SIGTERM. */
static pid_t producer_child(const char *path, int ready_fd)
{
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
#if defined(__linux__)
        prctl(PR_SET_PDEATHSIG, SIGKILL); /* a failed assertion leaves no child behind */
#endif
        hftipc_options_t o;
        hftipc_options_init(&o);
        o.capacity = 16;
        hftipc_channel_t *ch;
        if (hftipc_channel_create(path, &o, HFTIPC_ROLE_PRODUCER, &ch) != HFTIPC_OK)
            _exit(1);
        if (write(ready_fd, "r", 1) != 1)
            _exit(2);
        for (;;)
            pause();
    }
    return pid;
}

static void watch_sees_lifecycle(uint32_t flags, const char *dirname)
{
    const char *dir = fresh_dir(dirname);
    hftipc_channel_close(make(join(dir, "old"), HFTIPC_MODE_SPSC, 4, HFTIPC_ROLE_OBSERVER));
    hftipc_watch_options_t o;
    hftipc_watch_options_init(&o);
    o.flags = flags;
    o.interval_ns = 20 * MS;
    hftipc_watch_t *w;
    assert_int_equal(hftipc_watch_open(dir, &o, &w), HFTIPC_OK);
    hftipc_info_t info;
    expect_event(w, "old", HFTIPC_WATCH_ADDED, &info); /* present at open */
    hftipc_dir_entry_t e = {.size = sizeof e};
    assert_int_equal(hftipc_watch_next(w, 0, &e, NULL), HFTIPC_ETIMEDOUT); /* nothing else */

    int pfd[2];
    assert_int_equal(pipe(pfd), 0);
    const char *path = join(dir, "new");
    pid_t child = producer_child(path, pfd[1]);
    char c;
    assert_int_equal(read(pfd[0], &c, 1), 1);
    expect_event(w, "new", HFTIPC_WATCH_ADDED, &info);
    assert_int_equal(info.producer_pid, (uint32_t)child);
    assert_int_equal(info.producer_liveness, HFTIPC_PEER_ALIVE);
    assert_int_equal(info.capacity, 16);

    kill(child, SIGKILL); /* a death changes no file: the rescan must notice it */
    assert_int_equal(exit_code(child), 128 + SIGKILL);
    expect_event(w, "new", HFTIPC_WATCH_CHANGED, &info);
    assert_int_equal(info.producer_liveness, HFTIPC_PEER_DEAD);

    assert_int_equal(unlink(path), 0);
    expect_event(w, "new", HFTIPC_WATCH_REMOVED, &info);
    assert_int_equal(info.capacity, 16); /* the last known state */
    assert_int_equal(hftipc_watch_next(w, 50 * MS, &e, NULL), HFTIPC_ETIMEDOUT);
    close(pfd[0]);
    close(pfd[1]);
    hftipc_watch_close(w);
}

static void test_watch_reports_create_death_and_delete(void **state)
{
    (void)state;
    watch_sees_lifecycle(0, "watch-inotify");
}

static void test_watch_polling_reports_create_death_and_delete(void **state)
{
    (void)state;
    watch_sees_lifecycle(HFTIPC_WATCH_POLL, "watch-poll");
}

static void test_watch_notices_a_create_before_the_rescan(void **state)
{
    (void)state;
    const char *dir = fresh_dir("watch-fast");
    hftipc_watch_options_t o;
    hftipc_watch_options_init(&o);
    o.interval_ns = 60000 * MS; /* a rescan never comes in time: only inotify can report */
    hftipc_watch_t *w;
    assert_int_equal(hftipc_watch_open(dir, &o, &w), HFTIPC_OK);
    hftipc_dir_entry_t e = {.size = sizeof e};
    assert_int_equal(hftipc_watch_next(w, 10 * MS, &e, NULL), HFTIPC_ETIMEDOUT);
    hftipc_channel_t *ch = make(join(dir, "ch"), HFTIPC_MODE_SPSC, 4, HFTIPC_ROLE_PRODUCER);
    int64_t start = now_ns();
#if defined(HFTIPC_PLATFORM_LINUX)
    assert_int_equal(hftipc_watch_next(w, 2000 * MS, &e, NULL), 1);
    assert_true(now_ns() - start < 1000 * MS);
#else
    /* The generic POSIX layer has no notifications (docs/DISCOVERY.md): nothing reports the
     * create before the rescan, and a call with no timeout rescans at once and does. */
    assert_int_equal(hftipc_watch_next(w, 300 * MS, &e, NULL), HFTIPC_ETIMEDOUT);
    assert_true(now_ns() - start >= 300 * MS);
    assert_int_equal(hftipc_watch_next(w, 0, &e, NULL), 1);
#endif
    assert_int_equal(e.event, HFTIPC_WATCH_ADDED);
    assert_string_equal(e.name, "ch");
    assert_int_equal(e.status, HFTIPC_OK);
    hftipc_channel_close(ch);
    hftipc_watch_close(w);
}

static void test_watch_reports_a_replaced_file(void **state)
{
    (void)state;
    const char *dir = fresh_dir("watch-replace");
    hftipc_channel_close(make(join(dir, "ch"), HFTIPC_MODE_SPSC, 4, HFTIPC_ROLE_OBSERVER));
    hftipc_watch_t *w;
    assert_int_equal(hftipc_watch_open(dir, NULL, &w), HFTIPC_OK);
    hftipc_dir_entry_t e = {.size = sizeof e};
    hftipc_info_t info = {.size = sizeof info};
    assert_int_equal(hftipc_watch_next(w, 0, &e, &info), 1);
    uint64_t old_inode = e.inode;
    /* A new channel with the same geometry renamed over the old one: only the inode says it. */
    hftipc_channel_close(make(join(dir, "ch.new"), HFTIPC_MODE_SPSC, 4, HFTIPC_ROLE_OBSERVER));
    assert_int_equal(rename(join(dir, "ch.new"), join(dir, "ch")), 0);
    int64_t deadline = now_ns() + 3000 * MS;
    int changed = 0;
    while (!changed && now_ns() < deadline) {
        e.size = sizeof e;
        int rc = hftipc_watch_next(w, 100 * MS, &e, &info);
        if (rc == 1 && strcmp(e.name, "ch") == 0 && e.event == HFTIPC_WATCH_CHANGED) {
            assert_true(e.inode != old_inode);
            changed = 1;
        }
    }
    assert_true(changed);
    hftipc_watch_close(w);
}

static void test_watch_follows_a_removed_and_recreated_directory(void **state)
{
    (void)state;
    const char *dir = fresh_dir("watch-rmdir");
    hftipc_channel_close(make(join(dir, "ch"), HFTIPC_MODE_SPSC, 4, HFTIPC_ROLE_OBSERVER));
    hftipc_watch_options_t o;
    hftipc_watch_options_init(&o);
    o.interval_ns = 20 * MS;
    hftipc_watch_t *w;
    assert_int_equal(hftipc_watch_open(dir, &o, &w), HFTIPC_OK);
    hftipc_info_t info;
    expect_event(w, "ch", HFTIPC_WATCH_ADDED, &info);
    assert_int_equal(unlink(join(dir, "ch")), 0);
    assert_int_equal(rmdir(dir), 0);
    expect_event(w, "ch", HFTIPC_WATCH_REMOVED, &info);
    /* Gone: the watch keeps looking, without an error. */
    hftipc_dir_entry_t e = {.size = sizeof e};
    assert_int_equal(hftipc_watch_next(w, 60 * MS, &e, NULL), HFTIPC_ETIMEDOUT);
    assert_int_equal(mkdir(dir, 0700), 0);
    hftipc_channel_close(make(join(dir, "again"), HFTIPC_MODE_SPSC, 8, HFTIPC_ROLE_OBSERVER));
    expect_event(w, "again", HFTIPC_WATCH_ADDED, &info);
    assert_int_equal(info.capacity, 8);
    hftipc_watch_close(w);
}

static void *stop_later(void *arg)
{
    sleep_ms(50);
    hftipc_watch_stop(arg);
    return NULL;
}

static void test_watch_stop_wakes_a_blocked_next(void **state)
{
    (void)state;
    const char *dir = fresh_dir("watch-stop");
    hftipc_watch_t *w;
    assert_int_equal(hftipc_watch_open(dir, NULL, &w), HFTIPC_OK);
    pthread_t t;
    assert_int_equal(pthread_create(&t, NULL, stop_later, w), 0);
    hftipc_dir_entry_t e = {.size = sizeof e};
    int64_t start = now_ns();
    assert_int_equal(hftipc_watch_next(w, HFTIPC_WAIT_FOREVER, &e, NULL), 0);
    int64_t waited = now_ns() - start;
    assert_true(waited >= 40 * MS && waited < 2000 * MS);
    pthread_join(t, NULL);
    assert_int_equal(hftipc_watch_next(w, 0, &e, NULL), 0); /* stays stopped */
    assert_int_equal(hftipc_watch_stop(w), HFTIPC_OK);      /* idempotent */
    assert_int_equal(hftipc_watch_stop(NULL), HFTIPC_EINVAL);
    hftipc_watch_close(w);
    hftipc_watch_close(NULL);
}

static void test_watch_times_out_on_a_quiet_directory(void **state)
{
    (void)state;
    const char *dir = fresh_dir("watch-quiet");
    hftipc_watch_options_t o;
    hftipc_watch_options_init(&o);
    o.interval_ns = 10 * MS; /* rescans during the wait find nothing new */
    hftipc_watch_t *w;
    assert_int_equal(hftipc_watch_open(dir, &o, &w), HFTIPC_OK);
    hftipc_dir_entry_t e = {.size = sizeof e};
    int64_t start = now_ns();
    assert_int_equal(hftipc_watch_next(w, 150 * MS, &e, NULL), HFTIPC_ETIMEDOUT);
    int64_t waited = now_ns() - start;
    assert_true(waited >= 150 * MS && waited < 2000 * MS);
    hftipc_watch_close(w);
}

/* A child that waits for a byte on `go_fd` (if >= 0; 5 s at most), then creates `path` after
 * `delay_ms`, writes the CLOCK_MONOTONIC time it did so to `time_fd` (if >= 0), holds the
 * channel briefly and exits 0. */
static pid_t delayed_creator(const char *path, int delay_ms, int go_fd, int time_fd)
{
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
#if defined(__linux__)
        prctl(PR_SET_PDEATHSIG, SIGKILL); /* a failed assertion leaves no child behind */
#endif
        if (go_fd >= 0) {
            struct pollfd pfd = {.fd = go_fd, .events = POLLIN};
            (void)poll(&pfd, 1, 5000);
        }
        sleep_ms(delay_ms);
        hftipc_options_t o;
        hftipc_options_init(&o);
        o.capacity = 8;
        hftipc_channel_t *ch;
        if (hftipc_channel_create(path, &o, HFTIPC_ROLE_PRODUCER, &ch) != HFTIPC_OK)
            _exit(1);
        int64_t created = now_ns();
        if (time_fd >= 0 && write(time_fd, &created, sizeof created) != sizeof created)
            _exit(3);
        int rc = hftipc_channel_send(ch, "hello", 5);
        sleep_ms(300);
        hftipc_channel_close(ch);
        _exit(rc == HFTIPC_OK ? 0 : 2);
    }
    return pid;
}

/* Whether this process has an inotify instance open (an "anon_inode:inotify" descriptor). */
static int has_inotify_fd(void)
{
    DIR *d = opendir("/proc/self/fd");
    if (d == NULL)
        return -1;
    int hit = 0;
    struct dirent *de;
    while (!hit && (de = readdir(d)) != NULL) {
        char link[300], target[64];
        snprintf(link, sizeof link, "/proc/self/fd/%s", de->d_name);
        ssize_t n = readlink(link, target, sizeof target - 1);
        if (n > 0) {
            target[n] = '\0';
            hit = strcmp(target, "anon_inode:inotify") == 0;
        }
    }
    closedir(d);
    return hit;
}

typedef struct probe {
    int go_fd;     /* released once the wait's inotify instance was seen, or after 5 s */
    int seen;      /* 1 if it was seen */
    int64_t at_ns; /* when */
} probe;

/* Looks for the wait's inotify instance, then lets the creator go: so the creation always
 * happens during the wait, however late this thread or the wait is scheduled. */
static void *probe_inotify(void *arg)
{
    probe *pr = arg;
#if defined(HFTIPC_PLATFORM_LINUX)
    const int tries = 2500;
#else
    const int tries = 0; /* the generic layer has no inotify to look for: let the creator go */
#endif
    for (int i = 0; i < tries && !pr->seen; i++) {
        pr->seen = has_inotify_fd() == 1;
        if (!pr->seen)
            sleep_ms(2);
    }
    pr->at_ns = now_ns();
    if (write(pr->go_fd, "g", 1) != 1)
        pr->seen = -1;
    return NULL;
}

static void test_open_wait_returns_when_the_channel_is_created(void **state)
{
    (void)state;
    const char *path = test_path("later");
    int tfd[2], gfd[2];
    assert_int_equal(pipe(tfd), 0);
    assert_int_equal(pipe(gfd), 0);
    assert_int_equal(has_inotify_fd(), 0);
    pid_t child = delayed_creator(path, 200, gfd[0], tfd[1]);
    /* Static: if an assertion below fails before the join, the thread must not write into a
     * stack frame cmocka has unwound. */
    static probe pr;
    pr = (probe){.go_fd = gfd[1]};
    pthread_t probe_thread;
    assert_int_equal(pthread_create(&probe_thread, NULL, probe_inotify, &pr), 0);
    hftipc_channel_t *c = (hftipc_channel_t *)1;
    assert_int_equal(hftipc_channel_open_wait(path, HFTIPC_ROLE_CONSUMER, 10000 * MS, &c),
                     HFTIPC_OK);
    int64_t opened = now_ns();
    pthread_join(probe_thread, NULL);
#if defined(HFTIPC_PLATFORM_LINUX)
    assert_int_equal(pr.seen, 1); /* it slept on inotify, not on a polling timer */
#else
    assert_int_equal(pr.seen, 0); /* the generic layer polls: no inotify instance, ever */
#endif
    assert_int_equal(has_inotify_fd(), 0); /* and released it */
    int64_t created;
    assert_int_equal(read(tfd[0], &created, sizeof created), sizeof created);
    for (int i = 0; i < 2; i++) {
        close(tfd[i]);
        close(gfd[i]);
    }
    assert_true(created - pr.at_ns >= 150 * MS); /* the creator did wait 200 ms */
    /* and inotify woke the wait at the create: its 1 s safety re-check would have come about
     * 800 ms after it (the wait's first attempt was 200 ms before). */
    assert_true(opened - created < 500 * MS);
    char buf[16];
    assert_int_equal(hftipc_channel_receive_wait(c, buf, sizeof buf, 2000 * MS), 5);
    assert_memory_equal(buf, "hello", 5);
    hftipc_channel_close(c);
    assert_int_equal(exit_code(child), 0);
}

static void test_open_wait_times_out_at_the_deadline(void **state)
{
    (void)state;
    const char *path = test_path("never");
    hftipc_channel_t *c = (hftipc_channel_t *)1;
    int64_t start = now_ns();
    assert_int_equal(hftipc_channel_open_wait(path, HFTIPC_ROLE_CONSUMER, 150 * MS, &c),
                     HFTIPC_ETIMEDOUT);
    int64_t waited = now_ns() - start;
    assert_null(c);
    assert_true(waited >= 150 * MS && waited < 1000 * MS);
    start = now_ns();
    assert_int_equal(hftipc_channel_open_wait(path, HFTIPC_ROLE_CONSUMER, 0, &c), HFTIPC_ETIMEDOUT);
    assert_true(now_ns() - start < 1000 * MS); /* one attempt, no wait (generous: a loaded CI) */
    /* A missing directory is waited for too, by polling. */
    assert_int_equal(
        hftipc_channel_open_wait(test_path("no-dir/ch"), HFTIPC_ROLE_CONSUMER, 30 * MS, &c),
        HFTIPC_ETIMEDOUT);
    assert_int_equal(hftipc_channel_open_wait(NULL, HFTIPC_ROLE_CONSUMER, 0, &c), HFTIPC_EINVAL);
    assert_int_equal(hftipc_channel_open_wait(path, HFTIPC_ROLE_CONSUMER, 0, NULL), HFTIPC_EINVAL);
}

static void test_open_wait_fails_at_once_for_other_errors(void **state)
{
    (void)state;
    const char *path = test_path("held");
    hftipc_channel_t *p = make(path, HFTIPC_MODE_SPSC, 4, HFTIPC_ROLE_PRODUCER);
    hftipc_channel_t *c;
    int64_t start = now_ns();
    assert_int_equal(hftipc_channel_open_wait(path, HFTIPC_ROLE_PRODUCER, 5000 * MS, &c),
                     HFTIPC_EBUSY);
    const char *text = test_path("text");
    char junk[5000] = {0};
    assert_int_equal(test_write_file(text, junk, sizeof junk), 0);
    assert_int_equal(hftipc_channel_open_wait(text, HFTIPC_ROLE_CONSUMER, 5000 * MS, &c),
                     HFTIPC_EBADMAGIC);
    assert_true(now_ns() - start < 1000 * MS);
    hftipc_channel_close(p);
}

static void test_open_wait_waits_for_initialisation(void **state)
{
    (void)state;
    const char *path = test_path("initialising");
    size_t len;
    unsigned char *bytes = unready_header("init-src", &len);
    assert_int_equal(test_write_file(path, bytes, len), 0);
    pid_t child = fork();
    assert_true(child >= 0);
    if (child == 0) {
        sleep_ms(150);
        /* Finish initialisation as an in-place creator would: READY, by a store. */
        int fd = open(path, O_RDWR);
        uint32_t ready = HFTIPC__STATE_READY;
        ssize_t w = pwrite(fd, &ready, sizeof ready, offsetof(hftipc__header, init_state));
        _exit(w == sizeof ready ? 0 : 1);
    }
    hftipc_channel_t *c;
    int64_t start = now_ns();
    assert_int_equal(hftipc_channel_open_wait(path, HFTIPC_ROLE_CONSUMER, 5000 * MS, &c),
                     HFTIPC_OK);
    assert_true(now_ns() - start >= 100 * MS);
    assert_int_equal(exit_code(child), 0);
    hftipc_channel_close(c);
    free(bytes);

    /* An empty file (a creator that has not written yet) is waited for as well. */
    const char *empty = test_path("empty");
    assert_int_equal(test_write_file(empty, "", 0), 0);
    assert_int_equal(hftipc_channel_open_wait(empty, HFTIPC_ROLE_CONSUMER, 50 * MS, &c),
                     HFTIPC_ETIMEDOUT);
}

static volatile sig_atomic_t signals_seen;

static void on_signal(int sig)
{
    (void)sig;
    signals_seen++;
}

/* A child that sends SIGUSR1 to `target` every 5 ms until killed. */
static pid_t signal_storm(pid_t target)
{
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
#if defined(__linux__)
        prctl(PR_SET_PDEATHSIG, SIGKILL); /* a failed assertion leaves no child behind */
#endif
        for (;;) {
            kill(target, SIGUSR1);
            sleep_ms(5);
        }
    }
    return pid;
}

static void test_open_wait_survives_signals(void **state)
{
    (void)state;
    struct sigaction sa = {.sa_handler = on_signal}; /* no SA_RESTART: ppoll returns EINTR */
    sigaction(SIGUSR1, &sa, NULL);
    signals_seen = 0;
    pid_t storm = signal_storm(getpid());
    /* Start only once the storm is on: a loaded machine may schedule the child late. */
    for (int i = 0; i < 2000 && signals_seen == 0; i++)
        sleep_ms(1);
    assert_true(signals_seen > 0);
    hftipc_channel_t *c;
    sig_atomic_t before = signals_seen;
    int64_t start = now_ns();
    assert_int_equal(
        hftipc_channel_open_wait(test_path("stormy-never"), HFTIPC_ROLE_CONSUMER, 150 * MS, &c),
        HFTIPC_ETIMEDOUT);
    int64_t waited = now_ns() - start;
    assert_true(signals_seen - before >= 2);               /* signals did arrive during the wait */
    assert_true(waited >= 150 * MS && waited < 1500 * MS); /* the deadline held */

    const char *path = test_path("stormy");
    pid_t creator = delayed_creator(path, 100, -1, -1);
    assert_int_equal(hftipc_channel_open_wait(path, HFTIPC_ROLE_CONSUMER, 5000 * MS, &c),
                     HFTIPC_OK);
    kill(storm, SIGKILL);
    exit_code(storm);
    hftipc_channel_close(c);
    assert_int_equal(exit_code(creator), 0);
    signal(SIGUSR1, SIG_DFL);
}

int main(void)
{
    alarm(120); /* a listing that opened the FIFO, or a lost wake-up, fails instead of hanging */
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_dir_lists_every_kind_of_entry),
        cmocka_unit_test(test_dir_fills_only_the_declared_size),
        cmocka_unit_test(test_dir_open_reports_bad_directories),
        cmocka_unit_test(test_watch_reports_create_death_and_delete),
        cmocka_unit_test(test_watch_polling_reports_create_death_and_delete),
        cmocka_unit_test(test_watch_notices_a_create_before_the_rescan),
        cmocka_unit_test(test_watch_reports_a_replaced_file),
        cmocka_unit_test(test_watch_follows_a_removed_and_recreated_directory),
        cmocka_unit_test(test_watch_stop_wakes_a_blocked_next),
        cmocka_unit_test(test_watch_times_out_on_a_quiet_directory),
        cmocka_unit_test(test_open_wait_returns_when_the_channel_is_created),
        cmocka_unit_test(test_open_wait_times_out_at_the_deadline),
        cmocka_unit_test(test_open_wait_fails_at_once_for_other_errors),
        cmocka_unit_test(test_open_wait_waits_for_initialisation),
        cmocka_unit_test(test_open_wait_survives_signals),
    };
    int rc = cmocka_run_group_tests_name("discover", tests, NULL, NULL);
    test_scratch_cleanup();
    return rc;
}
