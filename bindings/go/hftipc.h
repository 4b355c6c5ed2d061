/*
 * hftipc: lock-free message channels between processes through a memory-mapped file.
 *
 * This is the one public header of libhftipc. It is plain C99 (no <stdatomic.h>, no _Atomic),
 * parses as C++ and through SWIG, and exposes only opaque handles and size-prefixed structs.
 *
 * Conventions for every function below:
 *  - The return value is the whole error contract: 0 (HFTIPC_OK) or a count >= 0 on success,
 *    a negative HFTIPC_E* status on failure. Status values are pinned and never reused.
 *  - On HFTIPC_ESYSTEM, errno holds the failing system call's error (read it on the same thread,
 *    right after the call; cgo's two-value call form does exactly that).
 *  - A channel handle is used by one thread at a time. Different handles (for example the
 *    producer in one thread and the consumer in another) need no coordination.
 *  - Handles do not survive fork(): a child opens its own.
 *  - Every producer and consumer operation also returns HFTIPC_EFENCED once another process
 *    has taken the handle's role over (hftipc_channel_open_takeover()); the handle is then dead.
 *
 * The channel file format is specified in docs/FORMAT.md; the ABI policy in docs/ABI.md.
 */
#ifndef HFTIPC_H
#define HFTIPC_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---- Export and deprecation macros ------------------------------------------------------ */

#if defined(HFTIPC_STATIC_BUILD)
#define HFTIPC_API
#elif defined(__GNUC__) || defined(__clang__)
#define HFTIPC_API __attribute__((visibility("default")))
#else
#define HFTIPC_API
#endif

#if defined(__GNUC__) || defined(__clang__)
#define HFTIPC_DEPRECATED(msg) __attribute__((deprecated(msg)))
#else
#define HFTIPC_DEPRECATED(msg)
#endif

/* ---- Versions ----------------------------------------------------------------------------- */

/* Library version. The major version is the SONAME; see docs/ABI.md. */
#define HFTIPC_VERSION_MAJOR 1
#define HFTIPC_VERSION_MINOR 1
#define HFTIPC_VERSION_PATCH 0
#define HFTIPC_VERSION_NUMBER                                                                      \
    (HFTIPC_VERSION_MAJOR * 10000 + HFTIPC_VERSION_MINOR * 100 + HFTIPC_VERSION_PATCH)
#define HFTIPC_VERSION_STRING "1.1.0"

/* Incompatible feature flags (docs/FORMAT.md, section 14), as set in the file header. A reader
 * refuses a file with an incompat flag it does not know (HFTIPC_EINCOMPAT). */
/* Slots carry commit words; consumers poll them (format 1.1). */
#define HFTIPC_INCOMPAT_SLOT_COMMIT  0x1ull
/* MPSC files: aborted claims are skip records (format 1.2). */
#define HFTIPC_INCOMPAT_SKIP_RECORDS 0x2ull
#define HFTIPC_INCOMPAT_KNOWN        (HFTIPC_INCOMPAT_SLOT_COMMIT | HFTIPC_INCOMPAT_SKIP_RECORDS)

/* Channel file format version this library writes (docs/FORMAT.md). Independent of the above. */
#define HFTIPC_FORMAT_MAJOR 1
#define HFTIPC_FORMAT_MINOR 2

/**
 * Version of the library actually loaded, as HFTIPC_VERSION_NUMBER (major*10000+minor*100+patch).
 * Compare with HFTIPC_VERSION_NUMBER to detect a header/library mismatch.
 * @return the runtime version number.
 * @since 1.0.0
 * Thread safety: any thread; pure.
 */
HFTIPC_API uint32_t hftipc_version_number(void);

/**
 * Version of the library actually loaded, as "MAJOR.MINOR.PATCH".
 * @return a static string; never NULL.
 * @since 1.0.0
 * Thread safety: any thread; pure.
 */
HFTIPC_API const char *hftipc_version_string(void);

/* ---- Status codes ------------------------------------------------------------------------- */

/* Pinned values: a value, once released, keeps its meaning forever. */
typedef enum hftipc_status {
    HFTIPC_OK = 0,
    HFTIPC_EFULL = -1,        /* the ring has no free slot (producer); try again later */
    HFTIPC_EEMPTY = -2,       /* no message to consume (consumer, observer) */
    HFTIPC_ETOOBIG = -3,      /* message larger than the slot payload; nothing written */
    HFTIPC_EBUFSIZE = -4,     /* receive buffer too small for the message; nothing consumed */
    HFTIPC_EINVAL = -5,       /* invalid argument (NULL handle or pointer, bad role, ...) */
    HFTIPC_EROLE = -6,        /* operation not permitted for the handle's role */
    HFTIPC_EBUSY = -7,        /* the role is held by another live process */
    HFTIPC_EEXIST = -8,       /* create: the path already exists */
    HFTIPC_ENOENT = -9,       /* open: no such file, or the directory does not exist */
    HFTIPC_EMISMATCH = -10,   /* open_or_create: the file's geometry differs from the options */
    HFTIPC_ECORRUPT = -11,    /* shared state out of range: cursor or slot length */
    HFTIPC_ETRUNCATED = -12,  /* file shorter than the header (includes an empty file) */
    HFTIPC_EBADMAGIC = -13,   /* not a channel file: magic bytes differ */
    HFTIPC_EVERSION = -14,    /* format major version not supported by this library */
    HFTIPC_EINCOMPAT = -15,   /* an incompat feature flag unknown to this library is set */
    HFTIPC_ECAPACITY = -16,   /* capacity zero, not a power of two, or above the limit */
    HFTIPC_ESLOTSIZE = -17,   /* slot size out of range or not a multiple of 8 */
    HFTIPC_EHEADERSIZE = -18, /* header size field is not the one the format defines */
    HFTIPC_EMODE = -19,       /* channel mode unknown */
    HFTIPC_ETOOLARGE = -20,   /* capacity x slot size exceeds the file size limit */
    HFTIPC_ESIZE = -21,       /* file size disagrees with the header's geometry */
    HFTIPC_ENOTREADY = -22,   /* header never finished initialization */
    HFTIPC_ENOSPC = -23,      /* no space left to size the file */
    HFTIPC_EACCES = -24,      /* permission denied */
    HFTIPC_ENOTFILE = -25,    /* path is a symlink, directory, FIFO or other non-regular file */
    HFTIPC_ESYSTEM = -26,     /* another system call failed; errno says which error */
    HFTIPC_ENOMEM = -27,      /* out of memory (handle allocation or address space) */
    HFTIPC_ELAPPED = -28,     /* observer: the producer overwrote the message being read */
    HFTIPC_ESTATE = -29,      /* commit or abort of a claim that is not outstanding */
    HFTIPC_ETIMEDOUT = -30,   /* a blocking call's timeout passed first */
    HFTIPC_EFENCED = -31,     /* another process took this handle's role over; the handle is dead */
    HFTIPC_ENOFENCE = -32,    /* takeover refused: the stale holder may still write and cannot be
                                 stopped (another user or pid namespace); retry, or force it */
    HFTIPC_ESPARSE = -33,     /* the file has unallocated holes that cannot be mapped safely */
    HFTIPC_ESTALE = -34,      /* the channel was retired, or its path no longer names this file
                                 (removed or replaced); open the path again */
} hftipc_status_t;

/* The most negative status defined by this version of the header. */
#define HFTIPC_STATUS_MIN (-34)

/**
 * Human-readable description of a status.
 * @param status a value returned by any hftipc function.
 * @return a static string; "unknown hftipc status" for values this version does not define.
 * @since 1.0.0
 * Thread safety: any thread; pure.
 */
HFTIPC_API const char *hftipc_strerror(int64_t status);

/**
 * Symbolic name of a status, such as "HFTIPC_EFULL".
 * @param status a value returned by any hftipc function.
 * @return a static string; "HFTIPC_E?" for values this version does not define.
 * @since 1.0.0
 * Thread safety: any thread; pure.
 */
HFTIPC_API const char *hftipc_err_name(int64_t status);

/* ---- Options, roles, modes ---------------------------------------------------------------- */

typedef enum hftipc_role {
    HFTIPC_ROLE_PRODUCER = 1, /* publishes messages; one live holder per SPSC file */
    HFTIPC_ROLE_CONSUMER = 2, /* consumes and acknowledges; one live holder per SPSC file */
    HFTIPC_ROLE_OBSERVER = 3, /* read-only mapping; reads without consuming; any number */
} hftipc_role_t;

typedef enum hftipc_mode {
    HFTIPC_MODE_SPSC = 1, /* one producer, one consumer */
    HFTIPC_MODE_MPSC = 2, /* up to HFTIPC_MPSC_MAX_PRODUCERS producer processes, one consumer */
} hftipc_mode_t;

/* Producer processes an MPSC channel admits at once (one holder record each). */
#define HFTIPC_MPSC_MAX_PRODUCERS 16

#define HFTIPC_DEFAULT_CAPACITY  1024u
#define HFTIPC_DEFAULT_SLOT_SIZE 512u
#define HFTIPC_SLOT_HEADER_SIZE  8u
#define HFTIPC_MIN_SLOT_SIZE     16u
#define HFTIPC_MAX_SLOT_SIZE     (1u << 26)
#define HFTIPC_MAX_CAPACITY      (1u << 30)

/*
 * Geometry and creation options. Always initialise with hftipc_options_init(), then change the
 * fields you need: `size` tells the library which version of the struct the caller compiled
 * against, so fields added by later versions keep their defaults for older callers.
 */
typedef struct hftipc_options {
    uint32_t size;      /* sizeof(hftipc_options_t), set by hftipc_options_init() */
    uint32_t capacity;  /* slots in the ring; a power of two in [1, HFTIPC_MAX_CAPACITY] */
    uint32_t slot_size; /* bytes per slot including the 8-byte slot header; multiple of 8 in
                           [HFTIPC_MIN_SLOT_SIZE, HFTIPC_MAX_SLOT_SIZE] */
    uint32_t mode;      /* hftipc_mode_t; HFTIPC_MODE_SPSC */
    uint32_t file_mode; /* permission bits of a created file, within 0666 (read and write bits
                           only; anything else is HFTIPC_EINVAL); default 0600; umask ignored */
} hftipc_options_t;

/**
 * Fill `opts` with defaults: capacity 1024, slot size 512, SPSC, file mode 0600.
 * @param opts the struct to fill; NULL is ignored.
 * @since 1.0.0
 * Thread safety: any thread.
 */
HFTIPC_API void hftipc_options_init(hftipc_options_t *opts);

/* ---- Channel lifecycle -------------------------------------------------------------------- */

typedef struct hftipc_channel_stct hftipc_channel_t;

/**
 * Create a new channel file at `path` and open it in `role`. The file appears at `path` only
 * once fully initialised and sized (docs/FORMAT.md, "Initialisation"), so a concurrent opener
 * never sees a half-written header; when several processes race, exactly one create succeeds.
 * @param path file to create; its directory must exist (e.g. "/dev/shm/quotes").
 * @param opts geometry and file mode; NULL means the defaults.
 * @param role the role the returned handle holds.
 * @param out receives the handle on success; set to NULL on failure.
 * @return HFTIPC_OK; HFTIPC_EEXIST if the path exists; HFTIPC_EINVAL (NULL path or out, bad
 *         role, opts->size too small, a file_mode bit outside 0666, a path that is empty, ends
 *         in '/' or is too long); HFTIPC_ECAPACITY, HFTIPC_ESLOTSIZE, HFTIPC_EMODE,
 *         HFTIPC_ETOOLARGE for bad options; HFTIPC_ENOSPC; HFTIPC_ENOENT (no directory);
 *         HFTIPC_EACCES; HFTIPC_ENOTFILE (a symlink loop in the directory part);
 *         HFTIPC_ECORRUPT (a peer rewrote the cursors between the link and the open);
 *         HFTIPC_ENOMEM; HFTIPC_ESYSTEM.
 * @since 1.0.0
 * Thread safety: any thread.
 */
HFTIPC_API int hftipc_channel_create(const char *path, const hftipc_options_t *opts,
                                     hftipc_role_t role, hftipc_channel_t **out);

/**
 * Open an existing channel file in `role`. The whole header is validated (docs/FORMAT.md,
 * "Checks a reader makes") before anything is mapped; a file that fails is not modified.
 * Producer and consumer roles are exclusive: if a live process holds the role the call fails
 * with HFTIPC_EBUSY; if the holder died, the role is taken over (its epoch increases).
 * A file with unallocated holes inside its geometry (a sparse file: on a full tmpfs, touching a
 * hole raises SIGBUS) has them allocated by a producer or consumer open, which changes no byte,
 * and is refused by an observer, which cannot allocate (docs/FORMAT.md, section 3).
 * @param path the channel file; symlinks are refused.
 * @param role the role the returned handle holds.
 * @param out receives the handle on success; set to NULL on failure.
 * @return HFTIPC_OK; HFTIPC_ENOENT; HFTIPC_EBUSY; HFTIPC_EINVAL; every file-validation status
 *         (HFTIPC_ETRUNCATED ... HFTIPC_ENOTREADY); HFTIPC_ECORRUPT for cursors out of range;
 *         HFTIPC_ENOSPC (producer, consumer: the file's holes cannot be allocated; the file is
 *         not modified); HFTIPC_ESPARSE (observer: the file has holes; any role where the
 *         platform cannot allocate holes without writing, docs/FORMAT.md section 3);
 *         HFTIPC_ENOTFILE;
 *         HFTIPC_EACCES; HFTIPC_ENOMEM; HFTIPC_ESYSTEM; HFTIPC_ESTALE (a retired file,
 * since 1.1.0).
 * @since 1.0.0
 * Thread safety: any thread.
 */
HFTIPC_API int hftipc_channel_open(const char *path, hftipc_role_t role, hftipc_channel_t **out);

/**
 * Open the channel at `path`, creating it first if it does not exist. Safe against concurrent
 * callers: all of them end with the same file. If the file exists, its capacity, slot size and
 * mode must equal the options.
 * A file_mode bit outside 0666 is refused (HFTIPC_EINVAL) even when the file exists.
 * @return as hftipc_channel_create() and hftipc_channel_open(), plus HFTIPC_EMISMATCH.
 * @since 1.0.0
 * Thread safety: any thread.
 */
HFTIPC_API int hftipc_channel_open_or_create(const char *path, const hftipc_options_t *opts,
                                             hftipc_role_t role, hftipc_channel_t **out);

/**
 * Release the role, unmap and free the handle. Messages and cursors stay in the file.
 * @param ch the handle; NULL is accepted and ignored.
 * @return HFTIPC_OK; HFTIPC_ESYSTEM if munmap/close failed (the handle is freed anyway).
 * @since 1.0.0
 * Thread safety: the thread that uses the handle; the handle is invalid afterwards.
 */
HFTIPC_API int hftipc_channel_close(hftipc_channel_t *ch);

/**
 * Retire the channel at `path`, then unlink the path if it still names that file (docs/FORMAT.md,
 * section 15). Every handle on it learns at once, in its slow paths: a send or claim that finds
 * the ring full, a receive that finds it empty (consumers drain what is left first), a blocking
 * wait (sleepers are woken), a heartbeat and stats return HFTIPC_ESTALE from then on. A handle
 * on a file that was unlinked or replaced without this call finds out in its waits, heartbeats
 * and stats (it compares the path with its file). Opening a retired file gives HFTIPC_ESTALE.
 * Idempotent: a file already retired (say, by a process that died before its unlink) is
 * unlinked again.
 * @param path the channel file.
 * @return HFTIPC_OK; HFTIPC_EINVAL; the file-validation statuses of hftipc_channel_open() for a
 *         file that is not a valid channel (nothing is changed): HFTIPC_ENOENT, HFTIPC_ENOTFILE,
 *         HFTIPC_ETRUNCATED ... HFTIPC_ENOTREADY, HFTIPC_ECORRUPT, HFTIPC_ENOSPC, HFTIPC_ESPARSE
 *         (holes the platform cannot allocate, docs/FORMAT.md section 3); HFTIPC_EACCES;
 *         HFTIPC_ENOMEM; HFTIPC_ESYSTEM.
 * @since 1.1.0
 * Thread safety: any thread.
 */
HFTIPC_API int hftipc_channel_remove(const char *path);

/* ---- Producer ----------------------------------------------------------------------------- */

/**
 * Copy one message into the next slot and publish it. Never blocks.
 * @param ch a producer handle.
 * @param msg the bytes; may be NULL when len is 0.
 * @param len 0 to hftipc_channel_max_payload(ch).
 * @return HFTIPC_OK; HFTIPC_EFULL; HFTIPC_ETOOBIG (nothing written); HFTIPC_EROLE;
 *         HFTIPC_EINVAL; HFTIPC_EFENCED; HFTIPC_ECORRUPT if the consumer's cursor (or an MPSC
 *         file's claim cursor) is out of range; HFTIPC_ESTALE when the ring is full and the channel
 * was retired (since 1.1.0).
 * @since 1.0.0
 * Thread safety: one producer thread at a time; wait-free.
 */
HFTIPC_API int hftipc_channel_send(hftipc_channel_t *ch, const void *msg, size_t len);

/**
 * Copy up to `count` messages, laid back to back in `data` with their lengths in `lens`, and
 * publish all that fit with one cursor store. Lengths are checked before anything is written.
 * @param data the concatenated messages; `data_len` bytes long.
 * @param lens `count` message lengths; their sum must not exceed `data_len`.
 * @return the number of messages published (1..count), 0 when count is 0; HFTIPC_EFULL when
 *         none fit; HFTIPC_ETOOBIG if any length exceeds the payload (nothing written);
 *         HFTIPC_EINVAL (also when the lengths add up to more than data_len); HFTIPC_EROLE;
 *         HFTIPC_EFENCED; HFTIPC_ECORRUPT; HFTIPC_ESTALE when full and retired
 * (since 1.1.0).
 * @since 1.0.0
 * Thread safety: one producer thread at a time; wait-free.
 */
HFTIPC_API int64_t hftipc_channel_send_batch(hftipc_channel_t *ch, const void *data,
                                             size_t data_len, const uint32_t *lens, size_t count);

/**
 * Reserve the next slot for writing in place (zero copy). Nothing is visible to the consumer
 * until hftipc_channel_commit(). Claiming again before committing returns the same slot.
 * @param payload receives the address of the slot's payload area.
 * @param capacity receives the payload capacity in bytes (hftipc_channel_max_payload()).
 * @return HFTIPC_OK; HFTIPC_EFULL; HFTIPC_EROLE; HFTIPC_EINVAL; HFTIPC_EFENCED;
 *         HFTIPC_ECORRUPT; HFTIPC_ESTALE when full and retired (since 1.1.0).
 * @since 1.0.0
 * Thread safety: one producer thread at a time; wait-free.
 */
HFTIPC_API int hftipc_channel_try_claim(hftipc_channel_t *ch, void **payload, uint32_t *capacity);

/**
 * Publish the claimed slot with a message of `len` bytes.
 * @return HFTIPC_OK; HFTIPC_ESTATE if no slot is claimed; HFTIPC_ETOOBIG (the claim stays);
 *         HFTIPC_EROLE; HFTIPC_EINVAL; HFTIPC_EFENCED.
 * @since 1.0.0
 * Thread safety: one producer thread at a time; wait-free.
 */
HFTIPC_API int hftipc_channel_commit(hftipc_channel_t *ch, size_t len);

/*
 * Explicit claims (since 1.1.0). A claim is a sequence number the caller holds: it reserves the
 * next slot for writing in place, and nothing is visible until hftipc_channel_commit_claim().
 * hftipc_channel_abort_claim() gives it up and publishes nothing. A handle has at most one claim
 * outstanding, and no other call loses it: claiming again returns the same claim, and a send or
 * send_batch while a claim is outstanding publishes its (first) message into the claimed slot,
 * which uses the claim up. hftipc_channel_try_claim()/hftipc_channel_commit() are the same claim
 * without the sequence number. A producer that dies, or is taken over, while it holds a claim
 * leaves nothing stuck: SPSC claims are not visible; MPSC claims are skipped by the consumer
 * (docs/FORMAT.md, section 13).
 */

/**
 * Claim the next slot for writing in place (zero copy).
 * @param ch a producer handle.
 * @param payload receives the address of the slot's payload area.
 * @param capacity receives the payload capacity in bytes; may be NULL.
 * @return the claim: its sequence number (>= 0), to pass to hftipc_channel_commit_claim() or
 *         hftipc_channel_abort_claim(); HFTIPC_EFULL; HFTIPC_EROLE; HFTIPC_EINVAL;
 *         HFTIPC_ECORRUPT; HFTIPC_EFENCED; HFTIPC_ESTALE when full and retired.
 * @since 1.1.0
 * Thread safety: one producer thread at a time; wait-free.
 */
HFTIPC_API int64_t hftipc_channel_claim(hftipc_channel_t *ch, void **payload, uint32_t *capacity);

/**
 * Publish claim `claim` with a message of `len` bytes written at its payload address.
 * @return HFTIPC_OK; HFTIPC_ESTATE if `claim` is not the handle's outstanding claim (never
 *         claimed, already committed or aborted, or used up by a send); HFTIPC_ETOOBIG (the
 *         claim stays); HFTIPC_EROLE; HFTIPC_EINVAL; HFTIPC_EFENCED.
 * @since 1.1.0
 * Thread safety: one producer thread at a time; wait-free.
 */
HFTIPC_API int hftipc_channel_commit_claim(hftipc_channel_t *ch, int64_t claim, size_t len);

/**
 * Give claim `claim` up: nothing is published. SPSC: the slot is simply not used, so the next
 * claim gets the same sequence number again. MPSC: the slot becomes a skip record, which the
 * consumer and observers pass over without delivering anything (counted in
 * hftipc_info_t.aborted_count); the sequence number is used up.
 * @return HFTIPC_OK; HFTIPC_ESTATE if `claim` is not the handle's outstanding claim;
 *         HFTIPC_EINCOMPAT for an MPSC file created by a 1.0 library, which cannot hold skip
 *         records (the claim stays; commit it, empty if need be); HFTIPC_EROLE; HFTIPC_EINVAL;
 *         HFTIPC_EFENCED.
 * @since 1.1.0
 * Thread safety: one producer thread at a time; wait-free.
 */
HFTIPC_API int hftipc_channel_abort_claim(hftipc_channel_t *ch, int64_t claim);

/* ---- Consumer and observer ---------------------------------------------------------------- */

/**
 * Copy the next message into `buf` and consume it. For an observer, read the next message
 * without consuming it (the observer's position is private to the handle).
 * @param buf destination; may be NULL when buf_len is 0.
 * @return the message length (0 is a valid, empty message); HFTIPC_EEMPTY; HFTIPC_EBUFSIZE
 *         (nothing consumed; hftipc_channel_peek() tells the length); HFTIPC_ECORRUPT;
 *         HFTIPC_ELAPPED (observer only: it skips ahead to the oldest unconsumed message);
 *         HFTIPC_EROLE; HFTIPC_EINVAL; HFTIPC_EFENCED; HFTIPC_ESTALE when the ring is empty and the
 * channel was retired (since 1.1.0).
 * @since 1.0.0
 * Thread safety: one consumer thread at a time; wait-free.
 */
HFTIPC_API int64_t hftipc_channel_receive(hftipc_channel_t *ch, void *buf, size_t buf_len);

/**
 * Copy up to `max_count` messages back to back into `buf`, their lengths into `lens`, and
 * consume them with one cursor store. Stops early at the first message that does not fit.
 * @return the number of messages received (>= 1); HFTIPC_EEMPTY; HFTIPC_EBUFSIZE if the first
 *         message does not fit; HFTIPC_ECORRUPT if the first slot is corrupt (a later corrupt
 *         slot ends the batch early and is reported by the next call); HFTIPC_EROLE
 *         (observers too); HFTIPC_EINVAL (also for max_count 0); HFTIPC_EFENCED; HFTIPC_ESTALE when
 * empty and retired (since 1.1.0).
 * @since 1.0.0
 * Thread safety: one consumer thread at a time; wait-free.
 */
HFTIPC_API int64_t hftipc_channel_receive_batch(hftipc_channel_t *ch, void *buf, size_t buf_len,
                                                uint32_t *lens, size_t max_count);

/**
 * Handler for hftipc_channel_drain(): return 0 to continue, non-zero to stop after this message.
 * `msg` points into the shared mapping and is valid only during the call.
 */
typedef int (*hftipc_handler_fn)(void *ctx, const void *msg, uint32_t len);

/**
 * Hand up to `max_count` messages to `handler` in place (zero copy) and consume them all with
 * one cursor store after the last call. If the process dies inside the batch, the whole batch
 * is delivered again (at-least-once).
 * @return the number of messages handled (>= 1); HFTIPC_EEMPTY; HFTIPC_ECORRUPT (first slot);
 *         HFTIPC_EROLE (observers too); HFTIPC_EINVAL (also for max_count 0); HFTIPC_EFENCED;
 *         HFTIPC_ESTALE when empty and retired (since 1.1.0).
 * @since 1.0.0
 * Thread safety: one consumer thread at a time; wait-free apart from the handler.
 */
HFTIPC_API int64_t hftipc_channel_drain(hftipc_channel_t *ch, hftipc_handler_fn handler, void *ctx,
                                        size_t max_count);

/**
 * Look at the oldest unconsumed message in place without consuming it (zero copy). The pointer
 * stays valid until hftipc_channel_ack() or close. Calling peek again returns the same message.
 * @param payload receives the address of the message bytes in the mapping.
 * @return the message length; HFTIPC_EEMPTY; HFTIPC_ECORRUPT; HFTIPC_EROLE (observers too);
 *         HFTIPC_EINVAL; HFTIPC_EFENCED; HFTIPC_ESTALE when empty and retired
 * (since 1.1.0).
 * @since 1.0.0
 * Thread safety: one consumer thread at a time; wait-free.
 */
HFTIPC_API int64_t hftipc_channel_peek(hftipc_channel_t *ch, const void **payload);

/**
 * Consume the oldest unconsumed message (the one peek returns). Also the way to skip a slot
 * that peek reports as HFTIPC_ECORRUPT. The new position is stored in the file, so a restarted
 * consumer resumes after it.
 * @return HFTIPC_OK; HFTIPC_EEMPTY; HFTIPC_ECORRUPT (an MPSC file's claim cursor, or head in
 *         a format 1.0 file, is out of range); HFTIPC_EROLE (observers too); HFTIPC_EINVAL;
 *         HFTIPC_EFENCED; HFTIPC_ESTALE when empty and retired (since 1.1.0).
 * @since 1.0.0
 * Thread safety: one consumer thread at a time; wait-free.
 */
HFTIPC_API int hftipc_channel_ack(hftipc_channel_t *ch);

/* ---- Blocking waits ------------------------------------------------------------------------ */

/* Timeouts are in nanoseconds; HFTIPC_WAIT_FOREVER waits without limit; 0 only checks once. */
#define HFTIPC_WAIT_FOREVER (-1)

/**
 * Wait until the channel has a message to read (consumer, observer) or a free slot (producer),
 * without burning a core: spin briefly, then yield, then sleep on a shared futex in the file
 * until the peer publishes (docs/FORMAT.md, "Blocking waits"). The peer wakes a sleeper only if
 * one announced itself, so non-blocking calls pay nothing for this. Signals neither lose a
 * wake-up nor shorten or extend the timeout (the deadline is absolute, CLOCK_MONOTONIC).
 * Observers, and peers that cannot wake (older libraries), are polled in 1 ms slices.
 * Also refreshes the handle's heartbeat while it sleeps.
 * @param timeout_ns nanoseconds, 0 for a single check, HFTIPC_WAIT_FOREVER for no limit.
 * @return HFTIPC_OK when ready; HFTIPC_ETIMEDOUT; HFTIPC_EFENCED; HFTIPC_ECORRUPT (a cursor
 *         read from the file is out of range); HFTIPC_EINVAL; HFTIPC_ESTALE (retired, or the path
 * no longer names this file; since 1.1.0).
 * @since 1.0.0
 * Thread safety: the thread that uses the handle.
 */
HFTIPC_API int hftipc_channel_wait(hftipc_channel_t *ch, int64_t timeout_ns);

/**
 * hftipc_channel_send(), waiting up to `timeout_ns` for a free slot.
 * @return as hftipc_channel_send(), plus HFTIPC_ETIMEDOUT instead of HFTIPC_EFULL.
 * @since 1.0.0
 * Thread safety: one producer thread at a time.
 */
HFTIPC_API int hftipc_channel_send_wait(hftipc_channel_t *ch, const void *msg, size_t len,
                                        int64_t timeout_ns);

/**
 * hftipc_channel_receive(), waiting up to `timeout_ns` for a message.
 * @return as hftipc_channel_receive(), plus HFTIPC_ETIMEDOUT instead of HFTIPC_EEMPTY.
 * @since 1.0.0
 * Thread safety: one consumer thread at a time.
 */
HFTIPC_API int64_t hftipc_channel_receive_wait(hftipc_channel_t *ch, void *buf, size_t buf_len,
                                               int64_t timeout_ns);

/* ---- Liveness and takeover ---------------------------------------------------------------- */

/**
 * Record a sign of life in the role's holder record (CLOCK_MONOTONIC). Blocking waits do this
 * by themselves; a holder that is idle for long periods without waiting should call it, so
 * that hftipc_channel_open_takeover() with a staleness limit does not take its role. Since
 * 1.1.0 it also declares the holder idle (docs/FORMAT.md, "Fencing"): a takeover that does
 * find it stale then fences it, instead of ending a holder that went quiet right after an
 * operation.
 * @return HFTIPC_OK; HFTIPC_EFENCED; HFTIPC_EROLE for observers; HFTIPC_EINVAL; HFTIPC_ESTALE
 * (retired, or the path no longer names this file; since 1.1.0).
 * @since 1.0.0
 * Thread safety: the thread that uses the handle; wait-free.
 */
HFTIPC_API int hftipc_channel_heartbeat(hftipc_channel_t *ch);

/**
 * Open as hftipc_channel_open(), but also take the role from a holder whose process still
 * exists when its heartbeat is older than `stale_after_ns` (a stopped process, a paused VM, a
 * process stuck elsewhere). The role's epoch increases, and before the call returns the previous
 * holder is proven unable to touch the ring again: fenced while idle, or ended (the rules are
 * those of hftipc_channel_takeover() without flags). A negative `stale_after_ns` behaves as
 * hftipc_channel_open().
 * @return as hftipc_channel_open(), plus HFTIPC_ENOFENCE (since 1.1.0: a stale holder that can
 *         be neither proven idle nor ended keeps the role; 1.0.0 took it and let its operation
 *         in progress complete).
 * @since 1.0.0
 * Thread safety: any thread.
 */
HFTIPC_API int hftipc_channel_open_takeover(const char *path, hftipc_role_t role,
                                            int64_t stale_after_ns, hftipc_channel_t **out);

/* Flags of hftipc_channel_takeover(). */
#define HFTIPC_TAKEOVER_FORCE                                                                      \
    0x1u /* take the role even when the stale holder cannot be stopped                             \
          */

/**
 * hftipc_channel_open_takeover() with flags. Before it returns HFTIPC_OK the previous holder is
 * proven unable to touch the ring again (docs/FORMAT.md, "Fencing"): dead; or idle, proven by an
 * asymmetric fence, and then fenced (left running, its next operation returns HFTIPC_EFENCED)
 * -- a holder is idle when its last call found the ring full or empty, slept in a blocking
 * wait, or was a heartbeat; or else (it may be inside an operation, or holds a claim) ended
 * with SIGKILL through a pidfd (safe against pid reuse, and only a process that maps the file).
 * When it can be neither proven idle nor ended (another user, another pid namespace, no pidfd), the
 * role stays with it and the call returns HFTIPC_ENOFENCE, unless `flags` has
 * HFTIPC_TAKEOVER_FORCE: then the role is taken and that previous holder may still complete the one
 * operation it was inside (FORMAT.md, section 12). In MPSC files a producer takeover takes a dead
 * or stale producer's record, preferring the one whose claim blocks the consumer, so that claim is
 * recovered.
 * @param flags 0 or HFTIPC_TAKEOVER_FORCE; other bits: HFTIPC_EINVAL.
 * @return as hftipc_channel_open(), plus HFTIPC_ENOFENCE.
 * @since 1.1.0
 * Thread safety: any thread.
 */
HFTIPC_API int hftipc_channel_takeover(const char *path, hftipc_role_t role, int64_t stale_after_ns,
                                       uint32_t flags, hftipc_channel_t **out);

/* ---- Introspection ------------------------------------------------------------------------ */

/* Liveness of a role holder, as seen from the calling process. */
typedef enum hftipc_liveness {
    HFTIPC_PEER_NONE = 0,    /* nobody holds the role */
    HFTIPC_PEER_ALIVE = 1,   /* the holder's process exists (same pid and start time) */
    HFTIPC_PEER_DEAD = 2,    /* the holder's process is gone; the role can be taken over */
    HFTIPC_PEER_UNKNOWN = 3, /* the holder lives in another pid namespace; cannot tell */
} hftipc_liveness_t;

/*
 * A decoded view of a channel file. Set `size` to sizeof(hftipc_info_t) before the call; the
 * library fills at most that many bytes, so the struct can grow at its end in later versions.
 */
typedef struct hftipc_info {
    uint32_t size;
    uint16_t format_major;
    uint16_t format_minor;
    uint64_t compat_flags;
    uint64_t incompat_flags;
    uint32_t capacity;
    uint32_t slot_size;
    uint32_t max_payload;
    uint32_t mode;
    uint64_t file_size;
    uint64_t head;       /* messages ever published */
    uint64_t tail;       /* messages ever consumed */
    uint64_t backlog;    /* head - tail */
    uint64_t full_count; /* sends refused with HFTIPC_EFULL */
    uint64_t created_ns; /* creation time, CLOCK_REALTIME nanoseconds */
    uint32_t creator_pid;
    uint32_t creator_version;   /* HFTIPC_VERSION_NUMBER of the creating library */
    uint32_t producer_pid;      /* 0 when the role is free */
    uint32_t producer_liveness; /* hftipc_liveness_t */
    uint64_t producer_epoch;    /* holders of the role so far */
    uint64_t producer_takeovers;
    uint32_t consumer_pid;
    uint32_t consumer_liveness;
    uint64_t consumer_epoch;
    uint64_t consumer_takeovers;
    /* Format 1.1 fields; 0 when unknown: */
    uint64_t producer_heartbeat_ns; /* CLOCK_MONOTONIC of the producer's last sign of life */
    uint64_t consumer_heartbeat_ns;
    uint32_t producer_waiting; /* producers sleeping for a free slot */
    uint32_t consumer_waiting; /* 1 while the consumer sleeps for a message */
    uint32_t producer_count;   /* producers holding the role (MPSC: records in use; SPSC: 0/1) */
    uint32_t reserved0;
    uint64_t abandoned_count; /* MPSC: claimed slots skipped because their producer died */
    /* Since 1.1.0 (format 1.2 fields; 0 when unknown): */
    uint64_t aborted_count; /* MPSC: aborted claims (skip records) the consumer passed over */
} hftipc_info_t;

/**
 * Decode the state of an open channel: geometry, cursors, counters and role holders.
 * @param info filled up to info->size bytes.
 * @return HFTIPC_OK; HFTIPC_EINVAL; HFTIPC_ESTALE (info is filled; retired, or the path no longer
 * names this file; since 1.1.0).
 * @since 1.0.0
 * Thread safety: the thread that uses the handle; cursors are a momentary snapshot.
 */
HFTIPC_API int hftipc_channel_stats(hftipc_channel_t *ch, hftipc_info_t *info);

/**
 * Read and validate the channel file at `path` without modifying it or taking any role.
 * On a validation failure, the fields decoded before the failing check are filled (at least
 * format_major/minor once the magic matched), so tools can report what they found.
 * A file with holes an observer's open would refuse is reported as HFTIPC_ESPARSE, its fields
 * filled.
 * @return HFTIPC_OK; HFTIPC_EINVAL (NULL path or info, info->size below 4); HFTIPC_ENOENT;
 *         HFTIPC_ENOTFILE; HFTIPC_EACCES; every file-validation status (HFTIPC_ETRUNCATED ...
 *         HFTIPC_ENOTREADY); HFTIPC_ESPARSE; HFTIPC_ECORRUPT for cursors out of range;
 *         HFTIPC_ENOMEM; HFTIPC_ESYSTEM.
 * @since 1.0.0
 * Thread safety: any thread.
 */
HFTIPC_API int hftipc_inspect(const char *path, hftipc_info_t *info);

/** @return the payload capacity of each slot (slot size - 8), or 0 for NULL. @since 1.0.0 */
HFTIPC_API uint32_t hftipc_channel_max_payload(const hftipc_channel_t *ch);

/** @return the number of slots, or 0 for NULL. @since 1.0.0 */
HFTIPC_API uint32_t hftipc_channel_capacity(const hftipc_channel_t *ch);

/** @return the slot size in bytes, or 0 for NULL. @since 1.0.0 */
HFTIPC_API uint32_t hftipc_channel_slot_size(const hftipc_channel_t *ch);

/** @return the role of the handle (hftipc_role_t), or 0 for NULL. @since 1.0.0 */
HFTIPC_API int hftipc_channel_role(const hftipc_channel_t *ch);

/* ---- Discovery ---------------------------------------------------------------------------- */

/*
 * List the channel files of a directory, watch it for channels that appear, change or go away,
 * and open a channel that does not exist yet. Nothing here modifies a file or takes a role
 * (hftipc_channel_open_wait() takes the role it is asked for, once the channel is there).
 * Iterators, not callbacks: each call returns one entry into caller-owned, size-prefixed
 * structs, which cgo and SWIG map directly. See docs/DISCOVERY.md.
 */

/* What kind of directory entry a hftipc_dir_entry_t describes. Symlinks are never followed. */
typedef enum hftipc_entry_type {
    HFTIPC_ENTRY_REGULAR = 1,   /* a regular file: a channel when status is HFTIPC_OK */
    HFTIPC_ENTRY_SYMLINK = 2,   /* a symbolic link (status HFTIPC_ENOTFILE) */
    HFTIPC_ENTRY_DIRECTORY = 3, /* a subdirectory (status HFTIPC_ENOTFILE) */
    HFTIPC_ENTRY_OTHER = 4,     /* a FIFO, socket or device (status HFTIPC_ENOTFILE) */
} hftipc_entry_type_t;

/* What a hftipc_watch_next() event reports about its entry. */
typedef enum hftipc_watch_event {
    HFTIPC_WATCH_ADDED = 1,   /* the name appeared (or was present when the watch opened) */
    HFTIPC_WATCH_CHANGED = 2, /* its status, type, file, geometry or a role holder changed */
    HFTIPC_WATCH_REMOVED = 3, /* the name is gone; the entry holds its last known state */
} hftipc_watch_event_t;

/* Longest file name an entry carries, without the terminating NUL (Linux NAME_MAX). */
#define HFTIPC_NAME_MAX 255

/*
 * One entry of a directory. Set `size` to sizeof(hftipc_dir_entry_t) before the call; the
 * library fills at most that many bytes, so the struct can grow at its end in later versions.
 */
typedef struct hftipc_dir_entry {
    uint32_t size;
    int32_t status; /* HFTIPC_OK for a valid channel file; else the status hftipc_inspect()
                       gives it (HFTIPC_ENOTFILE for anything but a regular file) */
    uint32_t type;  /* hftipc_entry_type_t */
    uint32_t event; /* hftipc_watch_event_t for hftipc_watch_next(); 0 from hftipc_dir_next() */
    uint64_t inode; /* the file's inode: a new value under the same name is a new file */
    uint64_t bytes; /* the file's actual size (st_size); 0 for non-regular entries */
    char name[HFTIPC_NAME_MAX + 1]; /* the name within the directory, NUL-terminated */
} hftipc_dir_entry_t;

typedef struct hftipc_dir_stct hftipc_dir_t;

/**
 * Start listing the directory `dir`: its names are read now (a snapshot, in byte order of the
 * names, "." and ".." left out); each hftipc_dir_next() then examines one of them.
 * @param dir the directory; a symlink to a directory is followed (its entries never are).
 * @param out receives the handle on success; set to NULL on failure.
 * @return HFTIPC_OK; HFTIPC_ENOENT (no such directory); HFTIPC_ENOTFILE (not a directory);
 *         HFTIPC_EACCES; HFTIPC_EINVAL (NULL argument); HFTIPC_ENOMEM; HFTIPC_ESYSTEM.
 * @since 1.1.0
 * Thread safety: any thread; the handle is used by one thread at a time.
 */
HFTIPC_API int hftipc_dir_open(const char *dir, hftipc_dir_t **out);

/**
 * Examine the next name of the listing, as hftipc_inspect() would, without following a
 * symlink, blocking on a FIFO, modifying anything or taking a role. A file that fails
 * validation is an entry like any other, with its status; names removed since
 * hftipc_dir_open() are skipped.
 * @param entry filled up to entry->size bytes (at least 4).
 * @param info filled up to info->size bytes as hftipc_inspect() fills it (zeroed but for
 *             `size` when the entry is not a regular file); may be NULL.
 * @return 1 when `entry` was filled; 0 at the end of the listing; HFTIPC_EINVAL.
 * @since 1.1.0
 * Thread safety: the thread that uses the handle.
 */
HFTIPC_API int hftipc_dir_next(hftipc_dir_t *dir, hftipc_dir_entry_t *entry, hftipc_info_t *info);

/**
 * Free a listing.
 * @param dir the handle; NULL is accepted and ignored.
 * @since 1.1.0
 * Thread safety: the thread that uses the handle; the handle is invalid afterwards.
 */
HFTIPC_API void hftipc_dir_close(hftipc_dir_t *dir);

/* Watch flags. */
#define HFTIPC_WATCH_POLL 0x1u /* do not use inotify: rescan every interval_ns only */

/*
 * Watch options. Always initialise with hftipc_watch_options_init(), then change the fields
 * you need (`size` versions the struct, as in hftipc_options_t).
 */
typedef struct hftipc_watch_options {
    uint32_t size;       /* sizeof(hftipc_watch_options_t), set by hftipc_watch_options_init() */
    uint32_t flags;      /* HFTIPC_WATCH_*; default 0 */
    int64_t interval_ns; /* rescan period: how soon a holder's death is seen (no file event
                            announces it), and the whole detection delay without inotify;
                            default 100 ms; at least 1 ms */
} hftipc_watch_options_t;

/**
 * Fill `opts` with defaults: inotify when available, a rescan every 100 ms.
 * @param opts the struct to fill; NULL is ignored.
 * @since 1.1.0
 * Thread safety: any thread.
 */
HFTIPC_API void hftipc_watch_options_init(hftipc_watch_options_t *opts);

typedef struct hftipc_watch_stct hftipc_watch_t;

/**
 * Watch the directory `dir`. Every entry present now is reported first, as HFTIPC_WATCH_ADDED,
 * so listing and watching leave no gap. The directory is rescanned when inotify reports a
 * change in it (where inotify is unavailable, or with HFTIPC_WATCH_POLL, only by the period)
 * and every interval_ns, since a dying process changes no file; each rescan is compared with
 * the last one. A name created and removed between two rescans may go unreported. If the
 * directory itself is removed, its entries are reported removed and the watch looks for it to
 * come back at each rescan.
 * @param dir the directory to watch.
 * @param opts the options; NULL means the defaults.
 * @param out receives the handle on success; set to NULL on failure.
 * @return HFTIPC_OK; HFTIPC_ENOENT; HFTIPC_ENOTFILE (not a directory); HFTIPC_EACCES;
 *         HFTIPC_EINVAL (NULL argument, bad options); HFTIPC_ENOMEM; HFTIPC_ESYSTEM.
 * @since 1.1.0
 * Thread safety: any thread; the handle is used by one thread at a time, except for
 * hftipc_watch_stop().
 */
HFTIPC_API int hftipc_watch_open(const char *dir, const hftipc_watch_options_t *opts,
                                 hftipc_watch_t **out);

/**
 * Wait up to `timeout_ns` for the next event and describe it: entry->event says what
 * happened, the rest of `entry` and `info` describe the entry now (for HFTIPC_WATCH_REMOVED,
 * as last seen). HFTIPC_WATCH_CHANGED reports a change of status, type, inode, mode, geometry,
 * or a role holder (pid, liveness, epoch, producer count); cursors and counters alone are not
 * events. Signals neither shorten nor extend the timeout (absolute deadline, CLOCK_MONOTONIC).
 * @param timeout_ns nanoseconds, 0 for events already pending or found by one rescan,
 *                   HFTIPC_WAIT_FOREVER for no limit.
 * @param entry filled up to entry->size bytes (at least 4).
 * @param info filled up to info->size bytes; may be NULL.
 * @return 1 when an event was filled; 0 once hftipc_watch_stop() was called (and for every
 *         call after it); HFTIPC_ETIMEDOUT; HFTIPC_EINVAL; HFTIPC_EACCES (the directory can
 *         no longer be read); HFTIPC_ENOMEM; HFTIPC_ESYSTEM.
 * @since 1.1.0
 * Thread safety: the thread that uses the handle.
 */
HFTIPC_API int hftipc_watch_next(hftipc_watch_t *w, int64_t timeout_ns, hftipc_dir_entry_t *entry,
                                 hftipc_info_t *info);

/**
 * Stop the watch: a hftipc_watch_next() blocked in another thread returns 0 promptly, and so
 * does every later call. Idempotent.
 * @return HFTIPC_OK; HFTIPC_EINVAL for NULL.
 * @since 1.1.0
 * Thread safety: any thread, concurrently with hftipc_watch_next(); async-signal-safe. Not
 * concurrently with hftipc_watch_close().
 */
HFTIPC_API int hftipc_watch_stop(hftipc_watch_t *w);

/**
 * Free a watch.
 * @param w the handle; NULL is accepted and ignored.
 * @since 1.1.0
 * Thread safety: the thread that uses the handle, once no other thread uses it (including
 * hftipc_watch_stop()); the handle is invalid afterwards.
 */
HFTIPC_API void hftipc_watch_close(hftipc_watch_t *w);

/**
 * hftipc_channel_open(), waiting up to `timeout_ns` for the channel to exist and be ready:
 * while `path` does not exist (HFTIPC_ENOENT), is empty or shorter than a header
 * (HFTIPC_ETRUNCATED) or has not finished initialisation (HFTIPC_ENOTREADY), the call sleeps,
 * woken by inotify on the directory when a name appears or a file is written, and re-checks
 * a present file that is not ready at intervals growing from 1 ms to 50 ms (its
 * initialisation is a store into its mapping, which no file event announces). Without
 * inotify, or while the directory does not exist, it re-checks every 10 ms. Any other status ends
 * the wait at once. Signals neither shorten nor extend the timeout (absolute deadline,
 * CLOCK_MONOTONIC).
 * @param path the channel file; symlinks are refused.
 * @param role the role the returned handle holds.
 * @param timeout_ns nanoseconds, 0 for a single attempt, HFTIPC_WAIT_FOREVER for no limit.
 * @param out receives the handle on success; set to NULL on failure.
 * @return as hftipc_channel_open(), plus HFTIPC_ETIMEDOUT when the channel was still missing
 *         or not ready at the deadline.
 * @since 1.1.0
 * Thread safety: any thread.
 */
HFTIPC_API int hftipc_channel_open_wait(const char *path, hftipc_role_t role, int64_t timeout_ns,
                                        hftipc_channel_t **out);

#ifdef __cplusplus
}
#endif

#endif /* HFTIPC_H */
