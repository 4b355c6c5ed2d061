/*
 * Discovery (docs/DISCOVERY.md): list the channel files of a directory, watch it for channels
 * that appear, change or disappear, and open a channel once it exists.
 *
 * Read-only by construction: every regular file is examined through hftipc_inspect(), which
 * opens it without following a symlink and without blocking (O_NOFOLLOW | O_NONBLOCK on
 * Unix), refuses anything but a regular file, reads a private copy of the header and validates
 * that copy. Entries are classified without following symlinks (lstat() on Unix), so a symlink
 * is reported, never followed, and a FIFO is never opened here.
 * Every shared-file value therefore reaches this file only as a validated, private copy.
 *
 * No callbacks: the listing and the watch are iterators filling caller-owned, size-prefixed
 * structs, the shape cgo and SWIG bind without glue.
 */
/* strdup is POSIX (and C23), not C11: ask glibc for it; other C libraries declare it anyway. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "discover.h"

#include <errno.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "hftipc.h"
#include "platform/platform.h"

#define DISCOVER_DEFAULT_INTERVAL_NS 100000000LL  /* 100 ms */
#define DISCOVER_MIN_INTERVAL_NS     1000000LL    /* 1 ms */
#define DISCOVER_NOWATCH_SLICE_NS    10000000LL   /* without notifications: every 10 ms */
#define DISCOVER_SAFETY_SLICE_NS     1000000000LL /* with notifications: anyway every 1 s */
#define DISCOVER_NOTREADY_FIRST_NS   1000000LL    /* a present, unready file: 1 ms, doubling */
#define DISCOVER_NOTREADY_MAX_NS     50000000LL   /* ... up to 50 ms */

/* ---- Shared helpers ----------------------------------------------------------------------- */

/* Deadline for a timeout: -1 for none; saturates instead of overflowing. */
static int64_t discover_deadline(int64_t timeout_ns)
{
    if (timeout_ns < 0)
        return -1;
    int64_t now = hftipc__monotonic_ns();
    return timeout_ns > INT64_MAX - now ? INT64_MAX : now + timeout_ns;
}

static int discover_name_cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void discover_free_names(char **names, size_t count)
{
    for (size_t i = 0; i < count; i++)
        free(names[i]);
    free(names);
}

/* Reads the names of `dir` ("." and ".." left out) into a sorted, freshly allocated array. */
static int discover_read_names(const char *dir, char ***names_out, size_t *count_out)
{
    *names_out = NULL;
    *count_out = 0;
    hftipc__os_dir *d;
    int rc = hftipc__os_dir_open(dir, &d);
    if (rc != HFTIPC_OK)
        return rc;
    char **names = NULL;
    size_t count = 0, cap = 0;
    for (;;) {
        const char *name;
        int more = hftipc__os_dir_next(d, &name);
        if (more <= 0) {
            rc = more;
            break;
        }
        if (count == cap) {
            size_t ncap = cap ? cap * 2 : 16;
            char **grown = realloc(names, ncap * sizeof *names);
            if (grown == NULL) {
                rc = HFTIPC_ENOMEM;
                break;
            }
            names = grown;
            cap = ncap;
        }
        names[count] = strdup(name);
        if (names[count] == NULL) {
            rc = HFTIPC_ENOMEM;
            break;
        }
        count++;
    }
    int err = errno;
    hftipc__os_dir_close(d);
    if (rc != HFTIPC_OK) {
        discover_free_names(names, count);
        errno = err;
        return rc;
    }
    if (count > 1)
        qsort(names, count, sizeof *names, discover_name_cmp);
    *names_out = names;
    *count_out = count;
    return HFTIPC_OK;
}

/* A path buffer "dir/" with room for any name after it. */
typedef struct discover_path {
    char *buf;
    size_t dir_len; /* bytes of "dir/" */
} discover_path;

static int discover_path_init(discover_path *p, const char *dir)
{
    size_t n = strlen(dir);
    if (n == 0)
        return HFTIPC_EINVAL;
    p->buf = malloc(n + 1 + HFTIPC_NAME_MAX + 1);
    if (p->buf == NULL)
        return HFTIPC_ENOMEM;
    memcpy(p->buf, dir, n);
    if (dir[n - 1] != '/')
        p->buf[n++] = '/';
    p->buf[n] = '\0';
    p->dir_len = n;
    return HFTIPC_OK;
}

static const char *discover_path_join(discover_path *p, const char *name)
{
    size_t n = strlen(name);
    if (n > HFTIPC_NAME_MAX)
        n = HFTIPC_NAME_MAX;
    memcpy(p->buf + p->dir_len, name, n);
    p->buf[p->dir_len + n] = '\0';
    return p->buf;
}

/*
 * Examines one name of a directory, filling complete structs. Returns HFTIPC_OK when the entry
 * was examined (its own status is in e->status), HFTIPC_ENOENT when the name is gone.
 */
static int discover_examine(const char *path, const char *name, hftipc_dir_entry_t *e,
                            hftipc_info_t *info)
{
    memset(e, 0, sizeof *e);
    e->size = sizeof *e;
    memset(info, 0, sizeof *info);
    info->size = sizeof *info;
    size_t n = strlen(name);
    memcpy(e->name, name, n > HFTIPC_NAME_MAX ? HFTIPC_NAME_MAX : n);

    int kind;
    uint64_t inode, bytes;
    int rc = hftipc__os_node(path, &kind, &inode, &bytes);
    if (rc == HFTIPC__OS_NODE_GONE)
        return HFTIPC_ENOENT;
    if (rc != HFTIPC_OK) {
        /* The name exists but cannot be examined (an unsearchable directory, for example). */
        e->type = HFTIPC_ENTRY_OTHER;
        e->status = rc;
        return HFTIPC_OK;
    }
    e->inode = inode;
    e->status = HFTIPC_ENOTFILE;
    if (kind == HFTIPC__OS_NODE_SYMLINK) {
        e->type = HFTIPC_ENTRY_SYMLINK;
    } else if (kind == HFTIPC__OS_NODE_DIRECTORY) {
        e->type = HFTIPC_ENTRY_DIRECTORY;
    } else if (kind != HFTIPC__OS_NODE_REGULAR) {
        e->type = HFTIPC_ENTRY_OTHER;
    } else {
        e->type = HFTIPC_ENTRY_REGULAR;
        e->bytes = bytes;
        /* If the name was replaced by a symlink or FIFO since it was examined, inspect's
         * no-follow, non-blocking open refuses it (HFTIPC_ENOTFILE). */
        rc = hftipc_inspect(path, info);
        if (rc == HFTIPC_ENOENT)
            return HFTIPC_ENOENT;
        e->status = rc;
        info->size = sizeof *info;
    }
    return HFTIPC_OK;
}

static int discover_sizes_ok(const hftipc_dir_entry_t *e, const hftipc_info_t *info)
{
    return e != NULL && e->size >= sizeof(uint32_t) &&
           (info == NULL || info->size >= sizeof(uint32_t));
}

/* Copies at most each caller's declared size, so older, smaller structs are never overrun. */
static void discover_deliver(const hftipc_dir_entry_t *fe, const hftipc_info_t *fi,
                             hftipc_dir_entry_t *e, hftipc_info_t *info)
{
    uint32_t n = e->size < sizeof *fe ? e->size : (uint32_t)sizeof *fe;
    memcpy(e, fe, n);
    e->size = n;
    if (info != NULL) {
        n = info->size < sizeof *fi ? info->size : (uint32_t)sizeof *fi;
        memcpy(info, fi, n);
        info->size = n;
    }
}

/* ---- Listing ------------------------------------------------------------------------------ */

struct hftipc_dir_stct {
    char **names; /* snapshot taken at open, sorted */
    size_t count;
    size_t next;
    discover_path path;
};

int hftipc_dir_open(const char *dir, hftipc_dir_t **out)
{
    if (out == NULL)
        return HFTIPC_EINVAL;
    *out = NULL;
    if (dir == NULL)
        return HFTIPC_EINVAL;
    hftipc_dir_t *d = calloc(1, sizeof *d);
    if (d == NULL)
        return HFTIPC_ENOMEM;
    int rc = discover_path_init(&d->path, dir);
    if (rc == HFTIPC_OK)
        rc = discover_read_names(dir, &d->names, &d->count);
    if (rc != HFTIPC_OK) {
        int err = errno;
        hftipc_dir_close(d);
        errno = err;
        return rc;
    }
    *out = d;
    return HFTIPC_OK;
}

int hftipc_dir_next(hftipc_dir_t *d, hftipc_dir_entry_t *entry, hftipc_info_t *info)
{
    if (d == NULL || !discover_sizes_ok(entry, info))
        return HFTIPC_EINVAL;
    while (d->next < d->count) {
        const char *name = d->names[d->next++];
        hftipc_dir_entry_t fe;
        hftipc_info_t fi;
        if (discover_examine(discover_path_join(&d->path, name), name, &fe, &fi) != HFTIPC_OK)
            continue; /* removed since the snapshot */
        discover_deliver(&fe, &fi, entry, info);
        return 1;
    }
    return 0;
}

void hftipc_dir_close(hftipc_dir_t *d)
{
    if (d == NULL)
        return;
    discover_free_names(d->names, d->count);
    free(d->path.buf);
    free(d);
}

/* ---- Watch -------------------------------------------------------------------------------- */

/* What the watch last saw under one name. */
typedef struct discover_record {
    char *name;
    hftipc_dir_entry_t e;
    hftipc_info_t info;
} discover_record;

struct hftipc_watch_stct {
    /* Written by hftipc_watch_stop() from any thread (or a signal handler) and read by
     * hftipc_watch_next(): a release store that pairs with the acquire load in next. Nothing
     * else is published through it; hftipc__os_watch_stop() only wakes a sleep in progress. */
    atomic_int stopped;
    hftipc__os_watch *os; /* notifications (where the OS has them) and the stop */
    uint32_t flags;
    int64_t interval_ns;
    int64_t last_scan_ns;
    int dirty; /* a notification reported a change since the last scan */
    char *dir;
    discover_path path;
    discover_record *recs; /* sorted by name */
    size_t nrec;
    hftipc_dir_entry_t *events; /* queued by the last scan, delivered in order */
    hftipc_info_t *event_infos;
    size_t nevents, event_next, event_cap;
};

void hftipc_watch_options_init(hftipc_watch_options_t *opts)
{
    if (opts == NULL)
        return;
    memset(opts, 0, sizeof *opts);
    opts->size = sizeof *opts;
    opts->interval_ns = DISCOVER_DEFAULT_INTERVAL_NS;
}

static int discover_queue(hftipc_watch_t *w, uint32_t event, const hftipc_dir_entry_t *e,
                          const hftipc_info_t *info)
{
    if (w->nevents == w->event_cap) {
        size_t ncap = w->event_cap ? w->event_cap * 2 : 16;
        hftipc_dir_entry_t *ne = realloc(w->events, ncap * sizeof *ne);
        if (ne == NULL)
            return HFTIPC_ENOMEM;
        w->events = ne;
        hftipc_info_t *ni = realloc(w->event_infos, ncap * sizeof *ni);
        if (ni == NULL)
            return HFTIPC_ENOMEM;
        w->event_infos = ni;
        w->event_cap = ncap;
    }
    w->events[w->nevents] = *e;
    w->events[w->nevents].event = event;
    w->event_infos[w->nevents] = *info;
    w->nevents++;
    return HFTIPC_OK;
}

/* Whether two sightings of a name differ in what the watch reports (see the header): not
 * cursors or counters, which move with every message. */
static int discover_changed(const discover_record *r, const hftipc_dir_entry_t *e,
                            const hftipc_info_t *i)
{
    const hftipc_info_t *o = &r->info;
    return r->e.status != e->status || r->e.type != e->type || r->e.inode != e->inode ||
           r->e.bytes != e->bytes || o->format_major != i->format_major ||
           o->format_minor != i->format_minor || o->mode != i->mode || o->capacity != i->capacity ||
           o->slot_size != i->slot_size || o->producer_pid != i->producer_pid ||
           o->producer_liveness != i->producer_liveness || o->producer_epoch != i->producer_epoch ||
           o->producer_count != i->producer_count || o->consumer_pid != i->consumer_pid ||
           o->consumer_liveness != i->consumer_liveness || o->consumer_epoch != i->consumer_epoch;
}

/* Rescans the directory, compares with the last scan and queues the differences. The queue is
 * empty on entry. */
static int discover_watch_scan(hftipc_watch_t *w)
{
    (void)hftipc__os_watch_arm(w->os);
    char **names = NULL;
    size_t count = 0;
    int rc = discover_read_names(w->dir, &names, &count);
    if (rc == HFTIPC_ENOENT || rc == HFTIPC_ENOTFILE)
        rc = HFTIPC_OK; /* the directory is gone (or replaced): all its entries are removed */
    if (rc != HFTIPC_OK)
        return rc;
    w->nevents = 0;
    w->event_next = 0;

    discover_record *next = calloc(count ? count : 1, sizeof *next);
    if (next == NULL) {
        discover_free_names(names, count);
        return HFTIPC_ENOMEM;
    }
    size_t nnext = 0, i = 0, j = 0;
    /* Merge the sorted old records with the sorted new names. */
    while (rc == HFTIPC_OK && (i < w->nrec || j < count)) {
        int cmp = i == w->nrec ? 1 : j == count ? -1 : strcmp(w->recs[i].name, names[j]);
        if (cmp < 0) { /* gone */
            rc = discover_queue(w, HFTIPC_WATCH_REMOVED, &w->recs[i].e, &w->recs[i].info);
            free(w->recs[i].name);
            w->recs[i++].name = NULL;
            continue;
        }
        discover_record *nr = &next[nnext];
        const char *name = names[j];
        int present = discover_examine(discover_path_join(&w->path, name), name, &nr->e,
                                       &nr->info) == HFTIPC_OK;
        if (cmp == 0) {
            if (!present)
                rc = discover_queue(w, HFTIPC_WATCH_REMOVED, &w->recs[i].e, &w->recs[i].info);
            else if (discover_changed(&w->recs[i], &nr->e, &nr->info))
                rc = discover_queue(w, HFTIPC_WATCH_CHANGED, &nr->e, &nr->info);
            free(w->recs[i].name);
            w->recs[i++].name = NULL;
        } else if (present) {
            rc = discover_queue(w, HFTIPC_WATCH_ADDED, &nr->e, &nr->info);
        }
        if (present && rc == HFTIPC_OK) {
            nr->name = names[j]; /* ownership moves to the record */
            names[j] = NULL;
            nnext++;
        }
        j++;
    }
    if (rc != HFTIPC_OK) {
        /* Out of memory mid-merge: keep the records not yet compared, so the next scan
         * reports their differences; the ones handled above are in `next`. */
        for (; i < w->nrec; i++)
            if (w->recs[i].name != NULL && nnext < count)
                next[nnext++] = w->recs[i];
            else
                free(w->recs[i].name);
        qsort(next, nnext, sizeof *next, discover_name_cmp);
    }
    free(w->recs);
    w->recs = next;
    w->nrec = nnext;
    discover_free_names(names, count);
    return rc;
}

int hftipc_watch_open(const char *dir, const hftipc_watch_options_t *opts, hftipc_watch_t **out)
{
    if (out == NULL)
        return HFTIPC_EINVAL;
    *out = NULL;
    hftipc_watch_options_t o;
    hftipc_watch_options_init(&o);
    if (opts != NULL) {
        /* Read only the fields the caller's (possibly older, smaller) struct has. */
        if (opts->size < offsetof(hftipc_watch_options_t, flags) + sizeof(uint32_t))
            return HFTIPC_EINVAL;
        memcpy(&o, opts, opts->size < sizeof o ? opts->size : sizeof o);
        o.size = sizeof o;
    }
    if (dir == NULL || (o.flags & ~HFTIPC_WATCH_POLL) != 0 ||
        o.interval_ns < DISCOVER_MIN_INTERVAL_NS)
        return HFTIPC_EINVAL;
    int rc = hftipc__os_dir_check(dir);
    if (rc != HFTIPC_OK)
        return rc;

    hftipc_watch_t *w = calloc(1, sizeof *w);
    if (w == NULL)
        return HFTIPC_ENOMEM;
    atomic_init(&w->stopped, 0);
    w->flags = o.flags;
    w->interval_ns = o.interval_ns;
    rc = HFTIPC_ENOMEM;
    w->dir = strdup(dir);
    if (w->dir == NULL)
        goto fail;
    rc = discover_path_init(&w->path, dir);
    if (rc != HFTIPC_OK)
        goto fail;
    /* Without notifications (none on this OS, or they failed): polling. */
    rc = hftipc__os_watch_open(
        dir, HFTIPC__OS_WATCH_STOP | ((o.flags & HFTIPC_WATCH_POLL) ? 0u : HFTIPC__OS_WATCH_NOTIFY),
        &w->os);
    if (rc != HFTIPC_OK)
        goto fail;
    /* Watch first, then scan: a change between the two is seen by the next scan. */
    rc = discover_watch_scan(w);
    if (rc != HFTIPC_OK)
        goto fail;
    w->last_scan_ns = hftipc__monotonic_ns();
    *out = w;
    return HFTIPC_OK;
fail:;
    int err = errno;
    hftipc_watch_close(w);
    errno = err;
    return rc;
}

int hftipc_watch_next(hftipc_watch_t *w, int64_t timeout_ns, hftipc_dir_entry_t *entry,
                      hftipc_info_t *info)
{
    if (w == NULL || !discover_sizes_ok(entry, info))
        return HFTIPC_EINVAL;
    int64_t deadline = discover_deadline(timeout_ns);
    int force_scan = timeout_ns == 0;
    for (;;) {
        /* Acquire pairs with the release in hftipc_watch_stop(); only the flag matters. */
        if (atomic_load_explicit(&w->stopped, memory_order_acquire))
            return 0;
        if (w->event_next < w->nevents) {
            size_t k = w->event_next++;
            discover_deliver(&w->events[k], &w->event_infos[k], entry, info);
            return 1;
        }
        int64_t now = hftipc__monotonic_ns();
        if (hftipc__os_watch_drain(w->os))
            w->dirty = 1;
        if (force_scan || w->dirty || now - w->last_scan_ns >= w->interval_ns) {
            force_scan = 0;
            w->dirty = 0;
            int rc = discover_watch_scan(w);
            w->last_scan_ns = hftipc__monotonic_ns();
            if (rc != HFTIPC_OK)
                return rc;
            continue;
        }
        if (deadline >= 0 && now >= deadline)
            return HFTIPC_ETIMEDOUT;
        int64_t until = w->last_scan_ns + w->interval_ns;
        if (deadline >= 0 && deadline < until)
            until = deadline;
        (void)hftipc__os_watch_sleep(w->os, -1, until);
    }
}

int hftipc_watch_stop(hftipc_watch_t *w)
{
    if (w == NULL)
        return HFTIPC_EINVAL;
    /* Release pairs with the acquire load in hftipc_watch_next(). */
    atomic_store_explicit(&w->stopped, 1, memory_order_release);
    hftipc__os_watch_stop(w->os);
    return HFTIPC_OK;
}

void hftipc_watch_close(hftipc_watch_t *w)
{
    if (w == NULL)
        return;
    for (size_t i = 0; i < w->nrec; i++)
        free(w->recs[i].name);
    free(w->recs);
    free(w->events);
    free(w->event_infos);
    hftipc__os_watch_close(w->os);
    free(w->path.buf);
    free(w->dir);
    free(w);
}

/* ---- Open and wait ------------------------------------------------------------------------ */

int hftipc__channel_open_wait_cancel(const char *path, hftipc_role_t role, int64_t timeout_ns,
                                     int cancel_fd, hftipc_channel_t **out)
{
    if (out == NULL)
        return HFTIPC_EINVAL;
    *out = NULL;
    if (path == NULL)
        return HFTIPC_EINVAL;
    int64_t deadline = discover_deadline(timeout_ns);
    char *dir = hftipc__directory_of(path);
    if (dir == NULL)
        return HFTIPC_ENOMEM;
    hftipc__os_watch *watch;
    int rc =
        hftipc__os_watch_open(dir, HFTIPC__OS_WATCH_NOTIFY | HFTIPC__OS_WATCH_ARRIVALS, &watch);
    free(dir);
    if (rc != HFTIPC_OK)
        return rc;
    int64_t notready_slice = DISCOVER_NOTREADY_FIRST_NS;
    for (;;) {
        /* Watch before trying: a file linked in between the try and the sleep wakes it. */
        int armed = hftipc__os_watch_arm(watch);
        rc = hftipc_channel_open(path, role, out);
        if (rc != HFTIPC_ENOENT && rc != HFTIPC_ETRUNCATED && rc != HFTIPC_ENOTREADY)
            break; /* opened, or a failure that waiting does not cure */
        int64_t now = hftipc__monotonic_ns();
        if (deadline >= 0 && now >= deadline) {
            rc = HFTIPC_ETIMEDOUT;
            break;
        }
        int64_t slice;
        if (rc != HFTIPC_ENOENT) {
            /* A present file finishes initialising with a store into its mapping, which no
             * file event announces: re-check at growing intervals. */
            slice = notready_slice;
            notready_slice = notready_slice * 2 > DISCOVER_NOTREADY_MAX_NS
                                 ? DISCOVER_NOTREADY_MAX_NS
                                 : notready_slice * 2;
        } else {
            slice = armed ? DISCOVER_SAFETY_SLICE_NS : DISCOVER_NOWATCH_SLICE_NS;
            notready_slice = DISCOVER_NOTREADY_FIRST_NS;
        }
        int64_t until = now + slice;
        if (deadline >= 0 && deadline < until)
            until = deadline;
        if (hftipc__os_watch_sleep(watch, cancel_fd, until)) {
            rc = HFTIPC_ETIMEDOUT;
            break;
        }
        (void)hftipc__os_watch_drain(watch);
    }
    hftipc__os_watch_close(watch); /* keeps errno */
    return rc;
}

int hftipc_channel_open_wait(const char *path, hftipc_role_t role, int64_t timeout_ns,
                             hftipc_channel_t **out)
{
    return hftipc__channel_open_wait_cancel(path, role, timeout_ns, -1, out);
}
