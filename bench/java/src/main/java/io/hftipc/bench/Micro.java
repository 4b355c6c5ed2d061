package io.hftipc.bench;

import io.hftipc.Channel;
import io.hftipc.ChannelConfig;
import io.hftipc.CrossingProbe;
import io.hftipc.Role;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;

/**
 * The software cost of one Java operation, without any cross-core traffic: one thread holds the
 * producer and the consumer handle of one channel and alternates one send with one receive, so
 * every slot and cursor stays in its own cache. What is left is the JNI crossing, the JNIEnv
 * calls, the copies and the core's instructions. CPU nanoseconds per operation (a send or a
 * receive: half a pair) of thread CPU time, median of --runs runs of --ops pairs, after a warm-up.
 *
 * <p>Also the same below the facade ({@link io.hftipc.CrossingProbe}): the bare JNI crossing, one
 * JNIEnv call, and the binding's natives called directly.
 *
 * <p>Output: {@code micro <case> <size> <ns per op median> <min> <max>} and {@code probe ...},
 * tab-separated. Agrona needs {@code --add-opens java.base/jdk.internal.misc=ALL-UNNAMED}.
 *
 * <pre>
 * java -cp ... io.hftipc.bench.Micro [--runs 7] [--ops 2000000] [--sizes 8,64,512]
 * </pre>
 */
public final class Micro {
    private Micro() {}

    /* Thread CPU time, not wall time: on a shared machine the thread is descheduled now and
     * then, and wall time would count the other programs' slices. */
    static final java.lang.management.ThreadMXBean CPU = java.lang.management.ManagementFactory.getThreadMXBean();

    public static void main(String[] args) throws Exception {
        int runs = 7;
        long ops = 2_000_000;
        int[] sizes = {8, 64, 512};
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--runs" -> runs = Integer.parseInt(args[++i]);
                case "--ops" -> ops = Long.parseLong(args[++i]);
                case "--sizes" -> sizes = Arrays.stream(args[++i].split(",")).mapToInt(Integer::parseInt).toArray();
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        Path base = Files.isDirectory(Path.of("/dev/shm")) ? Path.of("/dev/shm") : Path.of(System.getProperty("java.io.tmpdir"));
        Path dir = Files.createTempDirectory(base, "hftipc-micro");
        try {
            for (int size : sizes) {
                Path p = dir.resolve("m" + size);
                ChannelConfig cfg = ChannelConfig.builder().capacity(1024).maxPayload(size).build();
                try (Channel tx = Channel.create(p, cfg, Role.PRODUCER); Channel rx = Channel.open(p, Role.CONSUMER)) {
                    String[] names = {"offer+poll, direct ByteBuffer", "offer+poll, heap byte[]",
                        "send+receive(Duration), direct ByteBuffer", "send+receive(Duration), heap byte[]",
                        "poll on an empty ring, direct",
                        "Agrona OneToOneRingBuffer write+read(1), for comparison"};
                    for (int c = 0; c < names.length; c++) {
                        int k = c;
                        measure("micro", names[c], size, runs, n -> run(k, tx, rx, size, n), ops);
                    }
                    // Below the facade (io.hftipc.CrossingProbe); the size-free cases once.
                    for (int c = 0; c < CrossingProbe.NAMES.length; c++) {
                        if (c < CrossingProbe.SIZE_FREE && size != sizes[0]) {
                            continue;
                        }
                        int k = c;
                        measure("probe", CrossingProbe.NAMES[c], size, runs,
                                n -> CrossingProbe.run(k, tx, rx, size, n), ops);
                    }
                } finally {
                    Files.deleteIfExists(p);
                }
            }
        } finally {
            Files.deleteIfExists(dir);
        }
    }

    /* Prints the median, minimum and maximum of `runs` runs of `ops` (after a JIT warm-up of a
     * quarter as many); `run` returns CPU ns per operation. */
    static void measure(String tag, String name, int size, int runs, java.util.function.LongToDoubleFunction run, long ops) {
        double[] r = new double[runs];
        run.applyAsDouble(ops / 4);
        for (int k = 0; k < runs; k++) {
            r[k] = run.applyAsDouble(ops);
        }
        Arrays.sort(r);
        System.out.printf("%s\t%s\t%d\t%.1f\t%.1f\t%.1f%n", tag, name, size, r[runs / 2], r[0], r[runs - 1]);
    }

    /* CPU nanoseconds per operation (half a send+receive pair) of case c; each case is its own
     * loop so that the JIT compiles (and inlines) it on its own. */
    static double run(int c, Channel tx, Channel rx, int size, long ops) {
        long t0 = CPU.getCurrentThreadCpuTime();
        switch (c) {
            case 0 -> direct(tx, rx, size, ops);
            case 1 -> heap(tx, rx, size, ops);
            case 2 -> directWait(tx, rx, size, ops);
            case 3 -> heapWait(tx, rx, size, ops);
            case 4 -> empty(rx, size, ops);
            default -> agrona(size, ops);
        }
        return (CPU.getCurrentThreadCpuTime() - t0) / (2.0 * ops);
    }

    static final ByteBuffer[] BUFS = new ByteBuffer[2];

    static ByteBuffer buf(int i, int size) {
        if (BUFS[i] == null || BUFS[i].capacity() != size) {
            BUFS[i] = ByteBuffer.allocateDirect(size);
        }
        return BUFS[i];
    }

    static void direct(Channel tx, Channel rx, int size, long ops) {
        ByteBuffer src = buf(0, size), dst = buf(1, size);
        for (long i = 0; i < ops; i++) {
            src.clear().putLong(0, i);
            if (!tx.offer(src)) throw new IllegalStateException("full");
            dst.clear();
            if (rx.poll(dst) != size) throw new IllegalStateException("length");
            JavaBench.check(dst.getLong(0), i);
        }
    }

    static void heap(Channel tx, Channel rx, int size, long ops) {
        byte[] hs = new byte[size], hd = new byte[size];
        for (long i = 0; i < ops; i++) {
            hs[0] = (byte) i;
            if (!tx.offer(hs, 0, size)) throw new IllegalStateException("full");
            if (rx.poll(hd, 0, size) != size) throw new IllegalStateException("length");
            JavaBench.check(hd[0], (byte) i);
        }
    }

    static final Duration WAIT = Duration.ofMillis(10);

    static void directWait(Channel tx, Channel rx, int size, long ops) {
        ByteBuffer src = buf(0, size), dst = buf(1, size);
        for (long i = 0; i < ops; i++) {
            src.clear().putLong(0, i);
            if (!tx.send(src, WAIT)) throw new IllegalStateException("full");
            dst.clear();
            if (rx.receive(dst, WAIT) != size) throw new IllegalStateException("length");
            JavaBench.check(dst.getLong(0), i);
        }
    }

    static void heapWait(Channel tx, Channel rx, int size, long ops) {
        byte[] hs = new byte[size], hd = new byte[size];
        for (long i = 0; i < ops; i++) {
            hs[0] = (byte) i;
            if (!tx.send(hs, 0, size, WAIT)) throw new IllegalStateException("full");
            if (rx.receive(hd, 0, size, WAIT) != size) throw new IllegalStateException("length");
            JavaBench.check(hd[0], (byte) i);
        }
    }

    static final java.util.Map<Integer, org.agrona.concurrent.ringbuffer.OneToOneRingBuffer> RINGS = new java.util.HashMap<>();

    /* Agrona's ring on heap-free memory (a direct buffer: no file needed in one thread), a
     * record copied in and, by the handler, out, as the two-JVM benchmark does. */
    static void agrona(int size, long ops) {
        var rb = RINGS.computeIfAbsent(size, s -> new org.agrona.concurrent.ringbuffer.OneToOneRingBuffer(
                new org.agrona.concurrent.UnsafeBuffer(ByteBuffer.allocateDirect(
                        (1 << 20) + org.agrona.concurrent.ringbuffer.RingBufferDescriptor.TRAILER_LENGTH))));
        var src = new org.agrona.concurrent.UnsafeBuffer(buf(0, size));
        Loops.Counter h = new Loops.Counter(size);
        for (long i = 0; i < ops; i++) {
            src.putLong(0, i);
            if (!rb.write(1, src, 0, size)) throw new IllegalStateException("full");
            // A read that meets the padding record at the end of the buffer skips it and
            // returns 0: the message is the next read's.
            if (rb.read(h, 1) != 1 && rb.read(h, 1) != 1) throw new IllegalStateException("empty");
        }
    }

    static void empty(Channel rx, int size, long ops) {
        ByteBuffer dst = buf(1, size);
        for (long i = 0; i < 2 * ops; i++) {
            if (rx.poll(dst.clear()) != -1) throw new IllegalStateException("not empty");
        }
    }
}
