import io.hftipc.Channel;
import io.hftipc.ChannelConfig;
import io.hftipc.Role;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The JVM end of the hftipc demo pipeline (Go gateway -> C engine -> this service).
 *
 * <p>Consumes the 96-byte "book update" records that demo/engine/engine.c publishes (layout in
 * demo/README.md), keeps the last mid and spread per symbol and prints a rolling summary every
 * second. At the end-of-stream record it checks its count against the engine's, prints its
 * latency figures and one machine-readable {@code RESULT service ...} line for scripts/demo.sh.
 *
 * <p>Timestamps are CLOCK_REALTIME nanoseconds, as in the Go gateway and the C engine. Java
 * has no cheap nanosecond wall clock, so the service reads {@code Instant.now()} once at start
 * (nanosecond resolution on Linux since JDK 15) and adds {@code System.nanoTime()} deltas
 * (CLOCK_MONOTONIC) to it; over a run of seconds the two clocks drift by far less than a
 * microsecond unless the wall clock is stepped.
 *
 * <p>With {@code --spin-us N} (the demo's fixed-rate run) an empty ring is polled without
 * blocking for up to N microseconds after the last update before the service blocks in the
 * native wait, so updates arriving at a steady rate never wait for a wake-up.
 *
 * <pre>java -cp hftipc.jar:classes Service --path /dev/shm/hftipc-demo-book [--quiet]
 *     [--spin-us N] [--warmup N]</pre>
 */
public final class Service {
    static final int RECORD = 96;
    static final int SLOT = 104;
    static final int KIND_UPDATE = 1;
    static final int KIND_END = 2;

    /** Per-symbol state, found by the 16 symbol bytes read as two longs. */
    static final class Sym {
        long k0, k1;
        String name;
        long mid, spread, count;
    }

    /** Log-linear histogram, 32 buckets per power of two: the same as the C engine's. */
    static final class Histogram {
        static final int SUB = 5;
        final long[] count = new long[64 << SUB];
        long n, max, negative;
        double sum;

        static int bucketOf(long v) {
            if (v < (1 << SUB)) {
                return (int) v;
            }
            int msb = 63 - Long.numberOfLeadingZeros(v);
            int shift = msb - SUB;
            return ((shift + 1) << SUB) + (int) ((v >>> shift) & ((1 << SUB) - 1));
        }

        static long bucketHigh(int b) {
            if (b < (1 << SUB)) {
                return b;
            }
            int shift = (b >> SUB) - 1;
            long m = (b & ((1 << SUB) - 1)) | (1L << SUB);
            return ((m + 1) << shift) - 1;
        }

        void add(long v) {
            if (v < 0) {
                negative++;
                v = 0;
            }
            count[bucketOf(v)]++;
            n++;
            sum += v;
            if (v > max) {
                max = v;
            }
        }

        long quantile(double q) {
            if (n == 0) {
                return 0;
            }
            long rank = Math.max(1, (long) Math.ceil(q * n));
            long seen = 0;
            for (int b = 0; b < count.length; b++) {
                seen += count[b];
                if (seen >= rank) {
                    return Math.min(bucketHigh(b), max);
                }
            }
            return max;
        }

        void reset() {
            java.util.Arrays.fill(count, 0);
            n = max = negative = 0;
            sum = 0;
        }
    }

    private static final long BASE_REALTIME_NS;
    private static final long BASE_NANOTIME;

    static {
        // Pair one Instant.now() with the System.nanoTime() readings around it; keep the pair
        // with the narrowest bracket (the first calls are slow: class loading, interpreter).
        long bestGap = Long.MAX_VALUE, baseNano = 0, baseReal = 0;
        for (int i = 0; i < 2000; i++) {
            long before = System.nanoTime();
            Instant t = Instant.now();
            long after = System.nanoTime();
            if (after - before < bestGap) {
                bestGap = after - before;
                baseNano = before + (after - before) / 2;
                baseReal = t.getEpochSecond() * 1_000_000_000L + t.getNano();
            }
        }
        BASE_NANOTIME = baseNano;
        BASE_REALTIME_NS = baseReal;
    }

    /** CLOCK_REALTIME nanoseconds, by clock math (see the class comment). */
    static long realtimeNs() {
        return BASE_REALTIME_NS + (System.nanoTime() - BASE_NANOTIME);
    }

    private final List<Sym> syms = new ArrayList<>();

    Sym symbol(ByteBuffer b, int off) {
        long k0 = b.getLong(off + 80);
        long k1 = b.getLong(off + 88);
        for (int i = 0; i < syms.size(); i++) {
            Sym s = syms.get(i);
            if (s.k0 == k0 && s.k1 == k1) {
                return s;
            }
        }
        Sym s = new Sym();
        s.k0 = k0;
        s.k1 = k1;
        byte[] raw = new byte[16];
        b.get(off + 80, raw);
        int len = 0;
        while (len < 16 && raw[len] != 0) {
            len++;
        }
        s.name = new String(raw, 0, len, StandardCharsets.US_ASCII);
        syms.add(s);
        return s;
    }

    static String price(long e8) {
        return String.format("%.4f", e8 / 1e8);
    }

    static String micros(long ns) {
        return String.format("%.1f us", ns / 1e3);
    }

    public static void main(String[] args) throws Exception {
        String path = null;
        boolean quiet = false;
        int capacity = 4096;
        long spinUs = 0, warmup = 0;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--path" -> path = args[++i];
                case "--capacity" -> capacity = Integer.parseInt(args[++i]);
                case "--quiet" -> quiet = true;
                case "--spin-us" -> spinUs = Long.parseLong(args[++i]);
                case "--warmup" -> warmup = Long.parseLong(args[++i]);
                default -> usageExit();
            }
        }
        if (path == null || spinUs < 0 || warmup < 0) {
            usageExit();
        }
        System.exit(new Service().run(path, capacity, quiet, spinUs * 1000, warmup));
    }

    private static void usageExit() {
        System.err.println("usage: Service --path BOOK_CHANNEL [--capacity N] [--quiet] [--spin-us N] [--warmup N]");
        System.err.println("  --spin-us N  poll an empty ring for up to N us after the last update before blocking");
        System.err.println("  --warmup N   leave the first N updates out of the latency figures");
        System.exit(2);
    }

    int run(String path, int capacity, boolean quiet, long spinNs, long warmup) {
        ChannelConfig cfg = ChannelConfig.builder().capacity(capacity).slotSize(SLOT).build();
        Histogram engToSvc = new Histogram();
        Histogram endToEnd = new Histogram();
        Histogram window = new Histogram(); // end to end, this second only
        long received = 0, gaps = 0, bad = 0, expectedSeq = 0;
        long firstNs = 0, lastNs = 0;
        long endEngineReceived = -1, endEnginePublished = -1, endGatewayCount = -1;

        try (Channel ch = Channel.openOrCreate(Path.of(path), cfg, Role.CONSUMER)) {
            System.out.println("service: ready: consuming " + path + " (hftipc "
                    + Channel.nativeVersion() + ", Java " + Runtime.version() + ")");
            System.out.flush();
            ByteBuffer buf = ByteBuffer.allocateDirect(RECORD * 256).order(ByteOrder.LITTLE_ENDIAN);
            int[] lens = new int[256];
            long startNano = System.nanoTime();
            long lastReport = startNano;
            long lastReportCount = 0;
            boolean ended = false;
            long idleSince = System.nanoTime();
            while (!ended) {
                buf.clear();
                int n = ch.pollBatch(buf, lens);
                if (n == 0 && spinNs > 0 && System.nanoTime() - idleSince < spinNs) {
                    Thread.onSpinWait(); // the next update is due within the spin budget
                    continue;
                }
                if (n == 0) {
                    // Nothing ready: block in the native wait (futex) for up to 200 ms.
                    buf.clear();
                    int len = ch.receive(buf, Duration.ofMillis(200));
                    if (len >= 0) {
                        n = 1;
                        lens[0] = len;
                    }
                }
                long now = realtimeNs();
                if (spinNs > 0) {
                    idleSince = System.nanoTime();
                }
                int off = 0;
                for (int i = 0; i < n; i++, off += lens[i - 1]) {
                    if (lens[i] != RECORD || buf.getShort(off) != 1) {
                        bad++;
                        continue;
                    }
                    int kind = buf.getShort(off + 2);
                    long seq = buf.getLong(off + 8);
                    if (kind == KIND_END) {
                        endEngineReceived = seq;
                        endGatewayCount = buf.getLong(off + 64);
                        endEnginePublished = buf.getLong(off + 72);
                        ended = true;
                        break;
                    }
                    if (kind != KIND_UPDATE) {
                        bad++;
                        continue;
                    }
                    received++;
                    if (seq != expectedSeq) {
                        gaps++;
                    }
                    expectedSeq = seq + 1;
                    long gwTs = buf.getLong(off + 16);
                    long engTs = buf.getLong(off + 24);
                    if (received > warmup) {
                        engToSvc.add(now - engTs);
                        endToEnd.add(now - gwTs);
                    }
                    window.add(now - gwTs);
                    Sym s = symbol(buf, off);
                    s.mid = buf.getLong(off + 48);
                    s.spread = buf.getLong(off + 56);
                    s.count++;
                }
                if (n > 0) {
                    if (firstNs == 0) {
                        firstNs = now;
                    }
                    lastNs = now;
                }
                long t = System.nanoTime();
                if (t - lastReport >= 1_000_000_000L) {
                    double secs = (t - lastReport) / 1e9;
                    if (!quiet && received > 0) {
                        report((t - startNano) / 1e9, received, (received - lastReportCount) / secs, window);
                    }
                    window.reset();
                    lastReport = t;
                    lastReportCount = received;
                }
            }
        }

        double secs = lastNs > firstNs ? (lastNs - firstNs) / 1e9 : 0;
        System.out.printf(
                "service: received %,d book updates (engine published %,d), %d sequence gaps, %d bad records%n",
                received, endEnginePublished, gaps, bad);
        System.out.println("service: last mid and spread per symbol:");
        for (Sym s : syms) {
            System.out.printf("  %-10s mid %14s  spread %10s  updates %,d%n",
                    s.name, price(s.mid), price(s.spread), s.count);
        }
        System.out.printf(
                "RESULT service received=%d engine_published=%d engine_received=%d gateway_count=%d"
                        + " gaps=%d bad=%d first_ns=%d last_ns=%d secs=%.6f"
                        + " eng_p50_ns=%d eng_p99_ns=%d eng_p999_ns=%d eng_max_ns=%d eng_mean_ns=%.0f"
                        + " e2e_p50_ns=%d e2e_p99_ns=%d e2e_p999_ns=%d e2e_max_ns=%d e2e_mean_ns=%.0f"
                        + " negative=%d%n",
                received, endEnginePublished, endEngineReceived, endGatewayCount, gaps, bad,
                firstNs, lastNs, secs,
                engToSvc.quantile(0.5), engToSvc.quantile(0.99), engToSvc.quantile(0.999), engToSvc.max,
                engToSvc.n > 0 ? engToSvc.sum / engToSvc.n : 0.0,
                endToEnd.quantile(0.5), endToEnd.quantile(0.99), endToEnd.quantile(0.999), endToEnd.max,
                endToEnd.n > 0 ? endToEnd.sum / endToEnd.n : 0.0,
                endToEnd.negative + engToSvc.negative);
        System.out.flush();
        return received == endEnginePublished && gaps == 0 && bad == 0 ? 0 : 1;
    }

    private void report(double t, long total, double rate, Histogram window) {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format("service %5.1fs  %,11d events  %,9.0f ev/s  end-to-end p50 %s p99 %s%n",
                t, total, rate, micros(window.quantile(0.5)), micros(window.quantile(0.99))));
        int col = 0;
        for (Sym s : syms) {
            sb.append(col == 0 ? "   " : " | ");
            sb.append(String.format("%-7s %s/%s", s.name, price(s.mid), price(s.spread)));
            if (++col == 4) {
                sb.append('\n');
                col = 0;
            }
        }
        if (col != 0) {
            sb.append('\n');
        }
        System.out.print(sb);
        System.out.flush();
    }
}
