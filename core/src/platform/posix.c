/*
 * The Unix platform layer (platform.h). Two parts:
 *   - the Unix part (HFTIPC_PLATFORM_UNIX), shared by Linux and every other POSIX system:
 *     open/pread/mmap, the named-temporary-file create, directory listing, the watch's poll
 *     loop, the clocks. On Linux it calls the hooks of platform/linux.c where Linux does better
 *     (O_TMPFILE, fallocate, inotify);
 *   - the generic part (HFTIPC_PLATFORM_POSIX only): what platform/linux.c does with futex,
 *     membarrier, /proc and pidfd, done with what POSIX (and macOS) offers. Its limits are in
 *     docs/FORMAT.md, sections 11 and 12.
 * Empty on every other platform.
 */
/* Before any header: glibc's extensions on Linux (O_TMPFILE's relatives, mkostemp, pipe2),
 * the full API on macOS; ignored elsewhere. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#if defined(__APPLE__) && !defined(_DARWIN_C_SOURCE)
#define _DARWIN_C_SOURCE
#endif
#include "platform.h"

#if defined(HFTIPC_PLATFORM_UNIX)

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>

#include "hftipc.h"

#if defined(HFTIPC_PLATFORM_POSIX) && defined(__APPLE__)
#include <libproc.h>
#include <sys/proc.h>
#include <sys/proc_info.h>
#if defined(__has_include) && defined(__clang__) /* __builtin_available is clang's */
#if __has_include(<os/os_sync_wait_on_address.h>)
#include <os/clock.h>
#include <os/os_sync_wait_on_address.h>
#define HFTIPC_HAVE_OS_SYNC 1
#endif
#endif
#endif

/* ---- Statuses ---- */

int hftipc__unix_status(int err)
{
    switch (err) {
    case ENOENT:
    case ENOTDIR:
        return HFTIPC_ENOENT;
    case EACCES:
    case EPERM:
    case EROFS:
        return HFTIPC_EACCES;
    case ELOOP:
    case EISDIR:
    case ENXIO:
        return HFTIPC_ENOTFILE;
    case ENOSPC:
    case EDQUOT:
    case EFBIG:
        return HFTIPC_ENOSPC;
    case ENOMEM:
        return HFTIPC_ENOMEM;
    case EEXIST:
        return HFTIPC_EEXIST;
    case EINVAL:
    case ENAMETOOLONG:
        return HFTIPC_EINVAL;
    default:
        return HFTIPC_ESYSTEM;
    }
}

static int fail_errno(int fd)
{
    int err = errno;
    if (fd >= 0)
        close(fd);
    errno = err;
    return hftipc__unix_status(err);
}

/* ---- Files ---- */

/* Sizes a new, still private file and allocates its blocks: on a full tmpfs the error comes
 * here, instead of a SIGBUS on the first touch of an unbacked page. */
static int allocate_new(int fd, uint64_t size)
{
#if defined(__APPLE__)
    /* No posix_fallocate. Nobody else can open the file yet, so writing its zeros is safe, and
     * it allocates every block (APFS and HFS+ store written zeros). */
    if (ftruncate(fd, (off_t)size) != 0)
        return hftipc__unix_status(errno);
    static const char zeros[65536];
    for (uint64_t off = 0; off < size;) {
        size_t n = size - off < sizeof zeros ? (size_t)(size - off) : sizeof zeros;
        ssize_t w = pwrite(fd, zeros, n, (off_t)off);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return hftipc__unix_status(w < 0 ? errno : ENOSPC);
        off += (uint64_t)w;
    }
    return HFTIPC_OK;
#else
    /* posix_fallocate reserves the blocks now. It returns the error, not errno. Where glibc
     * emulates it by writing, that is harmless: the file is still private. */
    int err = posix_fallocate(fd, 0, (off_t)size);
    if (err == EOPNOTSUPP || err == EINVAL) {
        /* A file system without fallocate: a sparse file is the best we can do (documented). */
        if (ftruncate(fd, (off_t)size) != 0)
            return hftipc__unix_status(errno);
        return HFTIPC_OK;
    }
    if (err != 0) {
        errno = err;
        return hftipc__unix_status(err);
    }
    return HFTIPC_OK;
#endif
}

char *hftipc__directory_of(const char *path)
{
    const char *slash = strrchr(path, '/');
    if (slash == NULL)
        return strdup(".");
    if (slash == path)
        return strdup("/");
    return strndup(path, (size_t)(slash - path));
}

char *hftipc__os_absolute_path(const char *path)
{
    int saved = errno;
    char *abs = realpath(path, NULL);
    errno = saved;
    return abs;
}

int hftipc__os_file_create_unlinked(const char *path, uint64_t size, uint32_t file_mode,
                                    hftipc__os_file *f)
{
    f->fd = -1;
    f->tmp_path = NULL;
    size_t plen = strlen(path);
    int fd = -1;
#if defined(HFTIPC_PLATFORM_LINUX)
    /* O_TMPFILE gives a file with no name, so a crash before the link leaves nothing behind. */
    char *dir = hftipc__directory_of(path);
    if (dir == NULL)
        return HFTIPC_ENOMEM;
    fd = hftipc__linux_open_anonymous(dir);
    free(dir);
    if (fd < 0 && errno != EOPNOTSUPP && errno != EISDIR && errno != EINVAL)
        return fail_errno(-1);
#endif
    if (fd < 0) {
        /* A named temporary file next to the target, linked once complete: a crash before the
         * link leaves a "<name>.tmp-XXXXXX" behind, never a half-initialised channel. */
        size_t n = plen + 32;
        f->tmp_path = malloc(n);
        if (f->tmp_path == NULL)
            return HFTIPC_ENOMEM;
        snprintf(f->tmp_path, n, "%s.tmp-XXXXXX", path);
#if defined(HFTIPC_PLATFORM_LINUX)
        fd = mkostemp(f->tmp_path, O_CLOEXEC);
#else
        /* mkostemp(O_CLOEXEC) is not POSIX; the window until FD_CLOEXEC is set only matters to
         * a fork+exec racing this create in another thread. */
        fd = mkstemp(f->tmp_path);
        if (fd >= 0)
            (void)fcntl(fd, F_SETFD, FD_CLOEXEC);
#endif
        if (fd < 0) {
            free(f->tmp_path);
            f->tmp_path = NULL;
            return fail_errno(-1);
        }
    }
    f->fd = fd;
    int rc = HFTIPC_OK;
    /* fchmod, not the open mode: the requested mode is exact, whatever the umask. */
    if (fchmod(fd, (mode_t)(file_mode & 0666)) != 0)
        rc = hftipc__unix_status(errno);
    if (rc == HFTIPC_OK)
        rc = allocate_new(fd, size);
    if (rc != HFTIPC_OK) {
        int err = errno;
        hftipc__os_file_close(f);
        errno = err;
    }
    return rc;
}

int hftipc__os_file_link(hftipc__os_file *f, const char *path)
{
    int rc;
    if (f->tmp_path == NULL) {
#if defined(HFTIPC_PLATFORM_LINUX)
        rc = hftipc__linux_link_anonymous((int)f->fd, path);
#else
        errno = EINVAL; /* only named temporary files here */
        rc = -1;
#endif
    } else {
        /* link(2), unlike rename(2), fails if `path` exists: exactly one racer wins. */
        rc = link(f->tmp_path, path);
        int err = errno;
        unlink(f->tmp_path);
        free(f->tmp_path);
        f->tmp_path = NULL;
        errno = err;
    }
    return rc == 0 ? HFTIPC_OK : hftipc__unix_status(errno);
}

int hftipc__os_file_open(const char *path, int writable, hftipc__os_file *f, uint64_t *size)
{
    f->fd = -1;
    f->tmp_path = NULL;
    /* O_NOFOLLOW: a symlink planted at the path is refused (ELOOP). O_NONBLOCK: opening a FIFO
     * must not hang; the fstat below refuses it anyway. */
    int flags = (writable ? O_RDWR : O_RDONLY) | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY;
    int fd = open(path, flags);
    if (fd < 0)
        return fail_errno(-1);
    struct stat st;
    if (fstat(fd, &st) != 0)
        return fail_errno(fd);
    if (!S_ISREG(st.st_mode)) {
        close(fd);
        return HFTIPC_ENOTFILE;
    }
    f->fd = fd;
    *size = (uint64_t)st.st_size;
    return HFTIPC_OK;
}

int hftipc__os_file_read(const hftipc__os_file *f, uint64_t offset, void *buf, size_t len,
                         size_t *got)
{
    size_t n = 0;
    while (n < len) {
        ssize_t r = pread((int)f->fd, (char *)buf + n, len - n, (off_t)(offset + n));
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0)
            return hftipc__unix_status(errno);
        if (r == 0)
            break;
        n += (size_t)r;
    }
    *got = n;
    return HFTIPC_OK;
}

int hftipc__os_file_allocate(const hftipc__os_file *f, uint64_t size, int may_allocate)
{
    int fd = (int)f->fd;
    struct stat st;
    if (fstat(fd, &st) != 0)
        return hftipc__unix_status(errno);
    /* Cheap and exact on tmpfs: every page that exists, written or only fallocated, counts in
     * st_blocks, so a file with as many blocks as bytes has no hole, and this is the common
     * case (the creator allocated everything). SEEK_HOLE alone cannot say it: on tmpfs and ext4
     * (Linux 6.18) a range that fallocate reserved but nobody wrote reads back as a hole. */
    if (st.st_blocks >= 0 && (uint64_t)st.st_blocks * 512u >= size)
        return HFTIPC_OK;
#if defined(SEEK_HOLE)
    /* Fewer blocks than bytes: a hole, or a file system that stores data in fewer blocks than
     * its size (compression, inline data). SEEK_HOLE tells them apart; a file system that
     * cannot report holes answers the file size (all data), and the file is taken as it is,
     * as create does on a file system without fallocate. */
    off_t hole = lseek(fd, 0, SEEK_HOLE);
    if (hole < 0 || (uint64_t)hole >= size)
        return HFTIPC_OK;
#else
    return HFTIPC_OK; /* no way to tell a hole from compression: taken as it is */
#endif
    /* A hole inside the geometry: on tmpfs the first touch of it through the mapping allocates
     * a page, and raises SIGBUS when the file system is full. Read faults allocate too, so an
     * observer, whose read-only descriptor cannot reserve anything, refuses the file. */
    if (!may_allocate)
        return HFTIPC_ESPARSE;
    /* Refuse up front what cannot fit: a file system such as ext4 keeps the blocks a failed
     * fallocate allocated before it ran out, so a huge sparse file would otherwise fill the
     * disk before failing. A file system that reports no size (tmpfs with size=0) is tried. */
    struct statvfs fs;
    uint64_t have = st.st_blocks > 0 ? (uint64_t)st.st_blocks * 512u : 0;
    uint64_t missing = have < size ? size - have : 0;
    if (fstatvfs(fd, &fs) == 0 && fs.f_blocks != 0 && fs.f_frsize != 0 &&
        missing / fs.f_frsize > (uint64_t)fs.f_bavail)
        return HFTIPC_ENOSPC;
#if defined(HFTIPC_PLATFORM_LINUX)
    return hftipc__linux_allocate_holes(fd, size);
#else
    /* No allocation here that provably changes no byte: posix_fallocate may emulate itself by
     * writing zeros where it reads zeros, over a byte a peer writes meanwhile. Mapping the holes
     * as they are could fault on a full file system, so every role refuses the file
     * (docs/FORMAT.md, section 3). A file this library created has no holes. */
    return HFTIPC_ESPARSE;
#endif
}

int hftipc__os_file_is_at(const hftipc__os_file *f, const char *path)
{
    struct stat here, there;
    int saved = errno;
    int same = f->fd >= 0 && fstat((int)f->fd, &here) == 0 && lstat(path, &there) == 0 &&
               here.st_dev == there.st_dev && here.st_ino == there.st_ino;
    errno = saved;
    return same;
}

int hftipc__os_unlink(const char *path)
{
    if (unlink(path) != 0 && errno != ENOENT)
        return hftipc__unix_status(errno);
    return HFTIPC_OK;
}

int hftipc__os_file_close(hftipc__os_file *f)
{
    int rc = HFTIPC_OK;
    if (f->fd >= 0 && close((int)f->fd) != 0)
        rc = HFTIPC_ESYSTEM;
    if (f->tmp_path != NULL) {
        unlink(f->tmp_path);
        free(f->tmp_path);
    }
    f->fd = -1;
    f->tmp_path = NULL;
    return rc;
}

int hftipc__os_map(const hftipc__os_file *f, size_t len, int writable, void **base)
{
    int prot = writable ? PROT_READ | PROT_WRITE : PROT_READ;
    void *p = mmap(NULL, len, prot, MAP_SHARED, (int)f->fd, 0);
    if (p == MAP_FAILED)
        return hftipc__unix_status(errno);
    *base = p;
    return HFTIPC_OK;
}

int hftipc__os_unmap(void *base, size_t len)
{
    return munmap(base, len) == 0 ? HFTIPC_OK : HFTIPC_ESYSTEM;
}

/* ---- Clocks, scheduling, this process ---- */

int64_t hftipc__monotonic_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

uint64_t hftipc__os_realtime_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

void hftipc__os_yield(void)
{
    sched_yield();
}

uint32_t hftipc__os_self_pid(void)
{
    return (uint32_t)getpid();
}

/* ---- Directories ---- */

struct hftipc__os_dir {
    DIR *d;
};

static int dir_status(int err)
{
    /* A path that is not a directory is HFTIPC_ENOTFILE here, where hftipc__unix_status()
     * reads ENOTDIR as a missing parent. */
    return err == ENOTDIR ? HFTIPC_ENOTFILE : hftipc__unix_status(err);
}

int hftipc__os_dir_open(const char *dir, hftipc__os_dir **out)
{
    *out = NULL;
    hftipc__os_dir *d = malloc(sizeof *d);
    if (d == NULL)
        return HFTIPC_ENOMEM;
    d->d = opendir(dir);
    if (d->d == NULL) {
        int err = errno;
        free(d);
        errno = err;
        return dir_status(err);
    }
    *out = d;
    return HFTIPC_OK;
}

int hftipc__os_dir_next(hftipc__os_dir *d, const char **name)
{
    for (;;) {
        errno = 0;
        struct dirent *de = readdir(d->d);
        if (de == NULL)
            return errno != 0 ? hftipc__unix_status(errno) : 0;
        if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
            continue;
        *name = de->d_name;
        return 1;
    }
}

void hftipc__os_dir_close(hftipc__os_dir *d)
{
    if (d == NULL)
        return;
    int err = errno;
    closedir(d->d);
    free(d);
    errno = err;
}

int hftipc__os_dir_check(const char *dir)
{
    int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd < 0)
        return dir_status(errno);
    close(dfd);
    return HFTIPC_OK;
}

int hftipc__os_node(const char *path, int *kind, uint64_t *inode, uint64_t *bytes)
{
    struct stat st;
    if (lstat(path, &st) != 0)
        return errno == ENOENT ? HFTIPC__OS_NODE_GONE : hftipc__unix_status(errno);
    *inode = (uint64_t)st.st_ino;
    *bytes = (uint64_t)st.st_size;
    *kind = S_ISLNK(st.st_mode)   ? HFTIPC__OS_NODE_SYMLINK
            : S_ISDIR(st.st_mode) ? HFTIPC__OS_NODE_DIRECTORY
            : S_ISREG(st.st_mode) ? HFTIPC__OS_NODE_REGULAR
                                  : HFTIPC__OS_NODE_OTHER;
    return HFTIPC_OK;
}

/* ---- Watching a directory ---- */

struct hftipc__os_watch {
    int stop_pipe[2]; /* -1: no stop; the pipe only wakes a poll() in progress */
    int notify_fd;    /* -1: polling only (no inotify, or not asked for) */
    int notify_wd;    /* -1: the directory is not watched (missing, moved) */
    int arrivals;
    char *dir;
};

int hftipc__os_watch_open(const char *dir, unsigned flags, hftipc__os_watch **out)
{
    *out = NULL;
    hftipc__os_watch *w = calloc(1, sizeof *w);
    if (w == NULL)
        return HFTIPC_ENOMEM;
    w->stop_pipe[0] = w->stop_pipe[1] = -1;
    w->notify_fd = w->notify_wd = -1;
    w->arrivals = (flags & HFTIPC__OS_WATCH_ARRIVALS) != 0;
    w->dir = strdup(dir);
    if (w->dir == NULL) {
        free(w);
        return HFTIPC_ENOMEM;
    }
    if (flags & HFTIPC__OS_WATCH_STOP) {
#if defined(HFTIPC_PLATFORM_LINUX)
        int rc = pipe2(w->stop_pipe, O_CLOEXEC | O_NONBLOCK);
#else
        /* pipe2 is not POSIX (macOS lacks it): flags set after, with the same fork+exec window
         * as the create's mkstemp. */
        int rc = pipe(w->stop_pipe);
        for (int i = 0; rc == 0 && i < 2; i++) {
            (void)fcntl(w->stop_pipe[i], F_SETFD, FD_CLOEXEC);
            (void)fcntl(w->stop_pipe[i], F_SETFL, O_NONBLOCK);
        }
#endif
        if (rc != 0) {
            int err = errno;
            w->stop_pipe[0] = w->stop_pipe[1] = -1;
            hftipc__os_watch_close(w);
            errno = err;
            return hftipc__unix_status(err);
        }
    }
#if defined(HFTIPC_PLATFORM_LINUX)
    /* No inotify (ENOSYS, or the per-user instance limit): fall back to polling. */
    if (flags & HFTIPC__OS_WATCH_NOTIFY)
        w->notify_fd = hftipc__linux_notify_open();
#endif
    *out = w;
    return HFTIPC_OK;
}

int hftipc__os_watch_arm(hftipc__os_watch *w)
{
#if defined(HFTIPC_PLATFORM_LINUX)
    if (w->notify_fd >= 0 && w->notify_wd < 0)
        w->notify_wd = hftipc__linux_notify_arm(w->notify_fd, w->dir, w->arrivals);
#endif
    return w->notify_wd >= 0;
}

int hftipc__os_watch_drain(hftipc__os_watch *w)
{
#if defined(HFTIPC_PLATFORM_LINUX)
    if (w->notify_fd >= 0)
        return hftipc__linux_notify_drain(w->notify_fd, &w->notify_wd);
#endif
    (void)w;
    return 0;
}

int hftipc__os_watch_sleep(hftipc__os_watch *w, intptr_t cancel, int64_t until_ns)
{
    struct pollfd pfd[3];
    nfds_t n = 0;
    if (w->stop_pipe[0] >= 0)
        pfd[n++] = (struct pollfd){.fd = w->stop_pipe[0], .events = POLLIN};
    if (w->notify_wd >= 0)
        pfd[n++] = (struct pollfd){.fd = w->notify_fd, .events = POLLIN};
    nfds_t cancel_at = n;
    if (cancel >= 0)
        pfd[n++] = (struct pollfd){.fd = (int)cancel, .events = POLLIN};
#if defined(HFTIPC_PLATFORM_LINUX)
    /* ppoll: nanoseconds, so a short sleep is not rounded up to a millisecond. */
    struct timespec ts, *tsp = NULL;
    if (until_ns >= 0) {
        int64_t left = until_ns - hftipc__monotonic_ns();
        if (left < 0)
            left = 0;
        ts.tv_sec = (time_t)(left / 1000000000);
        ts.tv_nsec = (long)(left % 1000000000);
        tsp = &ts;
    }
    int saved = errno;
    int r = ppoll(pfd, n, tsp, NULL); /* EINTR or a timeout: the caller's loop decides */
    errno = saved;
#else
    int timeout_ms = -1;
    if (until_ns >= 0) {
        int64_t left = until_ns - hftipc__monotonic_ns();
        if (left <= 0)
            timeout_ms = 0;
        else /* rounded up: never wake before the deadline */
            timeout_ms = left / 1000000 >= INT_MAX ? INT_MAX : (int)((left + 999999) / 1000000);
    }
    int saved = errno;
    int r = poll(pfd, n, timeout_ms); /* EINTR or a timeout: the caller's loop decides */
    errno = saved;
#endif
    return r > 0 && cancel >= 0 && (pfd[cancel_at].revents & (POLLIN | POLLHUP | POLLERR)) != 0;
}

void hftipc__os_watch_stop(hftipc__os_watch *w)
{
    int saved = errno;
    /* Wakes a poll() in progress; a full pipe (EAGAIN) is already readable. write(2) is
     * async-signal-safe. */
    if (w->stop_pipe[1] >= 0) {
        ssize_t r = write(w->stop_pipe[1], "", 1);
        (void)r;
    }
    errno = saved;
}

void hftipc__os_watch_close(hftipc__os_watch *w)
{
    if (w == NULL)
        return;
    int err = errno;
    if (w->notify_fd >= 0)
        close(w->notify_fd);
    for (int i = 0; i < 2; i++)
        if (w->stop_pipe[i] >= 0)
            close(w->stop_pipe[i]);
    free(w->dir);
    free(w);
    errno = err;
}

/* ==== The generic part: only where platform/linux.c is not selected ==== */
#if defined(HFTIPC_PLATFORM_POSIX)

/* ---- Waits (docs/FORMAT.md section 11) ---- */

int hftipc__os_fence_register(void)
{
    /* No cross-process barrier (membarrier) here: a publisher's cursor store and its later load
     * of the waiting flag may pass each other, so a wake-up can be missed. Saying so makes
     * every peer sleep in short slices (polling), never wait on a wake that may not come. */
    return 0;
}

void hftipc__os_announce_waiter(void) {}

void hftipc__os_sleep_on(const void *word, uint32_t expected, int64_t until_ns)
{
    int64_t left = until_ns - hftipc__monotonic_ns();
    if (left <= 0)
        return;
#if defined(HFTIPC_HAVE_OS_SYNC)
    /* macOS 14.4: a wait on a word of shared memory that a wake-up from another process ends
     * (OS_SYNC_WAIT_ON_ADDRESS_SHARED). Only faster than the sleep below: peers still poll. */
    if (__builtin_available(macOS 14.4, *)) {
        int saved = errno;
        (void)os_sync_wait_on_address_with_timeout((void *)(uintptr_t)word, expected, 4,
                                                   OS_SYNC_WAIT_ON_ADDRESS_SHARED,
                                                   OS_CLOCK_MACH_ABSOLUTE_TIME, (uint64_t)left);
        errno = saved;
        return;
    }
#endif
    (void)word;
    (void)expected;
    /* The last step of the bounded backoff (the caller spun and yielded first): sleep the
     * slice, which the caller keeps short because nobody wakes us here. Relative, since
     * clock_nanosleep is not everywhere (macOS); a signal ends it early, which is allowed. */
    struct timespec ts = {.tv_sec = (time_t)(left / 1000000000),
                          .tv_nsec = (long)(left % 1000000000)};
    int saved = errno;
    (void)nanosleep(&ts, NULL);
    errno = saved;
}

int hftipc__os_wake(const void *word)
{
#if defined(HFTIPC_HAVE_OS_SYNC)
    if (__builtin_available(macOS 14.4, *)) {
        int saved = errno;
        int rc =
            os_sync_wake_by_address_all((void *)(uintptr_t)word, 4, OS_SYNC_WAKE_BY_ADDRESS_SHARED);
        errno = saved;
        return rc == 0; /* 0: somebody was waiting (ENOENT otherwise) */
    }
#endif
    (void)word;
    return 0;
}

int hftipc__os_fence_all_cpus(int expedited)
{
    (void)expedited;
    return -1;
}

/* ---- Processes ---- */

uint64_t hftipc__os_self_pidns(void)
{
    return 0; /* no pid namespaces: one pid space per machine */
}

/* Start time and state of `pid`: 1 known, 0 unknown, -1 no such process. */
static int process_start(pid_t pid, uint64_t *start, int *zombie)
{
    *zombie = 0;
    *start = 0;
#if defined(__APPLE__)
    struct proc_bsdinfo bi;
    int n = proc_pidinfo(pid, PROC_PIDTBSDINFO, 0, &bi, (int)sizeof bi);
    if (n != (int)sizeof bi)
        return 0;
    *zombie = bi.pbi_status == SZOMB;
    /* Milliseconds since 1970: 42 bits last until 2109, and a pid is not reused within one. */
    *start = (uint64_t)bi.pbi_start_tvsec * 1000u + (uint64_t)bi.pbi_start_tvusec / 1000u;
    return 1;
#else
    (void)pid;
    return 0; /* no portable source of a start time: liveness rests on the pid (and heartbeat) */
#endif
}

uint64_t hftipc__os_self_start(void)
{
    uint64_t start;
    int zombie;
    return process_start(getpid(), &start, &zombie) == 1 ? start : 0;
}

int hftipc__os_process_probe(uint32_t pid, uint64_t *start)
{
    *start = 0;
    int saved = errno;
    int gone = kill((pid_t)pid, 0) != 0 && errno == ESRCH;
    errno = saved;
    if (gone)
        return HFTIPC__OS_PROC_DEAD;
    int zombie;
    if (process_start((pid_t)pid, start, &zombie) == 1 && zombie)
        return HFTIPC__OS_PROC_DEAD; /* has released nothing but will never run again */
    return HFTIPC__OS_PROC_ALIVE;
}

int hftipc__os_process_end(uint32_t pid, uint64_t start, uint64_t start_mask,
                           const hftipc__os_file *chan)
{
    (void)pid;
    (void)start;
    (void)start_mask;
    (void)chan;
    /* Nothing pins a process here (no pidfd): between any check and a kill(2) the pid could be
     * reused, and a signal would end a stranger. Not ended: the takeover reports
     * HFTIPC_ENOFENCE (docs/FORMAT.md section 12). */
    return 0;
}

#endif /* HFTIPC_PLATFORM_POSIX */

#endif /* HFTIPC_PLATFORM_UNIX */
