/* Files and mappings: create, open, size, mmap, permissions, no-follow (docs/FORMAT.md,
 * "Initialisation"). Knows nothing of the ring; the header is validated through format.h, and
 * every OS call goes through the platform layer (platform/platform.h). */
#ifndef HFTIPC_MAP_H
#define HFTIPC_MAP_H

#include <stddef.h>
#include <stdint.h>

#include "format.h"
#include "platform/platform.h"

typedef struct hftipc__mapping {
    hftipc__os_file file;
    void *base;
    size_t len;
} hftipc__mapping;

/* Creates a file not yet visible at `path`, in its directory, sized for `g` with blocks
 * allocated (so a full tmpfs fails here, not with SIGBUS later), mode `file_mode`, and maps it
 * read-write. The caller initialises the header, then calls hftipc__map_link(). */
int hftipc__map_create_unlinked(const char *path, const hftipc__geometry *g, uint32_t file_mode,
                                hftipc__mapping *m);

/* Makes the file visible at `path`; fails with HFTIPC_EEXIST if anything is there already. */
int hftipc__map_link(hftipc__mapping *m, const char *path);

/* Reads up to HFTIPC__HEADER_SIZE bytes of the header of the regular file `path` into `buf`
 * without following symlinks or blocking on FIFOs. Returns the open file through `file_out` (or
 * closes it when file_out is NULL), the bytes read through `got` and the file size through
 * `size`. */
int hftipc__map_read_header(const char *path, int writable, void *buf, size_t *got, uint64_t *size,
                            hftipc__os_file *file_out);

/* Makes sure the open channel file `f` of `size` bytes has no hole, so that no access through
 * a mapping of it can raise SIGBUS on a full tmpfs: HFTIPC_OK when it has none or after
 * allocating them (`may_allocate`, a writable file; no byte changes), HFTIPC_ENOSPC when they
 * cannot be allocated, HFTIPC_ESPARSE when they may not (an observer). A file system that can
 * report no hole, or that has no fallocate, gets HFTIPC_OK. */
int hftipc__map_allocate(const hftipc__os_file *f, uint64_t size, int may_allocate);

/* Opens and validates the channel file at `path`, makes sure it has no holes (allocating them
 * when writable), then maps it (read-write or read-only). */
int hftipc__map_open(const char *path, int writable, hftipc__geometry *g, hftipc__mapping *m);

/* Does `path` still name the file `m` maps (same device and inode)? 1 yes, 0 no (gone, or
 * another file: removed or replaced, FORMAT.md section 15). A system call: slow paths only. */
int hftipc__map_is_at(const hftipc__mapping *m, const char *path);

/* Unlinks `path` if it still names the file `m` maps. HFTIPC_OK (also when it was gone),
 * HFTIPC_EACCES, HFTIPC_ESYSTEM. */
int hftipc__map_unlink_if_at(const hftipc__mapping *m, const char *path);

/* Unmaps and closes; removes a leftover named temporary file. */
int hftipc__map_close(hftipc__mapping *m);

#endif
