/* The status table: one row per pinned hftipc_status_t value. */
#include "hftipc.h"

#define HFTIPC__STATUS_MAP(X)                                                                      \
    X(HFTIPC_OK, "success")                                                                        \
    X(HFTIPC_EFULL, "channel is full")                                                             \
    X(HFTIPC_EEMPTY, "channel is empty")                                                           \
    X(HFTIPC_ETOOBIG, "message larger than the slot payload")                                      \
    X(HFTIPC_EBUFSIZE, "buffer too small for the message")                                         \
    X(HFTIPC_EINVAL, "invalid argument")                                                           \
    X(HFTIPC_EROLE, "operation not permitted for this role")                                       \
    X(HFTIPC_EBUSY, "role is held by another live process")                                        \
    X(HFTIPC_EEXIST, "file already exists")                                                        \
    X(HFTIPC_ENOENT, "no such file or directory")                                                  \
    X(HFTIPC_EMISMATCH, "existing channel's geometry differs from the options")                    \
    X(HFTIPC_ECORRUPT, "shared state is corrupt (cursor or slot length out of range)")             \
    X(HFTIPC_ETRUNCATED, "file is shorter than the channel header")                                \
    X(HFTIPC_EBADMAGIC, "not a channel file (bad magic)")                                          \
    X(HFTIPC_EVERSION, "unsupported channel format major version")                                 \
    X(HFTIPC_EINCOMPAT, "unknown incompatible feature flag")                                       \
    X(HFTIPC_ECAPACITY, "capacity is zero, not a power of two, or too large")                      \
    X(HFTIPC_ESLOTSIZE, "slot size out of range or not a multiple of 8")                           \
    X(HFTIPC_EHEADERSIZE, "header size field is invalid")                                          \
    X(HFTIPC_EMODE, "unknown channel mode")                                                        \
    X(HFTIPC_ETOOLARGE, "capacity x slot size exceeds the file size limit")                        \
    X(HFTIPC_ESIZE, "file size disagrees with the channel geometry")                               \
    X(HFTIPC_ENOTREADY, "channel header was never fully initialized")                              \
    X(HFTIPC_ENOSPC, "no space left on device")                                                    \
    X(HFTIPC_EACCES, "permission denied")                                                          \
    X(HFTIPC_ENOTFILE, "not a regular file (symlink, directory or device)")                        \
    X(HFTIPC_ESYSTEM, "system call failed (see errno)")                                            \
    X(HFTIPC_ENOMEM, "out of memory")                                                              \
    X(HFTIPC_ELAPPED, "observer was overtaken by the producer")                                    \
    X(HFTIPC_ESTATE, "no slot is claimed")                                                         \
    X(HFTIPC_ETIMEDOUT, "timed out")                                                               \
    X(HFTIPC_EFENCED, "role was taken over by another process; this handle is fenced")             \
    X(HFTIPC_ENOFENCE,                                                                             \
      "takeover refused: the stale holder may still be writing and cannot be stopped (another "    \
      "user or pid namespace); retry, or force it")                                                \
    X(HFTIPC_ESPARSE,                                                                              \
      "file has unallocated holes; an observer cannot map it safely; open it once as producer "    \
      "or consumer to allocate")                                                                   \
    X(HFTIPC_ESTALE,                                                                               \
      "channel retired, or its path no longer names this file (removed or replaced); open the "    \
      "path again")

#define HFTIPC__STATUS_COUNT (1 - HFTIPC_STATUS_MIN)

static const char *const status_names[HFTIPC__STATUS_COUNT] = {
#define X(code, text) [-(code)] = #code,
    HFTIPC__STATUS_MAP(X)
#undef X
};

static const char *const status_texts[HFTIPC__STATUS_COUNT] = {
#define X(code, text) [-(code)] = text,
    HFTIPC__STATUS_MAP(X)
#undef X
};

/* Each row must fill exactly one index: a missing or duplicated code fails to compile here. */
#define X(code, text) +1
_Static_assert(0 HFTIPC__STATUS_MAP(X) == HFTIPC__STATUS_COUNT, "status table out of sync");
#undef X

const char *hftipc_strerror(int64_t status)
{
    if (status > 0 || status < HFTIPC_STATUS_MIN || status_texts[-status] == NULL)
        return "unknown hftipc status";
    return status_texts[-status];
}

const char *hftipc_err_name(int64_t status)
{
    if (status > 0 || status < HFTIPC_STATUS_MIN || status_names[-status] == NULL)
        return "HFTIPC_E?";
    return status_names[-status];
}
