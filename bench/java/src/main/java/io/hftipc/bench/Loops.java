package io.hftipc.bench;

import io.hftipc.Channel;
import java.nio.ByteBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.MessageHandler;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.ringbuffer.OneToOneRingBuffer;

/**
 * The measured loops, shared by the one-JVM ({@link JavaBench}) and two-JVM ({@link CrossBench})
 * benchmarks so that both measure exactly the same code. Each loop is a method of its own with
 * concrete types, so the JIT compiles every one monomorphically. Every message carries its
 * sequence number in its first 8 bytes and every receiver checks it.
 */
final class Loops {
    private Loops() {}

    /** Warm-up round trips before the timed ones. */
    static final int WARM = 20_000;

    /** Sends n messages of size bytes from a direct buffer, spinning while the ring is full. */
    static void offer(Channel tx, int size, long n) {
        ByteBuffer src = ByteBuffer.allocateDirect(size);
        int miss = 0;
        for (long i = 0; i < n; i++) {
            src.clear().putLong(0, i);
            while (!tx.offer(src)) {
                miss = JavaBench.idle(miss);
            }
        }
    }

    /** Receives n messages into a direct buffer; returns System.nanoTime() at the first. */
    static long poll(Channel rx, int size, long n) {
        ByteBuffer dst = ByteBuffer.allocateDirect(size);
        int miss = 0;
        long t0 = 0;
        for (long i = 0; i < n; i++) {
            dst.clear();
            while (rx.poll(dst) < 0) {
                miss = JavaBench.idle(miss);
            }
            if (i == 0) {
                t0 = System.nanoTime();
            }
            JavaBench.check(dst.getLong(0), i);
        }
        return t0;
    }

    /** {@link #offer} from a heap byte[]. */
    static void offerHeap(Channel tx, int size, long n) {
        byte[] a = new byte[size];
        ByteBuffer w = ByteBuffer.wrap(a);
        int miss = 0;
        for (long i = 0; i < n; i++) {
            w.putLong(0, i);
            while (!tx.offer(a, 0, size)) {
                miss = JavaBench.idle(miss);
            }
        }
    }

    /** {@link #poll} into a heap byte[]. */
    static long pollHeap(Channel rx, int size, long n) {
        byte[] a = new byte[size];
        ByteBuffer r = ByteBuffer.wrap(a);
        int miss = 0;
        long t0 = 0;
        for (long i = 0; i < n; i++) {
            while (rx.poll(a, 0, size) < 0) {
                miss = JavaBench.idle(miss);
            }
            if (i == 0) {
                t0 = System.nanoTime();
            }
            JavaBench.check(r.getLong(0), i);
        }
        return t0;
    }

    /** Copies each record out (as hftipc's poll does) and checks its sequence number. */
    static final class Counter implements MessageHandler {
        final UnsafeBuffer dst;
        long next;

        Counter(int size) {
            dst = new UnsafeBuffer(ByteBuffer.allocateDirect(size));
        }

        @Override
        public void onMessage(int msgTypeId, MutableDirectBuffer buffer, int index, int length) {
            buffer.getBytes(index, dst, 0, length);
            JavaBench.check(dst.getLong(0), next);
            next++;
        }
    }

    /** Agrona: writes n records of size bytes, spinning while the ring is full. */
    static void write(OneToOneRingBuffer rb, int size, long n) {
        UnsafeBuffer src = new UnsafeBuffer(ByteBuffer.allocateDirect(size));
        int miss = 0;
        for (long i = 0; i < n; i++) {
            src.putLong(0, i);
            while (!rb.write(1, src, 0, size)) {
                miss = JavaBench.idle(miss);
            }
        }
    }

    /** Agrona: reads n records, up to limit per read; returns System.nanoTime() at the first. */
    static long read(OneToOneRingBuffer rb, int size, long n, int limit) {
        Counter h = new Counter(size);
        int miss = 0;
        while (rb.read(h, limit) == 0) {
            miss = JavaBench.idle(miss);
        }
        long t0 = System.nanoTime();
        while (h.next < n) {
            if (rb.read(h, limit) == 0) {
                miss = JavaBench.idle(miss);
            }
        }
        return t0;
    }

    /** Times WARM + s.length 64-byte round trips over pingTx and pongRx into s (ns each). */
    static void ping(Channel pingTx, Channel pongRx, long[] s) {
        int total = WARM + s.length;
        ByteBuffer src = ByteBuffer.allocateDirect(64), dst = ByteBuffer.allocateDirect(64);
        int miss = 0;
        long prev = System.nanoTime();
        for (int i = 0; i < total; i++) {
            src.clear().putLong(0, i);
            while (!pingTx.offer(src)) {
                miss = JavaBench.idle(miss);
            }
            dst.clear();
            while (pongRx.poll(dst) < 0) {
                miss = JavaBench.idle(miss);
            }
            JavaBench.check(dst.getLong(0), i);
            long now = System.nanoTime();
            if (i >= WARM) {
                s[i - WARM] = now - prev;
            }
            prev = now;
        }
    }

    /** Sends each of `total` messages from pingRx back on pongTx, checking it. */
    static void echo(Channel pingRx, Channel pongTx, int total) {
        ByteBuffer buf = ByteBuffer.allocateDirect(64);
        int miss = 0;
        for (int i = 0; i < total; i++) {
            buf.clear();
            while (pingRx.poll(buf) < 0) {
                miss = JavaBench.idle(miss);
            }
            JavaBench.check(buf.getLong(0), i);
            buf.flip();
            while (!pongTx.offer(buf)) {
                miss = JavaBench.idle(miss);
            }
        }
    }

    /** {@link #ping} over Agrona rings. */
    static void ping(OneToOneRingBuffer ping, OneToOneRingBuffer pong, long[] s) {
        int total = WARM + s.length;
        UnsafeBuffer src = new UnsafeBuffer(ByteBuffer.allocateDirect(64));
        Counter h = new Counter(64);
        int miss = 0;
        long prev = System.nanoTime();
        for (int i = 0; i < total; i++) {
            src.putLong(0, i);
            while (!ping.write(1, src, 0, 64)) {
                miss = JavaBench.idle(miss);
            }
            while (pong.read(h, 1) == 0) {
                miss = JavaBench.idle(miss);
            }
            long now = System.nanoTime();
            if (i >= WARM) {
                s[i - WARM] = now - prev;
            }
            prev = now;
        }
    }

    /** {@link #echo} over Agrona rings: each record is written back from the ring itself. */
    static void echo(OneToOneRingBuffer ping, OneToOneRingBuffer pong, int total) {
        long[] next = {0};
        MessageHandler back = (type, buffer, index, length) -> {
            JavaBench.check(buffer.getLong(index), next[0]++);
            int miss = 0;
            while (!pong.write(type, buffer, index, length)) {
                miss = JavaBench.idle(miss);
            }
        };
        int done = 0, miss = 0;
        while (done < total) {
            int k = ping.read(back, 1);
            if (k == 0) {
                miss = JavaBench.idle(miss);
            }
            done += k;
        }
    }
}
