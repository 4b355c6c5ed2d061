package io.hftipc;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * Throughput of 64-byte messages between two threads of one JVM, each with its own handle on a
 * channel in /dev/shm (or the temp dir). No JMH: a plain timed loop, best of several runs.
 *
 * <pre>
 * java -cp target/classes:target/test-classes io.hftipc.ThroughputBench [messages] [runs]
 * </pre>
 */
public final class ThroughputBench {
    private ThroughputBench() {}

    private static final int SIZE = 64;

    /**
     * @param args optional message count (default 20M) and number of runs (default 5)
     * @throws Exception on failure
     */
    public static void main(String[] args) throws Exception {
        long messages = args.length > 0 ? Long.parseLong(args[0]) : 20_000_000L;
        int runs = args.length > 1 ? Integer.parseInt(args[1]) : 5;
        Path base = Files.isDirectory(Path.of("/dev/shm")) ? Path.of("/dev/shm") : Path.of(System.getProperty("java.io.tmpdir"));
        Path dir = Files.createTempDirectory(base, "hftipc-bench");
        System.out.printf("hftipc %s, Java %s, %d cores, %d x %d-byte messages, capacity 1024%n",
                Channel.nativeVersion(), System.getProperty("java.version"),
                Runtime.getRuntime().availableProcessors(), messages, SIZE);
        double single = 0;
        for (int r = 0; r < runs; r++) {
            single = Math.max(single, singleThread(dir.resolve("single" + r), messages));
        }
        System.out.printf("%-20s best %6.1f M msgs/s  (offer+poll in one thread: JNI cost, no"
                + " cross-core traffic)%n", "one thread direct", single / 1e6);
        for (String mode : new String[] {"offer/poll direct", "offer/poll byte[]", "claim/peek", "batch 32 direct"}) {
            double[] rates = new double[runs];
            for (int r = 0; r < runs; r++) {
                rates[r] = run(dir.resolve("ch" + r + mode.hashCode()), mode, messages);
            }
            Arrays.sort(rates);
            System.out.printf("%-20s best %6.1f M msgs/s  median %6.1f M msgs/s%n",
                    mode, rates[runs - 1] / 1e6, rates[runs / 2] / 1e6);
        }
        try (var s = Files.list(dir)) {
            s.forEach(p -> p.toFile().delete());
        }
        Files.delete(dir);
    }

    /* Spin briefly, then yield: on a small, shared machine a spinning thread would otherwise burn
     * the time slice its peer needs. Returns the new miss count (kept per thread by the caller). */
    private static int idle(int misses) {
        if (++misses % 64 == 0) {
            Thread.yield();
        } else {
            Thread.onSpinWait();
        }
        return misses;
    }

    private static double singleThread(Path path, long messages) throws Exception {
        ChannelConfig cfg = ChannelConfig.builder().capacity(1024).slotSize(128).build();
        try (Channel tx = Channel.create(path, cfg, Role.PRODUCER);
                Channel rx = Channel.open(path, Role.CONSUMER)) {
            ByteBuffer src = ByteBuffer.allocateDirect(SIZE);
            ByteBuffer dst = ByteBuffer.allocateDirect(128);
            long t0 = System.nanoTime();
            for (long i = 0; i < messages; i++) {
                src.clear().putLong(0, i);
                tx.offer(src);
                dst.clear();
                rx.poll(dst);
            }
            return messages * 1e9 / (System.nanoTime() - t0);
        } finally {
            Files.deleteIfExists(path);
        }
    }

    private static double run(Path path, String mode, long messages) throws Exception {
        ChannelConfig cfg = ChannelConfig.builder().capacity(1024).slotSize(128).build();
        try (Channel tx = Channel.create(path, cfg, Role.PRODUCER);
                Channel rx = Channel.open(path, Role.CONSUMER)) {
            Thread producer = new Thread(() -> produce(tx, mode, messages), "producer");
            long t0 = System.nanoTime();
            producer.start();
            consume(rx, mode, messages);
            long t1 = System.nanoTime();
            producer.join();
            return messages * 1e9 / (t1 - t0);
        } finally {
            Files.deleteIfExists(path);
        }
    }

    private static void produce(Channel tx, String mode, long messages) {
        ByteBuffer src = ByteBuffer.allocateDirect(SIZE * 32);
        byte[] arr = new byte[SIZE];
        int[] lens = new int[32];
        Arrays.fill(lens, SIZE);
        long i = 0;
        int miss = 0;
        while (i < messages) {
            switch (mode) {
                case "offer/poll direct" -> {
                    src.clear().limit(SIZE).putLong(0, i);
                    while (!tx.offer(src)) {
                        miss = idle(miss);
                    }
                    i++;
                }
                case "offer/poll byte[]" -> {
                    arr[0] = (byte) i;
                    while (!tx.offer(arr, 0, SIZE)) {
                        miss = idle(miss);
                    }
                    i++;
                }
                case "claim/peek" -> {
                    ByteBuffer slot;
                    while ((slot = tx.tryClaim()) == null) {
                        miss = idle(miss);
                    }
                    slot.putLong(0, i);
                    tx.commit(SIZE);
                    i++;
                }
                default -> {
                    int n = (int) Math.min(32, messages - i);
                    src.clear();
                    int sent = tx.offerBatch(src, lens, n);
                    if (sent == 0) {
                        miss = idle(miss);
                    }
                    i += sent;
                }
            }
        }
    }

    private static void consume(Channel rx, String mode, long messages) {
        ByteBuffer dst = ByteBuffer.allocateDirect(128 * 32);
        byte[] arr = new byte[128];
        int[] lens = new int[32];
        long i = 0;
        int miss = 0;
        while (i < messages) {
            switch (mode) {
                case "offer/poll direct" -> {
                    dst.clear();
                    if (rx.poll(dst) >= 0) {
                        i++;
                    } else {
                        miss = idle(miss);
                    }
                }
                case "offer/poll byte[]" -> {
                    if (rx.poll(arr, 0, arr.length) >= 0) {
                        i++;
                    } else {
                        miss = idle(miss);
                    }
                }
                case "claim/peek" -> {
                    ByteBuffer m = rx.peek();
                    if (m != null) {
                        rx.ack();
                        i++;
                    } else {
                        miss = idle(miss);
                    }
                }
                default -> {
                    dst.clear();
                    int n = rx.pollBatch(dst, lens);
                    if (n == 0) {
                        miss = idle(miss);
                    }
                    i += n;
                }
            }
        }
    }
}
