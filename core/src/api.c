/* Public API glue: argument checks, the handle lifecycle, and the ring operations per role. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "hftipc.h"

#include "atomic.h"
#include "format.h"
#include "map.h"
#include "peer.h"
#include "channel.h"
#include "ring.h"
#include "ring_mpsc.h"
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

static uint64_t realtime_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
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

/* A producer that died after committing slots but before storing head leaves head behind the
 * messages it made visible, and the consumer may already have taken some of them (section 5 of
 * FORMAT.md, "Crash of the producer"). Resume after the last slot committed in this lap, from
 * max(head, tail), and store head there, so nothing visible is overwritten or sent twice. */
static void recover_head(hftipc_channel_t *ch, uint64_t head, uint64_t tail)
{
    hftipc__ring *r = &ch->ring;
    uint64_t pos = tail - head <= r->capacity && tail != head ? tail : head;
    while (pos - tail < r->capacity &&
           hftipc__load_acquire_u32(&hftipc__ring_slot(r, pos)->commit) == (uint32_t)(pos + 1))
        pos++;
    if (pos != head) {
        r->position = pos;
        hftipc__ring_publish(r, pos);
    }
}

/* Builds a handle over a validated mapping; takes the role unless the caller already holds it.
 * On failure the mapping is closed. */
static int attach(hftipc__mapping *map, const hftipc__geometry *geo, int role,
                  hftipc__holder **held, uint64_t owner, int64_t stale_after_ns,
                  hftipc_channel_t **out)
{
    int role_held = held != NULL;
    hftipc__header *hdr = map->base;
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
    ch->role = role;
    ch->hdr = hdr;
    ch->geo = *geo;
    ch->map = *map;
    ch->owner = owner;
    ch->mpsc = geo->mode == HFTIPC_MODE_MPSC;
    ch->commit_words = ch->mpsc || (geo->incompat_flags & HFTIPC__INCOMPAT_SLOT_COMMIT) != 0;
    if (role != HFTIPC_ROLE_OBSERVER) {
        if (role_held)
            ch->holder = *held;
        else if (ch->mpsc && role == HFTIPC_ROLE_PRODUCER)
            rc = hftipc__mpsc_take_record(hdr, owner, hftipc__self_pidns(), realtime_ns(),
                                          stale_after_ns, &ch->holder);
        else {
            ch->holder = holder_of(hdr, role);
            rc = hftipc__holder_acquire(ch->holder, owner, hftipc__self_pidns(), realtime_ns(),
                                        stale_after_ns);
        }
        if (!role_held) {
            if (rc != HFTIPC_OK) {
                hftipc__map_close(&ch->map);
                free(ch);
                return rc;
            }
            /* A previous holder may have moved the cursors up to the moment we took the role. */
            head = hftipc__load_acquire_u64(&hdr->head);
            tail = hftipc__load_acquire_u64(&hdr->tail);
            rc = hftipc__cursors_check(head, tail, geo);
            if (rc != HFTIPC_OK) {
                hftipc__holder_release(ch->holder, owner);
                hftipc__map_close(&ch->map);
                free(ch);
                return rc;
            }
        }
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
    /* An MPSC consumer's peers are the producer records; peers_can_wake() looks at them all. */
    ch->peer_holder = producer ? &hdr->consumer_holder : &hdr->producer_holder;
    switch (role) {
    case HFTIPC_ROLE_PRODUCER:
        r->position = head;
        r->cached_peer = tail;
        if (ch->commit_words && !ch->mpsc)
            recover_head(ch, head, tail);
        break;
    case HFTIPC_ROLE_CONSUMER:
        r->position = tail;
        r->cached_peer = head;
        break;
    default: /* an observer starts at the newest message: it shows what arrives from now on */
        r->position = head;
        r->cached_peer = head;
        break;
    }
    *out = ch;
    return HFTIPC_OK;
}

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
    /* Read and write bits only: an execute, setuid, setgid or sticky bit on a file that every
     * peer writes through a mapping would let one of them plant a program (issue 11). */
    if ((o.file_mode & ~0666u) != 0)
        return HFTIPC_EINVAL;
    /* New files carry commit words (format 1.1), whatever the mode. */
    hftipc__geometry geo = {.capacity = o.capacity,
                            .slot_size = o.slot_size,
                            .mode = o.mode,
                            .incompat_flags = HFTIPC__INCOMPAT_SLOT_COMMIT};
    rc = hftipc__geometry_check(&geo);
    if (rc != HFTIPC_OK)
        return rc;

    hftipc__mapping map;
    rc = hftipc__map_create_unlinked(path, &geo, o.file_mode, &map);
    if (rc != HFTIPC_OK)
        return rc;
    hftipc__header *hdr = map.base;
    uint64_t owner = hftipc__self_owner();
    hftipc__header_encode(hdr, &geo, realtime_ns(), (uint32_t)getpid());
    /* The file has no name yet, so taking the role cannot race anybody (nor fail): it appears
     * already held, and no other process can grab it between the link and our open. */
    hftipc__holder *held = NULL;
    if (role == HFTIPC_ROLE_PRODUCER && geo.mode == HFTIPC_MODE_MPSC)
        (void)hftipc__mpsc_take_record(hdr, owner, hftipc__self_pidns(), realtime_ns(), -1, &held);
    else if (role != HFTIPC_ROLE_OBSERVER) {
        held = holder_of(hdr, (int)role);
        (void)hftipc__holder_acquire(held, owner, hftipc__self_pidns(), realtime_ns(), -1);
    }
    hftipc__header_publish(hdr);
    rc = hftipc__map_link(&map, path);
    if (rc != HFTIPC_OK) {
        int err = errno;
        hftipc__map_close(&map);
        errno = err;
        return rc;
    }
    return attach(&map, &geo, (int)role, role == HFTIPC_ROLE_OBSERVER ? NULL : &held, owner, -1,
                  out);
}

int hftipc_channel_open_takeover(const char *path, hftipc_role_t role, int64_t stale_after_ns,
                                 hftipc_channel_t **out)
{
    if (out != NULL)
        *out = NULL;
    if (path == NULL || out == NULL || !valid_role((int)role))
        return HFTIPC_EINVAL;
    hftipc__mapping map;
    hftipc__geometry geo;
    int rc = hftipc__map_open(path, role != HFTIPC_ROLE_OBSERVER, &geo, &map);
    if (rc != HFTIPC_OK)
        return rc;
    return attach(&map, &geo, (int)role, NULL, hftipc__self_owner(), stale_after_ns, out);
}

int hftipc_channel_open(const char *path, hftipc_role_t role, hftipc_channel_t **out)
{
    return hftipc_channel_open_takeover(path, role, -1, out);
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
    if ((o.file_mode & ~0666u) != 0) /* as create: refused whether or not the file exists */
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

int hftipc_channel_close(hftipc_channel_t *ch)
{
    if (ch == NULL)
        return HFTIPC_OK;
    if (ch->holder != NULL)
        hftipc__holder_release(ch->holder, ch->owner);
    int rc = hftipc__map_close(&ch->map);
    free(ch);
    return rc;
}

/* ---- Producer ---- */

/* The common start of a producer operation: role and fencing. */
static inline int producer_check(const hftipc_channel_t *ch)
{
    if (HFTIPC_UNLIKELY(ch->role != HFTIPC_ROLE_PRODUCER))
        return HFTIPC_EROLE;
    if (HFTIPC_UNLIKELY(hftipc__channel_fenced(ch)))
        return HFTIPC_EFENCED;
    return HFTIPC_OK;
}

int hftipc_channel_send(hftipc_channel_t *ch, const void *msg, size_t len)
{
    if (HFTIPC_UNLIKELY(ch == NULL || (msg == NULL && len != 0)))
        return HFTIPC_EINVAL;
    int rc = producer_check(ch);
    if (HFTIPC_UNLIKELY(rc != HFTIPC_OK))
        return rc;
    hftipc__ring *r = &ch->ring;
    if (HFTIPC_UNLIKELY(len > r->max_payload))
        return HFTIPC_ETOOBIG;
    if (HFTIPC_UNLIKELY(ch->mpsc))
        return hftipc__mpsc_send(ch, msg, (uint32_t)len);
    int64_t free_slots = hftipc__ring_reserve(r, 1);
    if (HFTIPC_UNLIKELY(free_slots < 0))
        return (int)free_slots;
    uint64_t seq = r->position;
    hftipc__ring_write(r, seq, msg, (uint32_t)len);
    hftipc__ring_publish(r, seq + 1);
    hftipc__channel_wake_consumer(ch, seq);
    ch->claimed = 0;
    return HFTIPC_OK;
}

int64_t hftipc_channel_send_batch(hftipc_channel_t *ch, const void *data, size_t data_len,
                                  const uint32_t *lens, size_t count)
{
    if (ch == NULL || (count != 0 && lens == NULL) || (data == NULL && data_len != 0))
        return HFTIPC_EINVAL;
    int rc = producer_check(ch);
    if (HFTIPC_UNLIKELY(rc != HFTIPC_OK))
        return rc;
    hftipc__ring *r = &ch->ring;
    /* All lengths first: a batch with one oversized message writes nothing. */
    size_t total = 0;
    for (size_t i = 0; i < count; i++) {
        if (lens[i] > r->max_payload)
            return HFTIPC_ETOOBIG;
        total += lens[i];
        if (total > data_len)
            return HFTIPC_EINVAL;
    }
    if (count == 0)
        return 0;
    if (ch->mpsc)
        return hftipc__mpsc_send_batch(ch, data, lens, count);
    int64_t free_slots = hftipc__ring_reserve(r, count);
    if (free_slots < 0)
        return free_slots;
    size_t n = (uint64_t)free_slots < count ? (size_t)free_slots : count;
    uint64_t first = r->position;
    hftipc__ring_write_batch(r, first, data, lens, n);
    hftipc__ring_publish(r, first + n);
    hftipc__channel_wake_consumer(ch, first);
    ch->claimed = 0;
    return (int64_t)n;
}

int hftipc_channel_try_claim(hftipc_channel_t *ch, void **payload, uint32_t *capacity)
{
    if (ch == NULL || payload == NULL)
        return HFTIPC_EINVAL;
    int rc = producer_check(ch);
    if (HFTIPC_UNLIKELY(rc != HFTIPC_OK))
        return rc;
    hftipc__ring *r = &ch->ring;
    if (capacity != NULL)
        *capacity = r->max_payload;
    if (ch->mpsc)
        return hftipc__mpsc_try_claim(ch, payload);
    int64_t free_slots = hftipc__ring_reserve(r, 1);
    if (free_slots < 0)
        return (int)free_slots;
    *payload = hftipc__slot_payload(hftipc__ring_slot(r, r->position));
    ch->claimed = 1;
    return HFTIPC_OK;
}

int hftipc_channel_commit(hftipc_channel_t *ch, size_t len)
{
    if (ch == NULL)
        return HFTIPC_EINVAL;
    int rc = producer_check(ch);
    if (rc != HFTIPC_OK)
        return rc;
    if (!ch->claimed)
        return HFTIPC_ESTATE;
    hftipc__ring *r = &ch->ring;
    if (len > r->max_payload)
        return HFTIPC_ETOOBIG;
    if (ch->mpsc)
        return hftipc__mpsc_commit(ch, (uint32_t)len);
    uint64_t seq = r->position;
    hftipc__store_relaxed_u32(&hftipc__ring_slot(r, seq)->length, (uint32_t)len);
    hftipc__ring_commit(r, seq);
    hftipc__ring_publish(r, seq + 1);
    hftipc__channel_wake_consumer(ch, seq);
    ch->claimed = 0;
    return HFTIPC_OK;
}

/* ---- Consumer and observer ---- */

/* Consumer: messages that may be ready from the position (> 0; callers stop at the first slot
 * consumer_length() reports not whole), HFTIPC_EEMPTY or HFTIPC_ECORRUPT. With commit words
 * the slot itself says whether it is ready: head is not read at all (S1). */
static inline int64_t consumer_ready(hftipc_channel_t *ch, uint64_t wanted)
{
    if (HFTIPC_LIKELY(ch->commit_words)) {
        if (HFTIPC_UNLIKELY(ch->mpsc))
            return hftipc__mpsc_ready(ch);
        hftipc__ring *r = &ch->ring;
        hftipc__slot *s = hftipc__ring_slot(r, r->position);
        return hftipc__load_acquire_u32(&s->commit) == (uint32_t)(r->position + 1)
                   ? (int64_t)r->capacity
                   : HFTIPC_EEMPTY;
    }
    return hftipc__ring_ready(&ch->ring, wanted);
}

/* Consumer: length of message `seq`; HFTIPC_ECORRUPT; with commit words HFTIPC_EEMPTY when
 * the slot does not hold message `seq` yet. */
static inline int64_t consumer_length(hftipc_channel_t *ch, uint64_t seq, hftipc__slot **slot)
{
    if (HFTIPC_LIKELY(ch->commit_words))
        return hftipc__ring_committed_length(&ch->ring, seq, slot);
    return hftipc__ring_length(&ch->ring, seq, slot);
}

/* Role and fencing check of a consumer operation. */
static inline int consumer_check(const hftipc_channel_t *ch)
{
    if (HFTIPC_UNLIKELY(ch->role != HFTIPC_ROLE_CONSUMER))
        return HFTIPC_EROLE;
    if (HFTIPC_UNLIKELY(hftipc__channel_fenced(ch)))
        return HFTIPC_EFENCED;
    return HFTIPC_OK;
}

/* The common start of a consumer operation that reads the slot at its position next with
 * consumer_length(): role, fencing, and how many messages may be ready (> 0) or a status. In
 * SPSC files with commit words consumer_length()'s own load of the commit word is the
 * readiness check, so it is not done twice here. */
static inline int64_t consumer_begin(hftipc_channel_t *ch, uint64_t wanted)
{
    int rc = consumer_check(ch);
    if (HFTIPC_UNLIKELY(rc != HFTIPC_OK))
        return rc;
    if (HFTIPC_LIKELY(ch->commit_words && !ch->mpsc))
        return (int64_t)ch->ring.capacity;
    return consumer_ready(ch, wanted);
}

/* The observer reads slots that the producer may overwrite at any moment: it copies, then
 * checks whether the producer could have started on that slot's next lap (seqlock read side).
 * The producer writes sequence s + capacity only after (a) the consumer's tail passed s
 * (acquire of tail, C1) and (b) it stored head = s + capacity (program order, kept by O1).
 * If either still fails after the copy, the copy is intact. */
static int64_t observer_receive(hftipc_channel_t *ch, void *buf, size_t buf_len)
{
    hftipc__ring *r = &ch->ring;
    uint64_t seq = r->position;
    uint64_t head = hftipc__load_acquire_u64(r->head); /* P1 */
    if (head == seq)
        return HFTIPC_EEMPTY;
    if (head - seq > r->capacity) {
        if (seq > head)
            return HFTIPC_ECORRUPT; /* head went backwards: not a well-behaved producer */
        uint64_t tail = hftipc__load_acquire_u64(r->tail);
        r->position = head - tail <= r->capacity ? tail : head;
        return HFTIPC_ELAPPED;
    }
    hftipc__slot *s = hftipc__ring_slot(r, seq);
    /* MPSC: claimed is not whole; wait for the commit word (M1). */
    if (ch->commit_words && hftipc__load_acquire_u32(&s->commit) != (uint32_t)(seq + 1))
        return HFTIPC_EEMPTY;
    uint32_t len = hftipc__load_relaxed_u32(&s->length);
    int64_t rc = len;
    if (len > r->max_payload)
        rc = HFTIPC_ECORRUPT;
    else if (len > buf_len)
        rc = HFTIPC_EBUFSIZE;
    else if (len != 0)
        memcpy(buf, hftipc__slot_payload(s), len);
    hftipc__fence_acquire();
    uint64_t tail_after = hftipc__load_relaxed_u64(r->tail);
    uint64_t head_after = hftipc__load_relaxed_u64(r->head);
    if (tail_after > seq && head_after - seq >= r->capacity) {
        r->position = head_after - tail_after <= r->capacity ? tail_after : head_after;
        return HFTIPC_ELAPPED;
    }
    if (rc >= 0)
        r->position = seq + 1;
    return rc;
}

int64_t hftipc_channel_receive(hftipc_channel_t *ch, void *buf, size_t buf_len)
{
    if (HFTIPC_UNLIKELY(ch == NULL || (buf == NULL && buf_len != 0)))
        return HFTIPC_EINVAL;
    if (HFTIPC_UNLIKELY(ch->role == HFTIPC_ROLE_OBSERVER))
        return observer_receive(ch, buf, buf_len);
    hftipc__ring *r = &ch->ring;
    int64_t avail = consumer_begin(ch, 1);
    if (HFTIPC_UNLIKELY(avail < 0))
        return avail;
    hftipc__slot *s;
    int64_t len = consumer_length(ch, r->position, &s);
    if (HFTIPC_UNLIKELY(len < 0))
        return len;
    if (HFTIPC_UNLIKELY((uint64_t)len > buf_len))
        return HFTIPC_EBUFSIZE;
    /* buf may be NULL when buf_len is 0: memcpy(NULL, _, 0) is undefined behaviour. */
    if (len != 0)
        memcpy(buf, hftipc__slot_payload(s), (size_t)len);
    hftipc__ring_release(r, r->position + 1);
    hftipc__channel_wake_peer(ch);
    return len;
}

int64_t hftipc_channel_receive_batch(hftipc_channel_t *ch, void *buf, size_t buf_len,
                                     uint32_t *lens, size_t max_count)
{
    if (ch == NULL || lens == NULL || max_count == 0 || (buf == NULL && buf_len != 0))
        return HFTIPC_EINVAL;
    hftipc__ring *r = &ch->ring;
    int64_t avail = consumer_begin(ch, max_count);
    if (avail < 0)
        return avail;
    size_t n = (uint64_t)avail < max_count ? (size_t)avail : max_count;
    /* buf may be NULL when buf_len is 0 (then only empty messages fit): point at a dummy byte
     * instead, so that the loop needs no per-message check against NULL + 0 or memcpy(NULL, _,
     * 0), both undefined behaviour. Hoisting the check out of the loop saves about 8
     * instructions per message (callgrind; docs/BENCHMARKS.md). */
    uint8_t dummy;
    uint8_t *out = buf != NULL ? buf : &dummy;
    size_t used = 0, i;
    for (i = 0; i < n; i++) {
        hftipc__slot *s;
        int64_t len = consumer_length(ch, r->position + i, &s);
        if (len < 0) {
            if (i == 0)
                return len;
            break;
        }
        if ((uint64_t)len > buf_len - used) {
            if (i == 0)
                return HFTIPC_EBUFSIZE;
            break;
        }
        memcpy(out + used, hftipc__slot_payload(s), (size_t)len);
        lens[i] = (uint32_t)len;
        used += (size_t)len;
    }
    hftipc__ring_release(r, r->position + i);
    hftipc__channel_wake_peer(ch);
    return (int64_t)i;
}

int64_t hftipc_channel_drain(hftipc_channel_t *ch, hftipc_handler_fn handler, void *ctx,
                             size_t max_count)
{
    if (ch == NULL || handler == NULL || max_count == 0)
        return HFTIPC_EINVAL;
    hftipc__ring *r = &ch->ring;
    int64_t avail = consumer_begin(ch, max_count);
    if (avail < 0)
        return avail;
    size_t n = (uint64_t)avail < max_count ? (size_t)avail : max_count;
    size_t i;
    for (i = 0; i < n; i++) {
        hftipc__slot *s;
        int64_t len = consumer_length(ch, r->position + i, &s);
        if (len < 0) {
            if (i == 0)
                return len;
            break;
        }
        if (handler(ctx, hftipc__slot_payload(s), (uint32_t)len) != 0) {
            i++;
            break;
        }
    }
    hftipc__ring_release(r, r->position + i);
    hftipc__channel_wake_peer(ch);
    return (int64_t)i;
}

int64_t hftipc_channel_peek(hftipc_channel_t *ch, const void **payload)
{
    if (ch == NULL || payload == NULL)
        return HFTIPC_EINVAL;
    hftipc__ring *r = &ch->ring;
    int64_t avail = consumer_begin(ch, 1);
    if (avail < 0)
        return avail;
    hftipc__slot *s;
    int64_t len = consumer_length(ch, r->position, &s);
    if (len >= 0)
        *payload = hftipc__slot_payload(s);
    return len;
}

int hftipc_channel_ack(hftipc_channel_t *ch)
{
    if (ch == NULL)
        return HFTIPC_EINVAL;
    hftipc__ring *r = &ch->ring;
    int rc = consumer_check(ch);
    if (rc != HFTIPC_OK)
        return rc;
    /* ack reads no slot, so it asks for readiness itself (a corrupt slot is still ackable). */
    int64_t avail = consumer_ready(ch, 1);
    if (avail < 0)
        return (int)avail;
    hftipc__ring_release(r, r->position + 1);
    hftipc__channel_wake_peer(ch);
    return HFTIPC_OK;
}

/* ---- Blocking waits ---- */

enum {
    WAIT_SPINS = 256, /* ~ a microsecond of polling before giving the CPU away */
    WAIT_YIELDS = 16, /* then let other runnable threads go first */
};
/* Sleep slices: a peer that wakes sleepers lets us sleep long (the slice only bounds how stale
 * our heartbeat gets); one that cannot (an observer's peer, an older library) is polled. */
#define WAIT_SLICE_WOKEN_NS  (100 * 1000 * 1000)
#define WAIT_SLICE_POLLED_NS (1000 * 1000)

/* > 0 when the handle can proceed, 0 when it must wait, < 0 for an error. Reloads the peer's
 * cursor with acquire (P1/C1) when the cached copy says full/empty. */
static int64_t readiness(hftipc_channel_t *ch)
{
    hftipc__ring *r = &ch->ring;
    switch (ch->role) {
    case HFTIPC_ROLE_PRODUCER:
        return ch->mpsc ? hftipc__mpsc_free(ch) : hftipc__ring_free(r, 1);
    case HFTIPC_ROLE_CONSUMER:
        if (ch->commit_words) {
            int64_t ready = consumer_ready(ch, 1);
            return ready == HFTIPC_EEMPTY ? 0 : ready;
        }
        return hftipc__ring_available(r, 1);
    default: {
        uint64_t head = hftipc__load_acquire_u64(r->head);
        r->cached_peer = head;
        if (head == r->position)
            return 0;
        if (!ch->commit_words)
            return 1;
        hftipc__slot *s = hftipc__ring_slot(r, r->position);
        return hftipc__load_acquire_u32(&s->commit) == (uint32_t)(r->position + 1);
    }
    }
}

/* The futex word to sleep on and the value that means "still not ready", or NULL when the
 * channel became ready meanwhile. Producers sleep on tail; consumers and observers on the
 * commit word of the slot they wait for, or on head in files without commit words (the
 * values readiness() just loaded). */
static const void *sleep_target(hftipc_channel_t *ch, uint32_t *expected)
{
    hftipc__ring *r = &ch->ring;
    if (!ch->commit_words || ch->role == HFTIPC_ROLE_PRODUCER) {
        *expected = (uint32_t)r->cached_peer;
        return ch->own_sleeps_on;
    }
    hftipc__slot *s = hftipc__ring_slot(r, r->position);
    *expected = hftipc__load_relaxed_u32(&s->commit);
    return *expected == (uint32_t)(r->position + 1) ? NULL : (const void *)&s->commit;
}

/* Can every peer that could unblock us wake us (format 1.1, registered for the fence)? */
static int peers_can_wake(const hftipc_channel_t *ch)
{
    /* A free role counts as able: whoever takes it next announces itself in wake_capable, and
     * only a holder that says it cannot wake makes us poll. */
    if (!(ch->mpsc && ch->role == HFTIPC_ROLE_CONSUMER)) {
        hftipc__holder *peer = (hftipc__holder *)ch->peer_holder;
        return hftipc__load_relaxed_u64(&peer->owner) == 0 ||
               hftipc__load_relaxed_u32(&peer->wake_capable) != 0;
    }
    for (int i = 0; i < HFTIPC_MPSC_MAX_PRODUCERS; i++) {
        hftipc__holder *rec = &ch->hdr->mpsc_producers[i];
        if (hftipc__load_relaxed_u64(&rec->owner) != 0 &&
            hftipc__load_relaxed_u32(&rec->wake_capable) == 0)
            return 0;
    }
    return 1;
}

/* Several MPSC producers may sleep at once: their flag is a count. */
static void waiter_enter(hftipc_channel_t *ch)
{
    if (ch->mpsc && ch->role == HFTIPC_ROLE_PRODUCER)
        hftipc__fetch_add_relaxed_u32(ch->own_waiting, 1);
    else
        hftipc__store_relaxed_u32(ch->own_waiting, 1);
}

static void waiter_leave(hftipc_channel_t *ch)
{
    if (ch->mpsc && ch->role == HFTIPC_ROLE_PRODUCER)
        hftipc__fetch_sub_relaxed_u32(ch->own_waiting, 1);
    else
        hftipc__store_relaxed_u32(ch->own_waiting, 0);
}

static int64_t deadline_after(int64_t timeout_ns)
{
    if (timeout_ns < 0)
        return -1;
    int64_t now = hftipc__monotonic_ns();
    return timeout_ns > INT64_MAX - now ? -1 : now + timeout_ns;
}

static int wait_until(hftipc_channel_t *ch, int64_t deadline_ns)
{
    for (unsigned round = 0;; round++) {
        if (ch->holder != NULL && hftipc__channel_fenced(ch))
            return HFTIPC_EFENCED;
        int64_t ready = readiness(ch);
        if (ready != 0)
            return ready > 0 ? HFTIPC_OK : (int)ready;
        if (deadline_ns >= 0 && hftipc__monotonic_ns() >= deadline_ns)
            return HFTIPC_ETIMEDOUT;
        if (round < WAIT_SPINS) {
#if defined(__x86_64__) || defined(__i386__)
            __builtin_ia32_pause();
#endif
            continue;
        }
        if (round < WAIT_SPINS + WAIT_YIELDS) {
            sched_yield();
            continue;
        }
        int64_t slice = WAIT_SLICE_POLLED_NS;
        int observer = ch->role == HFTIPC_ROLE_OBSERVER;
        if (!observer) {
            hftipc__store_relaxed_u64(&ch->holder->heartbeat_ns, (uint64_t)hftipc__monotonic_ns());
            /* W1, waiter side: raise the flag, then fence against the publisher (see wait.c),
             * then look once more. A publish after this point sees the flag and wakes us; one
             * before it is seen by the re-check. */
            waiter_enter(ch);
            hftipc__announce_waiter();
            ready = readiness(ch);
            if (ready != 0) {
                waiter_leave(ch);
                continue;
            }
            if (peers_can_wake(ch) && hftipc__wait_register())
                slice = WAIT_SLICE_WOKEN_NS;
        }
        /* Futex compare value: the low word of what we just loaded. Any publish changes it (a
         * wrap of 2^32 messages during the syscall's entry is not a concern). */
        uint32_t expected;
        const void *word = sleep_target(ch, &expected);
        if (word != NULL)
            hftipc__sleep_on(word, expected, deadline_ns, slice);
        if (!observer)
            waiter_leave(ch);
    }
}

int hftipc_channel_wait(hftipc_channel_t *ch, int64_t timeout_ns)
{
    if (ch == NULL)
        return HFTIPC_EINVAL;
    return wait_until(ch, deadline_after(timeout_ns));
}

int hftipc_channel_send_wait(hftipc_channel_t *ch, const void *msg, size_t len, int64_t timeout_ns)
{
    int64_t deadline = deadline_after(timeout_ns);
    for (;;) {
        int rc = hftipc_channel_send(ch, msg, len);
        if (rc != HFTIPC_EFULL)
            return rc;
        rc = wait_until(ch, deadline);
        if (rc != HFTIPC_OK)
            return rc;
    }
}

int64_t hftipc_channel_receive_wait(hftipc_channel_t *ch, void *buf, size_t buf_len,
                                    int64_t timeout_ns)
{
    int64_t deadline = deadline_after(timeout_ns);
    for (;;) {
        int64_t rc = hftipc_channel_receive(ch, buf, buf_len);
        if (rc != HFTIPC_EEMPTY)
            return rc;
        rc = wait_until(ch, deadline);
        if (rc != HFTIPC_OK)
            return rc;
    }
}

int hftipc_channel_heartbeat(hftipc_channel_t *ch)
{
    if (ch == NULL)
        return HFTIPC_EINVAL;
    if (ch->holder == NULL)
        return HFTIPC_EROLE;
    if (hftipc__channel_fenced(ch))
        return HFTIPC_EFENCED;
    hftipc__store_relaxed_u64(&ch->holder->heartbeat_ns, (uint64_t)hftipc__monotonic_ns());
    return HFTIPC_OK;
}

/* ---- Introspection ---- */

/* Fills `info` from a header: the live mapping (stats) or a private copy (inspect). Atomic
 * fields are read with relaxed loads: the result is a snapshot, not a synchronisation point. */
/* `producer` is the record the producer_* fields describe: in MPSC mode the caller's own
 * record, or (NULL) the first one in use. */
static void fill_info(const hftipc__header *hdr, int with_liveness, const hftipc__holder *producer,
                      hftipc_info_t *info)
{
    hftipc__header *h = (hftipc__header *)hdr;
    memset(info, 0, sizeof *info);
    info->size = sizeof *info;
    info->format_major = hdr->format_major;
    info->format_minor = hdr->format_minor;
    info->compat_flags = hdr->compat_flags;
    info->incompat_flags = hdr->incompat_flags;
    info->capacity = hdr->capacity;
    info->slot_size = hdr->slot_size;
    info->max_payload =
        hdr->slot_size >= HFTIPC_SLOT_HEADER_SIZE ? hdr->slot_size - HFTIPC_SLOT_HEADER_SIZE : 0;
    info->mode = hdr->mode;
    info->file_size = hdr->file_size;
    info->tail = hftipc__load_relaxed_u64(&h->tail);
    info->head = hftipc__load_relaxed_u64(&h->head);
    /* A consumer ahead of a stale head (section 5 of FORMAT.md) has no backlog. */
    info->backlog = info->head - info->tail <= info->capacity ? info->head - info->tail : 0;
    info->full_count = hftipc__load_relaxed_u64(&h->full_count);
    info->created_ns = hdr->created_ns;
    info->creator_pid = hdr->creator_pid;
    info->creator_version = hdr->creator_version;
    info->producer_waiting = hftipc__load_relaxed_u32(&h->producer_waiting);
    info->consumer_waiting = hftipc__load_relaxed_u32(&h->consumer_waiting);

    info->abandoned_count = hftipc__load_relaxed_u64(&h->abandoned_count);
    if (hdr->mode == HFTIPC_MODE_MPSC) {
        info->producer_count = hftipc__mpsc_producer_count(hdr, with_liveness);
        for (int i = 0; producer == NULL && i < HFTIPC_MPSC_MAX_PRODUCERS; i++)
            if (hftipc__load_relaxed_u64(&h->mpsc_producers[i].owner) != 0)
                producer = &hdr->mpsc_producers[i];
        if (producer == NULL)
            producer = &hdr->mpsc_producers[0];
    } else {
        producer = &hdr->producer_holder;
    }
    const hftipc__holder *holders[2] = {producer, &hdr->consumer_holder};
    for (int i = 0; i < 2; i++) {
        hftipc__holder *ho = (hftipc__holder *)holders[i];
        uint64_t owner = hftipc__load_relaxed_u64(&ho->owner);
        uint32_t liveness = owner == 0 ? HFTIPC_PEER_NONE : HFTIPC_PEER_UNKNOWN;
        if (with_liveness)
            liveness = hftipc__owner_liveness(owner, hftipc__load_relaxed_u64(&ho->pidns));
        uint32_t pid = hftipc__owner_pid(owner);
        uint64_t epoch = hftipc__load_relaxed_u64(&ho->epoch);
        uint64_t takeovers = hftipc__load_relaxed_u64(&ho->takeovers);
        uint64_t beat = hftipc__load_relaxed_u64(&ho->heartbeat_ns);
        if (i == 0) {
            if (hdr->mode != HFTIPC_MODE_MPSC)
                info->producer_count =
                    liveness == HFTIPC_PEER_NONE || liveness == HFTIPC_PEER_DEAD ? 0 : 1;
            info->producer_heartbeat_ns = beat;
            info->producer_pid = pid;
            info->producer_liveness = liveness;
            info->producer_epoch = epoch;
            info->producer_takeovers = takeovers;
        } else {
            info->consumer_heartbeat_ns = beat;
            info->consumer_pid = pid;
            info->consumer_liveness = liveness;
            info->consumer_epoch = epoch;
            info->consumer_takeovers = takeovers;
        }
    }
}

/* Copies at most the caller's declared size, so an older, smaller struct is never overrun. */
static int deliver_info(const hftipc_info_t *full, hftipc_info_t *info)
{
    uint32_t n = info->size < sizeof *full ? info->size : (uint32_t)sizeof *full;
    if (n < sizeof(uint32_t))
        return HFTIPC_EINVAL;
    memcpy(info, full, n);
    info->size = n;
    return HFTIPC_OK;
}

int hftipc_channel_stats(hftipc_channel_t *ch, hftipc_info_t *info)
{
    if (ch == NULL || info == NULL)
        return HFTIPC_EINVAL;
    hftipc_info_t full;
    fill_info(ch->hdr, 1, ch->mpsc && ch->role == HFTIPC_ROLE_PRODUCER ? ch->holder : NULL, &full);
    /* Geometry from the validated copy, never from the (writable by peers) mapping. */
    full.capacity = ch->geo.capacity;
    full.slot_size = ch->geo.slot_size;
    full.max_payload = ch->geo.slot_size - HFTIPC_SLOT_HEADER_SIZE;
    full.mode = ch->geo.mode;
    full.file_size = ch->geo.file_size;
    return deliver_info(&full, info);
}

int hftipc_inspect(const char *path, hftipc_info_t *info)
{
    if (path == NULL || info == NULL || info->size < sizeof(uint32_t))
        return HFTIPC_EINVAL;
    _Alignas(64) unsigned char buf[HFTIPC__HEADER_SIZE] = {0};
    size_t got;
    uint64_t size;
    int fd;
    int rc = hftipc__map_read_header(path, 0, buf, &got, &size, &fd);
    if (rc != HFTIPC_OK)
        return rc;
    hftipc__geometry geo;
    rc = hftipc__header_validate(buf, got, size, &geo);
    if (rc == HFTIPC_OK) /* what an observer's open would find: holes it cannot allocate */
        rc = hftipc__map_allocate(fd, geo.file_size, 0);
    int err = errno;
    close(fd);
    errno = err;
    hftipc_info_t full;
    memset(&full, 0, sizeof full);
    full.size = sizeof full;
    /* Past the magic, report the raw fields even when a later check fails: tools show them. */
    if (rc != HFTIPC_EBADMAGIC && got >= HFTIPC__MAGIC_LEN)
        fill_info((const hftipc__header *)buf, rc == HFTIPC_OK || rc == HFTIPC_ESPARSE, NULL,
                  &full);
    int drc = deliver_info(&full, info);
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
