/*
 * SWIG interface for the Java binding of hftipc.
 *
 * Everything SWIG generates from this file is INTERNAL: the classes land in package io.hftipc
 * (set with -package by CMake) and are package-private, so applications only ever see the
 * hand-written facade (Channel, ChannelConfig, ...). Nobody outside the package can name a
 * SWIGTYPE_p_* class.
 *
 * Hot paths do not use SWIG's copying byte-array typemaps (various.i) and make no JNIEnv call:
 * each Java operation is one crossing into a helper that takes addresses as jlong, checks
 * offsets and lengths in C (so a bug in the Java facade cannot turn into a wild memory access)
 * and calls one public core function. See "Hot path" below.
 */
%module hftipc

/* ---- Keep the generated classes package-private ------------------------------------------- */
%pragma(java) moduleclassmodifiers = "final class"
%pragma(java) jniclassclassmodifiers = "final class"
%typemap(javaclassmodifiers) SWIGTYPE, SWIGTYPE *, SWIGTYPE &, SWIGTYPE [], SWIGTYPE (CLASS::*)
    "final class"
%typemap(javaclassmodifiers) enum SWIGTYPE "final class"
/* The JNI class loads the native library itself, so no path can reach a native method first. */
%pragma(java) jniclasscode = %{
  static {
    NativeLoader.load();
  }
%}

%{
#include <errno.h>
#include <string.h>
#include "hftipc.h"
%}

/* 64-bit unsigned fields become Java long (two's complement), not BigInteger: they are
 * counters and cursors that never reach 2^63, and BigInteger would allocate. */
%apply long long { uint64_t };
%apply long long { int64_t };
%apply int { uint32_t };
%apply short { uint16_t };

/* The JNI environment as a hidden argument of the helpers below. */
%typemap(in, numinputs = 0) JNIEnv *jenv "$1 = jenv;"

/* A ByteBuffer passed as the JNI object itself (hj_direct_address). */
%typemap(jni) jobject DIRECT_BUF "jobject"
%typemap(jtype) jobject DIRECT_BUF "java.nio.ByteBuffer"
%typemap(jstype) jobject DIRECT_BUF "java.nio.ByteBuffer"
%typemap(javain) jobject DIRECT_BUF "$javainput"
%typemap(in) jobject DIRECT_BUF "$1 = $input;"

/* ---- The public header -------------------------------------------------------------------- */
/* Functions with out-pointers or callbacks get thin helpers below instead. */
%ignore hftipc_channel_create;
%ignore hftipc_channel_open;
%ignore hftipc_channel_open_or_create;
%ignore hftipc_channel_open_takeover;
%ignore hftipc_channel_takeover;
%ignore hftipc_channel_send_wait;
%ignore hftipc_channel_receive_wait;
%ignore hftipc_channel_send;
%ignore hftipc_channel_send_batch;
%ignore hftipc_channel_try_claim;
%ignore hftipc_channel_claim;
%ignore hftipc_channel_receive;
%ignore hftipc_channel_receive_batch;
%ignore hftipc_channel_drain;
%ignore hftipc_channel_peek;
%ignore hftipc_handler_fn;
%ignore hftipc_options_init;
%ignore hftipc_channel_stats;
%ignore hftipc_inspect;
/* Discovery: the facade (Channels, ChannelWatch, Channel.openWait) uses the hj_* helpers
 * below; stop and close are called as they are. */
%ignore hftipc_dir_open;
%ignore hftipc_dir_next;
%ignore hftipc_watch_options_init;
%ignore hftipc_watch_open;
%ignore hftipc_watch_next;
%ignore hftipc_channel_open_wait;
%ignore hftipc_dir_entry;
%ignore hftipc_watch_options;
%ignore hftipc_entry_type;
%ignore hftipc_watch_event;
%ignore hftipc_entry_type_t;
%ignore hftipc_watch_event_t;
%ignore hj_fill_entry;
%ignore hj_name_bytes;
/* The facade keeps its own table of pinned status values and names (checked by a test). */
%ignore hftipc_status;
%ignore hftipc_role;
%ignore hftipc_mode;
%ignore hftipc_liveness;
%ignore hftipc_options;
%ignore hftipc_info;
/* Macros and enum values would land in a public hftipcConstants interface (SWIG has no pragma
 * for its modifiers): the facade mirrors the few it needs (Status, Role, ChannelConfig). */
%rename("$ignore", regextarget = 1, fullname = 1) "^HFTIPC_[A-Z0-9_]+$";
%ignore hftipc_status_t;
%ignore hftipc_role_t;
%ignore hftipc_mode_t;
%ignore hftipc_liveness_t;
%ignore hj_fill_info;
%ignore hj_range_ok;
%ignore hj_at;
%ignore HJ_BATCH_CHUNK;

#define HFTIPC_API
#define HFTIPC_DEPRECATED(msg)
%include "hftipc.h"

/* ---- Helpers ------------------------------------------------------------------------------ */
%{
/* Out values of open/create: [0] status, [1] errno. */
static hftipc_channel_t *hj_finish_open(int rc, hftipc_channel_t *ch, int *status)
{
    status[0] = rc;
    status[1] = rc == HFTIPC_ESYSTEM ? errno : 0;
    return rc == HFTIPC_OK ? ch : NULL;
}
%}

%typemap(jni) int *STATUS2 "jintArray"
%typemap(jtype) int *STATUS2 "int[]"
%typemap(jstype) int *STATUS2 "int[]"
%typemap(javain) int *STATUS2 "$javainput"
%typemap(in) int *STATUS2 (jint tmp_[2]) {
    if ($input == NULL || (*jenv)->GetArrayLength(jenv, $input) < 2) {
        SWIG_JavaThrowException(jenv, SWIG_JavaIllegalArgumentException, "status array < 2");
        return $null;
    }
    tmp_[0] = tmp_[1] = 0;
    $1 = (int *)tmp_;
}
%typemap(argout) int *STATUS2 { (*jenv)->SetIntArrayRegion(jenv, $input, 0, 2, (jint *)$1); }
%apply int *STATUS2 { int *status };

%inline %{
/* Opens (mode 0), creates (1), opens-or-creates (2) or opens taking over a holder whose
 * heartbeat is older than stale_after_ns, with takeover `flags` (3). Returns the handle, or
 * NULL with the status in status[0] (and errno in status[1] for HFTIPC_ESYSTEM). */
static hftipc_channel_t *hj_open(const char *path, int how, int role, uint32_t capacity,
                                 uint32_t slot_size, uint32_t mode, uint32_t file_mode,
                                 int64_t stale_after_ns, uint32_t flags, int *status)
{
    hftipc_options_t o;
    hftipc_channel_t *ch = NULL;
    int rc;
    hftipc_options_init(&o);
    o.capacity = capacity;
    o.slot_size = slot_size;
    o.mode = mode;
    o.file_mode = file_mode;
    errno = 0;
    switch (how) {
    case 0: rc = hftipc_channel_open(path, (hftipc_role_t)role, &ch); break;
    case 1: rc = hftipc_channel_create(path, &o, (hftipc_role_t)role, &ch); break;
    case 2: rc = hftipc_channel_open_or_create(path, &o, (hftipc_role_t)role, &ch); break;
    case 3:
        rc = hftipc_channel_takeover(path, (hftipc_role_t)role, stale_after_ns, flags, &ch);
        break;
    default: rc = HFTIPC_EINVAL; break;
    }
    return hj_finish_open(rc, ch, status);
}
%}

/* A long[] the C side fills (stats/inspect results); no allocation by C. */
%typemap(jni) (int64_t *OUT_LONGS, int OUT_N) "jlongArray"
%typemap(jtype) (int64_t *OUT_LONGS, int OUT_N) "long[]"
%typemap(jstype) (int64_t *OUT_LONGS, int OUT_N) "long[]"
%typemap(javain) (int64_t *OUT_LONGS, int OUT_N) "$javainput"
%typemap(in) (int64_t *OUT_LONGS, int OUT_N) (jlong tmp_[64]) {
    jsize n_;
    if ($input == NULL) {
        SWIG_JavaThrowException(jenv, SWIG_JavaNullPointerException, "array is null");
        return $null;
    }
    n_ = (*jenv)->GetArrayLength(jenv, $input);
    memset(tmp_, 0, sizeof tmp_);
    $1 = (int64_t *)tmp_;
    $2 = n_ < 64 ? (int)n_ : 64;
}
%typemap(argout) (int64_t *OUT_LONGS, int OUT_N) {
    (*jenv)->SetLongArrayRegion(jenv, $input, 0, (jsize)$2, (jlong *)$1);
}
/* The hj_* helpers that return a name return it as a byte[] they built. */
%typemap(jni) jbyteArray "jbyteArray"
%typemap(jtype) jbyteArray "byte[]"
%typemap(jstype) jbyteArray "byte[]"
%typemap(javaout) jbyteArray { return $jnicall; }
%typemap(out) jbyteArray "$result = $1;"

%inline %{
/* Field order of the long[] filled by hj_stats/hj_inspect; mirrored by Native.INFO_*. */
static void hj_fill_info(const hftipc_info_t *i, int64_t *out, int n)
{
    int64_t v[31];
    int k;
    v[0] = i->format_major;
    v[1] = i->format_minor;
    v[2] = (int64_t)i->compat_flags;
    v[3] = (int64_t)i->incompat_flags;
    v[4] = i->capacity;
    v[5] = i->slot_size;
    v[6] = i->max_payload;
    v[7] = i->mode;
    v[8] = (int64_t)i->file_size;
    v[9] = (int64_t)i->head;
    v[10] = (int64_t)i->tail;
    v[11] = (int64_t)i->backlog;
    v[12] = (int64_t)i->full_count;
    v[13] = (int64_t)i->created_ns;
    v[14] = i->creator_pid;
    v[15] = i->creator_version;
    v[16] = i->producer_pid;
    v[17] = i->producer_liveness;
    v[18] = (int64_t)i->producer_epoch;
    v[19] = (int64_t)i->producer_takeovers;
    v[20] = i->consumer_pid;
    v[21] = i->consumer_liveness;
    v[22] = (int64_t)i->consumer_epoch;
    v[23] = (int64_t)i->consumer_takeovers;
    v[24] = (int64_t)i->producer_heartbeat_ns;
    v[25] = (int64_t)i->consumer_heartbeat_ns;
    v[26] = i->producer_waiting;
    v[27] = i->consumer_waiting;
    v[28] = i->producer_count;
    v[29] = (int64_t)i->abandoned_count;
    v[30] = (int64_t)i->aborted_count;
    for (k = 0; k < n && k < 31; k++)
        out[k] = v[k];
}

static int hj_stats(hftipc_channel_t *ch, int64_t *OUT_LONGS, int OUT_N)
{
    hftipc_info_t info;
    int rc;
    memset(&info, 0, sizeof info);
    info.size = sizeof info;
    rc = hftipc_channel_stats(ch, &info);
    if (rc == HFTIPC_OK)
        hj_fill_info(&info, OUT_LONGS, OUT_N);
    return rc;
}

static int hj_inspect(const char *path, int64_t *OUT_LONGS, int OUT_N)
{
    hftipc_info_t info;
    int rc;
    memset(&info, 0, sizeof info);
    info.size = sizeof info;
    rc = hftipc_inspect(path, &info);
    if (rc == HFTIPC_OK)
        hj_fill_info(&info, OUT_LONGS, OUT_N);
    return rc;
}

/* ---- Hot path: one crossing, one core call, no JNIEnv call ----
 *
 * A Java operation is one JNI crossing into one of these helpers, which checks its arguments
 * and calls ONE public core function; the protocol stays in the core. Buffers arrive as
 * addresses (a jlong): the facade resolves a direct ByteBuffer's address once per buffer
 * (hj_direct_address, the only JNIEnv call, not made again while the same buffer is used) and
 * keeps the buffer reachable while it is cached, so the hot path makes no JNIEnv call at all
 * (one GetDirectBufferAddress costs about 16 ns here, twice the crossing and more than the
 * core's send). Heap arrays are copied by the facade, in Java, into a direct scratch buffer (or
 * out of it) and take the same path: 15-24 ns per operation, against 27-36 ns with
 * Get/SetByteArrayRegion through a stack buffer and 39-43 ns with GetPrimitiveArrayCritical
 * around the core call, whose JNIEnv calls each cost a VM state transition (docs/BENCHMARKS.md,
 * "Java: where the nanoseconds go"). */

/* Checks [off, off+len) within [0, cap). */
static int hj_range_ok(int64_t off, int64_t len, int64_t cap)
{
    return off >= 0 && len >= 0 && off <= cap && len <= cap - off;
}

/* The address of a direct ByteBuffer's memory (its capacity is the Java side's capacity());
 * 0 for a heap buffer or a buffer the JVM gives no address for. Called once per buffer. */
static int64_t hj_direct_address(JNIEnv *jenv, jobject DIRECT_BUF)
{
    if (DIRECT_BUF == NULL)
        return 0;
    return (int64_t)(intptr_t)(*jenv)->GetDirectBufferAddress(jenv, DIRECT_BUF);
}

/* The address base[off], once [off, off+len) is checked within [0, cap); NULL when the range
 * is bad (or base is 0 with a non-empty range), which the callers turn into HFTIPC_EINVAL. */
static uint8_t *hj_at(int64_t base, int64_t cap, int off, int len, int *ok)
{
    *ok = hj_range_ok(off, len, cap) && (base != 0 || len == 0);
    return *ok && base != 0 ? (uint8_t *)(intptr_t)base + off : NULL;
}

/* Sends [base+off, base+off+len) of a buffer of cap bytes. Returns 0 or a negative status. */
static int hj_send_addr(hftipc_channel_t *ch, int64_t base, int64_t cap, int off, int len)
{
    int ok;
    const uint8_t *p = hj_at(base, cap, off, len, &ok);
    return ok ? hftipc_channel_send(ch, p, (size_t)len) : HFTIPC_EINVAL;
}

/* hj_send_addr, waiting up to timeout_ns (>= 0) for a free slot: HFTIPC_ETIMEDOUT when none. */
static int hj_send_wait_addr(hftipc_channel_t *ch, int64_t base, int64_t cap, int off, int len,
                             int64_t timeout_ns)
{
    int ok;
    const uint8_t *p = hj_at(base, cap, off, len, &ok);
    if (!ok || timeout_ns < 0)
        return HFTIPC_EINVAL;
    return hftipc_channel_send_wait(ch, p, (size_t)len, timeout_ns);
}

/* Receives into [base+off, base+off+len). Returns the length or a negative status. */
static int64_t hj_receive_addr(hftipc_channel_t *ch, int64_t base, int64_t cap, int off,
                               int len)
{
    int ok;
    uint8_t *p = hj_at(base, cap, off, len, &ok);
    return ok ? hftipc_channel_receive(ch, p, (size_t)len) : HFTIPC_EINVAL;
}

/* hj_receive_addr, waiting up to timeout_ns (>= 0) for a message: HFTIPC_ETIMEDOUT when none. */
static int64_t hj_receive_wait_addr(hftipc_channel_t *ch, int64_t base, int64_t cap, int off,
                                    int len, int64_t timeout_ns)
{
    int ok;
    uint8_t *p = hj_at(base, cap, off, len, &ok);
    if (!ok || timeout_ns < 0)
        return HFTIPC_EINVAL;
    return hftipc_channel_receive_wait(ch, p, (size_t)len, timeout_ns);
}

/* ---- Batches ---- */

#define HJ_BATCH_CHUNK 256

/* Sends `count` messages laid back to back in [base+off, base+off+len), their lengths in
 * lens[lens_off, lens_off+count). Publishes in chunks of HJ_BATCH_CHUNK (one cursor store and
 * one GetIntArrayRegion each); stops at the first chunk that does not fit whole. Returns the
 * number published, or a status when none was. */
static int64_t hj_send_batch_addr(JNIEnv *jenv, hftipc_channel_t *ch, int64_t base, int64_t cap,
                                  int off, int len, jintArray lens, int lens_off, int count)
{
    uint32_t l[HJ_BATCH_CHUNK];
    const uint8_t *p;
    size_t left;
    int64_t total = 0;
    int ok;
    if (lens == NULL ||
        !hj_range_ok(lens_off, count, (*jenv)->GetArrayLength(jenv, lens)))
        return HFTIPC_EINVAL;
    p = hj_at(base, cap, off, len, &ok);
    if (!ok)
        return HFTIPC_EINVAL;
    left = (size_t)len;
    while (total < count) {
        int n = count - (int)total < HJ_BATCH_CHUNK ? count - (int)total : HJ_BATCH_CHUNK;
        size_t bytes = 0;
        int64_t sent;
        int i;
        (*jenv)->GetIntArrayRegion(jenv, lens, (jsize)(lens_off + total), n, (jint *)l);
        for (i = 0; i < n; i++) {
            if ((int32_t)l[i] < 0)
                return total > 0 ? total : HFTIPC_EINVAL;
        }
        sent = hftipc_channel_send_batch(ch, p, left, l, (size_t)n);
        if (sent < 0)
            return total > 0 ? total : sent;
        for (i = 0; i < sent; i++)
            bytes += l[i];
        if (bytes > 0) /* p may be NULL (len 0), and NULL + 0 is undefined */
            p += bytes;
        left -= bytes;
        total += sent;
        if (sent < n)
            break;
    }
    return total;
}

/* Receives up to `max` messages back to back into [base+off, base+off+len), their lengths into
 * lens[lens_off, lens_off+max). Returns the number received (0 never: HFTIPC_EEMPTY), or a
 * status when none was. */
static int64_t hj_receive_batch_addr(JNIEnv *jenv, hftipc_channel_t *ch, int64_t base,
                                     int64_t cap, int off, int len, jintArray lens,
                                     int lens_off, int max)
{
    uint32_t l[HJ_BATCH_CHUNK];
    uint8_t *p;
    size_t left;
    int64_t total = 0;
    int ok;
    if (lens == NULL || max <= 0 ||
        !hj_range_ok(lens_off, max, (*jenv)->GetArrayLength(jenv, lens)))
        return HFTIPC_EINVAL;
    p = hj_at(base, cap, off, len, &ok);
    if (!ok)
        return HFTIPC_EINVAL;
    left = (size_t)len;
    while (total < max) {
        int n = max - (int)total < HJ_BATCH_CHUNK ? max - (int)total : HJ_BATCH_CHUNK;
        size_t bytes = 0;
        int64_t got = hftipc_channel_receive_batch(ch, p, left, l, (size_t)n);
        int i;
        if (got < 0)
            return total > 0 ? total : got;
        (*jenv)->SetIntArrayRegion(jenv, lens, (jsize)(lens_off + total), (jsize)got,
                                   (const jint *)l);
        for (i = 0; i < got; i++)
            bytes += l[i];
        if (bytes > 0) /* p may be NULL (len 0), and NULL + 0 is undefined */
            p += bytes;
        left -= bytes;
        total += got;
        if (got < n)
            break;
    }
    return total;
}

/* ---- Zero copy ----
 * The slot address comes back through `out`, the address of 8 bytes of native memory the
 * facade owns (a direct buffer resolved once), not through a Java array: no JNIEnv call. */

/* Claims the next slot (or returns the outstanding claim): returns the claim's sequence
 * (>= 0) and stores its payload address at out; or a negative status. */
static int64_t hj_claim_addr(hftipc_channel_t *ch, int64_t out)
{
    void *slot = NULL;
    int64_t claim;
    if (out == 0)
        return HFTIPC_EINVAL;
    claim = hftipc_channel_claim(ch, &slot, NULL);
    if (claim >= 0) {
        int64_t a = (int64_t)(intptr_t)slot;
        memcpy((void *)(intptr_t)out, &a, sizeof a);
    }
    return claim;
}

/* Peeks at the next message: returns its length (>= 0) and stores its address at out; or a
 * negative status. */
static int64_t hj_peek_addr(hftipc_channel_t *ch, int64_t out)
{
    const void *msg = NULL;
    int64_t n;
    if (out == 0)
        return HFTIPC_EINVAL;
    n = hftipc_channel_peek(ch, &msg);
    if (n >= 0) {
        int64_t a = (int64_t)(intptr_t)msg;
        memcpy((void *)(intptr_t)out, &a, sizeof a);
    }
    return n;
}

/* A direct ByteBuffer over [addr, addr+cap) of the mapping. Called once per slot per channel
 * by the facade (views are cached), never per message. */
static jobject hj_view(JNIEnv *jenv, int64_t addr, int cap)
{
    if (addr <= 0 || cap < 0)
        return NULL;
    return (*jenv)->NewDirectByteBuffer(jenv, (void *)(intptr_t)addr, (jlong)cap);
}
%}

/* ---- Discovery ---- */
%inline %{
/* Field order of the long[] filled by hj_dir_next/hj_watch_next; mirrored by ChannelEntry:
 * [0] status, [1] type, [2] event, [3] inode, [4] size, [5..35] as hj_fill_info. */
static void hj_fill_entry(const hftipc_dir_entry_t *e, const hftipc_info_t *i, int64_t *out,
                          int n)
{
    int64_t v[5];
    int k;
    v[0] = e->status;
    v[1] = e->type;
    v[2] = e->event;
    v[3] = (int64_t)e->inode;
    v[4] = (int64_t)e->bytes;
    for (k = 0; k < n && k < 5; k++)
        out[k] = v[k];
    if (n > 5)
        hj_fill_info(i, out + 5, n - 5);
}

/* A file name as raw bytes: names need not be valid (modified) UTF-8, which NewStringUTF
 * requires; the facade decodes them with the JVM's file-name charset. */
static jbyteArray hj_name_bytes(JNIEnv *jenv, const char *name)
{
    jsize n = (jsize)strnlen(name, HFTIPC_NAME_MAX);
    jbyteArray a = (*jenv)->NewByteArray(jenv, n);
    if (a != NULL)
        (*jenv)->SetByteArrayRegion(jenv, a, 0, n, (const jbyte *)name);
    return a;
}

static hftipc_dir_t *hj_dir_open(const char *dir, int *status)
{
    hftipc_dir_t *d = NULL;
    int rc;
    errno = 0;
    rc = hftipc_dir_open(dir, &d);
    status[0] = rc;
    status[1] = rc == HFTIPC_ESYSTEM ? errno : 0;
    return rc == HFTIPC_OK ? d : NULL;
}

/* The next entry's name, its fields in the long[]; NULL at the end (out[0] = 0) or on an
 * error (out[0] = the status). */
static jbyteArray hj_dir_next(JNIEnv *jenv, hftipc_dir_t *d, int64_t *OUT_LONGS, int OUT_N)
{
    hftipc_dir_entry_t e;
    hftipc_info_t info;
    int rc;
    memset(&e, 0, sizeof e);
    memset(&info, 0, sizeof info);
    e.size = sizeof e;
    info.size = sizeof info;
    rc = hftipc_dir_next(d, &e, &info);
    if (rc != 1) {
        if (OUT_N > 0)
            OUT_LONGS[0] = rc;
        return NULL;
    }
    hj_fill_entry(&e, &info, OUT_LONGS, OUT_N);
    return hj_name_bytes(jenv, e.name);
}

static hftipc_watch_t *hj_watch_open(const char *dir, int64_t interval_ns, int poll, int *status)
{
    hftipc_watch_options_t o;
    hftipc_watch_t *w = NULL;
    int rc;
    hftipc_watch_options_init(&o);
    if (interval_ns > 0)
        o.interval_ns = interval_ns;
    if (poll)
        o.flags |= HFTIPC_WATCH_POLL;
    errno = 0;
    rc = hftipc_watch_open(dir, &o, &w);
    status[0] = rc;
    status[1] = rc == HFTIPC_ESYSTEM ? errno : 0;
    return rc == HFTIPC_OK ? w : NULL;
}

/* The next event's name, its fields in the long[]; NULL with out[0] = 0 once stopped, or the
 * status (HFTIPC_ETIMEDOUT, an error). */
static jbyteArray hj_watch_next(JNIEnv *jenv, hftipc_watch_t *w, int64_t timeout_ns,
                             int64_t *OUT_LONGS, int OUT_N)
{
    hftipc_dir_entry_t e;
    hftipc_info_t info;
    int rc;
    memset(&e, 0, sizeof e);
    memset(&info, 0, sizeof info);
    e.size = sizeof e;
    info.size = sizeof info;
    rc = hftipc_watch_next(w, timeout_ns, &e, &info);
    if (rc != 1) {
        if (OUT_N > 0)
            OUT_LONGS[0] = rc;
        return NULL;
    }
    hj_fill_entry(&e, &info, OUT_LONGS, OUT_N);
    return hj_name_bytes(jenv, e.name);
}

static hftipc_channel_t *hj_open_wait(const char *path, int role, int64_t timeout_ns,
                                      int *status)
{
    hftipc_channel_t *ch = NULL;
    int rc;
    errno = 0;
    rc = hftipc_channel_open_wait(path, (hftipc_role_t)role, timeout_ns, &ch);
    return hj_finish_open(rc, ch, status);
}
%}
