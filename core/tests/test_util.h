/* Shared helpers for the core test programs: scratch directories and file bytes. */
#ifndef HFTIPC_TEST_UTIL_H
#define HFTIPC_TEST_UTIL_H

#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#if defined(_WIN32)
#include <direct.h>
#include <process.h>
#include <windows.h>
#endif

/* A fresh directory for one test program, under /dev/shm when it exists (the production
 * location), else TMPDIR or /tmp; on Windows under the user's temporary directory
 * (GetTempPath). Removed by test_scratch_cleanup(). */
static char test_scratch_dir[256];

static inline const char *test_scratch(void)
{
#if defined(_WIN32)
    if (test_scratch_dir[0] == '\0') {
        char base[MAX_PATH + 1];
        DWORD n = GetTempPathA(sizeof base, base);
        if (n == 0 || n >= sizeof base) {
            fprintf(stderr, "GetTempPath failed\n");
            exit(1);
        }
        /* No mkdtemp(): the pid and a counter, and _mkdir() refuses an existing name. */
        for (unsigned k = 0;; k++) {
            snprintf(test_scratch_dir, sizeof test_scratch_dir, "%shftipc-test-%d-%u", base,
                     _getpid(), k);
            if (_mkdir(test_scratch_dir) == 0)
                break;
            if (errno != EEXIST || k == 1000) {
                perror("_mkdir");
                exit(1);
            }
        }
    }
    return test_scratch_dir;
#else
    if (test_scratch_dir[0] == '\0') {
        const char *base = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : getenv("TMPDIR");
        if (base == NULL)
            base = "/tmp";
        snprintf(test_scratch_dir, sizeof test_scratch_dir, "%s/hftipc-test-XXXXXX", base);
        if (mkdtemp(test_scratch_dir) == NULL) {
            perror("mkdtemp");
            exit(1);
        }
    }
    return test_scratch_dir;
#endif
}

#if defined(_WIN32)
/* Removes `dir` and everything in it; 0 on success. (No shell: system() would start cmd.exe,
 * which under Wine is slow to start and prints to the test's output.) */
static inline int test_remove_tree(const char *dir)
{
    char pattern[600];
    snprintf(pattern, sizeof pattern, "%s\\*", dir);
    WIN32_FIND_DATAA fd;
    HANDLE h = FindFirstFileA(pattern, &fd);
    int rc = 0;
    if (h != INVALID_HANDLE_VALUE) {
        do {
            if (strcmp(fd.cFileName, ".") == 0 || strcmp(fd.cFileName, "..") == 0)
                continue;
            char path[600];
            snprintf(path, sizeof path, "%s\\%s", dir, fd.cFileName);
            if (fd.dwFileAttributes & FILE_ATTRIBUTE_DIRECTORY)
                rc |= test_remove_tree(path);
            else if (!DeleteFileA(path))
                rc = -1;
        } while (FindNextFileA(h, &fd));
        FindClose(h);
    }
    return RemoveDirectoryA(dir) ? rc : -1;
}
#endif

static inline void test_scratch_cleanup(void)
{
    if (test_scratch_dir[0] != '\0') {
#if defined(_WIN32)
        if (test_remove_tree(test_scratch_dir) != 0)
            fprintf(stderr, "could not remove %s\n", test_scratch_dir);
#else
        char cmd[300];
        snprintf(cmd, sizeof cmd, "rm -rf '%s'", test_scratch_dir);
        if (system(cmd) != 0)
            fprintf(stderr, "could not remove %s\n", test_scratch_dir);
#endif
    }
}

/* Returns a path inside the scratch directory; the buffer is static per call site count. */
static inline char *test_path(const char *fmt, ...)
{
    static char bufs[8][512];
    static int next;
    char name[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(name, sizeof name, fmt, ap);
    va_end(ap);
    char *out = bufs[next++ % 8];
    snprintf(out, 512, "%s/%s", test_scratch(), name);
    return out;
}

static inline unsigned char *test_read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    unsigned char *buf = malloc(n > 0 ? (size_t)n : 1);
    if (buf != NULL && n > 0 && fread(buf, 1, (size_t)n, f) != (size_t)n) {
        free(buf);
        buf = NULL;
    }
    fclose(f);
    *len = (size_t)n;
    return buf;
}

static inline int test_write_file(const char *path, const void *data, size_t len)
{
#if defined(_WIN32)
    FILE *f = fopen(path, "wb");
    if (f == NULL)
        return -1;
    size_t w = len ? fwrite(data, 1, len, f) : 0;
    return fclose(f) == 0 && w == len ? 0 : -1;
#else
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0)
        return -1;
    ssize_t w = len ? write(fd, data, len) : 0;
    close(fd);
    return w == (ssize_t)len ? 0 : -1;
#endif
}

/* CLOCK_MONOTONIC in nanoseconds, and a sleep that ignores signals' early returns. */
static inline int64_t test_now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static inline void test_sleep_us(long us)
{
    struct timespec ts = {.tv_sec = us / 1000000, .tv_nsec = (us % 1000000) * 1000};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
        ;
}

/* FNV-1a, used by the stress tests to checksum payloads. */
static inline uint32_t test_checksum(const void *data, size_t len)
{
    const unsigned char *p = data;
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < len; i++)
        h = (h ^ p[i]) * 16777619u;
    return h;
}

#endif
