/* Files and mappings. See map.h and docs/FORMAT.md, "Initialisation". The OS calls are the
 * platform layer's (platform/platform.h); this file is the order they are made in. */
#include "map.h"

#include <errno.h>
#include <string.h>

#include "hftipc.h"

static void mapping_init(hftipc__mapping *m)
{
    m->file.fd = -1;
    m->file.tmp_path = NULL;
    m->base = NULL;
    m->len = 0;
}

int hftipc__map_create_unlinked(const char *path, const hftipc__geometry *g, uint32_t file_mode,
                                hftipc__mapping *m)
{
    mapping_init(m);
    size_t plen = strlen(path);
    if (plen == 0 || path[plen - 1] == '/')
        return HFTIPC_EINVAL;
    int rc = hftipc__os_file_create_unlinked(path, g->file_size, file_mode, &m->file);
    if (rc != HFTIPC_OK)
        return rc;
    rc = hftipc__os_map(&m->file, (size_t)g->file_size, 1, &m->base);
    if (rc != HFTIPC_OK) {
        int err = errno;
        m->base = NULL;
        hftipc__map_close(m);
        errno = err;
        return rc;
    }
    m->len = (size_t)g->file_size;
    return HFTIPC_OK;
}

int hftipc__map_link(hftipc__mapping *m, const char *path)
{
    return hftipc__os_file_link(&m->file, path);
}

int hftipc__map_read_header(const char *path, int writable, void *buf, size_t *got, uint64_t *size,
                            hftipc__os_file *file_out)
{
    hftipc__os_file f;
    int rc = hftipc__os_file_open(path, writable, &f, size);
    if (rc != HFTIPC_OK)
        return rc;
    rc = hftipc__os_file_read(&f, 0, buf, HFTIPC__HEADER_SIZE, got);
    if (rc != HFTIPC_OK || file_out == NULL) {
        int err = errno;
        hftipc__os_file_close(&f);
        errno = err;
        return rc;
    }
    *file_out = f;
    return HFTIPC_OK;
}

int hftipc__map_allocate(const hftipc__os_file *f, uint64_t size, int may_allocate)
{
    return hftipc__os_file_allocate(f, size, may_allocate);
}

int hftipc__map_open(const char *path, int writable, hftipc__geometry *g, hftipc__mapping *m)
{
    mapping_init(m);
    _Alignas(64) unsigned char buf[HFTIPC__HEADER_SIZE];
    size_t got;
    uint64_t size;
    hftipc__os_file f;
    int rc = hftipc__map_read_header(path, writable, buf, &got, &size, &f);
    if (rc != HFTIPC_OK)
        return rc;
    /* Validate the private copy; only the geometry it yields is used from here on. */
    rc = hftipc__header_validate(buf, got, size, g);
    if (rc == HFTIPC_OK)
        rc = hftipc__os_file_allocate(&f, g->file_size, writable);
    void *base = NULL;
    if (rc == HFTIPC_OK)
        rc = hftipc__os_map(&f, (size_t)g->file_size, writable, &base);
    if (rc != HFTIPC_OK) {
        int err = errno; /* HFTIPC_ESYSTEM: errno is the caller's to read */
        hftipc__os_file_close(&f);
        errno = err;
        return rc;
    }
    m->file = f;
    m->base = base;
    m->len = (size_t)g->file_size;
    return HFTIPC_OK;
}

int hftipc__map_is_at(const hftipc__mapping *m, const char *path)
{
    return hftipc__os_file_is_at(&m->file, path);
}

int hftipc__map_unlink_if_at(const hftipc__mapping *m, const char *path)
{
    /* A new file created at the path between the check and the unlink would be removed: the
     * window is two system calls, and a caller that removes a path while another process
     * recreates it has no order between the two anyway. */
    if (!hftipc__map_is_at(m, path))
        return HFTIPC_OK;
    return hftipc__os_unlink(path);
}

int hftipc__map_close(hftipc__mapping *m)
{
    int rc = HFTIPC_OK;
    if (m->base != NULL)
        rc = hftipc__os_unmap(m->base, m->len);
    int frc = hftipc__os_file_close(&m->file);
    if (rc == HFTIPC_OK)
        rc = frc;
    m->base = NULL;
    return rc;
}
