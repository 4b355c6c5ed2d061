/* Header encode and validation: docs/FORMAT.md, "Layout" and "Checks a reader makes". */
#include "format.h"

#include <string.h>

#include "hftipc.h"

#include "channel.h"
#include "peer.h"

/* The buffer is a private copy, possibly unaligned: decode with memcpy (host is little-endian,
 * which format.h enforces at compile time). */
static uint32_t read_u32(const uint8_t *buf, size_t off)
{
    uint32_t v;
    memcpy(&v, buf + off, sizeof v);
    return v;
}

static uint16_t read_u16(const uint8_t *buf, size_t off)
{
    uint16_t v;
    memcpy(&v, buf + off, sizeof v);
    return v;
}

static uint64_t read_u64(const uint8_t *buf, size_t off)
{
    uint64_t v;
    memcpy(&v, buf + off, sizeof v);
    return v;
}

int hftipc__geometry_check(hftipc__geometry *g)
{
    if (g->mode != HFTIPC_MODE_SPSC && g->mode != HFTIPC_MODE_MPSC)
        return HFTIPC_EMODE;
    if (g->capacity == 0 || g->capacity > HFTIPC_MAX_CAPACITY ||
        (g->capacity & (g->capacity - 1)) != 0)
        return HFTIPC_ECAPACITY;
    if (g->slot_size < HFTIPC_MIN_SLOT_SIZE || g->slot_size > HFTIPC_MAX_SLOT_SIZE ||
        g->slot_size % 8 != 0)
        return HFTIPC_ESLOTSIZE;
    /* Both factors are bounded above (2^30 * 2^26), so the product cannot wrap 64 bits. */
    uint64_t size = (uint64_t)HFTIPC__HEADER_SIZE + (uint64_t)g->capacity * g->slot_size;
    if (size > HFTIPC__MAX_FILE_SIZE || size > (uint64_t)SIZE_MAX)
        return HFTIPC_ETOOLARGE;
    g->file_size = size;
    return HFTIPC_OK;
}

void hftipc__header_encode(hftipc__header *hdr, const hftipc__geometry *g, uint64_t created_ns,
                           uint32_t creator_pid)
{
    memcpy(hdr->magic, HFTIPC__MAGIC, HFTIPC__MAGIC_LEN);
    hdr->format_major = HFTIPC_FORMAT_MAJOR;
    hdr->format_minor = HFTIPC_FORMAT_MINOR;
    hdr->header_size = HFTIPC__HEADER_SIZE;
    hdr->compat_flags = 0;
    hdr->incompat_flags = g->incompat_flags;
    hdr->capacity = g->capacity;
    hdr->slot_size = g->slot_size;
    hdr->mode = g->mode;
    hdr->file_size = g->file_size;
    hdr->created_ns = created_ns;
    hdr->creator_pid = creator_pid;
    hdr->creator_version = HFTIPC_VERSION_NUMBER;
}

void hftipc__header_publish(hftipc__header *hdr)
{
    /* Release: every identity field above happens-before any reader that loads READY with
     * acquire (hftipc__header_validate's caller reads a copy taken after that load). */
    hftipc__store_release_u32(&hdr->init_state, HFTIPC__STATE_READY);
}

int hftipc__header_validate(const void *buf_, size_t len, uint64_t actual_file_size,
                            hftipc__geometry *g)
{
    const uint8_t *buf = buf_;
    if (len < HFTIPC__MAGIC_LEN)
        return HFTIPC_ETRUNCATED;
    if (memcmp(buf, HFTIPC__MAGIC, HFTIPC__MAGIC_LEN) != 0)
        return HFTIPC_EBADMAGIC;
    if (len < HFTIPC__HEADER_SIZE || actual_file_size < HFTIPC__HEADER_SIZE)
        return HFTIPC_ETRUNCATED;
    if (read_u16(buf, offsetof(hftipc__header, format_major)) != HFTIPC_FORMAT_MAJOR)
        return HFTIPC_EVERSION;
    /* The state word is the initialiser's last write; nothing else is meaningful before it. */
    if (read_u32(buf, offsetof(hftipc__header, init_state)) != HFTIPC__STATE_READY)
        return HFTIPC_ENOTREADY;
    if (read_u32(buf, offsetof(hftipc__header, header_size)) != HFTIPC__HEADER_SIZE)
        return HFTIPC_EHEADERSIZE;
    /* Unknown compat flags are ignored by design; unknown incompat flags are refused. */
    if ((read_u64(buf, offsetof(hftipc__header, incompat_flags)) & ~HFTIPC__KNOWN_INCOMPAT_FLAGS) !=
        0)
        return HFTIPC_EINCOMPAT;

    hftipc__geometry geo = {
        .capacity = read_u32(buf, offsetof(hftipc__header, capacity)),
        .slot_size = read_u32(buf, offsetof(hftipc__header, slot_size)),
        .mode = read_u32(buf, offsetof(hftipc__header, mode)),
    };
    int rc = hftipc__geometry_check(&geo);
    if (rc != HFTIPC_OK)
        return rc;
    geo.incompat_flags = read_u64(buf, offsetof(hftipc__header, incompat_flags));
    if (read_u64(buf, offsetof(hftipc__header, file_size)) != geo.file_size ||
        actual_file_size != geo.file_size)
        return HFTIPC_ESIZE;
    *g = geo;
    return HFTIPC_OK;
}

int hftipc__cursors_check(uint64_t head, uint64_t tail, const hftipc__geometry *g)
{
    /* Unsigned difference: tail > head wraps to a huge value and is caught the same way. */
    if (head - tail <= g->capacity)
        return HFTIPC_OK;
    if ((g->incompat_flags & HFTIPC__INCOMPAT_SLOT_COMMIT) && g->mode == HFTIPC_MODE_SPSC &&
        tail - head <= g->capacity)
        return HFTIPC_OK;
    return HFTIPC_ECORRUPT;
}

/* ---- Decoding for hftipc_channel_stats() and hftipc_inspect() ---- */

/* Fills `info` from a header: the live mapping (stats) or a private copy (inspect). Atomic
 * fields are read with relaxed loads: the result is a snapshot, not a synchronisation point. */
/* `producer` is the record the producer_* fields describe: in MPSC mode the caller's own
 * record, or (NULL) the first one in use. */
void hftipc__info_fill(const hftipc__header *hdr, int with_liveness, const hftipc__holder *producer,
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
    info->aborted_count = hftipc__load_relaxed_u64(&h->aborted_count);
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
int hftipc__info_deliver(const hftipc_info_t *full, hftipc_info_t *info)
{
    uint32_t n = info->size < sizeof *full ? info->size : (uint32_t)sizeof *full;
    if (n < sizeof(uint32_t))
        return HFTIPC_EINVAL;
    memcpy(info, full, n);
    info->size = n;
    return HFTIPC_OK;
}
