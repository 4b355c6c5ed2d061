package io.hftipc;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.ByteBuffer;

/**
 * Where the nanoseconds of one Java operation go, below the facade, for
 * {@link io.hftipc.bench.Micro}: the bare JNI crossing (a native that returns a constant), one
 * JNIEnv call (GetDirectBufferAddress) on top of it, a send+receive pair through the binding's
 * natives without the facade, and the same pair for a heap byte[] copied in Java through a
 * direct scratch buffer (what the facade does). Commit 5876f2f also measured
 * GetPrimitiveArrayCritical and Get/SetByteArrayRegion around the core call (docs/BENCHMARKS.md,
 * "Java: where the nanoseconds go"). It sits in package io.hftipc (a split package on the class
 * path) to reach the package-private SWIG class; the binding never ships it.
 */
public final class CrossingProbe {
    private CrossingProbe() {}

    /** The cases, by index for {@link #run}. */
    public static final String[] NAMES = {
        "JNI crossing, no JNIEnv call (hftipc_version_number)",
        "crossing + GetDirectBufferAddress (one JNIEnv call)",
        "send+receive pair / 2, natives by address (no JNIEnv call)",
        "heap byte[] pair / 2: Java copy to a direct scratch, natives by address",
    };
    /** The first SIZE_FREE cases do not depend on the message size. */
    public static final int SIZE_FREE = 2;

    static final ThreadMXBean CPU = ManagementFactory.getThreadMXBean();
    static long sink;

    /**
     * Runs case c for `ops` calls (pairs) on the channel of tx and rx.
     *
     * @return thread CPU nanoseconds per call (per operation, half a pair, for the pairs)
     */
    public static double run(int c, Channel tx, Channel rx, int size, long ops) {
        SWIGTYPE_p_hftipc_channel_stct h = handle(tx), r = handle(rx);
        long t0 = CPU.getCurrentThreadCpuTime();
        switch (c) {
            case 0 -> crossing(ops);
            case 1 -> address(ops);
            case 2 -> pair(h, r, size, ops);
            default -> scratch(h, r, size, ops);
        }
        long t1 = CPU.getCurrentThreadCpuTime();
        return (t1 - t0) / (c >= SIZE_FREE ? 2.0 * ops : (double) ops);
    }

    static SWIGTYPE_p_hftipc_channel_stct handle(Channel c) {
        try {
            var f = Channel.class.getDeclaredField("handle");
            f.setAccessible(true);
            return (SWIGTYPE_p_hftipc_channel_stct) f.get(c);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(e);
        }
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
