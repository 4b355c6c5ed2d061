/*
 * The platform layer (docs/ARCHITECTURE.md, "Platform layer"): every operating-system call the
 * core makes goes through this header, and nothing in core/src outside platform/ includes an
 * OS header. It declares no OS type either: descriptors and handles travel as intptr_t.
 *
 * Exactly one layer is selected here from the compiler's OS macros:
 *   HFTIPC_PLATFORM_LINUX    platform/linux.c on top of the Unix part of platform/posix.c
 *   HFTIPC_PLATFORM_POSIX    platform/posix.c alone: macOS, the BSDs, or Linux when built with
 *                            -DHFTIPC_PLATFORM_FORCE_POSIX (the test build of the generic layer)
 *   HFTIPC_PLATFORM_WINDOWS  platform/windows.c
 * HFTIPC_PLATFORM_UNIX is set with either of the first two. Every platform file compiles on
 * every OS and is empty unless selected (as SQLite's os_unix.c and os_win.c), so one list of
 * sources serves every build.
 *
 * Statuses: functions returning int return HFTIPC_OK or a negative HFTIPC_E* status; where that
 * is HFTIPC_ESYSTEM, errno is left as the failing call set it, for the caller to read.
 */
#ifndef HFTIPC_PLATFORM_H
#define HFTIPC_PLATFORM_H

#include <stddef.h>
#include <stdint.h>

#if defined(_WIN32)
#define HFTIPC_PLATFORM_WINDOWS 1
#elif defined(__linux__) && !defined(HFTIPC_PLATFORM_FORCE_POSIX)
#define HFTIPC_PLATFORM_LINUX 1
#define HFTIPC_PLATFORM_UNIX  1
#elif defined(__unix__) || defined(__APPLE__)
#define HFTIPC_PLATFORM_POSIX 1
#define HFTIPC_PLATFORM_UNIX  1
#else
#error "hftipc: no platform layer for this operating system (see core/src/platform/platform.h)"
#endif

/* ---- Files and mappings (docs/FORMAT.md, "Initialisation") ---- */

/* Directory part of `path` ("." when it has none), in a fresh allocation; NULL when out of
 * memory. Path syntax is the OS's (Windows also has '\\' and drive letters). */
char *hftipc__directory_of(const char *path);

typedef struct hftipc__os_file {
    intptr_t fd;    /* POSIX descriptor or Windows HANDLE; -1 when closed */
    char *tmp_path; /* the named temporary file until it is linked; NULL otherwise */
} hftipc__os_file;

/* A closed file, for the tests that map a channel file through the layer directly
 * (core/tests/test_world.h, test_platform_windows.c). */
#define HFTIPC__OS_FILE_INIT                                                                       \
    {                                                                                              \
        -1, NULL                                                                                   \
    }

/* `path` made absolute with every symlink resolved (realpath), in a fresh allocation; NULL
 * when it cannot be resolved or memory is short. */
char *hftipc__os_absolute_path(const char *path);

/* Creates a file nobody can open by `path` yet, in the directory of `path` (an anonymous file
 * where the OS has one, else a named temporary file), with exactly the permissions `file_mode`
 * (0600-style; on Windows an owner-only ACL unless group or other bits are set) and `size`
 * bytes with their blocks allocated, so that a full file system fails here rather than with a
 * fault on the first touch of the mapping. */
int hftipc__os_file_create_unlinked(const char *path, uint64_t size, uint32_t file_mode,
                                    hftipc__os_file *f);

/* Makes the file created above visible at `path`, all at once: a reader finds either nothing
 * or the fully initialised file. HFTIPC_EEXIST if anything is there: exactly one racer wins. */
int hftipc__os_file_link(hftipc__os_file *f, const char *path);

/* Opens the regular file `path` without following a symlink at it and without blocking on a
 * FIFO (HFTIPC_ENOTFILE for anything but a regular file); returns its size. */
int hftipc__os_file_open(const char *path, int writable, hftipc__os_file *f, uint64_t *size);

/* Reads up to `len` bytes at `offset`, fewer only at the end of the file. */
int hftipc__os_file_read(const hftipc__os_file *f, uint64_t offset, void *buf, size_t len,
                         size_t *got);

/* Makes sure the first `size` bytes have no hole, so that no access through a mapping can fault
 * on a full file system: HFTIPC_OK when there is none or after allocating them
 * (`may_allocate`: a writable file; no byte changes), HFTIPC_ENOSPC when they cannot be
 * allocated, HFTIPC_ESPARSE when they may not. A file system that cannot report holes gets
 * HFTIPC_OK. */
int hftipc__os_file_allocate(const hftipc__os_file *f, uint64_t size, int may_allocate);

/* Does `path` still name the file `f` (same device and inode or file id)? 1 yes, 0 no. Keeps
 * errno. */
int hftipc__os_file_is_at(const hftipc__os_file *f, const char *path);

/* Removes the name `path` (HFTIPC_OK when it was already gone). */
int hftipc__os_unlink(const char *path);

/* Closes the file and removes a leftover temporary file. HFTIPC_OK or HFTIPC_ESYSTEM. */
int hftipc__os_file_close(hftipc__os_file *f);

/* Maps the first `len` bytes of `f` shared, read-write or read-only. */
int hftipc__os_map(const hftipc__os_file *f, size_t len, int writable, void **base);

/* HFTIPC_OK or HFTIPC_ESYSTEM. */
int hftipc__os_unmap(void *base, size_t len);

/* ---- Waiting on a word in shared memory (docs/FORMAT.md section 11) ---- */

/* Registers this process for the cross-process fence that lets a publisher skip any fence of
 * its own (Linux: membarrier). 1 when hftipc__os_announce_waiter() gives the full guarantee, so
 * peers may sleep long and rely on this process's wake-ups; 0 otherwise (peers poll). */
int hftipc__os_fence_register(void);

/* The publisher's side of the Dekker pairing W1, run by the waiter on its behalf after its
 * own flag store and full fence: a full barrier on every CPU running a registered process
 * (Linux: membarrier). Nothing where hftipc__os_fence_register() returned 0. */
void hftipc__os_announce_waiter(void);

/* Sleeps while *word == expected, at most until `until_ns` (hftipc__monotonic_ns() clock).
 * Returns on a wake, the deadline, a signal, a value change, or earlier (a backoff step): the
 * caller re-checks in every case. */
void hftipc__os_sleep_on(const void *word, uint32_t expected, int64_t until_ns);

/* Wakes every process sleeping on `word`. Returns the number woken where the OS can tell, 0
 * otherwise (also where sleeps are a backoff that nobody needs to wake). */
int hftipc__os_wake(const void *word);

/* The taker's fence (docs/FORMAT.md section 12): a full barrier on every CPU running a
 * registered process (`expedited`), or on every CPU. 0, or -1 where the OS has no such call. */
int hftipc__os_fence_all_cpus(int expedited);

/* Lets other runnable threads go first. */
void hftipc__os_yield(void);

/* ---- Clocks ---- */

/* A monotonic clock in nanoseconds (CLOCK_MONOTONIC where there is one). Shared-memory
 * heartbeats use it, so it must be the same clock in every process of the machine. */
int64_t hftipc__monotonic_ns(void);

/* Wall-clock time in nanoseconds since 1970 (the header's creation time). */
uint64_t hftipc__os_realtime_ns(void);

/* ---- Processes (docs/FORMAT.md, "Role holders") ---- */

/* This process's id. */
uint32_t hftipc__os_self_pid(void);

/* This process's start time in the OS's unit (Linux: clock ticks since boot; macOS and
 * Windows: milliseconds since their epoch), 0 when unknown. Only equality is used. */
uint64_t hftipc__os_self_start(void);

/* An id of this process's pid namespace (Linux: its inode), 0 when unknown or none. */
uint64_t hftipc__os_self_pidns(void);

enum {
    HFTIPC__OS_PROC_DEAD = 0,  /* no such process, or one that will never run again */
    HFTIPC__OS_PROC_ALIVE = 1, /* exists; *start is its start time, or 0 when unknown */
};

/* Does process `pid` exist and can it still run? Its start time goes to *start. */
int hftipc__os_process_probe(uint32_t pid, uint64_t *start);

/* Ends process `pid` if it still is the one that started at `start` (`start_mask` applied to
 * its start time; `start` 0: unknown) and it maps the channel file `chan`, race-free against
 * pid reuse, and waits until it is gone. 1 when that process is gone (also when it already
 * was), 0 when it cannot be ended safely from here (every layer but Linux: docs/FORMAT.md
 * section 12). The caller has already checked that it was not gone. */
int hftipc__os_process_end(uint32_t pid, uint64_t start, uint64_t start_mask,
                           const hftipc__os_file *chan);

/* ---- Directories (docs/DISCOVERY.md) ---- */

typedef struct hftipc__os_dir hftipc__os_dir;

/* Opens `dir` for listing: HFTIPC_ENOTFILE when it is not a directory. */
int hftipc__os_dir_open(const char *dir, hftipc__os_dir **d);

/* The next name ("." and ".." left out) into *name, valid until the next call: 1, 0 at the end,
 * or a negative status. */
int hftipc__os_dir_next(hftipc__os_dir *d, const char **name);

void hftipc__os_dir_close(hftipc__os_dir *d);

/* Is `dir` a directory that can be listed? HFTIPC_OK, or the status hftipc__os_dir_open gives. */
int hftipc__os_dir_check(const char *dir);

enum {
    HFTIPC__OS_NODE_REGULAR = 1,
    HFTIPC__OS_NODE_DIRECTORY,
    HFTIPC__OS_NODE_SYMLINK,
    HFTIPC__OS_NODE_OTHER,
};

/* What `path` names, without following a symlink: its kind, inode (file id) and size.
 * HFTIPC_OK; HFTIPC__OS_NODE_GONE when nothing is there; a status when the name exists but
 * cannot be examined (an unsearchable directory, for example). */
#define HFTIPC__OS_NODE_GONE 1
int hftipc__os_node(const char *path, int *kind, uint64_t *inode, uint64_t *bytes);

/* Watching a directory for changes: notifications where the OS has them (Linux: inotify),
 * else nothing but the sleeps, and the caller's periodic rescans find the changes. */
typedef struct hftipc__os_watch hftipc__os_watch;

enum {
    HFTIPC__OS_WATCH_NOTIFY = 1 << 0,   /* ask for change notifications (else: poll) */
    HFTIPC__OS_WATCH_STOP = 1 << 1,     /* make hftipc__os_watch_stop() possible */
    HFTIPC__OS_WATCH_ARRIVALS = 1 << 2, /* only arrivals matter (open-and-wait) */
};

int hftipc__os_watch_open(const char *dir, unsigned flags, hftipc__os_watch **w);

/* (Re)arms the notification on the directory if it is not armed (the directory was missing,
 * moved or replaced); 1 when armed now. */
int hftipc__os_watch_arm(hftipc__os_watch *w);

/* Reads every pending notification: 1 if any arrived. Disarms when the directory itself went
 * away or moved, so the next arm watches whatever then has the path. */
int hftipc__os_watch_drain(hftipc__os_watch *w);

/* Sleeps until a notification, hftipc__os_watch_stop(), `cancel` (the caller's: a descriptor
 * that becomes readable on Unix, a waitable HANDLE on Windows; -1 for none) or `until_ns`
 * (< 0: no limit). Returns early on a signal. 1 when `cancel` is ready. */
int hftipc__os_watch_sleep(hftipc__os_watch *w, intptr_t cancel, int64_t until_ns);

/* Wakes a sleep in progress, from any thread (on Unix also from a signal handler). */
void hftipc__os_watch_stop(hftipc__os_watch *w);

void hftipc__os_watch_close(hftipc__os_watch *w);

/* ---- Between posix.c and linux.c: the Unix part in posix.c calls these Linux hooks ---- */

#if defined(HFTIPC_PLATFORM_UNIX)
/* errno to a status; leaves errno untouched. */
int hftipc__unix_status(int err);
#endif

#if defined(HFTIPC_PLATFORM_LINUX)
/* An O_TMPFILE file in `dir`, or -1 with errno set (EOPNOTSUPP when there is none). */
int hftipc__linux_open_anonymous(const char *dir);
/* Links the O_TMPFILE file `fd` at `path` (linkat through /proc/self/fd): 0 or -1 and errno. */
int hftipc__linux_link_anonymous(int fd, const char *path);
/* fallocate(2) mode 0 over [0, size): reserves holes, changes no byte. A status. */
int hftipc__linux_allocate_holes(int fd, uint64_t size);
/* inotify for the Unix watch: a descriptor or -1; a watch descriptor or -1; 1 if events came. */
int hftipc__linux_notify_open(void);
int hftipc__linux_notify_arm(int fd, const char *dir, int arrivals);
int hftipc__linux_notify_drain(int fd, int *wd);
#endif

#endif
