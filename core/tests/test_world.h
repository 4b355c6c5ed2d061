/*
 * A channel with a producer, a consumer and an observer open on it, plus the test's own
 * read-write mapping of the file, through which a test plays a hostile peer: it can write any
 * value into any field of the live file. Shared by test_statuses.c and test_hostile.c. The
 * mapping goes through the platform layer, as the library's own does, so the same test runs on
 * every OS (test_hostile under Wine, too).
 */
#ifndef HFTIPC_TEST_WORLD_H
#define HFTIPC_TEST_WORLD_H

#include "format.h"
#include "hftipc.h"
#include "platform/platform.h"
#include "test_util.h"

enum world_kind {
    WORLD_SPSC,   /* format 1.1, commit words */
    WORLD_MPSC,   /* format 1.1, mode 2 */
    WORLD_SPSC10, /* format 1.0: no commit words, consumers read head */
    WORLD_KINDS
};

static const char *const world_kind_names[WORLD_KINDS] = {"spsc", "mpsc", "spsc-1.0"};

typedef struct world {
    char path[512];
    int kind;
    hftipc_channel_t *p, *c, *o;
    hftipc__header *h; /* the test's own writable mapping of the whole file */
    size_t len;
    uint32_t capacity, slot_size;
} world;

/* Creates a fresh file of `kind`, opens all three roles (any of them may be skipped by passing
 * roles as a bit set: 1 producer, 2 consumer, 4 observer) and maps the file for the test. */
static inline int world_make(world *w, int kind, uint32_t capacity, uint32_t slot_size, int roles)
{
    static unsigned counter;
    memset(w, 0, sizeof *w);
    snprintf(w->path, sizeof w->path, "%s", test_path("world-%d-%u", (int)getpid(), counter++));
    hftipc__os_unlink(w->path);
    w->kind = kind;
    w->capacity = capacity;
    w->slot_size = slot_size;
    hftipc_options_t o;
    hftipc_options_init(&o);
    o.capacity = capacity;
    o.slot_size = slot_size;
    o.mode = kind == WORLD_MPSC ? HFTIPC_MODE_MPSC : HFTIPC_MODE_SPSC;
    hftipc_channel_t *ch;
    if (hftipc_channel_create(w->path, &o, HFTIPC_ROLE_OBSERVER, &ch) != HFTIPC_OK)
        return -1;
    hftipc_channel_close(ch);
    hftipc__os_file f = HFTIPC__OS_FILE_INIT;
    uint64_t size = 0;
    if (hftipc__os_file_open(w->path, 1, &f, &size) != HFTIPC_OK)
        return -1;
    w->len = (size_t)size;
    void *base = NULL;
    int rc = hftipc__os_map(&f, w->len, 1, &base);
    hftipc__os_file_close(&f); /* the mapping stays valid without the file handle */
    if (rc != HFTIPC_OK)
        return -1;
    w->h = base;
    if (kind == WORLD_SPSC10) { /* what a 1.0 library writes */
        w->h->format_minor = 0;
        w->h->incompat_flags = 0;
    }
    if (((roles & 1) && hftipc_channel_open(w->path, HFTIPC_ROLE_PRODUCER, &w->p) != HFTIPC_OK) ||
        ((roles & 2) && hftipc_channel_open(w->path, HFTIPC_ROLE_CONSUMER, &w->c) != HFTIPC_OK) ||
        ((roles & 4) && hftipc_channel_open(w->path, HFTIPC_ROLE_OBSERVER, &w->o) != HFTIPC_OK))
        return -1;
    return 0;
}

static inline void world_free(world *w)
{
    hftipc_channel_close(w->p);
    hftipc_channel_close(w->c);
    hftipc_channel_close(w->o);
    w->p = w->c = w->o = NULL;
    if (w->h != NULL)
        hftipc__os_unmap(w->h, w->len);
    w->h = NULL;
    hftipc__os_unlink(w->path);
}

static inline hftipc__slot *world_slot(const world *w, uint64_t seq)
{
    return (hftipc__slot *)((uint8_t *)w->h + HFTIPC__HEADER_SIZE +
                            (size_t)(seq & (w->capacity - 1)) * w->slot_size);
}

/* Every holder record of the file, for fencing and for hostile holder values. */
static inline int world_holders(world *w, hftipc__holder **out, int max)
{
    int n = 0;
    out[n++] = &w->h->producer_holder;
    out[n++] = &w->h->consumer_holder;
    for (int i = 0; i < HFTIPC_MPSC_MAX_PRODUCERS && n < max; i++)
        out[n++] = &w->h->mpsc_producers[i];
    return n;
}

/* What a takeover by another process does to the handles: another owner word in every record
 * that is held, so that each handle is fenced. */
static inline void world_fence(world *w)
{
    hftipc__holder *hs[2 + HFTIPC_MPSC_MAX_PRODUCERS];
    int n = world_holders(w, hs, 2 + HFTIPC_MPSC_MAX_PRODUCERS);
    for (int i = 0; i < n; i++) {
        uint64_t owner = hftipc__load_relaxed_u64(&hs[i]->owner);
        if (owner != 0)
            hftipc__store_relaxed_u64(&hs[i]->owner, owner ^ (1ull << 63));
    }
}

#endif
