/* Header encode and validation: docs/FORMAT.md, "Layout" and "Checks a reader makes". */
#include "format.h"

#include <string.h>

#include "hftipc.h"

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
