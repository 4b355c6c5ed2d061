package io.hftipc.bench;

import io.hftipc.Channel;
import io.hftipc.ChannelConfig;
import io.hftipc.Role;
import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.agrona.IoUtil;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.ringbuffer.OneToOneRingBuffer;
import org.agrona.concurrent.ringbuffer.RingBufferDescriptor;

/**
 * Java throughput and latency of hftipc against Agrona's OneToOneRingBuffer between two JVMs,
 * each pinned to its own CPU (taskset -c 0 and -c 1, when there are two CPUs and taskset
 * exists). This JVM only coordinates: it starts the two peers, tells them over their stdin what
 * to run, and collects their results from their stdout; it is idle while they measure.
 *
 * <p>Throughput, per message size (8, 64, 512 B) and case: hftipc {@code offer}/{@code poll}
 * with a direct ByteBuffer and with a heap byte[] (slots sized by {@code maxPayload(size)}, the
 * line-aware option, and, for the direct case, also packed slots of size + 8 rounded to 8), and
 * Agrona {@code write}/{@code read(handler, 1)} over a file mapped by both JVMs (a ring of as
 * many bytes as hftipc's packed ring, rounded up to a power of two). A warm-up run and a
 * calibration run size each case to about --seconds; then --runs rounds, interleaved (round 1
 * of every case, then round 2, ...): median, minimum, maximum. The consumer times the run from
 * its first message to its last and checks every message's sequence number (its first 8
 * bytes); both copy each message out.
 *
 * <p>Round trip: 64-byte ping-pong over two rings, one per direction, --roundtrips per round,
 * --runs rounds, interleaved; the median over rounds of each round's p50 and p99. A bare
 * ping-pong on two longs 128 bytes apart in a shared mapped file is the floor.
 *
 * <p>Output on stdout, tab-separated: {@code throughput <case> <size> <median> <min> <max>}
 * (msgs/s), {@code latency <case> 64 <p50> <p99> <p99.9>} (ns; medians over rounds), {@code
 * target <what> <measured> <baseline> <ratio> <required> <met|missed>} and {@code context} lines
 * of the same shape (scripts/lib/targets.sh), and {@code load before|after <loadavg>}. Progress
 * on stderr.
 *
 * <pre>
 * java -cp ... io.hftipc.bench.CrossBench [--runs 5] [--seconds 0.15] [--roundtrips 100000]
 *     [--sizes 8,64,512] [--no-pin]
 * </pre>
 */
public final class CrossBench {
    private CrossBench() {}

    static final int CAPACITY = 4096;
    static final int WARM_ROUNDTRIPS = Loops.WARM;

    static final String HFTIPC_DIRECT = "hftipc offer/poll (direct ByteBuffer), two JVMs";
    static final String HFTIPC_PACKED = "hftipc offer/poll (direct ByteBuffer, packed slots), two JVMs";
    static final String HFTIPC_HEAP = "hftipc offer/poll (heap byte[]), two JVMs";
    static final String AGRONA = "Agrona OneToOneRingBuffer write/read(1), two JVMs";
    static final String RT_BARE = "bare ping-pong (mapped file), two JVMs";
    static final String RT_HFTIPC = "hftipc offer/poll (direct ByteBuffer), two JVMs";
    static final String RT_AGRONA = "Agrona OneToOneRingBuffer write/read(1), two JVMs";
    static final String RT_PACKED = "hftipc offer/poll (direct ByteBuffer, packed slots), two JVMs";

    /** Throughput cases: the name printed and the peer's kind. */
    static final String[][] CASES = {
        {HFTIPC_DIRECT, "direct"}, {HFTIPC_PACKED, "packed"}, {HFTIPC_HEAP, "heap"}, {AGRONA, "agrona"},
    };
    static final String[][] RT_CASES = {
        {RT_BARE, "bare"}, {RT_HFTIPC, "direct"}, {RT_PACKED, "packed"}, {RT_AGRONA, "agrona"},
    };

    public static void main(String[] args) throws Exception {
        if (args.length > 0 && args[0].equals("--peer")) {
            peer();
            return;
        }
        int runs = 5;
        double seconds = 0.15;
        int roundTrips = 100_000;
        int[] sizes = {8, 64, 512};
        boolean pin = true;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--runs" -> runs = Integer.parseInt(args[++i]);
                case "--seconds" -> seconds = Double.parseDouble(args[++i]);
                case "--roundtrips" -> roundTrips = Integer.parseInt(args[++i]);
                case "--sizes" -> sizes = Arrays.stream(args[++i].split(",")).mapToInt(Integer::parseInt).toArray();
                case "--no-pin" -> pin = false;
                default -> throw new IllegalArgumentException("unknown option " + args[i]
                        + " (options: --runs N --seconds S --roundtrips N --sizes a,b,c --no-pin)");
            }
        }
        for (int s : sizes) {
            if (s < 8) {
                throw new IllegalArgumentException("sizes must be at least 8 bytes (the sequence number)");
            }
        }
        if (pin && (Runtime.getRuntime().availableProcessors() < 2 || !onPath("taskset"))) {
            System.err.println("cross bench: warning: fewer than 2 CPUs or no taskset: the peers are not pinned");
            pin = false;
        }
        Path base = Files.isDirectory(Path.of("/dev/shm")) ? Path.of("/dev/shm") : Path.of(System.getProperty("java.io.tmpdir"));
        Path dir = Files.createTempDirectory(base, "hftipc-crossbench");
        System.out.printf("load\tbefore\t%s%n", loadavg());
        try (Peer a = new Peer(pin ? 0 : -1); Peer b = new Peer(pin ? 1 : -1)) {
            System.err.printf(Locale.ROOT, "cross bench: hftipc %s, Java %s, peers %s, %d rounds of ~%.2f s per case%n",
                    Channel.nativeVersion(), System.getProperty("java.version"),
                    pin ? "pinned to CPU 0 (producer) and CPU 1 (consumer)" : "not pinned", runs, seconds);
            Coordinator c = new Coordinator(a, b, dir);
            c.throughput(sizes, runs, seconds);
            c.latency(runs, roundTrips);
            c.targets(sizes);
        } finally {
            try (var s = Files.list(dir)) {
                s.forEach(p -> p.toFile().delete());
            }
            Files.deleteIfExists(dir);
        }
        System.out.printf("load\tafter\t%s%n", loadavg());
        System.out.flush();
    }

    static boolean onPath(String exe) {
        for (String d : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            if (Files.isExecutable(Path.of(d, exe))) {
                return true;
            }
        }
        return false;
    }

    static String loadavg() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).trim();
        } catch (IOException e) {
            return "unknown";
        }
    }

    // ---- coordinator -------------------------------------------------------------------------

    /** A peer JVM, optionally pinned to one CPU, driven by lines on its stdin. */
    static final class Peer implements AutoCloseable {
        final Process p;
        final PrintStream in;
        final BufferedReader out;

        Peer(int cpu) throws IOException {
            List<String> cmd = new ArrayList<>();
            if (cpu >= 0) {
                cmd.addAll(List.of("taskset", "-c", Integer.toString(cpu)));
            }
            cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
            cmd.addAll(ManagementFactory.getRuntimeMXBean().getInputArguments());
            cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), CrossBench.class.getName(), "--peer"));
            p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start();
            in = new PrintStream(p.getOutputStream(), true, StandardCharsets.UTF_8);
            out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        }

        void send(String line) {
            in.println(line);
        }

        /** The peer's next reply; its failure (a line starting "error") ends the benchmark. */
        String reply() throws IOException {
            String r = out.readLine();
            if (r == null || r.startsWith("error")) {
                throw new IllegalStateException("peer failed: " + r);
            }
            return r;
        }

        @Override
        public void close() {
            in.println("quit");
            in.close();
            try {
                p.waitFor();
            } catch (InterruptedException e) {
                p.destroy();
                Thread.currentThread().interrupt();
            }
        }
    }

    static final class Coordinator {
        final Peer a, b; // a produces (and pings) on CPU 0, b consumes (and echoes) on CPU 1
        final Path dir;
        int seq;
        final java.util.Map<String, double[]> thr = new java.util.HashMap<>();
        final java.util.Map<String, double[]> lat = new java.util.HashMap<>();

        Coordinator(Peer a, Peer b, Path dir) {
            this.a = a;
            this.b = b;
            this.dir = dir;
        }

        /** One run of n messages; returns msgs/s as the consumer measured it. */
        double run(String kind, int size, long n) throws IOException {
            Path path = dir.resolve("t" + (seq++));
            a.send(String.join(" ", "tx", kind, Integer.toString(size), Long.toString(n), path.toString()));
            a.reply(); // ready: created
            b.send(String.join(" ", "rx", kind, Integer.toString(size), Long.toString(n), path.toString()));
            b.reply(); // ready: opened, waiting for the first message
            a.send("go");
            String[] r = b.reply().split(" "); // done <ns from first to last message>
            a.reply();
            Files.deleteIfExists(path);
            long ns = Long.parseLong(r[1]);
            return (n - 1) * 1e9 / ns;
        }

        void throughput(int[] sizes, int runs, double seconds) throws IOException {
            long[][] count = new long[sizes.length][CASES.length];
            double[][][] rates = new double[sizes.length][CASES.length][runs];
            for (int s = 0; s < sizes.length; s++) {
                for (int c = 0; c < CASES.length; c++) {
                    run(CASES[c][1], sizes[s], 300_000); // JIT warm-up, both peers
                    double r = run(CASES[c][1], sizes[s], 500_000);
                    count[s][c] = Math.max(200_000, (long) (r * seconds));
                    System.err.printf(Locale.ROOT, "cross bench: calibrated %-62s %4d B: %.1f M msgs/s%n",
                            CASES[c][0], sizes[s], r / 1e6);
                }
            }
            for (int run = 0; run < runs; run++) {
                System.err.printf("cross bench: throughput round %d/%d%n", run + 1, runs);
                for (int s = 0; s < sizes.length; s++) {
                    for (int c = 0; c < CASES.length; c++) {
                        rates[s][c][run] = run(CASES[c][1], sizes[s], count[s][c]);
                    }
                }
            }
            for (int s = 0; s < sizes.length; s++) {
                for (int c = 0; c < CASES.length; c++) {
                    double[] r = rates[s][c].clone();
                    Arrays.sort(r);
                    double med = JavaBench.median(r);
                    thr.put(CASES[c][0] + "/" + sizes[s], new double[] {med});
                    System.out.printf(Locale.ROOT, "throughput\t%s\t%d\t%.0f\t%.0f\t%.0f%n", CASES[c][0], sizes[s],
                            med, r[0], r[r.length - 1]);
                }
            }
            System.out.flush();
        }

        /** One round of ping-pong; returns {p50, p99, p99.9} in ns. */
        long[] roundTrips(String kind, int n) throws IOException {
            Path ping = dir.resolve("ping" + seq), pong = dir.resolve("pong" + (seq++));
            a.send(String.join(" ", "ping", kind, Integer.toString(n), ping.toString(), pong.toString()));
            a.reply(); // ready: ping created
            b.send(String.join(" ", "echo", kind, Integer.toString(n), ping.toString(), pong.toString()));
            b.reply(); // ready: pong created, ping opened
            a.send("go");
            String[] r = a.reply().split(" "); // done p50 p99 p999
            b.reply();
            Files.deleteIfExists(ping);
            Files.deleteIfExists(pong);
            return new long[] {Long.parseLong(r[1]), Long.parseLong(r[2]), Long.parseLong(r[3])};
        }

        void latency(int runs, int n) throws IOException {
            System.err.printf("cross bench: round trips, %d per round, %d rounds%n", n, runs);
            long[][][] q = new long[RT_CASES.length][3][runs];
            for (String[] c : RT_CASES) {
                roundTrips(c[1], Math.min(n, 50_000)); // JIT warm-up
            }
            for (int run = 0; run < runs; run++) {
                for (int c = 0; c < RT_CASES.length; c++) {
                    long[] r = roundTrips(RT_CASES[c][1], n);
                    for (int k = 0; k < 3; k++) {
                        q[c][k][run] = r[k];
                    }
                }
            }
            for (int c = 0; c < RT_CASES.length; c++) {
                long[] m = new long[3];
                for (int k = 0; k < 3; k++) {
                    long[] v = q[c][k].clone();
                    Arrays.sort(v);
                    m[k] = v[v.length / 2];
                }
                lat.put(RT_CASES[c][0], new double[] {m[0], m[1]});
                System.out.printf("latency\t%s\t64\t%d\t%d\t%d%n", RT_CASES[c][0], m[0], m[1], m[2]);
            }
            System.out.flush();
        }

        /* The target lines (issue 14: hftipc against Agrona, judged here on this run's figures)
         * and context lines (the other hftipc variants, the round trip against the floor), in
         * the shape scripts/lib/targets.sh collects. */
        void targets(int[] sizes) {
            for (int s : sizes) {
                double g = thr.get(AGRONA + "/" + s)[0];
                double h = thr.get(HFTIPC_DIRECT + "/" + s)[0];
                line("target", "java offer/poll " + s + " B vs Agrona", rate(h, "direct ByteBuffer, maxPayload slots"),
                        rate(g, "Agrona write/read(1)"), h / g, "required 1.00", h / g >= 1.0 ? "met" : "missed");
                double p = thr.get(HFTIPC_PACKED + "/" + s)[0];
                line("context", "java offer/poll " + s + " B vs Agrona, packed slots", rate(p, "direct ByteBuffer, packed slots"),
                        rate(g, "Agrona write/read(1)"), p / g, "-", "-");
                double a = thr.get(HFTIPC_HEAP + "/" + s)[0];
                line("context", "java offer/poll " + s + " B vs Agrona, heap byte[]", rate(a, "heap byte[], maxPayload slots"),
                        rate(g, "Agrona write/read(1)"), a / g, "-", "-");
            }
            double h = lat.get(RT_HFTIPC)[0], g = lat.get(RT_AGRONA)[0], bare = lat.get(RT_BARE)[0];
            line("target", "java round trip p50 vs Agrona", String.format(Locale.ROOT, "%.0f ns", h),
                    String.format(Locale.ROOT, "%.0f ns", g), h / g, "required <= 1.00", h / g <= 1.0 ? "met" : "missed");
            line("context", "java round trip p50 vs bare ping-pong (two JVMs)", String.format(Locale.ROOT, "%.0f ns", h),
                    String.format(Locale.ROOT, "%.0f ns", bare), h / bare, "-", "-");
            double p = lat.get(RT_PACKED)[0];
            line("context", "java round trip p50 vs Agrona, packed slots", String.format(Locale.ROOT, "%.0f ns", p),
                    String.format(Locale.ROOT, "%.0f ns", g), p / g, "-", "-");
            System.out.flush();
        }

        static String rate(double msgs, String what) {
            return String.format(Locale.ROOT, "%.2f M msgs/s (%s)", msgs / 1e6, what);
        }

        static void line(String tag, String name, String measured, String baseline, double ratio,
                String required, String verdict) {
            System.out.printf(Locale.ROOT, "%s\t%s\t%s\t%s\t%.2fx\t%s\t%s%n", tag, name, measured, baseline, ratio,
                    required, verdict);
        }
    }

    // ---- peer --------------------------------------------------------------------------------

    /** Runs the commands of the coordinator, one per line; replies on stdout. */
    static void peer() throws Exception {
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        PrintStream out = new PrintStream(new java.io.FileOutputStream(java.io.FileDescriptor.out), true, StandardCharsets.UTF_8);
        System.setOut(System.err); // nothing else may write to the reply channel
        String line;
        while ((line = in.readLine()) != null && !line.equals("quit")) {
            String[] f = line.split(" ");
            try {
                switch (f[0]) {
                    case "tx" -> produce(f[1], Integer.parseInt(f[2]), Long.parseLong(f[3]), Path.of(f[4]), in, out);
                    case "rx" -> out.println("done " + consume(f[1], Integer.parseInt(f[2]), Long.parseLong(f[3]), Path.of(f[4]), out));
                    case "ping" -> ping(f[1], Integer.parseInt(f[2]), Path.of(f[3]), Path.of(f[4]), in, out);
                    case "echo" -> echo(f[1], Integer.parseInt(f[2]), Path.of(f[3]), Path.of(f[4]), out);
                    default -> throw new IllegalArgumentException("unknown command " + line);
                }
            } catch (Throwable e) {
                e.printStackTrace();
                out.println("error " + e);
                return;
            }
        }
    }

    static int idle(int misses) {
        return JavaBench.idle(misses);
    }

    static ChannelConfig config(String kind, int size) {
        ChannelConfig.Builder b = ChannelConfig.builder().capacity(CAPACITY);
        return (kind.equals("packed") ? b.slotSize(JavaBench.packedSlot(size)) : b.maxPayload(size)).build();
    }

    static int agronaBytes(int size) {
        return (Integer.highestOneBit(CAPACITY * JavaBench.packedSlot(size) - 1) << 1) + RingBufferDescriptor.TRAILER_LENGTH;
    }

    static void awaitGo(BufferedReader in) throws IOException {
        String go = in.readLine();
        if (!"go".equals(go)) {
            throw new IllegalStateException("expected go, got " + go);
        }
    }

    static void produce(String kind, int size, long n, Path path, BufferedReader in, PrintStream out) throws IOException {
        if (kind.equals("agrona")) {
            MappedByteBuffer m = IoUtil.mapNewFile(path.toFile(), agronaBytes(size));
            try {
                OneToOneRingBuffer rb = new OneToOneRingBuffer(new UnsafeBuffer(m));
                out.println("ready");
                awaitGo(in);
                Loops.write(rb, size, n);
            } finally {
                IoUtil.unmap(m);
            }
        } else {
            try (Channel tx = Channel.create(path, config(kind, size), Role.PRODUCER)) {
                out.println("ready");
                awaitGo(in);
                if (kind.equals("heap")) {
                    Loops.offerHeap(tx, size, n);
                } else {
                    Loops.offer(tx, size, n);
                }
            }
        }
        out.println("done");
    }

    /** Receives n messages, checking each sequence; returns ns from the first to the last. */
    static long consume(String kind, int size, long n, Path path, PrintStream out) {
        if (kind.equals("agrona")) {
            MappedByteBuffer m = IoUtil.mapExistingFile(path.toFile(), "agrona ring");
            try {
                OneToOneRingBuffer rb = new OneToOneRingBuffer(new UnsafeBuffer(m));
                out.println("ready");
                long t0 = Loops.read(rb, size, n, 1);
                return System.nanoTime() - t0;
            } finally {
                IoUtil.unmap(m);
            }
        }
        try (Channel rx = Channel.open(path, Role.CONSUMER)) {
            out.println("ready");
            long t0 = kind.equals("heap") ? Loops.pollHeap(rx, size, n) : Loops.poll(rx, size, n);
            return System.nanoTime() - t0;
        }
    }

    // ---- round trips -------------------------------------------------------------------------

    /** The pinger: creates the ping ring, then on "go" opens pong and times n round trips. */
    static void ping(String kind, int n, Path pingPath, Path pongPath, BufferedReader in, PrintStream out) throws IOException {
        int total = WARM_ROUNDTRIPS + n;
        long[] s = new long[n];
        switch (kind) {
            case "bare" -> {
                MappedByteBuffer m = IoUtil.mapNewFile(pingPath.toFile(), 4096);
                try {
                    UnsafeBuffer u = new UnsafeBuffer(m);
                    out.println("ready");
                    awaitGo(in);
                    int miss = 0;
                    long prev = System.nanoTime();
                    for (int i = 1; i <= total; i++) {
                        u.putLongOrdered(0, i);
                        while (u.getLongVolatile(128) != i) {
                            miss = idle(miss);
                        }
                        long now = System.nanoTime();
                        if (i > WARM_ROUNDTRIPS) {
                            s[i - WARM_ROUNDTRIPS - 1] = now - prev;
                        }
                        prev = now;
                    }
                } finally {
                    IoUtil.unmap(m);
                }
            }
            case "agrona" -> {
                MappedByteBuffer pm = IoUtil.mapNewFile(pingPath.toFile(), agronaBytes(64));
                MappedByteBuffer qm = null;
                try {
                    OneToOneRingBuffer pingRb = new OneToOneRingBuffer(new UnsafeBuffer(pm));
                    out.println("ready");
                    awaitGo(in);
                    qm = IoUtil.mapExistingFile(pongPath.toFile(), "pong");
                    OneToOneRingBuffer pongRb = new OneToOneRingBuffer(new UnsafeBuffer(qm));
                    Loops.ping(pingRb, pongRb, s);
                } finally {
                    IoUtil.unmap(pm);
                    if (qm != null) {
                        IoUtil.unmap(qm);
                    }
                }
            }
            default -> {
                try (Channel pingTx = Channel.create(pingPath, config(kind, 64), Role.PRODUCER)) {
                    out.println("ready");
                    awaitGo(in);
                    try (Channel pongRx = Channel.open(pongPath, Role.CONSUMER)) {
                        Loops.ping(pingTx, pongRx, s);
                    }
                }
            }
        }
        Arrays.sort(s);
        out.println("done " + s[n / 2] + " " + s[(int) (n * 0.99)] + " " + s[(int) (n * 0.999)]);
    }

    /** The echo: opens ping, creates pong, and sends every message back, checking it. */
    static void echo(String kind, int n, Path pingPath, Path pongPath, PrintStream out) {
        int total = WARM_ROUNDTRIPS + n;
        switch (kind) {
            case "bare" -> {
                MappedByteBuffer m = IoUtil.mapExistingFile(pingPath.toFile(), "bare");
                try {
                    UnsafeBuffer u = new UnsafeBuffer(m);
                    out.println("ready");
                    int miss = 0;
                    for (int i = 1; i <= total; i++) {
                        while (u.getLongVolatile(0) != i) {
                            miss = idle(miss);
                        }
                        u.putLongOrdered(128, i);
                    }
                } finally {
                    IoUtil.unmap(m);
                }
            }
            case "agrona" -> {
                MappedByteBuffer qm = IoUtil.mapNewFile(pongPath.toFile(), agronaBytes(64));
                MappedByteBuffer pm = IoUtil.mapExistingFile(pingPath.toFile(), "ping");
                try {
                    OneToOneRingBuffer pingRb = new OneToOneRingBuffer(new UnsafeBuffer(pm));
                    OneToOneRingBuffer pongRb = new OneToOneRingBuffer(new UnsafeBuffer(qm));
                    out.println("ready");
                    Loops.echo(pingRb, pongRb, total);
                } finally {
                    IoUtil.unmap(pm);
                    IoUtil.unmap(qm);
                }
            }
            default -> {
                try (Channel pongTx = Channel.create(pongPath, config(kind, 64), Role.PRODUCER);
                        Channel pingRx = Channel.open(pingPath, Role.CONSUMER)) {
                    out.println("ready");
                    Loops.echo(pingRx, pongTx, total);
                }
            }
        }
        out.println("done");
    }
}
