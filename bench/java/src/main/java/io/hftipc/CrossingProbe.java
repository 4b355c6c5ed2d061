package io.hftipc;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * Where the nanoseconds of one Java operation go, below the facade: the bare JNI crossing
 * (a native that returns a constant), one JNIEnv call (GetDirectBufferAddress) on top of it, a
 * send+receive pair through the binding's natives without the facade, and the same pair for a
 * heap byte[] copied in Java through a direct scratch buffer (what the facade does). Commit
 * 5876f2f also measured GetPrimitiveArrayCritical and Get/SetByteArrayRegion around the core
 * call (docs/BENCHMARKS.md, "Java: where the nanoseconds go"). One thread, one channel
 * (no cross-core traffic). It sits in package io.hftipc (split package on the class path) to
 * reach the package-private SWIG class; the binding never ships it.
 *
 * <p>Output: {@code probe <case> <size> <ns per call median> <min> <max>}.
 */
public final class CrossingProbe {
    private CrossingProbe() {}

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
        Path dir = Files.createTempDirectory(Files.isDirectory(Path.of("/dev/shm")) ? Path.of("/dev/shm")
                : Path.of(System.getProperty("java.io.tmpdir")), "hftipc-probe");
        try {
            for (int size : sizes) {
                Path p = dir.resolve("p" + size);
                ChannelConfig cfg = ChannelConfig.builder().capacity(1024).maxPayload(size).build();
                try (Channel tx = Channel.create(p, cfg, Role.PRODUCER); Channel rx = Channel.open(p, Role.CONSUMER)) {
                    SWIGTYPE_p_hftipc_channel_stct h = handle(tx), r = handle(rx);
                    String[] names = {"JNI crossing, no JNIEnv call (hftipc_version_number)",
                        "crossing + GetDirectBufferAddress (one JNIEnv call)",
                        "send+receive pair / 2, natives by address (no JNIEnv call)",
                        "heap byte[] pair / 2: Java copy to a direct scratch, natives by address"};
                    for (int c = 0; c < names.length; c++) {
                        if (c < 2 && size != sizes[0]) {
                            continue; // independent of the size
                        }
                        double[] t = new double[runs];
                        run(c, h, r, size, ops / 4);
                        for (int k = 0; k < runs; k++) {
                            t[k] = run(c, h, r, size, ops);
                        }
                        Arrays.sort(t);
                        System.out.printf("probe\t%s\t%d\t%.1f\t%.1f\t%.1f%n", names[c], size, t[runs / 2], t[0], t[runs - 1]);
                    }
                } finally {
                    Files.deleteIfExists(p);
                }
            }
        } finally {
            Files.deleteIfExists(dir);
        }
    }

    static SWIGTYPE_p_hftipc_channel_stct handle(Channel c) throws ReflectiveOperationException {
        var f = Channel.class.getDeclaredField("handle");
        f.setAccessible(true);
        return (SWIGTYPE_p_hftipc_channel_stct) f.get(c);
    }

    static long sink;

    static double run(int c, SWIGTYPE_p_hftipc_channel_stct h, SWIGTYPE_p_hftipc_channel_stct r, int size, long ops) {
        long t0 = CPU.getCurrentThreadCpuTime();
        switch (c) {
            case 0 -> crossing(ops);
            case 1 -> address(ops);
            case 2 -> pair(h, r, size, ops);
            default -> scratch(h, r, size, ops);
        }
        long t1 = CPU.getCurrentThreadCpuTime();
        return (t1 - t0) / (c >= 2 ? 2.0 * ops : (double) ops);
    }

    static void crossing(long ops) {
        long s = 0;
        for (long i = 0; i < ops; i++) {
            s += hftipc.hftipc_version_number();
        }
        sink = s;
    }

    static void address(long ops) {
        ByteBuffer b = ByteBuffer.allocateDirect(64);
        long s = 0;
        for (long i = 0; i < ops; i++) {
            s += hftipc.hj_direct_address(b);
        }
        sink = s;
    }

    static void pair(SWIGTYPE_p_hftipc_channel_stct h, SWIGTYPE_p_hftipc_channel_stct r, int size, long ops) {
        ByteBuffer src = ByteBuffer.allocateDirect(size), dst = ByteBuffer.allocateDirect(size);
        long a = hftipc.hj_direct_address(src), b = hftipc.hj_direct_address(dst);
        for (long i = 0; i < ops; i++) {
            src.putLong(0, i);
            if (hftipc.hj_send_addr(h, a, size, 0, size) != 0) throw new IllegalStateException("send");
            if (hftipc.hj_receive_addr(r, b, size, 0, size) != size) throw new IllegalStateException("receive");
            if (dst.getLong(0) != i) throw new IllegalStateException("sequence");
        }
    }

    static void scratch(SWIGTYPE_p_hftipc_channel_stct h, SWIGTYPE_p_hftipc_channel_stct r, int size, long ops) {
        byte[] src = new byte[size], dst = new byte[size];
        ByteBuffer s = ByteBuffer.allocateDirect(size);
        long a = hftipc.hj_direct_address(s);
        for (long i = 0; i < ops; i++) {
            src[0] = (byte) i;
            s.put(0, src, 0, size);
            if (hftipc.hj_send_addr(h, a, size, 0, size) != 0) throw new IllegalStateException("send");
            if (hftipc.hj_receive_addr(r, a, size, 0, size) != size) throw new IllegalStateException("receive");
            s.get(0, dst, 0, size);
            if (dst[0] != (byte) i) throw new IllegalStateException("sequence");
        }
    }
}
