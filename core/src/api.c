/*
 * Public API: argument checks, the handle lifecycle (create, open, takeover, close) and dispatch.
 * Each operation checks its arguments and makes one call through the handle's table of
 * operations (channel.h), chosen once here by mode, role and format; the modes live in spsc.c,
 * mpsc.c and observer.c, the blocking wait in wait.c, info decoding in format.c.
 */
/* strdup is POSIX (and C23), not C11: ask glibc for it; other C libraries declare it anyway. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "hftipc.h"

#include "atomic.h"
#include "channel.h"
#include "format.h"
#include "map.h"
#include "peer.h"
#include "wait.h"

uint32_t hftipc_version_number(void)
{
    return HFTIPC_VERSION_NUMBER;
}

const char *hftipc_version_string(void)
{
    return HFTIPC_VERSION_STRING;
}

void hftipc_options_init(hftipc_options_t *opts)
{
    if (opts == NULL)
        return;
    memset(opts, 0, sizeof *opts);
    opts->size = sizeof *opts;
    opts->capacity = HFTIPC_DEFAULT_CAPACITY;
    opts->slot_size = HFTIPC_DEFAULT_SLOT_SIZE;
    opts->mode = HFTIPC_MODE_SPSC;
    opts->file_mode = 0600;
}

/* Copies the caller's options over the defaults, honouring the size the caller compiled with. */
static int read_options(const hftipc_options_t *in, hftipc_options_t *out)
{
    hftipc_options_init(out);
    if (in == NULL)
        return HFTIPC_OK;
    if (in->size < offsetof(hftipc_options_t, capacity) + sizeof(uint32_t))
        return HFTIPC_EINVAL;
    size_t n = in->size < sizeof *out ? in->size : sizeof *out;
    memcpy(out, in, n);
    out->size = sizeof *out;
    return HFTIPC_OK;
}

static int valid_role(int role)
{
    return role == HFTIPC_ROLE_PRODUCER || role == HFTIPC_ROLE_CONSUMER ||
           role == HFTIPC_ROLE_OBSERVER;
}

static hftipc__holder *holder_of(hftipc__header *hdr, int role)
{
    return role == HFTIPC_ROLE_PRODUCER ? &hdr->producer_holder : &hdr->consumer_holder;
}

/* The table of operations for a handle: picked once, so no operation tests the mode again. */
static const hftipc__ops *ops_for(const hftipc_channel_t *ch)
{
    switch (ch->role) {
    case HFTIPC_ROLE_PRODUCER:
        return ch->mpsc ? &hftipc__mpsc_producer_ops : &hftipc__spsc_producer_ops;
    case HFTIPC_ROLE_CONSUMER:
        if (ch->mpsc)
            return &hftipc__mpsc_consumer_ops;
        return ch->commit_words ? &hftipc__spsc_consumer_ops : &hftipc__spsc_consumer_v10_ops;
    default:
        return &hftipc__observer_ops;
    }
}

/* Takes the role in a mapped file: the SPSC holder record of the role, or an MPSC producer
 * record. Before it returns HFTIPC_OK any previous holder is proven harmless (peer.c). */
static int take_role(hftipc__header *hdr, int mode, int role, uint64_t owner,
                     int64_t stale_after_ns, uint32_t flags, const hftipc__os_file *chan,
                     hftipc__holder **held)
{
    uint64_t pidns = hftipc__self_pidns();
    if (mode == HFTIPC_MODE_MPSC && role == HFTIPC_ROLE_PRODUCER)
        return hftipc__mpsc_take_record(hdr, owner, pidns, hftipc__os_realtime_ns(), stale_after_ns,
                                        flags, chan, held);
    *held = holder_of(hdr, role);
    int rc = hftipc__holder_acquire(*held, owner, pidns, hftipc__os_realtime_ns(), stale_after_ns,
                                    flags, chan);
    if (rc == HFTIPC_OK)
        hftipc__waiting_reset(hdr, NULL, 0,
                              role == HFTIPC_ROLE_PRODUCER ? &hdr->producer_waiting
                                                           : &hdr->consumer_waiting);
    return rc;
}

/* Builds a handle over a validated mapping; takes the role unless the caller already holds it
 * (`held`, from a create). On failure the mapping is closed. */
static int attach(const char *path, hftipc__mapping *map, const hftipc__geometry *geo, int role,
                  hftipc__holder *held, uint64_t owner, int64_t stale_after_ns, uint32_t flags,
                  hftipc_channel_t **out)
{
    hftipc__header *hdr = map->base;
    /* A retired channel is being removed (FORMAT.md section 15): we raced its unlink. */
    if (hftipc__load_acquire_u32(&hdr->retired) == HFTIPC__RETIRED) {
        hftipc__map_close(map);
        return HFTIPC_ESTALE;
    }
    /* Check the persisted cursors before trusting them as our starting position. */
    uint64_t head = hftipc__load_acquire_u64(&hdr->head);
    uint64_t tail = hftipc__load_acquire_u64(&hdr->tail);
    int rc = hftipc__cursors_check(head, tail, geo);
    if (rc != HFTIPC_OK) {
        hftipc__map_close(map);
        return rc;
    }
    hftipc_channel_t *ch = calloc(1, sizeof *ch);
    if (ch == NULL) {
        hftipc__map_close(map);
        return HFTIPC_ENOMEM;
    }
    /* The absolute path, so that a later chdir() of the process does not make the file look
     * replaced (FORMAT.md section 15); the path as given if it cannot be resolved. */
    ch->path = hftipc__os_absolute_path(path);
    if (ch->path == NULL)
        ch->path = strdup(path);
    if (ch->path == NULL) {
        hftipc__map_close(map);
        free(ch);
        return HFTIPC_ENOMEM;
    }
    ch->role = role;
    ch->hdr = hdr;
    ch->geo = *geo;
    ch->map = *map;
    ch->owner = owner;
    ch->mpsc = geo->mode == HFTIPC_MODE_MPSC;
    ch->commit_words = ch->mpsc || (geo->incompat_flags & HFTIPC__INCOMPAT_SLOT_COMMIT) != 0;
    ch->skip_records = ch->mpsc && (geo->incompat_flags & HFTIPC__INCOMPAT_SKIP_RECORDS) != 0;
    if (role != HFTIPC_ROLE_OBSERVER) {
        ch->holder = held;
        if (held == NULL) {
            rc = take_role(hdr, (int)geo->mode, role, owner, stale_after_ns, flags, &map->file,
                           &ch->holder);
            if (rc != HFTIPC_OK) {
                hftipc__map_close(&ch->map);
                free(ch->path);
                free(ch);
                return rc;
            }
            /* A previous holder may have moved the cursors up to the moment we took the role;
             * from here on it moves nothing (it is dead, or proven idle and fenced). */
            head = hftipc__load_acquire_u64(&hdr->head);
            tail = hftipc__load_acquire_u64(&hdr->tail);
            rc = hftipc__cursors_check(head, tail, geo);
            if (rc != HFTIPC_OK) {
                hftipc__store_release_u64(&ch->holder->active,
                                          hftipc__load_relaxed_u64(&ch->holder->epoch) << 1);
                hftipc__holder_release(ch->holder, owner);
                hftipc__map_close(&ch->map);
                free(ch->path);
                free(ch);
                return rc;
            }
        }
        uint64_t epoch = hftipc__load_relaxed_u64(&ch->holder->epoch);
        ch->active_idle = epoch << 1;
        ch->sleeper_tag = hftipc__sleeper_tag(epoch);
    }
    hftipc__ring *r = &ch->ring;
    r->slots = (uint8_t *)map->base + HFTIPC__HEADER_SIZE;
    r->head = &hdr->head;
    r->tail = &hdr->tail;
    r->full_count = &hdr->full_count;
    r->capacity = geo->capacity;
    r->mask = geo->capacity - 1;
    r->slot_size = geo->slot_size;
    r->max_payload = geo->slot_size - HFTIPC_SLOT_HEADER_SIZE;
    /* The consumer (and observer) sleeps on the low word of head, the producer on tail's. */
    int producer = role == HFTIPC_ROLE_PRODUCER;
    ch->peer_waiting = producer ? &hdr->consumer_waiting : &hdr->producer_waiting;
    ch->peer_sleeps_on = producer ? (const void *)&hdr->head : (const void *)&hdr->tail;
    ch->own_waiting = producer ? &hdr->producer_waiting : &hdr->consumer_waiting;
    ch->own_sleeps_on = producer ? (const void *)&hdr->tail : (const void *)&hdr->head;
    /* An MPSC consumer's peers are the producer records; wait.c looks at them all. */
    ch->peer_holder = producer ? &hdr->consumer_holder : &hdr->producer_holder;
    ch->ops = ops_for(ch);
    ch->ops->attach(ch, head, tail);
    /* The role was taken busy (hftipc__holder_acquire); idle until the first operation (F1). */
    hftipc__op_declare_idle(ch);
    *out = ch;
    return HFTIPC_OK;
}

/* Permission bits a channel file may have: read and write, nothing else. Execute, setuid,
 * setgid and sticky bits would let a writer of the mapping plant a program that runs with the
 * creator's privileges (the setuid bit survives writes through a mapping). */
#define FILE_MODE_ALLOWED 0666u

int hftipc_channel_create(const char *path, const hftipc_options_t *opts, hftipc_role_t role,
                          hftipc_channel_t **out)
{
    if (out != NULL)
        *out = NULL;
    if (path == NULL || out == NULL || !valid_role((int)role))
        return HFTIPC_EINVAL;
    hftipc_options_t o;
    int rc = read_options(opts, &o);
    if (rc != HFTIPC_OK)
        return rc;
    if ((o.file_mode & ~FILE_MODE_ALLOWED) != 0)
        return HFTIPC_EINVAL;
    /* New files carry commit words (format 1.1), whatever the mode; MPSC files may hold skip
     * records (format 1.2). */
    uint64_t incompat = HFTIPC__INCOMPAT_SLOT_COMMIT;
    if (o.mode == HFTIPC_MODE_MPSC)
        incompat |= HFTIPC__INCOMPAT_SKIP_RECORDS;
    hftipc__geometry geo = {.capacity = o.capacity,
                            .slot_size = o.slot_size,
                            .mode = o.mode,
                            .incompat_flags = incompat};
    rc = hftipc__geometry_check(&geo);
    if (rc != HFTIPC_OK)
        return rc;

    hftipc__mapping map;
    rc = hftipc__map_create_unlinked(path, &geo, o.file_mode, &map);
    if (rc != HFTIPC_OK)
        return rc;
    hftipc__header *hdr = map.base;
    uint64_t owner = hftipc__self_owner();
    hftipc__header_encode(hdr, &geo, hftipc__os_realtime_ns(), hftipc__os_self_pid());
    /* The file has no name yet, so taking the role cannot race anybody (nor fail): it appears
     * already held, and no other process can grab it between the link and our open. */
    hftipc__holder *held = NULL;
    if (role != HFTIPC_ROLE_OBSERVER)
        (void)take_role(hdr, (int)geo.mode, (int)role, owner, -1, 0, &map.file, &held);
    hftipc__header_publish(hdr);
    rc = hftipc__map_link(&map, path);
    if (rc != HFTIPC_OK) {
        int err = errno;
        hftipc__map_close(&map);
        errno = err;
        return rc;
    }
    return attach(path, &map, &geo, (int)role, held, owner, -1, 0, out);
}

int hftipc_channel_takeover(const char *path, hftipc_role_t role, int64_t stale_after_ns,
                            uint32_t flags, hftipc_channel_t **out)
{
    if (out != NULL)
        *out = NULL;
    if (path == NULL || out == NULL || !valid_role((int)role) ||
        (flags & ~HFTIPC_TAKEOVER_FORCE) != 0)
        return HFTIPC_EINVAL;
    hftipc__mapping map;
    hftipc__geometry geo;
    int rc = hftipc__map_open(path, role != HFTIPC_ROLE_OBSERVER, &geo, &map);
    if (rc != HFTIPC_OK)
        return rc;
    return attach(path, &map, &geo, (int)role, NULL, hftipc__self_owner(), stale_after_ns, flags,
                  out);
}

int hftipc_channel_open_takeover(const char *path, hftipc_role_t role, int64_t stale_after_ns,
                                 hftipc_channel_t **out)
{
    return hftipc_channel_takeover(path, role, stale_after_ns, 0, out);
}

int hftipc_channel_open(const char *path, hftipc_role_t role, hftipc_channel_t **out)
{
    return hftipc_channel_takeover(path, role, -1, 0, out);
}

int hftipc_channel_open_or_create(const char *path, const hftipc_options_t *opts,
                                  hftipc_role_t role, hftipc_channel_t **out)
{
    if (out != NULL)
        *out = NULL;
    if (path == NULL || out == NULL || !valid_role((int)role))
        return HFTIPC_EINVAL;
    hftipc_options_t o;
    int rc = read_options(opts, &o);
    if (rc != HFTIPC_OK)
        return rc;
    if ((o.file_mode & ~FILE_MODE_ALLOWED) != 0)
        return HFTIPC_EINVAL;
    /* Open first; create on ENOENT; if another process won the create race, open its file.
     * Two rounds suffice unless the file is being deleted and recreated concurrently. */
    for (int round = 0; round < 4; round++) {
        rc = hftipc_channel_open(path, role, out);
        if (rc == HFTIPC_OK) {
            const hftipc__geometry *g = &(*out)->geo;
            if (g->capacity != o.capacity || g->slot_size != o.slot_size || g->mode != o.mode) {
                hftipc_channel_close(*out);
                *out = NULL;
                return HFTIPC_EMISMATCH;
            }
            return HFTIPC_OK;
        }
        if (rc != HFTIPC_ENOENT)
            return rc;
        rc = hftipc_channel_create(path, &o, role, out);
        if (rc != HFTIPC_EEXIST)
            return rc;
    }
    return rc;
}

int hftipc__channel_stale(hftipc_channel_t *ch, int check_path)
{
    if (hftipc__channel_retired(ch))
        return 1;
    if (check_path && ch->path != NULL && !hftipc__map_is_at(&ch->map, ch->path))
        ch->stale = 1;
    return ch->stale;
}

int hftipc_channel_remove(const char *path)
{
    if (path == NULL)
        return HFTIPC_EINVAL;
    hftipc__mapping map;
    hftipc__geometry geo;
    int rc = hftipc__map_open(path, 1, &geo, &map);
    if (rc != HFTIPC_OK)
        return rc;
    hftipc__header *hdr = map.base;
    /* Release: a handle that sees the word (acquire) sees a channel nobody will feed again. */
    hftipc__store_release_u32(&hdr->retired, HFTIPC__RETIRED);
    /* Wake every sleeper, so that it sees the word now rather than at the end of its slice:
     * producers sleep on tail, 1.0-format consumers on head, consumers on the commit word of
     * the slot at tail (FORMAT.md section 11). Observers poll in 1 ms slices. */
    uint64_t tail = hftipc__load_acquire_u64(&hdr->tail);
    hftipc__slot *slot = (hftipc__slot *)((uint8_t *)map.base + HFTIPC__HEADER_SIZE +
                                          (size_t)(tail & (geo.capacity - 1)) * geo.slot_size);
    hftipc__os_wake(&hdr->tail);
    hftipc__os_wake(&hdr->head);
    hftipc__os_wake(&slot->commit);
    rc = hftipc__map_unlink_if_at(&map, path);
    int crc = hftipc__map_close(&map);
    return rc != HFTIPC_OK ? rc : crc;
}

int hftipc_channel_close(hftipc_channel_t *ch)
{
    if (ch == NULL)
        return HFTIPC_OK;
    /* A fenced handle touches nothing shared: the role is someone else's. An outstanding MPSC
     * claim stays announced with no owner, which the consumer skips as abandoned. */
    if (ch->holder != NULL && !ch->fenced)
        hftipc__holder_release(ch->holder, ch->owner);
    int rc = hftipc__map_close(&ch->map);
    free(ch->path);
    free(ch);
    return rc;
}

/* ---- Entries for operations a role may not use ---- */

int hftipc__op_role_send(hftipc_channel_t *ch, const void *msg, size_t len)
{
    (void)ch, (void)msg, (void)len;
    return HFTIPC_EROLE;
}

int64_t hftipc__op_role_send_batch(hftipc_channel_t *ch, const uint8_t *data, const uint32_t *lens,
                                   size_t count)
{
    (void)ch, (void)data, (void)lens, (void)count;
    return HFTIPC_EROLE;
}

int64_t hftipc__op_role_claim(hftipc_channel_t *ch, void **payload)
{
    (void)ch, (void)payload;
    return HFTIPC_EROLE;
}

int hftipc__op_role_commit(hftipc_channel_t *ch, int64_t claim, size_t len)
{
    (void)ch, (void)claim, (void)len;
    return HFTIPC_EROLE;
}

int hftipc__op_role_abort(hftipc_channel_t *ch, int64_t claim)
{
    (void)ch, (void)claim;
    return HFTIPC_EROLE;
}

int64_t hftipc__op_role_receive(hftipc_channel_t *ch, void *buf, size_t buf_len)
{
    (void)ch, (void)buf, (void)buf_len;
    return HFTIPC_EROLE;
}

int64_t hftipc__op_role_receive_batch(hftipc_channel_t *ch, void *buf, size_t buf_len,
                                      uint32_t *lens, size_t max_count)
{
    (void)ch, (void)buf, (void)buf_len, (void)lens, (void)max_count;
    return HFTIPC_EROLE;
}

int64_t hftipc__op_role_drain(hftipc_channel_t *ch, hftipc_handler_fn handler, void *ctx,
                              size_t max_count)
{
    (void)ch, (void)handler, (void)ctx, (void)max_count;
    return HFTIPC_EROLE;
}

int64_t hftipc__op_role_peek(hftipc_channel_t *ch, const void **payload)
{
    (void)ch, (void)payload;
    return HFTIPC_EROLE;
}

int hftipc__op_role_ack(hftipc_channel_t *ch)
{
    (void)ch;
    return HFTIPC_EROLE;
}

/* ---- Producer ---- */

int hftipc_channel_send(hftipc_channel_t *ch, const void *msg, size_t len)
{
    if (HFTIPC_UNLIKELY(ch == NULL || (msg == NULL && len != 0)))
        return HFTIPC_EINVAL;
    return ch->ops->send(ch, msg, len);
}

int64_t hftipc_channel_send_batch(hftipc_channel_t *ch, const void *data, size_t data_len,
                                  const uint32_t *lens, size_t count)
{
    if (ch == NULL || (count != 0 && lens == NULL) || (data == NULL && data_len != 0))
        return HFTIPC_EINVAL;
    if (ch->role != HFTIPC_ROLE_PRODUCER)
        return HFTIPC_EROLE;
    /* All lengths first (the operation checks fencing: not twice per batch): a batch with one
     * oversized message writes nothing. */
    size_t total = 0;
    for (size_t i = 0; i < count; i++) {
        if (lens[i] > ch->ring.max_payload)
            return HFTIPC_ETOOBIG;
        total += lens[i];
        if (total > data_len)
            return HFTIPC_EINVAL;
    }
    if (count == 0)
        return 0;
    return ch->ops->send_batch(ch, data, lens, count);
}

int hftipc_channel_try_claim(hftipc_channel_t *ch, void **payload, uint32_t *capacity)
{
    if (ch == NULL || payload == NULL)
        return HFTIPC_EINVAL;
    int64_t claim = ch->ops->claim(ch, payload);
    if (claim < 0)
        return (int)claim;
    if (capacity != NULL)
        *capacity = ch->ring.max_payload;
    return HFTIPC_OK;
}

int hftipc_channel_commit(hftipc_channel_t *ch, size_t len)
{
    if (ch == NULL)
        return HFTIPC_EINVAL;
    return ch->ops->commit(ch, -1, len);
}

int64_t hftipc_channel_claim(hftipc_channel_t *ch, void **payload, uint32_t *capacity)
{
    if (ch == NULL || payload == NULL)
        return HFTIPC_EINVAL;
    int64_t claim = ch->ops->claim(ch, payload);
    if (claim >= 0 && capacity != NULL)
        *capacity = ch->ring.max_payload;
    return claim;
}

int hftipc_channel_commit_claim(hftipc_channel_t *ch, int64_t claim, size_t len)
{
    if (ch == NULL || claim < 0)
        return HFTIPC_EINVAL;
    return ch->ops->commit(ch, claim, len);
}

int hftipc_channel_abort_claim(hftipc_channel_t *ch, int64_t claim)
{
    if (ch == NULL || claim < 0)
        return HFTIPC_EINVAL;
    return ch->ops->abort(ch, claim);
}

/* ---- Consumer and observer ---- */

int64_t hftipc_channel_receive(hftipc_channel_t *ch, void *buf, size_t buf_len)
{
    if (HFTIPC_UNLIKELY(ch == NULL || (buf == NULL && buf_len != 0)))
        return HFTIPC_EINVAL;
    return ch->ops->receive(ch, buf, buf_len);
}

int64_t hftipc_channel_receive_batch(hftipc_channel_t *ch, void *buf, size_t buf_len,
                                     uint32_t *lens, size_t max_count)
{
    if (ch == NULL || lens == NULL || max_count == 0 || (buf == NULL && buf_len != 0))
        return HFTIPC_EINVAL;
    return ch->ops->receive_batch(ch, buf, buf_len, lens, max_count);
}

int64_t hftipc_channel_drain(hftipc_channel_t *ch, hftipc_handler_fn handler, void *ctx,
                             size_t max_count)
{
    if (ch == NULL || handler == NULL || max_count == 0)
        return HFTIPC_EINVAL;
    return ch->ops->drain(ch, handler, ctx, max_count);
}

int64_t hftipc_channel_peek(hftipc_channel_t *ch, const void **payload)
{
    if (ch == NULL || payload == NULL)
        return HFTIPC_EINVAL;
    return ch->ops->peek(ch, payload);
}

int hftipc_channel_ack(hftipc_channel_t *ch)
{
    if (ch == NULL)
        return HFTIPC_EINVAL;
    return ch->ops->ack(ch);
}

/* ---- Blocking waits ---- */

int hftipc_channel_wait(hftipc_channel_t *ch, int64_t timeout_ns)
{
    if (ch == NULL)
        return HFTIPC_EINVAL;
    return hftipc__wait_until(ch, hftipc__deadline_after(timeout_ns));
}

int hftipc_channel_send_wait(hftipc_channel_t *ch, const void *msg, size_t len, int64_t timeout_ns)
{
    int64_t deadline = hftipc__deadline_after(timeout_ns);
    for (;;) {
        int rc = hftipc_channel_send(ch, msg, len);
        if (rc != HFTIPC_EFULL)
            return rc;
        rc = hftipc__wait_until(ch, deadline);
        if (rc != HFTIPC_OK)
            return rc;
    }
}

int64_t hftipc_channel_receive_wait(hftipc_channel_t *ch, void *buf, size_t buf_len,
                                    int64_t timeout_ns)
{
    int64_t deadline = hftipc__deadline_after(timeout_ns);
    for (;;) {
        int64_t rc = hftipc_channel_receive(ch, buf, buf_len);
        if (rc != HFTIPC_EEMPTY)
            return rc;
        rc = hftipc__wait_until(ch, deadline);
        if (rc != HFTIPC_OK)
            return rc;
    }
}

/* ---- Liveness ---- */

int hftipc_channel_heartbeat(hftipc_channel_t *ch)
{
    if (ch == NULL)
        return HFTIPC_EINVAL;
    if (ch->holder == NULL)
        return HFTIPC_EROLE;
    if (ch->fenced || hftipc__load_relaxed_u64(&ch->holder->owner) != ch->owner)
        return HFTIPC_EFENCED;
    hftipc__store_relaxed_u64(&ch->holder->heartbeat_ns, (uint64_t)hftipc__monotonic_ns());
    /* Between operations by definition: declare ourselves idle (F1), so that a takeover fences
     * us rather than ends us. A rare call, so it may look at the path too (section 15). */
    hftipc__op_declare_idle(ch);
    return hftipc__channel_stale(ch, 1) ? HFTIPC_ESTALE : HFTIPC_OK;
}

/* ---- Introspection ---- */

int hftipc_channel_stats(hftipc_channel_t *ch, hftipc_info_t *info)
{
    if (ch == NULL || info == NULL)
        return HFTIPC_EINVAL;
    hftipc_info_t full;
    hftipc__info_fill(ch->hdr, 1, ch->mpsc && ch->role == HFTIPC_ROLE_PRODUCER ? ch->holder : NULL,
                      &full);
    /* Geometry from the validated copy, never from the (writable by peers) mapping. */
    full.capacity = ch->geo.capacity;
    full.slot_size = ch->geo.slot_size;
    full.max_payload = ch->geo.slot_size - HFTIPC_SLOT_HEADER_SIZE;
    full.mode = ch->geo.mode;
    full.file_size = ch->geo.file_size;
    int rc = hftipc__info_deliver(&full, info);
    /* Filled either way; the status says the numbers describe a file nobody else uses. */
    return rc == HFTIPC_OK && hftipc__channel_stale(ch, 1) ? HFTIPC_ESTALE : rc;
}

int hftipc_inspect(const char *path, hftipc_info_t *info)
{
    if (path == NULL || info == NULL || info->size < sizeof(uint32_t))
        return HFTIPC_EINVAL;
    _Alignas(64) unsigned char buf[HFTIPC__HEADER_SIZE] = {0};
    size_t got;
    uint64_t size;
    hftipc__os_file file;
    int rc = hftipc__map_read_header(path, 0, buf, &got, &size, &file);
    if (rc != HFTIPC_OK)
        return rc;
    hftipc__geometry geo;
    rc = hftipc__header_validate(buf, got, size, &geo);
    if (rc == HFTIPC_OK) /* what an observer's open would find: holes it cannot allocate */
        rc = hftipc__map_allocate(&file, geo.file_size, 0);
    int err = errno;
    hftipc__os_file_close(&file);
    errno = err;
    hftipc_info_t full;
    memset(&full, 0, sizeof full);
    full.size = sizeof full;
    /* Past the magic, report the raw fields even when a later check fails: tools show them. */
    if (rc != HFTIPC_EBADMAGIC && got >= HFTIPC__MAGIC_LEN)
        hftipc__info_fill((const hftipc__header *)buf, rc == HFTIPC_OK || rc == HFTIPC_ESPARSE,
                          NULL, &full);
    int drc = hftipc__info_deliver(&full, info);
    if (rc == HFTIPC_OK)
        rc = hftipc__cursors_check(full.head, full.tail, &geo);
    return rc != HFTIPC_OK ? rc : drc;
}

uint32_t hftipc_channel_max_payload(const hftipc_channel_t *ch)
{
    return ch == NULL ? 0 : ch->ring.max_payload;
}

uint32_t hftipc_channel_capacity(const hftipc_channel_t *ch)
{
    return ch == NULL ? 0 : ch->geo.capacity;
}

uint32_t hftipc_channel_slot_size(const hftipc_channel_t *ch)
{
    return ch == NULL ? 0 : ch->geo.slot_size;
}

int hftipc_channel_role(const hftipc_channel_t *ch)
{
    return ch == NULL ? 0 : ch->role;
}
