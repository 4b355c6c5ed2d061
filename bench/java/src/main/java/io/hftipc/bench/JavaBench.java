package io.hftipc.bench;

import io.hftipc.Channel;
import io.hftipc.ChannelConfig;
import io.hftipc.Role;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicLongArray;
import org.agrona.IoUtil;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.ringbuffer.OneToOneRingBuffer;
import org.agrona.concurrent.ringbuffer.RingBufferDescriptor;

/**
 * Java throughput and latency of hftipc against Agrona's OneToOneRingBuffer, in one JVM: the
 * producer and the consumer are two threads, each with its own handle (hftipc) or on the same
 * mapped buffer (Agrona). Both rings live in a file mapped from /dev/shm (else the temp dir).
 *
 * <p>Throughput: for each message size and case, a calibration run (which also warms up the JIT)
 * sizes the message count so that one run lasts about --seconds; then --runs runs, interleaved
 * (run 1 of every case, then run 2, ...), and the median, minimum and maximum. Every message
 * carries its sequence number in its first 8 bytes and the consumer checks it. Every consumer
 * copies the whole message out (hftipc poll/pollBatch do; the Agrona handler does getBytes).
 *
 * <p>Latency: 64-byte ping-pong over two rings, one per direction, every round trip timed with
 * System.nanoTime; p50, p99, p99.9. A bare ping-pong on two atomic longs 128 bytes apart is the
 * floor.
 *
 * <p>Output: tab-separated lines on stdout, progress on stderr:
 * {@code throughput <transport> <size> <median> <min> <max>} (msgs/s) and
 * {@code latency <transport> 64 <p50> <p99> <p99.9>} (ns).
 */
public final class JavaBench {
    private JavaBench() {}

    static final int CAPACITY = 4096;
    static final int BATCH = 64;

    static int runs = 5;
    static double seconds = 0.15;
    static int[] sizes = {8, 64, 512};
    static int roundTrips = 200_000;
    static Path dir;

    interface Case {
        String name();

        /** Moves {@code n} messages of {@code size} bytes; returns msgs/s. */
        double run(int size, long n) throws Exception;
    }

    public static void main(String[] args) throws Exception {
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--runs" -> runs = Integer.parseInt(args[++i]);
                case "--seconds" -> seconds = Double.parseDouble(args[++i]);
                case "--roundtrips" -> roundTrips = Integer.parseInt(args[++i]);
                case "--sizes" -> sizes = Arrays.stream(args[++i].split(",")).mapToInt(Integer::parseInt).toArray();
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        Path base = Files.isDirectory(Path.of("/dev/shm")) ? Path.of("/dev/shm") : Path.of(System.getProperty("java.io.tmpdir"));
        dir = Files.createTempDirectory(base, "hftipc-javabench");
        try {
            System.err.printf("java bench: hftipc %s, Java %s (%s), %d CPUs, %d runs of ~%.2f s per case%n",
                    Channel.nativeVersion(), System.getProperty("java.version"), System.getProperty("java.vm.name"),
                    Runtime.getRuntime().availableProcessors(), runs, seconds);
            throughput();
            latency();
        } finally {
            try (var s = Files.list(dir)) {
                s.forEach(p -> p.toFile().delete());
            }
            Files.deleteIfExists(dir);
        }
    }

    // ---- throughput ---------------------------------------------------------------------------

    static void throughput() throws Exception {
        List<Case> cases = List.of(new HftipcOfferPoll(), new HftipcBatch(), new AgronaOne(), new AgronaBatch());
        int nc = cases.size();
        long[][] count = new long[sizes.length][nc];
        double[][][] rates = new double[sizes.length][nc][runs];
        for (int s = 0; s < sizes.length; s++) {
            for (int c = 0; c < nc; c++) {
                Case k = cases.get(c);
                k.run(sizes[s], 200_000); // JIT warm-up
                double r = k.run(sizes[s], 500_000);
                count[s][c] = Math.max(200_000, (long) (r * seconds));
                System.err.printf("java bench: calibrated %-40s %4d B: %.1f M msgs/s%n", k.name(), sizes[s], r / 1e6);
            }
        }
        for (int run = 0; run < runs; run++) {
            System.err.printf("java bench: throughput run %d/%d%n", run + 1, runs);
            for (int s = 0; s < sizes.length; s++) {
                for (int c = 0; c < nc; c++) {
                    rates[s][c][run] = cases.get(c).run(sizes[s], count[s][c]);
                }
            }
        }
        for (int s = 0; s < sizes.length; s++) {
            for (int c = 0; c < nc; c++) {
                double[] r = rates[s][c].clone();
                Arrays.sort(r);
                System.out.printf("throughput\t%s\t%d\t%.0f\t%.0f\t%.0f%n", cases.get(c).name(), sizes[s],
                        median(r), r[0], r[r.length - 1]);
            }
        }
        System.out.flush();
    }

    static double median(double[] sorted) {
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }

    /* Spin, yielding every 256 misses: on 2 shared vCPUs a pure spin can starve the peer thread.
     * The same for every case. */
    static int idle(int misses) {
        if ((++misses & 255) == 0) {
            Thread.yield();
        } else {
            Thread.onSpinWait();
        }
        return misses;
    }

    static int packedSlot(int size) {
        return (size + 8 + 7) & ~7;
    }

    static Path fresh(String name) throws Exception {
        Path p = dir.resolve(name);
        Files.deleteIfExists(p);
        return p;
    }

    static void check(long got, long want) {
        if (got != want) {
            throw new IllegalStateException("sequence " + got + ", expected " + want);
        }
    }

    /** Runs the producer in a new thread and the consumer here; returns msgs/s. */
    static double timed(long n, Runnable producer, Runnable consumer) throws InterruptedException {
        Thread t = new Thread(producer, "producer");
        Throwable[] err = new Throwable[1];
        t.setUncaughtExceptionHandler((th, e) -> err[0] = e);
        long t0 = System.nanoTime();
        t.start();
        consumer.run();
        long t1 = System.nanoTime();
        t.join();
        if (err[0] != null) {
            throw new IllegalStateException("producer failed", err[0]);
        }
        return n * 1e9 / (t1 - t0);
    }

    static final class HftipcOfferPoll implements Case {
        public String name() {
            return "hftipc offer/poll (direct ByteBuffer)";
        }

        public double run(int size, long n) throws Exception {
            Path path = fresh("offerpoll");
            ChannelConfig cfg = ChannelConfig.builder().capacity(CAPACITY).slotSize(packedSlot(size)).build();
            try (Channel tx = Channel.create(path, cfg, Role.PRODUCER); Channel rx = Channel.open(path, Role.CONSUMER)) {
                return timed(n, () -> Loops.offer(tx, size, n), () -> Loops.poll(rx, size, n));
            } finally {
                Files.deleteIfExists(path);
            }
        }
    }

    static final class HftipcBatch implements Case {
        public String name() {
            return "hftipc offerBatch/pollBatch (64 per call)";
        }

        public double run(int size, long n) throws Exception {
            Path path = fresh("batch");
            ChannelConfig cfg = ChannelConfig.builder().capacity(CAPACITY).slotSize(packedSlot(size)).build();
            try (Channel tx = Channel.create(path, cfg, Role.PRODUCER); Channel rx = Channel.open(path, Role.CONSUMER)) {
                return timed(n, () -> {
                    ByteBuffer src = ByteBuffer.allocateDirect(size * BATCH);
                    int[] lens = new int[BATCH];
                    Arrays.fill(lens, size);
                    int miss = 0;
                    for (long i = 0; i < n;) {
                        int k = (int) Math.min(BATCH, n - i);
                        src.clear();
                        for (int j = 0; j < k; j++) {
                            src.putLong(j * size, i + j);
                        }
                        src.limit(k * size);
                        int sent = tx.offerBatch(src, lens, k);
                        if (sent == 0) {
                            miss = idle(miss);
                        }
                        i += sent;
                    }
                }, () -> {
                    ByteBuffer dst = ByteBuffer.allocateDirect(size * BATCH);
                    int[] lens = new int[BATCH];
                    int miss = 0;
                    for (long i = 0; i < n;) {
                        dst.clear();
                        int got = rx.pollBatch(dst, lens);
                        if (got == 0) {
                            miss = idle(miss);
                            continue;
                        }
                        int off = 0;
                        for (int j = 0; j < got; j++) {
                            check(dst.getLong(off), i + j);
                            off += lens[j];
                        }
                        i += got;
                    }
                });
            } finally {
                Files.deleteIfExists(path);
            }
        }
    }

    /** Agrona's ring, mapped from a file, with as many bytes as hftipc's ring rounded up to a power of two. */
    static OneToOneRingBuffer agronaRing(Path path, int size, MappedByteBuffer[] keep) {
        int bytes = Integer.highestOneBit(CAPACITY * packedSlot(size) - 1) << 1;
        MappedByteBuffer m = IoUtil.mapNewFile(path.toFile(), bytes + RingBufferDescriptor.TRAILER_LENGTH);
        keep[0] = m;
        return new OneToOneRingBuffer(new UnsafeBuffer(m));
    }

    static double agrona(int size, long n, int limit) throws Exception {
        Path path = fresh("agrona");
        MappedByteBuffer[] keep = new MappedByteBuffer[1];
        OneToOneRingBuffer rb = agronaRing(path, size, keep);
        try {
            return timed(n, () -> Loops.write(rb, size, n), () -> Loops.read(rb, size, n, limit));
        } finally {
            IoUtil.unmap(keep[0]);
            Files.deleteIfExists(path);
        }
    }

    static final class AgronaOne implements Case {
        public String name() {
            return "Agrona OneToOneRingBuffer write/read(1)";
        }

        public double run(int size, long n) throws Exception {
            return agrona(size, n, 1);
        }
    }

    static final class AgronaBatch implements Case {
        public String name() {
            return "Agrona OneToOneRingBuffer write/read(64)";
        }

        public double run(int size, long n) throws Exception {
            return agrona(size, n, BATCH);
        }
    }

    // ---- latency ------------------------------------------------------------------------------

    static void latency() throws Exception {
        System.err.printf("java bench: round trips, %d per transport%n", roundTrips);
        report("bare ping-pong (AtomicLongArray)", bare());
        report("hftipc offer/poll (direct ByteBuffer)", hftipcPingPong());
        report("Agrona OneToOneRingBuffer write/read(1)", agronaPingPong());
        System.out.flush();
    }

    static void report(String name, long[] s) {
        Arrays.sort(s);
        System.out.printf("latency\t%s\t64\t%d\t%d\t%d%n", name, s[s.length / 2], s[(int) (s.length * 0.99)],
                s[(int) (s.length * 0.999)]);
    }

    static final int WARM = Loops.WARM;

    static long[] bare() throws Exception {
        AtomicLongArray a = new AtomicLongArray(64); // ping at [0], pong at [32]: 256 bytes apart
        int total = WARM + roundTrips;
        Thread echo = new Thread(() -> {
            int miss = 0;
            for (long i = 1; i <= total; i++) {
                while (a.get(0) != i) {
                    miss = idle(miss);
                }
                a.set(32, i);
            }
        });
        echo.start();
        long[] s = new long[roundTrips];
        int miss = 0;
        long prev = System.nanoTime();
        for (int i = 1; i <= total; i++) {
            a.set(0, i);
            while (a.get(32) != i) {
                miss = idle(miss);
            }
            long now = System.nanoTime();
            if (i > WARM) {
                s[i - WARM - 1] = now - prev;
            }
            prev = now;
        }
        echo.join();
        return s;
    }

    static long[] hftipcPingPong() throws Exception {
        Path pa = fresh("ping"), pb = fresh("pong");
        ChannelConfig cfg = ChannelConfig.builder().capacity(CAPACITY).slotSize(packedSlot(64)).build();
        int total = WARM + roundTrips;
        try (Channel pingTx = Channel.create(pa, cfg, Role.PRODUCER); Channel pingRx = Channel.open(pa, Role.CONSUMER);
                Channel pongTx = Channel.create(pb, cfg, Role.PRODUCER); Channel pongRx = Channel.open(pb, Role.CONSUMER)) {
            Thread echo = new Thread(() -> Loops.echo(pingRx, pongTx, total));
            echo.start();
            long[] s = new long[roundTrips];
            Loops.ping(pingTx, pongRx, s);
            echo.join();
            return s;
        } finally {
            Files.deleteIfExists(pa);
            Files.deleteIfExists(pb);
        }
    }

    static long[] agronaPingPong() throws Exception {
        Path pa = fresh("aping"), pb = fresh("apong");
        MappedByteBuffer[] ka = new MappedByteBuffer[1], kb = new MappedByteBuffer[1];
        OneToOneRingBuffer ping = agronaRing(pa, 64, ka), pong = agronaRing(pb, 64, kb);
        int total = WARM + roundTrips;
        try {
            Thread echo = new Thread(() -> Loops.echo(ping, pong, total));
            echo.start();
            long[] s = new long[roundTrips];
            Loops.ping(ping, pong, s);
            echo.join();
            return s;
        } finally {
            IoUtil.unmap(ka[0]);
            IoUtil.unmap(kb[0]);
            Files.deleteIfExists(pa);
            Files.deleteIfExists(pb);
        }
    }
}
