/* Files and mappings. See map.h and docs/FORMAT.md, "Initialisation". */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "map.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "hftipc.h"

int hftipc__status_from_errno(int err)
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
    return hftipc__status_from_errno(err);
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

static int allocate_blocks(int fd, uint64_t size)
{
    /* posix_fallocate reserves the blocks now: on a full tmpfs the error comes here, instead of
     * a SIGBUS on the first touch of an unbacked page. It returns the error, not errno. */
    int err = posix_fallocate(fd, 0, (off_t)size);
    if (err == EOPNOTSUPP || err == EINVAL) {
        /* A file system without fallocate: a sparse file is the best we can do (documented). */
        if (ftruncate(fd, (off_t)size) != 0)
            return hftipc__status_from_errno(errno);
        return HFTIPC_OK;
    }
    if (err != 0) {
        errno = err;
        return hftipc__status_from_errno(err);
    }
    return HFTIPC_OK;
}

int hftipc__map_create_unlinked(const char *path, const hftipc__geometry *g, uint32_t file_mode,
                                hftipc__mapping *m)
{
    m->fd = -1;
    m->base = NULL;
    m->len = 0;
    m->tmp_path = NULL;
    size_t plen = strlen(path);
    if (plen == 0 || path[plen - 1] == '/')
        return HFTIPC_EINVAL;

    char *dir = hftipc__directory_of(path);
    if (dir == NULL)
        return HFTIPC_ENOMEM;
    int fd = -1;
    /* O_TMPFILE gives a file with no name, so a crash before the link leaves nothing behind.
     * Linking it needs /proc/self/fd; without either, fall back to a named temporary file. */
    int have_proc = access("/proc/self/fd", X_OK) == 0;
    if (have_proc)
        fd = open(dir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
    if (fd < 0 && (!have_proc || errno == EOPNOTSUPP || errno == EISDIR || errno == EINVAL)) {
        size_t n = plen + 32;
        m->tmp_path = malloc(n);
        if (m->tmp_path == NULL) {
            free(dir);
            return HFTIPC_ENOMEM;
        }
        snprintf(m->tmp_path, n, "%s.tmp-XXXXXX", path);
        fd = mkostemp(m->tmp_path, O_CLOEXEC);
        if (fd < 0) {
            free(m->tmp_path);
            m->tmp_path = NULL;
        }
    }
    free(dir);
    if (fd < 0)
        return fail_errno(-1);
    m->fd = fd;

    int rc;
    /* fchmod, not the open mode: the requested mode is exact, whatever the umask. */
    if (fchmod(fd, (mode_t)(file_mode & 0666)) != 0) {
        rc = hftipc__status_from_errno(errno);
        goto fail;
    }
    rc = allocate_blocks(fd, g->file_size);
    if (rc != HFTIPC_OK)
        goto fail;
    void *base = mmap(NULL, (size_t)g->file_size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (base == MAP_FAILED) {
        rc = hftipc__status_from_errno(errno);
        goto fail;
    }
    m->base = base;
    m->len = (size_t)g->file_size;
    return HFTIPC_OK;
fail:;
    int err = errno;
    hftipc__map_close(m);
    errno = err;
    return rc;
}

int hftipc__map_link(hftipc__mapping *m, const char *path)
{
    int rc = 0;
    if (m->tmp_path == NULL) {
        char proc[64];
        snprintf(proc, sizeof proc, "/proc/self/fd/%d", m->fd);
        rc = linkat(AT_FDCWD, proc, AT_FDCWD, path, AT_SYMLINK_FOLLOW);
    } else {
        /* link(2), unlike rename(2), fails if `path` exists: exactly one racer wins. */
        rc = link(m->tmp_path, path);
        int err = errno;
        unlink(m->tmp_path);
        free(m->tmp_path);
        m->tmp_path = NULL;
        errno = err;
    }
    return rc == 0 ? HFTIPC_OK : hftipc__status_from_errno(errno);
}

int hftipc__map_read_header(const char *path, int writable, void *buf, size_t *got, uint64_t *size,
                            int *fd_out)
{
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
    size_t n = 0;
    while (n < HFTIPC__HEADER_SIZE) {
        ssize_t r = pread(fd, (char *)buf + n, HFTIPC__HEADER_SIZE - n, (off_t)n);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0)
            return fail_errno(fd);
        if (r == 0)
            break;
        n += (size_t)r;
    }
    *got = n;
    *size = (uint64_t)st.st_size;
    if (fd_out != NULL)
        *fd_out = fd;
    else
        close(fd);
    return HFTIPC_OK;
}

int hftipc__map_allocate(int fd, uint64_t size, int may_allocate)
{
    struct stat st;
    if (fstat(fd, &st) != 0)
        return hftipc__status_from_errno(errno);
    /* Cheap and exact on tmpfs: every page that exists, written or only fallocated, counts in
     * st_blocks, so a file with as many blocks as bytes has no hole, and this is the common
     * case (the creator allocated everything). SEEK_HOLE alone cannot say it: on tmpfs and ext4
     * (Linux 6.18) a range that fallocate reserved but nobody wrote reads back as a hole. */
    if (st.st_blocks >= 0 && (uint64_t)st.st_blocks * 512u >= size)
        return HFTIPC_OK;
    /* Fewer blocks than bytes: a hole, or a file system that stores data in fewer blocks than
     * its size (compression, inline data). SEEK_HOLE tells them apart; a file system that
     * cannot report holes answers the file size (all data), and the file is taken as it is,
     * as create does on a file system without fallocate. */
    off_t hole = lseek(fd, 0, SEEK_HOLE);
    if (hole < 0 || (uint64_t)hole >= size)
        return HFTIPC_OK;
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
    /* fallocate(2) mode 0 over the whole geometry reserves the holes and leaves every byte and
     * the size as they are (allocated ranges are skipped). Not posix_fallocate(): where the
     * file system lacks fallocate, glibc emulates it by writing bytes into the file, which
     * could overwrite what a peer writes meanwhile. On failure nothing is punched back: a
     * partial allocation changes no byte, and tmpfs undoes its own partial allocation anyway
     * (docs/FORMAT.md, section 3). */
    for (;;) {
        if (fallocate(fd, 0, 0, (off_t)size) == 0)
            return HFTIPC_OK;
        if (errno == EINTR)
            continue;
        if (errno == EOPNOTSUPP)
            return HFTIPC_OK; /* no fallocate here: as create, the sparse file is all we get */
        return hftipc__status_from_errno(errno);
    }
}

int hftipc__map_open(const char *path, int writable, hftipc__geometry *g, hftipc__mapping *m)
{
    m->fd = -1;
    m->base = NULL;
    m->len = 0;
    m->tmp_path = NULL;
    _Alignas(64) unsigned char buf[HFTIPC__HEADER_SIZE];
    size_t got;
    uint64_t size;
    int fd;
    int rc = hftipc__map_read_header(path, writable, buf, &got, &size, &fd);
    if (rc != HFTIPC_OK)
        return rc;
    /* Validate the private copy; only the geometry it yields is used from here on. */
    rc = hftipc__header_validate(buf, got, size, g);
    if (rc == HFTIPC_OK)
        rc = hftipc__map_allocate(fd, g->file_size, writable);
    if (rc != HFTIPC_OK) {
        int err = errno; /* HFTIPC_ESYSTEM: errno is the caller's to read */
        close(fd);
        errno = err;
        return rc;
    }
    int prot = writable ? PROT_READ | PROT_WRITE : PROT_READ;
    void *base = mmap(NULL, (size_t)g->file_size, prot, MAP_SHARED, fd, 0);
    if (base == MAP_FAILED)
        return fail_errno(fd);
    m->fd = fd;
    m->base = base;
    m->len = (size_t)g->file_size;
    return HFTIPC_OK;
}

int hftipc__map_is_at(const hftipc__mapping *m, const char *path)
{
    struct stat here, there;
    int saved = errno;
    int same = m->fd >= 0 && fstat(m->fd, &here) == 0 && lstat(path, &there) == 0 &&
               here.st_dev == there.st_dev && here.st_ino == there.st_ino;
    errno = saved;
    return same;
}

int hftipc__map_unlink_if_at(const hftipc__mapping *m, const char *path)
{
    /* A new file created at the path between the check and the unlink would be removed: the
     * window is two system calls, and a caller that removes a path while another process
     * recreates it has no order between the two anyway. */
    if (!hftipc__map_is_at(m, path))
        return HFTIPC_OK;
    if (unlink(path) != 0 && errno != ENOENT)
        return hftipc__status_from_errno(errno);
    return HFTIPC_OK;
}

int hftipc__map_close(hftipc__mapping *m)
{
    int rc = HFTIPC_OK;
    if (m->base != NULL && munmap(m->base, m->len) != 0)
        rc = HFTIPC_ESYSTEM;
    if (m->fd >= 0 && close(m->fd) != 0 && rc == HFTIPC_OK)
        rc = HFTIPC_ESYSTEM;
    if (m->tmp_path != NULL) {
        unlink(m->tmp_path);
        free(m->tmp_path);
    }
    m->base = NULL;
    m->fd = -1;
    m->tmp_path = NULL;
    return rc;
}
