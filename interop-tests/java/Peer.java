// Java interop peer. Implements the same command-line interface and the same message function
// as the C peer (../c/peer.c, which documents both) and the Go peer (../go/main.go); run.sh
// pairs them up. Compiled with javac against the binding's jar; no build tool needed.

import io.hftipc.Channel;
import io.hftipc.ChannelConfig;
import io.hftipc.ChannelInfo;
import io.hftipc.ChannelStats;
import io.hftipc.HftipcException;
import io.hftipc.Role;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.locks.LockSupport;

public final class Peer {
    private static final int CHUNK = 64;
    private static final Duration FOREVER = Duration.ofDays(1);

    private static void fail(String msg) {
        System.err.println("java-peer: " + msg);
        System.exit(1);
    }

    // ---- Message function: identical in the three peers -------------------------------------

    static long xsNext(long x) {
        x ^= x << 13;
        x ^= x >>> 7;
        x ^= x << 17;
        return x;
    }

    /** Writes message {@code seq} into out at index off; returns its length. */
    static int genMessage(long seed, long seq, int maxPayload, byte[] out, int off) {
        long r = seed ^ (seq * 0x9E3779B97F4A7C15L);
        if (r == 0) {
            r = 0x9E3779B97F4A7C15L;
        }
        r = xsNext(r);
        int k = (int) Long.remainderUnsigned(seq, 16);
        int n;
        if (k == 0) {
            n = 0;
        } else if (k == 1) {
            n = maxPayload;
        } else {
            n = (int) Long.remainderUnsigned(r, maxPayload + 1L);
        }
        for (int i = 0; i < n; i++) {
            if (i % 8 == 0) {
                r = xsNext(r);
            }
            out[off + i] = (byte) (r >>> (8 * (i % 8)));
        }
        if (n >= 8) {
            for (int i = 0; i < 8; i++) {
                out[off + i] = (byte) (seq >>> (8 * i));
            }
        }
        return n;
    }

    static final long FNV_INIT = 0xcbf29ce484222325L;

    static long fnv(long h, byte[] p, int off, int len) {
        for (int i = 0; i < 4; i++) {
            h = (h ^ ((len >>> (8 * i)) & 0xff)) * 0x100000001b3L;
        }
        for (int i = 0; i < len; i++) {
            h = (h ^ (p[off + i] & 0xff)) * 0x100000001b3L;
        }
        return h;
    }

    // ---- Helpers ----------------------------------------------------------------------------

    private static int backoff(int attempt) {
        if (attempt < 64) {
            Thread.onSpinWait();
        } else if (attempt < 128) {
            Thread.yield();
        } else {
            LockSupport.parkNanos(20_000);
        }
        return attempt + 1;
    }

    private static void pace(long before, long after, long n) {
        if (n > 0 && Long.divideUnsigned(before, n) != Long.divideUnsigned(after, n)) {
            LockSupport.parkNanos(1_000_000);
        }
    }

    private static long parse(String s) {
        return s.startsWith("0x") ? Long.parseUnsignedLong(s.substring(2), 16) : Long.parseUnsignedLong(s);
    }

    private static void mismatch(long seq, byte[] got, int goff, int glen, byte[] want, int wlen) {
        int i = 0;
        while (i < glen && i < wlen && got[goff + i] == want[i]) {
            i++;
        }
        fail("message " + Long.toUnsignedString(seq) + " differs: length " + glen + " (want " + wlen
                + "), first bad byte " + i);
    }

    private static String hex16(long h) {
        return String.format("%016x", h);
    }

    // ---- write / read -----------------------------------------------------------------------

    static void write(Path path, long count, long seed, long paceN) {
        try (Channel ch = Channel.open(path, Role.PRODUCER)) {
            int max = ch.maxPayload();
            long seq = ch.stats().head(), start = seq, h = FNV_INIT;
            byte[] gen = new byte[max * CHUNK];
            ByteBuffer direct = ByteBuffer.allocateDirect(max * CHUNK);
            int[] lens = new int[CHUNK];
            for (long ck = 0; seq < count; ck++) {
                long before = seq;
                int n = (int) Math.min(CHUNK, count - seq);
                int mode = (int) (ck % 8);
                if (mode == 5 || mode == 6) { // claim/commit, written in place
                    for (int i = 0, attempt = 0; i < n; ) {
                        ByteBuffer slot = ch.tryClaim();
                        if (slot == null) {
                            attempt = backoff(attempt);
                            continue;
                        }
                        attempt = 0;
                        int l = genMessage(seed, seq, max, gen, 0);
                        slot.put(0, gen, 0, l);
                        h = fnv(h, gen, 0, l);
                        ch.commit(l);
                        seq++;
                        i++;
                    }
                } else if (mode == 7) { // single sends, blocking variant with byte[]
                    for (int i = 0; i < n; i++) {
                        int l = genMessage(seed, seq, max, gen, 0);
                        if (!ch.send(gen, 0, l, FOREVER)) {
                            fail("send timed out");
                        }
                        h = fnv(h, gen, 0, l);
                        seq++;
                    }
                } else { // batch from a direct buffer
                    int off = 0;
                    for (int i = 0; i < n; i++) {
                        lens[i] = genMessage(seed, seq + i, max, gen, off);
                        off += lens[i];
                    }
                    direct.clear();
                    direct.put(0, gen, 0, off).limit(off);
                    int sent = 0, attempt = 0, goff = 0;
                    int[] rest = new int[n];
                    while (sent < n) {
                        System.arraycopy(lens, sent, rest, 0, n - sent);
                        int k = ch.offerBatch(direct, rest, n - sent);
                        if (k == 0) {
                            attempt = backoff(attempt);
                            continue;
                        }
                        attempt = 0;
                        for (int i = 0; i < k; i++) {
                            h = fnv(h, gen, goff, lens[sent]);
                            goff += lens[sent++];
                        }
                    }
                    seq += n;
                }
                pace(before - start, seq - start, paceN);
            }
            System.out.println("write start=" + start + " end=" + seq + " checksum=" + hex16(h));
        }
    }

    // ---- MPSC producer (same message function and paths as the C peer's cmd_mpsc_write) -----

    static int mpscMessage(long seed, int id, long seq, int maxPayload, byte[] out, int off) {
        for (int i = 0; i < 4; i++) {
            out[off + i] = (byte) (id >>> (8 * i));
            out[off + 4 + i] = (byte) (seq >>> (8 * i));
        }
        long s = seed ^ ((id + 1L) * 0xD1B54A32D192ED03L);
        return 8 + genMessage(s, seq, maxPayload - 8, out, off + 8);
    }

    static void mpscWrite(Path path, int id, int nprod, long count, long seed, long paceN) {
        try (Channel ch = Channel.open(path, Role.PRODUCER)) {
            // Start line: wait until all nprod producers hold the role (see the C peer).
            for (int i = 0; ch.stats().producerCount() < nprod; i++) {
                if (i == 60000) {
                    fail("only " + ch.stats().producerCount() + " of " + nprod + " producers opened the channel");
                }
                LockSupport.parkNanos(1_000_000);
            }
            int max = ch.maxPayload();
            long seq = 0, h = FNV_INIT;
            byte[] gen = new byte[max * CHUNK];
            ByteBuffer direct = ByteBuffer.allocateDirect(max * CHUNK);
            int[] lens = new int[CHUNK];
            int[] rest = new int[CHUNK];
            for (long ck = 0; seq < count; ck++) {
                long before = seq;
                int n = (int) Math.min(CHUNK, count - seq);
                int mode = (int) (ck % 4);
                if (mode == 2) { // claim/commit, written in place; await on a full ring
                    for (int i = 0; i < n; ) {
                        ByteBuffer slot = ch.tryClaim();
                        if (slot == null) {
                            ch.await(FOREVER);
                            continue;
                        }
                        int l = mpscMessage(seed, id, seq, max, gen, 0);
                        slot.put(0, gen, 0, l);
                        h = fnv(h, gen, 0, l);
                        ch.commit(l);
                        seq++;
                        i++;
                    }
                } else if (mode == 3) { // single sends, blocking with a Duration
                    for (int i = 0; i < n; i++) {
                        int l = mpscMessage(seed, id, seq, max, gen, 0);
                        if (!ch.send(gen, 0, l, FOREVER)) {
                            fail("send timed out");
                        }
                        h = fnv(h, gen, 0, l);
                        seq++;
                    }
                } else { // batch from a direct buffer; await on a full ring
                    int off = 0;
                    for (int i = 0; i < n; i++) {
                        lens[i] = mpscMessage(seed, id, seq + i, max, gen, off);
                        off += lens[i];
                    }
                    direct.clear();
                    direct.put(0, gen, 0, off).limit(off);
                    int sent = 0, goff = 0;
                    while (sent < n) {
                        System.arraycopy(lens, sent, rest, 0, n - sent);
                        int k = ch.offerBatch(direct, rest, n - sent);
                        if (k == 0) {
                            ch.await(FOREVER);
                            continue;
                        }
                        for (int i = 0; i < k; i++) {
                            h = fnv(h, gen, goff, lens[sent]);
                            goff += lens[sent++];
                        }
                    }
                    seq += n;
                }
                pace(before, seq, paceN);
            }
            System.out.println("mpsc-write id=" + id + " count=" + seq + " checksum=" + hex16(h));
        }
    }

    static void read(Path path, long count, long seed, long paceN) {
        try (Channel ch = Channel.open(path, Role.CONSUMER)) {
            int max = ch.maxPayload();
            long seq = ch.stats().tail(), start = seq, h = FNV_INIT;
            byte[] want = new byte[max];
            byte[] buf = new byte[max * CHUNK];
            ByteBuffer direct = ByteBuffer.allocateDirect(max * CHUNK);
            int[] lens = new int[CHUNK];
            for (long it = 0; seq < count; it++) {
                long before = seq;
                int n = (int) Math.min(CHUNK, count - seq);
                int mode = (int) (it % 8);
                if (mode == 5 || mode == 6) { // peek/ack
                    for (int i = 0, attempt = 0; i < n; ) {
                        ByteBuffer m = ch.peek();
                        if (m == null) {
                            attempt = backoff(attempt);
                            continue;
                        }
                        attempt = 0;
                        int len = m.remaining();
                        m.get(0, buf, 0, len);
                        int wl = genMessage(seed, seq, max, want, 0);
                        if (len != wl || !Arrays.equals(buf, 0, len, want, 0, wl)) {
                            mismatch(seq, buf, 0, len, want, wl);
                        }
                        h = fnv(h, buf, 0, len);
                        ch.ack();
                        seq++;
                        i++;
                    }
                } else if (mode == 7) { // single receives, blocking variant with byte[]
                    for (int i = 0; i < n; i++) {
                        int len = ch.receive(buf, 0, max, FOREVER);
                        if (len < 0) {
                            fail("receive timed out");
                        }
                        int wl = genMessage(seed, seq, max, want, 0);
                        if (len != wl || !Arrays.equals(buf, 0, len, want, 0, wl)) {
                            mismatch(seq, buf, 0, len, want, wl);
                        }
                        h = fnv(h, buf, 0, len);
                        seq++;
                    }
                } else { // batch into a direct buffer
                    int[] l = n == CHUNK ? lens : new int[n];
                    direct.clear();
                    int k = ch.pollBatch(direct, l);
                    if (k == 0) {
                        LockSupport.parkNanos(20_000);
                        continue;
                    }
                    int total = direct.position();
                    direct.get(0, buf, 0, total);
                    int off = 0;
                    for (int i = 0; i < k; i++) {
                        int wl = genMessage(seed, seq, max, want, 0);
                        if (l[i] != wl || !Arrays.equals(buf, off, off + l[i], want, 0, wl)) {
                            mismatch(seq, buf, off, l[i], want, wl);
                        }
                        h = fnv(h, buf, off, l[i]);
                        off += l[i];
                        seq++;
                    }
                }
                pace(before - start, seq - start, paceN);
            }
            System.out.println("read start=" + start + " end=" + seq + " checksum=" + hex16(h));
        }
    }

    static void readAck(Path path, long count, long seed, Path progress, long paceN) throws IOException {
        try (Channel ch = Channel.open(path, Role.CONSUMER);
                FileChannel pf = FileChannel.open(progress, StandardOpenOption.WRITE, StandardOpenOption.CREATE)) {
            int max = ch.maxPayload();
            long seq = ch.stats().tail(), start = seq;
            byte[] want = new byte[max];
            byte[] got = new byte[max];
            System.out.println("read-ack start=" + start);
            System.out.flush();
            for (int attempt = 0; seq < count; ) {
                ByteBuffer m = ch.peek();
                if (m == null) {
                    attempt = backoff(attempt);
                    continue;
                }
                attempt = 0;
                int len = m.remaining();
                m.get(0, got, 0, len);
                int wl = genMessage(seed, seq, max, want, 0);
                if (len != wl || !Arrays.equals(got, 0, len, want, 0, wl)) {
                    mismatch(seq, got, 0, len, want, wl);
                }
                byte[] p = String.format("%020d\n", seq + 1).getBytes(StandardCharsets.US_ASCII);
                pf.write(ByteBuffer.wrap(p), 0);
                pace(seq - start, seq + 1 - start, paceN); // between delivery and ack (see the C peer)
                ch.ack();
                seq++;
            }
            System.out.println("read-ack end=" + seq);
        }
    }

    // ---- Layout scenario (same script as the C peer's cmd_scenario) --------------------------

    static byte[] scenMessage(long seq) {
        int n = (int) ((seq * 7) % 57);
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            b[i] = (byte) (seq * 31 + i * 7L + 1);
        }
        return b;
    }

    static void scenCheck(long seq, byte[] got, int off, int len) {
        byte[] want = scenMessage(seq);
        if (len != want.length || !Arrays.equals(got, off, off + len, want, 0, want.length)) {
            mismatch(seq, got, off, len, want, want.length);
        }
    }

    static int scenBatch(long from, int n, ByteBuffer direct, int[] lens) {
        direct.clear();
        for (int i = 0; i < n; i++) {
            byte[] m = scenMessage(from + i);
            lens[i] = m.length;
            direct.put(m);
        }
        direct.flip();
        return direct.remaining();
    }

    static void scenario(Path path) {
        ChannelConfig cfg = ChannelConfig.builder().capacity(16).slotSize(64).build();
        try (Channel p = Channel.create(path, cfg, Role.PRODUCER);
                Channel c = Channel.open(path, Role.CONSUMER)) {
            long ws = 0, rs = 0;
            byte[] buf = new byte[16 * 64];
            ByteBuffer direct = ByteBuffer.allocateDirect(16 * 64);
            int[] lens = new int[16];
            for (int i = 0; i < 12; i++, ws++) { // A: 12 single sends
                byte[] m = scenMessage(ws);
                if (!p.offer(m, 0, m.length)) {
                    fail("A offer: full");
                }
            }
            for (int i = 0; i < 8; i++, rs++) { // B: 8 single receives
                int n = c.poll(buf, 0, 56);
                scenCheck(rs, buf, 0, n);
            }
            scenBatch(ws, 10, direct, lens); // C: one batch of 10
            if (p.offerBatch(direct, lens, 10) != 10) {
                fail("C offerBatch");
            }
            ws += 10;
            for (int i = 0; i < 9; i++, rs++) { // D: 9 peek/ack
                ByteBuffer m = c.peek();
                int n = m.remaining();
                m.get(0, buf, 0, n);
                scenCheck(rs, buf, 0, n);
                c.ack();
            }
            for (int i = 0; i < 10; i++, ws++) { // E: 10 claim/commit, exactly len bytes written
                ByteBuffer slot = p.tryClaim();
                byte[] m = scenMessage(ws);
                slot.put(0, m);
                p.commit(m.length);
            }
            direct.clear(); // F: one receive batch of 8
            int[] l8 = new int[8];
            if (c.pollBatch(direct, l8) != 8) {
                fail("F pollBatch");
            }
            direct.get(0, buf, 0, direct.position());
            int off = 0;
            for (int i = 0; i < 8; i++, rs++) {
                scenCheck(rs, buf, off, l8[i]);
                off += l8[i];
            }
            for (int i = 0; i < 4; i++, ws++) { // G: 4 single sends, then one batch of 4
                byte[] m = scenMessage(ws);
                if (!p.offer(m, 0, m.length)) {
                    fail("G offer: full");
                }
            }
            scenBatch(ws, 4, direct, lens);
            if (p.offerBatch(direct, lens, 4) != 4) {
                fail("G offerBatch");
            }
            ws += 4;
            ChannelStats st = c.stats();
            if (st.head() != 40 || st.tail() != 25 || ws != 40 || rs != 25) {
                fail("scenario ended at head " + st.head() + " tail " + st.tail());
            }
        }
        System.out.println("scenario head=40 tail=25");
    }

    // ---- Golden files -----------------------------------------------------------------------

    static int goldenFails;

    static void goldenFail(String msg) {
        System.err.println("java-peer: golden: " + msg);
        goldenFails++;
    }

    static long want(Map<String, Long> e, String k) {
        Long w = e.get(k);
        if (w == null) {
            fail("golden: the expectation file has no " + k);
        }
        return w;
    }

    static void checkField(Map<String, Long> e, String what, String k, long got) {
        long w = want(e, k);
        if (w != got) {
            goldenFail(what + ": " + k + " is " + Long.toUnsignedString(got) + ", manifest says "
                    + Long.toUnsignedString(w));
        }
    }

    /** consumerExtra: consumer holders taken since the file was written (this peer's). */
    static void checkStats(Map<String, Long> e, String what, ChannelStats s, long consumerExtra) {
        checkField(e, what, "head", s.head());
        checkField(e, what, "tail", s.tail());
        checkField(e, what, "full_count", s.fullCount());
        checkField(e, what, "abandoned_count", s.abandoned());
        checkField(e, what, "producer_count", s.producerCount());
        checkField(e, what, "producer_epoch", s.producer().epoch());
        checkField(e, what, "producer_takeovers", s.producer().takeovers());
        checkField(e, what, "consumer_epoch", s.consumer().epoch() - consumerExtra);
        checkField(e, what, "consumer_takeovers", s.consumer().takeovers());
    }

    /**
     * Receives until there is no message, comparing each with want; returns the count. A consumer
     * that has not reached untilTail yet retries for up to 5 s: it may have to wait out an
     * abandoned MPSC claim (FORMAT.md section 13, step 3) before it passes it.
     */
    static int receiveAll(Channel ch, String what, List<String> want, long untilTail) {
        byte[] buf = new byte[ch.maxPayload()];
        HexFormat hf = HexFormat.of();
        long deadline = System.nanoTime() + 5_000_000_000L;
        int got = 0;
        for (;;) {
            int n = ch.poll(buf, 0, buf.length);
            if (n < 0) {
                if (ch.role() == Role.OBSERVER || Long.compareUnsigned(ch.stats().tail(), untilTail) >= 0
                        || System.nanoTime() - deadline > 0) {
                    break;
                }
                LockSupport.parkNanos(1_000_000);
                continue;
            }
            String h = hf.formatHex(buf, 0, n);
            if (got >= want.size() || !h.equals(want.get(got))) {
                goldenFail(what + ": message " + got + " is '" + h + "', manifest says '"
                        + (got < want.size() ? want.get(got) : "(none)") + "'");
            }
            got++;
        }
        if (got != want.size()) {
            goldenFail(what + ": " + got + " messages, manifest says " + want.size());
        }
        return got;
    }

    /** Checks a golden file as the C peer's cmd_golden does (docs/INTEROP.md). */
    static void golden(Path path, Path expfile) throws IOException {
        String status = null;
        String mode = null;
        String probe = null;
        Map<String, Long> e = new HashMap<>();
        List<String> msgs = new ArrayList<>();
        List<String> obsMsgs = new ArrayList<>();
        for (String line : Files.readAllLines(expfile)) {
            String[] f = line.trim().split("\\s+");
            if (f.length != 2) {
                continue;
            }
            String v = f[1].equals("-") ? "" : f[1];
            switch (f[0]) {
                case "expect" -> status = v;
                case "mode" -> mode = v;
                case "msg" -> msgs.add(v);
                case "obs" -> obsMsgs.add(v);
                case "probe" -> probe = v;
                default -> e.put(f[0], parse(v));
            }
        }
        if (!"HFTIPC_OK".equals(status)) {
            String got = "HFTIPC_OK";
            try {
                Channel.inspect(path);
            } catch (HftipcException x) {
                got = x.getStatusName();
            }
            if (!got.equals(status)) {
                fail("golden: inspect gave " + got + ", want " + status);
            }
            for (Role r : new Role[] {Role.CONSUMER, Role.PRODUCER, Role.OBSERVER}) {
                got = "HFTIPC_OK";
                try {
                    Channel.open(path, r).close(); // opened: wrong, reported below
                } catch (HftipcException x) {
                    got = x.getStatusName();
                }
                if (!got.equals(status)) {
                    fail("golden: open as " + r + " gave " + got + ", want " + status);
                }
            }
            System.out.println("refused " + status);
            return;
        }
        ChannelInfo info = Channel.inspect(path);
        checkField(e, "inspect", "format_major", info.formatMajor());
        checkField(e, "inspect", "format_minor", info.formatMinor());
        checkField(e, "inspect", "compat_flags", info.compatFlags());
        checkField(e, "inspect", "incompat_flags", info.incompatFlags());
        checkField(e, "inspect", "capacity", info.capacity());
        checkField(e, "inspect", "slot_size", info.slotSize());
        checkField(e, "inspect", "max_payload", info.maxPayload());
        checkField(e, "inspect", "file_size", info.fileSize());
        if (!info.mode().name().toLowerCase(Locale.ROOT).equals(mode)) {
            goldenFail("inspect: mode is " + info.mode() + ", manifest says " + mode);
        }
        checkStats(e, "inspect", info.stats(), 0);

        byte[] before = Files.readAllBytes(path);
        int got;
        int seen;
        try (Channel obs = Channel.open(path, Role.OBSERVER)) {
            checkStats(e, "observer stats", obs.stats(), 0);
            if (obs.poll(new byte[8], 0, 8) != -1) {
                goldenFail("an observer opened at head got a message, want none");
            }
            if (!Arrays.equals(before, Files.readAllBytes(path))) {
                goldenFail("opening an observer modified the file");
            }
            try (Channel ch = Channel.open(path, Role.CONSUMER)) {
                checkStats(e, "consumer stats", ch.stats(), 1);
                got = receiveAll(ch, "consumer", msgs, want(e, "drain_tail"));
                ChannelStats s = ch.stats();
                checkField(e, "after the drain", "drain_tail", s.tail());
                checkField(e, "after the drain", "drain_abandoned", s.abandoned());
                checkField(e, "after the drain", "drain_aborted", s.aborted());
                try (Channel p = Channel.open(path, Role.PRODUCER)) {
                    checkField(e, "producer stats", "resume_head", p.stats().head());
                    byte[] pb = HexFormat.of().parseHex(probe);
                    if (!p.offer(pb, 0, pb.length)) {
                        fail("golden: the probe did not fit");
                    }
                    seen = receiveAll(obs, "observer", obsMsgs, 0);
                    receiveAll(ch, "consumer after the probe", List.of(probe), 0);
                }
            }
        }
        if (goldenFails > 0) {
            System.exit(1);
        }
        System.out.println("accepted format " + info.formatMajor() + "." + info.formatMinor() + " " + mode + ", "
                + got + " messages, " + want(e, "drain_abandoned") + " abandoned, resumed at "
                + want(e, "resume_head") + ", observer saw " + seen);
    }

    static void open(Path path) {
        try {
            Channel.open(path, Role.CONSUMER).close();
            System.out.println("HFTIPC_OK");
        } catch (HftipcException x) {
            System.out.println(x.getStatusName());
            System.exit(1);
        }
    }

    public static void main(String[] a) throws Exception {
        try {
            if (a.length >= 4 && a[0].equals("write")) {
                write(Path.of(a[1]), parse(a[2]), parse(a[3]), a.length > 4 ? parse(a[4]) : 0);
            } else if (a.length >= 4 && a[0].equals("read")) {
                read(Path.of(a[1]), parse(a[2]), parse(a[3]), a.length > 4 ? parse(a[4]) : 0);
            } else if (a.length >= 5 && a[0].equals("read-ack")) {
                readAck(Path.of(a[1]), parse(a[2]), parse(a[3]), Path.of(a[4]), a.length > 5 ? parse(a[5]) : 0);
            } else if (a.length == 2 && a[0].equals("scenario")) {
                scenario(Path.of(a[1]));
            } else if (a.length == 3 && a[0].equals("golden")) {
                golden(Path.of(a[1]), Path.of(a[2]));
            } else if (a.length == 2 && a[0].equals("open")) {
                open(Path.of(a[1]));
            } else if (a.length >= 6 && a[0].equals("mpsc-write")) {
                mpscWrite(Path.of(a[1]), (int) parse(a[2]), (int) parse(a[3]), parse(a[4]), parse(a[5]),
                        a.length > 6 ? parse(a[6]) : 0);
            } else {
                System.err.println("usage: Peer write|read PATH COUNT SEED [PACE] | read-ack PATH COUNT SEED PROGRESS [PACE]"
                        + " | scenario PATH | golden PATH EXPECT | open PATH | mpsc-write PATH ID NPRODUCERS COUNT SEED [PACE]");
                System.exit(2);
            }
        } catch (HftipcException x) {
            fail(x.getStatusName() + ": " + x.getMessage());
        }
    }
}
