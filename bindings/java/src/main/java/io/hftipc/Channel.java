package io.hftipc;

import java.lang.ref.Reference;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.ReadOnlyBufferException;
import java.nio.channels.NonReadableChannelException;
import java.nio.channels.NonWritableChannelException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * A handle on an hftipc channel: a lock-free message ring in a memory-mapped file shared
 * between processes.
 *
 * <p>A handle holds one {@link Role}. The producer {@linkplain #offer(ByteBuffer) offers}
 * messages; the consumer {@linkplain #poll(ByteBuffer) polls} them; observers read without
 * consuming. Full and empty are ordinary outcomes, reported by return values ({@code false},
 * {@code -1}, {@code null}); exceptions mean misuse or a broken file ({@link HftipcException}).
 *
 * <pre>{@code
 * try (Channel tx = Channel.create(path, ChannelConfig.defaults(), Role.PRODUCER)) {
 *     tx.offer(ByteBuffer.wrap("hello".getBytes(StandardCharsets.UTF_8)));
 * }
 * }</pre>
 *
 * <h2>Threads</h2>
 *
 * A {@code Channel} is <b>not</b> thread-safe: use each handle from one thread at a time (the
 * producer in one thread and the consumer in another, each with its own handle, is the normal
 * case). {@link #close()} must not run concurrently with another operation on the same handle.
 *
 * <h2>Zero copy</h2>
 *
 * {@link #claim()} (with {@link #claimBuffer(long)}), {@link #tryClaim()} and {@link #peek()}
 * give {@link ByteBuffer} views that alias the shared mapping. A claimed view is valid until the
 * claim is committed or aborted (or used up by the next {@code offer}); a peeked view until
 * {@link #ack()}; both until {@link #close()}. The binding empties a view's
 * limit when it stops being valid, but a view kept past {@code close()} points at unmapped
 * memory: never touch it then. Views are cached per slot, so the hot path does not allocate.
 *
 * <h2>Allocation</h2>
 *
 * {@code offer}, {@code poll}, {@code claim}/{@code commit}/{@code abort}, {@code tryClaim},
 * {@code peek}/{@code ack} and the batch calls allocate nothing per message (after the first
 * lap of the ring for the zero-copy views). Heap buffers and arrays are copied through a
 * per-channel direct scratch buffer, allocated on first use.
 *
 * <h2>Cost</h2>
 *
 * Every operation is one JNI crossing into one core function and, with a direct buffer, no
 * other call into the JVM: the buffer's address is looked up once and cached while the same
 * buffer is passed again (the handle keeps a reference to the last one). Reuse one direct
 * buffer per handle on the hot path.
 */
public final class Channel implements AutoCloseable {
    /* Indexes into the long[] filled by the native stats/inspect helpers. */
    static final int I_HEAD = 9;
    static final int I_TAIL = 10;
    static final int I_BACKLOG = 11;
    static final int I_FULL = 12;
    static final int INFO_FIELDS = 31;

    /** Longest single native wait: bounds how late an interrupt is noticed. */
    static final long WAIT_SLICE_NANOS = 50_000_000L;
    /** A deadline that never passes. */
    private static final long FOREVER = Long.MAX_VALUE;

    /** Largest capacity for which zero-copy views are cached per slot. */
    private static final int MAX_CACHED_VIEWS = 1 << 16;

    private static final int OPEN = 0;
    private static final int CREATE = 1;
    private static final int OPEN_OR_CREATE = 2;
    private static final int OPEN_TAKEOVER = 3;

    private SWIGTYPE_p_hftipc_channel_stct handle; // null once closed
    private final Path path;
    private final Role role;
    private final int capacity;
    private final int slotSize;
    private final int maxPayload;

    /* Zero-copy views, one per slot, created lazily; indexed relative to the first address
     * seen (slots are slotSize apart, so the index is exact modulo capacity). */
    private final ByteBuffer[] views;
    private long viewBase;
    private ByteBuffer claimed; // the view of the outstanding claim, or null
    private long claimSeq = NO_CLAIM; // the outstanding claim's sequence
    private ByteBuffer peeked;

    /* Every operation is one JNI crossing that passes addresses as longs and makes no JNIEnv
     * call. A direct buffer's address is resolved once per buffer (one JNIEnv call) and cached
     * with the buffer: the field keeps the buffer, so its memory, reachable while its address
     * is in use; a different buffer replaces it. */
    private ByteBuffer addressed;
    private long address;
    /* Heap arrays and heap buffers are copied (in Java, no JNIEnv call) into or out of this
     * direct scratch buffer around the crossing: created on first use, grown to the largest
     * message (at most maxPayload bytes). */
    private ByteBuffer scratch;
    private long scratchAddress;
    /* Eight bytes of native memory into which claim and peek store the slot's address. */
    private final ByteBuffer slotOut = ByteBuffer.allocateDirect(8).order(ByteOrder.nativeOrder());
    private final long slotOutAddress;

    /** What {@link #claim()} returns when the ring is full: never a claim. */
    public static final long NO_CLAIM = -1;

    private Channel(SWIGTYPE_p_hftipc_channel_stct handle, Path path) {
        this.handle = handle;
        this.path = path;
        this.role = Role.fromCode(hftipc.hftipc_channel_role(handle));
        this.capacity = hftipc.hftipc_channel_capacity(handle);
        this.slotSize = hftipc.hftipc_channel_slot_size(handle);
        this.maxPayload = hftipc.hftipc_channel_max_payload(handle);
        this.views = capacity <= MAX_CACHED_VIEWS ? new ByteBuffer[capacity] : null;
        this.slotOutAddress = hftipc.hj_direct_address(slotOut);
    }

    // ---- Lifecycle ---------------------------------------------------------------------------

    /**
     * Creates a new channel file and opens it. The file appears at {@code path} only once fully
     * initialised; when several processes race, exactly one create succeeds.
     *
     * @param path the file to create; its directory must exist (e.g. {@code /dev/shm/quotes})
     * @param config geometry and permissions
     * @param role the role of the returned handle
     * @return the open channel
     * @throws ChannelExistsException if the path exists
     * @throws ChannelNotFoundException if the directory does not exist
     * @throws HftipcException for other failures (permissions, space, ...)
     */
    public static Channel create(Path path, ChannelConfig config, Role role) {
        return open(CREATE, "create", path, config, role);
    }

    /**
     * Opens an existing channel file. The whole header is validated before anything is mapped.
     * Producer and consumer are exclusive roles: a role held by a dead process is taken over.
     *
     * @param path the channel file; symlinks are refused
     * @param role the role of the returned handle
     * @return the open channel
     * @throws ChannelNotFoundException if there is no such file
     * @throws ChannelBusyException if a live process holds the role
     * @throws ChannelFormatException if the file is not a valid channel file
     * @throws ChannelCorruptException if its cursors are out of range
     * @throws HftipcException for other failures
     */
    public static Channel open(Path path, Role role) {
        return open(OPEN, "open", path, ChannelConfig.defaults(), role);
    }

    /**
     * Opens the channel at {@code path}, creating it first if it does not exist. Safe against
     * concurrent callers: all of them end up with the same file.
     *
     * @param path the channel file
     * @param config geometry and permissions; an existing file must have the same geometry
     * @param role the role of the returned handle
     * @return the open channel
     * @throws ChannelMismatchException if an existing file's geometry differs from config
     * @throws HftipcException as {@link #create} and {@link #open}
     */
    public static Channel openOrCreate(Path path, ChannelConfig config, Role role) {
        return open(OPEN_OR_CREATE, "openOrCreate", path, config, role);
    }

    private static Channel open(int how, String op, Path path, ChannelConfig config, Role role) {
        return open(how, op, path, config, role, -1, 0);
    }

    private static Channel open(int how, String op, Path path, ChannelConfig config, Role role,
            long staleAfterNanos, int takeoverFlags) {
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(config, "config");
        Objects.requireNonNull(role, "role");
        int[] status = new int[2];
        SWIGTYPE_p_hftipc_channel_stct h =
                hftipc.hj_open(
                        path.toString(),
                        how,
                        role.code,
                        config.capacity(),
                        config.slotSize(),
                        config.mode().code,
                        config.fileMode(),
                        staleAfterNanos,
                        takeoverFlags,
                        status);
        if (h == null) {
            throw HftipcException.of(status[0], op, path, errnoDetail(status[1]));
        }
        return new Channel(h, path);
    }

    /**
     * Opens an existing channel file like {@link #open(Path, Role)}, but also takes the role from
     * a holder whose process still exists when its heartbeat is older than {@code staleAfter}:
     * a stopped process, a paused VM, a process stuck elsewhere. The role's epoch increases, and
     * before this returns the previous holder is proven unable to touch the ring again:
     *
     * <ul>
     *   <li>a holder idle between two operations is <em>fenced</em> and left running: its next
     *       operation throws {@link ChannelFencedException}, and it can publish or consume
     *       nothing more;
     *   <li>a holder inside an operation or holding a claim ({@link #claim()},
     *       {@link #tryClaim()}) is <em>ended</em>: its process gets {@code SIGKILL} (through a
     *       pidfd, so a reused pid is never signalled), and this waits until it has exited;
     *   <li>a holder that can be neither (it runs as another user or in another pid namespace)
     *       keeps the role: {@link ChannelNoFenceException}. Retry later, or pass
     *       {@link TakeoverOption#FORCE} to {@link #openTakeover(Path, Role, Duration,
     *       TakeoverOption...)}.
     * </ul>
     *
     * So no message the new holder publishes is lost, overwritten or reordered by the old one,
     * and the cursors never move backwards. In an MPSC channel a producer takeover takes the
     * record of a dead or stale producer, preferring the one whose claim holds up the consumer,
     * so that claim is skipped and the channel moves on.
     *
     * <p>A holder shows signs of life when it opens, calls {@link #heartbeat()}, or sleeps in a
     * blocking call ({@link #send(ByteBuffer, Duration)}, {@link #receive(ByteBuffer, Duration)},
     * {@link #await(Duration)}). A holder that is idle for long periods otherwise must call
     * {@code heartbeat()} more often than the {@code staleAfter} its peers use. A holder in the
     * same process is never taken over ({@link ChannelBusyException}).
     *
     * @param path the channel file
     * @param role {@link Role#PRODUCER} or {@link Role#CONSUMER} (for an observer this is
     *     {@link #open(Path, Role)})
     * @param staleAfter how old the holder's last heartbeat must be; negative behaves as
     *     {@link #open(Path, Role)}
     * @return the open channel
     * @throws ChannelNoFenceException if the stale holder can be neither proven idle nor ended
     * @throws ChannelBusyException if a live process holds the role and its heartbeat is recent
     * @throws HftipcException as {@link #open(Path, Role)}
     */
    public static Channel openTakeover(Path path, Role role, Duration staleAfter) {
        return openTakeover(path, role, staleAfter, NO_OPTIONS);
    }

    private static final TakeoverOption[] NO_OPTIONS = {};

    /**
     * {@link #openTakeover(Path, Role, Duration)} with options. With
     * {@link TakeoverOption#FORCE} the role is taken even from a stale holder that can be
     * neither proven idle nor ended; that holder may then still complete the one operation it
     * was inside when it resumes (a producer may write the slots it had claimed and move the
     * head once, which can overwrite or reorder messages of the new holder; a consumer may move
     * the tail back by one batch, which delivers those messages again: docs/FORMAT.md section
     * 12). Every later operation of it throws {@link ChannelFencedException}.
     *
     * @param path the channel file
     * @param role {@link Role#PRODUCER} or {@link Role#CONSUMER}
     * @param staleAfter how old the holder's last heartbeat must be; negative behaves as
     *     {@link #open(Path, Role)}
     * @param options takeover options; none is {@link #openTakeover(Path, Role, Duration)}
     * @return the open channel
     * @throws ChannelNoFenceException without {@code FORCE}, if the stale holder can be neither
     *     proven idle nor ended
     * @throws ChannelBusyException if a live process holds the role and its heartbeat is recent
     * @throws HftipcException as {@link #open(Path, Role)}
     */
    public static Channel openTakeover(
            Path path, Role role, Duration staleAfter, TakeoverOption... options) {
        Objects.requireNonNull(staleAfter, "staleAfter");
        int flags = 0;
        for (TakeoverOption o : options) {
            flags |= Objects.requireNonNull(o, "option").flag;
        }
        return open(OPEN_TAKEOVER, "openTakeover", path, ChannelConfig.defaults(), role,
                saturatedNanos(staleAfter), flags);
    }

    /**
     * Opens the channel at {@code path} like {@link #open(Path, Role)}, waiting up to {@code
     * timeout} for it to be created and initialised if it is not there yet (or is empty, or not
     * yet initialised). The native wait sleeps on inotify for the directory, no polling loop,
     * in slices of at most 50 ms so that an interrupt is noticed; a file that appears in
     * between is found by the next slice's first attempt.
     *
     * @param path the channel file; symlinks are refused
     * @param role the role of the returned handle
     * @param timeout the longest wait; zero or negative makes a single attempt
     * @return the open channel
     * @throws ChannelTimeoutException if the channel was still missing or not ready in time
     * @throws InterruptedException if the thread is interrupted while waiting
     * @throws ChannelBusyException if a live process holds the role (not waited for)
     * @throws ChannelFormatException if the file is not a valid channel file
     * @throws HftipcException for other failures, as {@link #open(Path, Role)}
     */
    public static Channel openWait(Path path, Role role, Duration timeout)
            throws InterruptedException {
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(role, "role");
        Objects.requireNonNull(timeout, "timeout");
        long deadline = deadline(timeout);
        int[] status = new int[2];
        while (true) {
            if (Thread.interrupted()) {
                throw new InterruptedException();
            }
            long left = deadline == FOREVER ? WAIT_SLICE_NANOS : deadline - System.nanoTime();
            long slice = Math.max(0, Math.min(left, WAIT_SLICE_NANOS));
            SWIGTYPE_p_hftipc_channel_stct h =
                    hftipc.hj_open_wait(path.toString(), role.code, slice, status);
            if (h != null) {
                return new Channel(h, path);
            }
            if (status[0] != Status.ETIMEDOUT) {
                throw HftipcException.of(status[0], "openWait", path, errnoDetail(status[1]));
            }
            if (deadline != FOREVER && left <= WAIT_SLICE_NANOS) {
                throw new ChannelTimeoutException(status[0], "openWait", path,
                        "waited " + timeout);
            }
        }
    }

    private static String errnoDetail(int errno) {
        return errno != 0 ? "errno " + errno : null;
    }

    /**
     * Retires the channel at {@code path}, then unlinks the path if it still names that file
     * (docs/FORMAT.md, section 15). Every channel open on it learns at once, in its slow paths:
     * an offer that finds the ring full, a poll that finds it empty (a consumer drains what is
     * left first), a blocking call (sleepers are woken), a heartbeat and stats throw a
     * {@link HftipcException} with status {@link Status#ESTALE} from then on. Removing a file that
     * is already retired unlinks it again.
     *
     * @param path the channel file
     * @throws ChannelNotFoundException if there is no such file
     * @throws ChannelFormatException if the file is not a valid channel file (it is not changed)
     * @throws HftipcException for other failures
     */
    public static void remove(Path path) {
        Objects.requireNonNull(path, "path");
        int rc = hftipc.hftipc_channel_remove(path.toString());
        if (rc != Status.OK) {
            throw HftipcException.of(rc, "remove", path, null);
        }
    }

    /**
     * Reads and validates the channel file at {@code path} without modifying it or taking a
     * role.
     *
     * @param path the channel file
     * @return the decoded header, cursors and role holders
     * @throws ChannelFormatException if the file is not a valid channel file
     * @throws ChannelNotFoundException if there is no such file
     * @throws HftipcException for other failures
     */
    public static ChannelInfo inspect(Path path) {
        Objects.requireNonNull(path, "path");
        long[] v = new long[INFO_FIELDS];
        int rc = hftipc.hj_inspect(path.toString(), v);
        if (rc != Status.OK) {
            throw HftipcException.of(rc, "inspect", path, null);
        }
        return ChannelInfo.fromNative(v);
    }

    /**
     * Releases the role, unmaps the file and frees the handle. Messages and cursors stay in the
     * file. Idempotent. Zero-copy views handed out by this channel must not be used afterwards.
     *
     * @throws HftipcException if unmapping failed (the handle is released anyway)
     */
    @Override
    public void close() {
        SWIGTYPE_p_hftipc_channel_stct h = handle;
        if (h == null) {
            return;
        }
        handle = null;
        claimed = null;
        claimSeq = NO_CLAIM;
        peeked = null;
        addressed = null; // let the caller's last buffer and the scratch go
        scratch = null;
        if (views != null) {
            for (ByteBuffer v : views) {
                if (v != null) {
                    v.limit(0);
                }
            }
        }
        int rc = hftipc.hftipc_channel_close(h);
        if (rc != Status.OK) {
            throw HftipcException.of(rc, "close", path, null);
        }
    }

    /** @return true until {@link #close()} */
    public boolean isOpen() {
        return handle != null;
    }

    // ---- Properties --------------------------------------------------------------------------

    /** @return the largest message, in bytes ({@code slotSize - 8}) */
    public int maxPayload() {
        return maxPayload;
    }

    /** @return the number of slots */
    public int capacity() {
        return capacity;
    }

    /** @return the slot size in bytes, including the 8-byte slot header */
    public int slotSize() {
        return slotSize;
    }

    /** @return the role of this handle */
    public Role role() {
        return role;
    }

    /** @return the channel file */
    public Path path() {
        return path;
    }

    /**
     * @return a snapshot of the cursors, counters and role holders
     * @throws ChannelClosedException if closed
     */
    public ChannelStats stats() {
        long[] v = new long[INFO_FIELDS];
        int rc = hftipc.hj_stats(handle("stats"), v);
        if (rc != Status.OK) {
            throw fail(rc, "stats");
        }
        return ChannelStats.fromNative(v);
    }

    /**
     * Waits until this handle can proceed: a free slot for the producer, a message for the
     * consumer or an observer. Spins briefly, yields, then sleeps on a futex in the shared file
     * that the peer wakes when it publishes or frees a slot (observers poll every millisecond),
     * in slices of at most 50 ms; an interrupt is noticed between slices. While it sleeps the
     * handle's heartbeat is refreshed. Allocates nothing.
     *
     * @param timeout the longest wait; zero or negative means a single check
     * @return true when ready; false on timeout, or if the thread was interrupted (its
     *     interrupt status is then kept set)
     * @throws ChannelFencedException if another process took this handle's role over
     * @throws ChannelCorruptException if the peer's cursor is out of range
     * @throws ChannelClosedException if closed
     */
    public boolean await(Duration timeout) {
        return awaitUntil(deadline(timeout), "await");
    }

    /**
     * Records a sign of life in the role's holder record in the file. Blocking calls do this by
     * themselves while they sleep; a producer or consumer that is otherwise idle for long
     * periods should call it more often than the staleness limit its peers pass to
     * {@link #openTakeover(Path, Role, Duration)}, or its role may be taken over. Wait-free and
     * allocation-free.
     *
     * @throws ChannelFencedException if another process already took the role over
     * @throws IllegalStateException if this handle is an observer (it holds no role record)
     * @throws ChannelClosedException if closed
     */
    public void heartbeat() {
        SWIGTYPE_p_hftipc_channel_stct h = handle("heartbeat");
        if (role == Role.OBSERVER) {
            throw new IllegalStateException("heartbeat needs the PRODUCER or CONSUMER role");
        }
        int rc = hftipc.hftipc_channel_heartbeat(h);
        if (rc != Status.OK) {
            throw fail(rc, "heartbeat");
        }
    }

    /** @return the version of the loaded native library, such as {@code "1.0.0"} */
    public static String nativeVersion() {
        return hftipc.hftipc_version_string();
    }

    @Override
    public String toString() {
        return "Channel[" + path + ", " + role + ", capacity=" + capacity + ", slotSize="
                + slotSize + (handle == null ? ", closed]" : "]");
    }

    // ---- Producer ----------------------------------------------------------------------------

    /**
     * Sends the remaining bytes of {@code src} as one message, without blocking. On success the
     * buffer's position advances to its limit; when the ring is full nothing changes. While a
     * claim is outstanding ({@link #claim()}, {@link #tryClaim()}) the message goes into the
     * claimed slot, which uses the claim up: its view is emptied, and committing or aborting it
     * afterwards throws {@link IllegalStateException}.
     *
     * @param src the message: copied into the slot (a heap buffer through the scratch buffer)
     * @return true if sent, false if the ring is full
     * @throws MessageTooBigException if {@code src.remaining() > maxPayload()}
     * @throws NonWritableChannelException if this handle is not the producer
     * @throws ChannelClosedException if closed
     */
    public boolean offer(ByteBuffer src) {
        return sendBuffer(src, null, "offer");
    }

    /* A heap buffer's bytes [pos, pos+len) in the scratch buffer, from index 0. */
    private ByteBuffer copyIn(ByteBuffer src, int pos, int len) {
        ByteBuffer s = scratch(len);
        if (src.hasArray()) {
            s.put(0, src.array(), src.arrayOffset() + pos, len);
        } else {
            s.put(0, src, pos, len); // read-only: no array to reach
        }
        return s;
    }

    /**
     * Sends {@code src[off, off+len)} as one message, without blocking. The bytes are copied
     * into the slot through the handle's scratch buffer. An outstanding claim is used up as by
     * {@link #offer(ByteBuffer)}.
     *
     * @param src the array
     * @param off offset of the message in {@code src}
     * @param len length of the message
     * @return true if sent, false if the ring is full
     * @throws IndexOutOfBoundsException if off/len are outside {@code src}
     * @throws MessageTooBigException if {@code len > maxPayload()}
     * @throws NonWritableChannelException if this handle is not the producer
     * @throws ChannelClosedException if closed
     */
    public boolean offer(byte[] src, int off, int len) {
        return sendArray(src, off, len, null, "offer");
    }

    /**
     * Sends like {@link #offer(ByteBuffer)}, waiting up to {@code timeout} for a free slot.
     *
     * <p>One native {@code hftipc_channel_send_wait} per slice of at most 50 ms: it tries once;
     * if the ring is full, it sleeps in the native wait ({@link #await(Duration)}: spin, yield,
     * then a futex the consumer wakes when it frees a slot) and tries again. An interrupt is
     * noticed between slices, so within about 50 ms.
     *
     * @param src the message
     * @param timeout the longest wait; zero or negative means a single attempt
     * @return true if sent, false on timeout (or if the thread was interrupted, whose interrupt
     *     status is then kept set)
     * @throws ChannelFencedException if another process took the producer role over
     */
    public boolean send(ByteBuffer src, Duration timeout) {
        return sendBuffer(src, Objects.requireNonNull(timeout, "timeout"), "send");
    }

    /**
     * Sends like {@link #offer(byte[], int, int)}, waiting up to {@code timeout} for a free slot.
     *
     * @param src the array
     * @param off offset of the message
     * @param len length of the message
     * @param timeout the longest wait
     * @return true if sent, false on timeout or interrupt
     * @throws ChannelFencedException if another process took the producer role over
     */
    public boolean send(byte[] src, int off, int len, Duration timeout) {
        return sendArray(src, off, len, Objects.requireNonNull(timeout, "timeout"), "send");
    }

    /* offer (timeout null) or send of a buffer's remaining bytes; the position advances if sent. */
    private boolean sendBuffer(ByteBuffer src, Duration timeout, String op) {
        SWIGTYPE_p_hftipc_channel_stct h = producer(op);
        int pos = src.position();
        int len = src.limit() - pos;
        checkMessageSize(len, op);
        boolean sent;
        if (src.isDirect()) {
            sent = sendAt(h, addressOf(src), src.capacity(), pos, len, timeout, op);
            Reference.reachabilityFence(src);
        } else {
            ByteBuffer s = copyIn(src, pos, len);
            sent = sendAt(h, scratchAddress, s.capacity(), 0, len, timeout, op);
        }
        if (sent) {
            src.position(pos + len);
        }
        return sent;
    }

    /* offer (timeout null) or send of src[off, off+len), through the scratch buffer. */
    private boolean sendArray(byte[] src, int off, int len, Duration timeout, String op) {
        SWIGTYPE_p_hftipc_channel_stct h = producer(op);
        Objects.checkFromIndexSize(off, len, src.length);
        checkMessageSize(len, op);
        ByteBuffer s = scratch(len).put(0, src, off, len);
        return sendAt(h, scratchAddress, s.capacity(), 0, len, timeout, op);
    }

    /* Sends [base+off, base+off+len) with one hftipc_channel_send (timeout null) or one
     * send_wait per slice: true if sent, false if full or timed out; other statuses throw. */
    private boolean sendAt(SWIGTYPE_p_hftipc_channel_stct h, long base, long cap, int off, int len,
            Duration timeout, String op) {
        long rc = timeout == null ? hftipc.hj_send_addr(h, base, cap, off, len)
                : sliced(true, h, base, cap, off, len, timeout);
        if (rc == Status.OK) {
            dropClaim(); // a send publishes into the claimed slot, if any: the claim is used up
            return true;
        }
        if (rc == Status.EFULL || rc == Status.ETIMEDOUT) {
            return false;
        }
        throw fail((int) rc, op);
    }

    /**
     * One native {@code hftipc_channel_send_wait} ({@code send}) or {@code receive_wait} per
     * wait slice of at most {@link #WAIT_SLICE_NANOS} (a Java interrupt does not end a futex
     * sleep, so the interrupt status is checked between slices). When the ring is ready this is
     * one crossing; the first slice needs no clock read: the deadline is computed only if it
     * times out.
     *
     * @return the native result: a status, or (receiving) the message length
     */
    private static long sliced(boolean send, SWIGTYPE_p_hftipc_channel_stct h, long base, long cap,
            int off, int len, Duration timeout) {
        long t = saturatedNanos(timeout);
        long slice = Thread.currentThread().isInterrupted() ? 0 : sliceOf(t);
        long rc = waitCall(send, h, base, cap, off, len, slice);
        if (rc == Status.ETIMEDOUT && slice < t) {
            long deadline = deadlineAfterSlice(t, slice);
            while (rc == Status.ETIMEDOUT && (slice = nextSlice(deadline)) >= 0) {
                rc = waitCall(send, h, base, cap, off, len, slice);
            }
        }
        return rc;
    }

    private static long waitCall(boolean send, SWIGTYPE_p_hftipc_channel_stct h, long base,
            long cap, int off, int len, long slice) {
        return send ? hftipc.hj_send_wait_addr(h, base, cap, off, len, slice)
                : hftipc.hj_receive_wait_addr(h, base, cap, off, len, slice);
    }

    /* The first wait slice of a timeout of t ns: all of it up to WAIT_SLICE_NANOS, 0 if t <= 0. */
    private static long sliceOf(long t) {
        return t <= 0 ? 0 : Math.min(t, WAIT_SLICE_NANOS);
    }

    /* The deadline of a timeout of t ns whose first slice (of `slice` ns) has just timed out. */
    private static long deadlineAfterSlice(long t, long slice) {
        return t >= Long.MAX_VALUE / 2 ? FOREVER : System.nanoTime() + (t - slice);
    }

    /* The next wait slice before `deadline`, or -1 once it has passed or the thread is
     * interrupted (the interrupt status stays set). */
    private static long nextSlice(long deadline) {
        if (Thread.currentThread().isInterrupted()) {
            return -1;
        }
        if (deadline == FOREVER) {
            return WAIT_SLICE_NANOS;
        }
        long left = deadline - System.nanoTime();
        return left <= 0 ? -1 : Math.min(left, WAIT_SLICE_NANOS);
    }

    /**
     * Reserves the next slot for writing in place (zero copy). Write the message into the
     * returned view, from index 0, then call {@link #commit(int)}. Nothing is visible to the
     * consumer before the commit.
     *
     * <p>This is {@link #claim()} without the claim number: both reserve this handle's one
     * claim, and calling either again before the claim is committed (or aborted) returns the same
     * slot. {@link #commit(int)} commits it, whichever call made it. An {@code offer} while the
     * claim is outstanding publishes its message into the claimed slot, which uses the claim up.
     * To give a claim up without publishing anything, use {@link #claim()} and
     * {@link #abort(long)}.
     *
     * @return a view of the slot's payload (position 0, limit and capacity {@link #maxPayload()}),
     *     or null if the ring is full
     * @throws NonWritableChannelException if this handle is not the producer
     * @throws ChannelClosedException if closed
     */
    public ByteBuffer tryClaim() {
        if (claimSlot("tryClaim") == NO_CLAIM) {
            return null;
        }
        claimed.clear();
        return claimed;
    }

    /**
     * Publishes the outstanding claim ({@link #tryClaim()} or {@link #claim()}) as a message of
     * {@code length} bytes (the first {@code length} bytes of the view). The view is invalid
     * afterwards (its limit is set to 0).
     *
     * @param length message length, in [0, maxPayload()]
     * @throws IllegalStateException if no claim is outstanding
     * @throws MessageTooBigException if {@code length > maxPayload()}; the claim stays
     * @throws IllegalArgumentException if {@code length < 0}
     */
    public void commit(int length) {
        SWIGTYPE_p_hftipc_channel_stct h = producer("commit");
        if (claimed == null) {
            throw new IllegalStateException("commit without a claim on " + path);
        }
        checkClaimLength(length, "commit");
        int rc = hftipc.hftipc_channel_commit(h, length);
        if (rc != Status.OK) {
            throw failClaim(rc, "commit", claimSeq);
        }
        dropClaim();
    }

    /**
     * Claims the next slot for writing in place (zero copy), Agrona style: returns a claim number
     * to write through {@link #claimBuffer(long)} and to pass to {@link #commit(long, int)}, or to
     * {@link #abort(long)} to publish nothing. Nothing is visible to the consumer before the
     * commit. Allocation-free.
     *
     * <pre>{@code
     * long claim = tx.claim();
     * if (claim != Channel.NO_CLAIM) {
     *     ByteBuffer slot = tx.claimBuffer(claim);
     *     int n = encode(slot);
     *     if (n >= 0) tx.commit(claim, n); else tx.abort(claim);
     * }
     * }</pre>
     *
     * <p>A handle has one claim at most: calling {@code claim()} (or {@link #tryClaim()}) again
     * before the claim is committed or aborted returns the same claim. An {@code offer} or
     * {@code offerBatch} while it is outstanding publishes its (first) message into the claimed
     * slot, which uses the claim up. The claim number is the claim's position in the channel's
     * message sequence; in SPSC an aborted claim leaves its slot unused, so the next claim has
     * the same number (MPSC numbers are never reused). A producer that dies, closes or is taken
     * over while it holds a claim leaves nothing stuck: an SPSC claim was never visible; the
     * consumer of an MPSC channel skips it ({@link ChannelStats#abandoned()}).
     *
     * @return the claim (&gt;= 0), or {@link #NO_CLAIM} (-1) if the ring is full
     * @throws NonWritableChannelException if this handle is not the producer
     * @throws ChannelFencedException if another process took the producer role over
     * @throws ChannelClosedException if closed
     */
    public long claim() {
        return claimSlot("claim");
    }

    /**
     * The payload area of the outstanding claim: a view of the slot ({@link #maxPayload()} bytes
     * of the shared mapping). Write the message from index 0. The same view every time for the
     * same claim (its position and limit are the caller's), valid until the claim is committed,
     * aborted or used up.
     *
     * @param claim the claim, as returned by {@link #claim()}
     * @return the view
     * @throws IllegalStateException if {@code claim} is not this handle's outstanding claim
     * @throws ChannelClosedException if closed
     */
    public ByteBuffer claimBuffer(long claim) {
        producer("claimBuffer");
        if (claimed == null || claim != claimSeq) {
            throw notOutstanding(claim);
        }
        return claimed;
    }

    /**
     * Publishes claim {@code claim} as a message of {@code length} bytes (the first
     * {@code length} bytes of its view). The view is invalid afterwards (its limit is set to 0).
     *
     * @param claim the claim, as returned by {@link #claim()}
     * @param length message length, in [0, maxPayload()]
     * @throws IllegalStateException if {@code claim} is not this handle's outstanding claim
     *     (never claimed, already committed or aborted, or used up by an {@code offer})
     * @throws MessageTooBigException if {@code length > maxPayload()}; the claim stays
     * @throws IllegalArgumentException if {@code length < 0}
     * @throws ChannelFencedException if another process took the producer role over
     */
    public void commit(long claim, int length) {
        SWIGTYPE_p_hftipc_channel_stct h = producer("commit");
        if (claim < 0) {
            throw notOutstanding(claim);
        }
        checkClaimLength(length, "commit");
        int rc = hftipc.hftipc_channel_commit_claim(h, claim, length);
        if (rc != Status.OK) {
            throw failClaim(rc, "commit", claim);
        }
        dropClaim();
    }

    /**
     * Gives claim {@code claim} up: nothing is published. In an SPSC channel the slot is simply
     * not used; in an MPSC channel it becomes a skip record that the consumer and observers pass
     * over without delivering anything (counted in {@link ChannelStats#aborted()}). The view is
     * invalid afterwards.
     *
     * @param claim the claim, as returned by {@link #claim()}
     * @throws IllegalStateException if {@code claim} is not this handle's outstanding claim
     * @throws ChannelFormatException ({@code HFTIPC_EINCOMPAT}) in an MPSC file created by a 1.0
     *     library, which cannot hold skip records: the claim stays, so commit it (empty, if need
     *     be)
     * @throws ChannelFencedException if another process took the producer role over
     */
    public void abort(long claim) {
        SWIGTYPE_p_hftipc_channel_stct h = producer("abort");
        if (claim < 0) {
            throw notOutstanding(claim);
        }
        int rc = hftipc.hftipc_channel_abort_claim(h, claim);
        if (rc != Status.OK) {
            throw failClaim(rc, "abort", claim);
        }
        dropClaim();
    }

    /* Claims (or returns the outstanding claim) and caches its view; NO_CLAIM when full. */
    private long claimSlot(String op) {
        SWIGTYPE_p_hftipc_channel_stct h = producer(op);
        long claim = hftipc.hj_claim_addr(h, slotOutAddress);
        if (claim < 0) {
            if (claim == Status.EFULL) {
                return NO_CLAIM;
            }
            throw fail((int) claim, op);
        }
        if (claimed == null || claim != claimSeq) {
            claimed = view(slotOut.getLong(0), maxPayload, false);
            claimed.clear();
            claimSeq = claim;
        }
        return claim;
    }

    private void checkClaimLength(int length, String op) {
        if (length < 0) {
            throw new IllegalArgumentException("negative length " + length);
        }
        checkMessageSize(length, op);
    }

    private IllegalStateException notOutstanding(long claim) {
        return new IllegalStateException(
                "claim " + claim + " is not the outstanding claim on " + path);
    }

    /* HFTIPC_ESTATE is misuse (IllegalStateException); the rest map as everywhere. */
    private RuntimeException failClaim(int status, String op, long claim) {
        if (status == Status.ESTATE) {
            return notOutstanding(claim);
        }
        return fail(status, op);
    }

    /**
     * Sends up to {@code count} messages laid back to back in {@code data} (from its position),
     * with their lengths in {@code lengths[0, count)}: {@link #offerBatch(ByteBuffer, int[], int,
     * int) offerBatch(data, lengths, 0, count)}.
     *
     * @param data the concatenated messages
     * @param lengths the message lengths
     * @param count number of messages
     * @return the number of messages sent (0 if the ring is full)
     * @throws MessageTooBigException if any length exceeds maxPayload() (nothing is sent)
     * @throws IllegalArgumentException if a length is negative or the lengths add up to more
     *     than {@code data.remaining()}
     * @throws IndexOutOfBoundsException if {@code count} is negative or more than {@code
     *     lengths.length}
     */
    public int offerBatch(ByteBuffer data, int[] lengths, int count) {
        return offerBatch(data, lengths, 0, count);
    }

    /**
     * Sends up to {@code count} messages laid back to back in {@code data} (from its position),
     * with their lengths in {@code lengths[offset, offset+count)}. With a direct buffer, messages
     * are published in groups of up to 256 with one cursor store each. The position advances
     * past the messages sent, so after a partial send (the ring filled up) the rest goes with
     * {@code offerBatch(data, lengths, offset + sent, count - sent)}. While a claim is
     * outstanding the first message goes into the claimed slot, which uses the claim up (as
     * {@link #offer(ByteBuffer)}).
     *
     * @param data the concatenated messages, from its position
     * @param lengths the message lengths
     * @param offset index in {@code lengths} of the first message's length
     * @param count number of messages
     * @return the number of messages sent (0 if the ring is full, or if {@code count} is 0)
     * @throws MessageTooBigException if any length exceeds maxPayload() (nothing is sent)
     * @throws IllegalArgumentException if a length is negative or the lengths add up to more
     *     than {@code data.remaining()} (nothing is sent)
     * @throws IndexOutOfBoundsException if {@code offset} or {@code count} is negative or
     *     {@code offset + count > lengths.length}
     * @since 1.1.0
     */
    public int offerBatch(ByteBuffer data, int[] lengths, int offset, int count) {
        SWIGTYPE_p_hftipc_channel_stct h = producer("offerBatch");
        Objects.checkFromIndexSize(offset, count, lengths.length);
        int pos = data.position();
        long total = 0;
        for (int i = offset; i < offset + count; i++) {
            int l = lengths[i];
            if (l < 0) {
                throw new IllegalArgumentException("negative length at index " + i);
            }
            checkMessageSize(l, "offerBatch");
            total += l;
        }
        if (total > data.remaining()) {
            throw new IllegalArgumentException(
                    "lengths add up to " + total + " bytes, buffer has " + data.remaining());
        }
        if (count == 0) {
            return 0;
        }
        if (data.isDirect()) {
            long n = hftipc.hj_send_batch_addr(h, addressOf(data), data.capacity(), pos,
                    data.remaining(), lengths, offset, count);
            Reference.reachabilityFence(data);
            if (n == Status.EFULL) {
                return 0;
            }
            if (n < 0) {
                throw fail((int) n, "offerBatch");
            }
            dropClaim(); // the first message went into the claimed slot, if any
            long bytes = 0;
            for (int i = offset; i < offset + n; i++) {
                bytes += lengths[i];
            }
            data.position(pos + (int) bytes);
            return (int) n;
        }
        // Heap buffer: one message at a time, one crossing each.
        int limit = data.limit();
        int sent = 0;
        try {
            int p = pos;
            for (; sent < count; sent++) {
                int l = lengths[offset + sent];
                data.limit(p + l).position(p);
                if (!offer(data)) {
                    break;
                }
                p += l;
            }
            data.limit(limit).position(p);
        } finally {
            data.limit(limit);
        }
        return sent;
    }

    // ---- Consumer and observer ---------------------------------------------------------------

    /**
     * Receives the next message into {@code dst} at its position, without blocking, and
     * advances the position by the message length. An observer reads without consuming.
     *
     * @param dst the destination; its remaining space must hold the message
     * @return the message length (0 for an empty message), or -1 if there is no message
     * @throws BufferTooSmallException if the message does not fit (nothing is consumed)
     * @throws ChannelCorruptException if the slot's length is out of range
     * @throws ChannelLappedException (observer) if the producer overtook this observer
     * @throws NonReadableChannelException if this handle is the producer
     * @throws ReadOnlyBufferException if dst is read-only
     * @throws ChannelClosedException if closed
     */
    public int poll(ByteBuffer dst) {
        return receiveBuffer(dst, null, "poll");
    }

    /**
     * Receives the next message into {@code dst[off, off+len)}, without blocking (copied through
     * the scratch buffer).
     *
     * @param dst the array
     * @param off where the message goes
     * @param len room available at {@code off}
     * @return the message length, or -1 if there is no message
     * @throws IndexOutOfBoundsException if off/len are outside {@code dst}
     * @throws BufferTooSmallException if the message is longer than {@code len}
     */
    public int poll(byte[] dst, int off, int len) {
        return receiveArray(dst, off, len, null, "poll");
    }

    /**
     * Receives like {@link #poll(ByteBuffer)}, waiting up to {@code timeout} for a message.
     *
     * <p>One native {@code hftipc_channel_receive_wait} per slice of at most 50 ms: it tries
     * once; if there is no message, it sleeps in the native wait ({@link #await(Duration)}:
     * spin, yield, then a futex the producer wakes when it publishes; an observer polls every
     * millisecond) and tries again. An interrupt is noticed between slices, so within about
     * 50 ms.
     *
     * @param dst the destination
     * @param timeout the longest wait; zero or negative means a single attempt
     * @return the message length, or -1 on timeout (or interrupt, with the interrupt status kept)
     * @throws ChannelFencedException if another process took the consumer role over
     */
    public int receive(ByteBuffer dst, Duration timeout) {
        return receiveBuffer(dst, Objects.requireNonNull(timeout, "timeout"), "receive");
    }

    /**
     * Receives like {@link #poll(byte[], int, int)}, waiting up to {@code timeout}.
     *
     * @param dst the array
     * @param off where the message goes
     * @param len room available at {@code off}
     * @param timeout the longest wait
     * @return the message length, or -1 on timeout or interrupt
     * @throws ChannelFencedException if another process took the consumer role over
     */
    public int receive(byte[] dst, int off, int len, Duration timeout) {
        return receiveArray(dst, off, len, Objects.requireNonNull(timeout, "timeout"), "receive");
    }

    /* poll (timeout null) or receive into dst at its position, which advances by the length. */
    private int receiveBuffer(ByteBuffer dst, Duration timeout, String op) {
        SWIGTYPE_p_hftipc_channel_stct h = reader(op);
        if (dst.isReadOnly()) {
            throw new ReadOnlyBufferException();
        }
        int pos = dst.position();
        int room = dst.limit() - pos;
        long n;
        if (dst.isDirect()) {
            n = receiveAt(h, addressOf(dst), dst.capacity(), pos, room, timeout, op);
            Reference.reachabilityFence(dst);
        } else {
            int r = Math.min(room, maxPayload); // no message is longer
            ByteBuffer s = scratch(r);
            n = receiveAt(h, scratchAddress, s.capacity(), 0, r, timeout, op);
            if (n > 0) {
                s.get(0, dst.array(), dst.arrayOffset() + pos, (int) n);
            }
        }
        if (n >= 0) {
            dst.position(pos + (int) n);
        }
        return (int) n;
    }

    /* poll (timeout null) or receive into dst[off, off+len), through the scratch buffer. */
    private int receiveArray(byte[] dst, int off, int len, Duration timeout, String op) {
        SWIGTYPE_p_hftipc_channel_stct h = reader(op);
        Objects.checkFromIndexSize(off, len, dst.length);
        int r = Math.min(len, maxPayload); // no message is longer
        ByteBuffer s = scratch(r);
        long n = receiveAt(h, scratchAddress, s.capacity(), 0, r, timeout, op);
        if (n > 0) {
            s.get(0, dst, off, (int) n);
        }
        return (int) n;
    }

    /* Receives into [base+off, base+off+len) with one hftipc_channel_receive (timeout null) or
     * one receive_wait per slice: the length, or -1 if empty or timed out; other statuses throw. */
    private long receiveAt(SWIGTYPE_p_hftipc_channel_stct h, long base, long cap, int off,
            int len, Duration timeout, String op) {
        long n = timeout == null ? hftipc.hj_receive_addr(h, base, cap, off, len)
                : sliced(false, h, base, cap, off, len, timeout);
        dropPeek();
        if (n >= 0) {
            return n;
        }
        if (n == Status.EEMPTY || n == Status.ETIMEDOUT) {
            return -1;
        }
        throw failReceive((int) n, op);
    }

    /**
     * Looks at the oldest unconsumed message in place, without consuming it (zero copy). Peeking
     * again before {@link #ack()} returns the same message. Consumer only.
     *
     * @return a read-only view of the message (position 0, limit = length), or null if there is
     *     no message
     * @throws ChannelCorruptException if the slot's length is out of range ({@link #ack()}
     *     skips it)
     * @throws IllegalStateException if this handle is not the consumer
     */
    public ByteBuffer peek() {
        SWIGTYPE_p_hftipc_channel_stct h = consumer("peek");
        long n = hftipc.hj_peek_addr(h, slotOutAddress);
        if (n < 0) {
            if (n == Status.EEMPTY) {
                return null;
            }
            throw fail((int) n, "peek");
        }
        ByteBuffer v = view(slotOut.getLong(0), maxPayload, true);
        v.limit((int) n).position(0);
        peeked = v;
        return v;
    }

    /**
     * Consumes the oldest unconsumed message (the one {@link #peek()} returns, or a corrupt slot
     * to skip). The view from peek is invalid afterwards (its limit is set to 0).
     *
     * @throws IllegalStateException if there is no message, or this handle is not the consumer
     */
    public void ack() {
        SWIGTYPE_p_hftipc_channel_stct h = consumer("ack");
        int rc = hftipc.hftipc_channel_ack(h);
        if (peeked != null) {
            peeked.limit(0);
            peeked = null;
        }
        if (rc == Status.EEMPTY) {
            throw new IllegalStateException("ack with no message on " + path);
        }
        if (rc != Status.OK) {
            throw fail(rc, "ack");
        }
    }

    /**
     * Receives up to {@code lengths.length} messages back to back into {@code dst} (from its
     * position), their lengths into {@code lengths}: {@link #pollBatch(ByteBuffer, int[], int,
     * int) pollBatch(dst, lengths, 0, lengths.length)}.
     *
     * @param dst the destination
     * @param lengths receives the message lengths; its length is the maximum count
     * @return the number of messages received, 0 if there is none
     * @throws BufferTooSmallException if the first message does not fit
     * @throws IllegalArgumentException if {@code lengths} is empty
     */
    public int pollBatch(ByteBuffer dst, int[] lengths) {
        return pollBatch(dst, lengths, 0, lengths.length);
    }

    /**
     * Receives up to {@code count} messages back to back into {@code dst} (from its position),
     * their lengths into {@code lengths[offset, offset+count)}, and advances the position past
     * them. With a direct buffer, messages are consumed in groups of up to 256 with one cursor
     * store each. Stops early at the first message that does not fit. Consumer only.
     *
     * @param dst the destination
     * @param lengths receives the message lengths, from index {@code offset}
     * @param offset index in {@code lengths} for the first message's length
     * @param count the most messages to receive, at least 1
     * @return the number of messages received, 0 if there is none
     * @throws BufferTooSmallException if the first message does not fit
     * @throws IllegalArgumentException if {@code count} is 0
     * @throws IndexOutOfBoundsException if {@code offset} or {@code count} is negative or
     *     {@code offset + count > lengths.length}
     * @since 1.1.0
     */
    public int pollBatch(ByteBuffer dst, int[] lengths, int offset, int count) {
        SWIGTYPE_p_hftipc_channel_stct h = consumer("pollBatch");
        Objects.checkFromIndexSize(offset, count, lengths.length);
        if (count == 0) {
            throw new IllegalArgumentException(
                    lengths.length == 0 ? "lengths is empty" : "count is 0");
        }
        if (dst.isReadOnly()) {
            throw new ReadOnlyBufferException();
        }
        dropPeek();
        int pos = dst.position();
        if (dst.isDirect()) {
            long n = hftipc.hj_receive_batch_addr(h, addressOf(dst), dst.capacity(), pos,
                    dst.remaining(), lengths, offset, count);
            Reference.reachabilityFence(dst);
            if (n == Status.EEMPTY) {
                return 0;
            }
            if (n < 0) {
                throw failReceive((int) n, "pollBatch");
            }
            long bytes = 0;
            for (int i = offset; i < offset + n; i++) {
                bytes += lengths[i];
            }
            dst.position(pos + (int) bytes);
            return (int) n;
        }
        int got = 0;
        while (got < count) {
            int n;
            try {
                n = poll(dst);
            } catch (BufferTooSmallException e) {
                if (got == 0) {
                    throw e;
                }
                break;
            }
            if (n < 0) {
                break;
            }
            lengths[offset + got++] = n;
        }
        return got;
    }

    // ---- Internals ---------------------------------------------------------------------------

    private SWIGTYPE_p_hftipc_channel_stct handle(String op) {
        SWIGTYPE_p_hftipc_channel_stct h = handle;
        if (h == null) {
            throw new ChannelClosedException(op + ": channel " + path + " is closed");
        }
        return h;
    }

    private SWIGTYPE_p_hftipc_channel_stct producer(String op) {
        SWIGTYPE_p_hftipc_channel_stct h = handle(op);
        if (role != Role.PRODUCER) {
            throw new NonWritableChannelException();
        }
        return h;
    }

    private SWIGTYPE_p_hftipc_channel_stct reader(String op) {
        SWIGTYPE_p_hftipc_channel_stct h = handle(op);
        if (role == Role.PRODUCER) {
            throw new NonReadableChannelException();
        }
        return h;
    }

    private SWIGTYPE_p_hftipc_channel_stct consumer(String op) {
        SWIGTYPE_p_hftipc_channel_stct h = handle(op);
        if (role != Role.CONSUMER) {
            throw new IllegalStateException(op + " needs the CONSUMER role, this handle is " + role);
        }
        return h;
    }

    private void dropPeek() {
        if (peeked != null) {
            peeked.limit(0);
            peeked = null;
        }
    }

    private void dropClaim() {
        if (claimed != null) {
            claimed.limit(0);
            claimed = null;
        }
        claimSeq = NO_CLAIM;
    }

    private void checkMessageSize(int len, String op) {
        if (len > maxPayload) {
            throw new MessageTooBigException(
                    Status.ETOOBIG, op, path, len + " bytes > max payload " + maxPayload);
        }
    }

    private HftipcException fail(int status, String op) {
        return HftipcException.of(status, op, path, null);
    }

    /* EBUFSIZE from a consumer: tell the caller how big the message is. */
    private HftipcException failReceive(int status, String op) {
        if (status == Status.EBUFSIZE && role == Role.CONSUMER && handle != null) {
            long n = hftipc.hj_peek_addr(handle, slotOutAddress);
            if (n >= 0) {
                return new BufferTooSmallException(
                        status, op, path, "message is " + n + " bytes", (int) n);
            }
        }
        return fail(status, op);
    }

    /* The address of a direct buffer's memory, resolved once per buffer: see `addressed`. */
    private long addressOf(ByteBuffer b) {
        if (b != addressed) {
            long a = hftipc.hj_direct_address(b);
            if (a == 0 && b.capacity() != 0) {
                throw new IllegalArgumentException(
                        "the JVM gives no address for this direct buffer");
            }
            address = a;
            addressed = b;
        }
        return address;
    }

    /* The scratch buffer, with room for at least len bytes (len <= maxPayload). */
    private ByteBuffer scratch(int len) {
        ByteBuffer s = scratch;
        if (s == null || s.capacity() < len) {
            // Twice the need (at least 256 bytes), never above maxPayload, so growth is rare.
            int grown = Math.max(256, Integer.highestOneBit(len) << 1);
            int cap = Math.max(len, Math.min(maxPayload, grown));
            s = ByteBuffer.allocateDirect(cap);
            scratchAddress = hftipc.hj_direct_address(s);
            scratch = s;
        }
        return s;
    }

    /* The cached view over the slot payload at addr (allocates only on first use per slot). */
    private ByteBuffer view(long addr, int cap, boolean readOnly) {
        if (views == null) {
            return newView(addr, cap, readOnly);
        }
        if (viewBase == 0) {
            viewBase = addr;
        }
        int idx = (int) Math.floorMod((addr - viewBase) / slotSize, (long) capacity);
        ByteBuffer v = views[idx];
        if (v == null) {
            v = newView(addr, cap, readOnly);
            views[idx] = v;
        }
        return v;
    }

    private static ByteBuffer newView(long addr, int cap, boolean readOnly) {
        ByteBuffer v = (ByteBuffer) hftipc.hj_view(addr, cap);
        if (v == null) {
            throw new IllegalStateException("cannot create a view of the mapping");
        }
        return readOnly ? v.asReadOnlyBuffer() : v;
    }

    private static long saturatedNanos(Duration d) {
        try {
            return d.toNanos();
        } catch (ArithmeticException e) {
            return d.isNegative() ? Long.MIN_VALUE : Long.MAX_VALUE;
        }
    }

    /* An absolute System.nanoTime() deadline; FOREVER for an unbounded wait. */
    private static long deadline(Duration timeout) {
        long t = saturatedNanos(timeout);
        long now = System.nanoTime();
        if (t <= 0) {
            return now;
        }
        // Compared by subtraction (deadline - nanoTime), so now + t may wrap; only waits too long
        // for that (about 146 years) count as forever.
        return t >= Long.MAX_VALUE / 2 ? FOREVER : now + t;
    }

    /**
     * Waits in the native wait (spin, yield, futex sleep woken by the peer) until the handle can
     * proceed or {@code deadline} passes, in slices of at most {@link #WAIT_SLICE_NANOS} so that
     * an interrupt is noticed (a Java interrupt does not end a futex sleep). A deadline already
     * past still makes one check.
     *
     * @return true when ready; false on timeout or if the thread is interrupted (the interrupt
     *     status stays set)
     */
    private boolean awaitUntil(long deadline, String op) {
        SWIGTYPE_p_hftipc_channel_stct h = handle(op);
        while (true) {
            if (Thread.currentThread().isInterrupted()) {
                return false;
            }
            long left = deadline == FOREVER ? WAIT_SLICE_NANOS : deadline - System.nanoTime();
            long slice = Math.max(0, Math.min(left, WAIT_SLICE_NANOS));
            int rc = hftipc.hftipc_channel_wait(h, slice);
            if (rc == Status.OK) {
                return true;
            }
            if (rc != Status.ETIMEDOUT) {
                throw fail(rc, op);
            }
            if (deadline != FOREVER && left <= WAIT_SLICE_NANOS) {
                return false; // the last slice ended at the deadline
            }
        }
    }
}
