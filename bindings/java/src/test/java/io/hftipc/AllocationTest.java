package io.hftipc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The hot paths allocate nothing per message. */
class AllocationTest {
    private static final int MESSAGES = 100_000;
    private static final long BOUND = 64 * 1024;

    @TempDir Path dir;

    private static long allocated() {
        com.sun.management.ThreadMXBean mx =
                (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        return mx.getThreadAllocatedBytes(Thread.currentThread().getId());
    }

    private interface Loop {
        long run(Channel tx, Channel rx, int n);
    }

    private void assertNoAllocation(String name, Loop loop) {
        assertNoAllocation(name, ChannelMode.SPSC, loop);
    }

    private void assertNoAllocation(String name, ChannelMode mode, Loop loop) {
        Path path = dir.resolve(name + "-" + mode);
        ChannelConfig cfg =
                ChannelConfig.builder().capacity(256).slotSize(128).mode(mode).build();
        try (Channel tx = Channel.create(path, cfg, Role.PRODUCER);
                Channel rx = Channel.open(path, Role.CONSUMER)) {
            long sum = 0;
            for (int i = 0; i < 5; i++) {
                sum += loop.run(tx, rx, MESSAGES); // warm-up: JIT, lazily created views
            }
            long before = allocated();
            sum += loop.run(tx, rx, MESSAGES);
            long used = allocated() - before;
            assertTrue(sum > 0);
            assertTrue(used < BOUND, name + " allocated " + used + " bytes for " + MESSAGES
                    + " messages");
        }
    }

    @Test
    void directBufferOfferPoll() {
        ByteBuffer src = ByteBuffer.allocateDirect(64);
        ByteBuffer dst = ByteBuffer.allocateDirect(128);
        assertNoAllocation("direct", (tx, rx, n) -> {
            long sum = 0;
            for (int i = 0; i < n; i++) {
                src.clear().putInt(0, i);
                if (!tx.offer(src)) {
                    throw new AssertionError("full");
                }
                dst.clear();
                sum += rx.poll(dst);
            }
            return sum;
        });
    }

    @Test
    void heapArrayOfferPoll() {
        byte[] src = new byte[64];
        byte[] dst = new byte[128];
        assertNoAllocation("array", (tx, rx, n) -> {
            long sum = 0;
            for (int i = 0; i < n; i++) {
                src[0] = (byte) i;
                tx.offer(src, 0, 64);
                sum += rx.poll(dst, 0, 128);
            }
            return sum;
        });
    }

    @Test
    void heapBufferOfferPoll() {
        ByteBuffer src = ByteBuffer.allocate(64);
        ByteBuffer dst = ByteBuffer.allocate(128);
        assertNoAllocation("heap", (tx, rx, n) -> {
            long sum = 0;
            for (int i = 0; i < n; i++) {
                src.clear();
                tx.offer(src);
                dst.clear();
                sum += rx.poll(dst);
            }
            return sum;
        });
    }

    @Test
    void claimCommitPeekAck() {
        assertNoAllocation("zerocopy", (tx, rx, n) -> {
            long sum = 0;
            for (int i = 0; i < n; i++) {
                ByteBuffer slot = tx.tryClaim();
                slot.putLong(0, i);
                tx.commit(8);
                ByteBuffer msg = rx.peek();
                sum += msg.getLong(0) + 1;
                rx.ack();
            }
            return sum;
        });
    }

    @Test
    void explicitClaimsCommitAndAbortInBothModes() {
        for (ChannelMode mode : ChannelMode.values()) {
            assertNoAllocation("claims", mode, (tx, rx, n) -> {
                long sum = 0;
                for (int i = 0; i < n; i++) {
                    long claim = tx.claim();
                    if (claim == Channel.NO_CLAIM) {
                        throw new AssertionError("full");
                    }
                    if ((i & 1) == 0) {
                        tx.claimBuffer(claim).putLong(0, i);
                        tx.commit(claim, 8);
                        ByteBuffer msg = rx.peek();
                        sum += msg.getLong(0) + 1;
                        rx.ack();
                    } else {
                        tx.abort(claim); // MPSC: a skip record the next peek passes
                    }
                }
                return sum;
            });
        }
    }

    @Test
    void blockingCallsHeartbeatAndAwait() {
        byte[] src = new byte[64];
        byte[] dst = new byte[128];
        java.time.Duration timeout = java.time.Duration.ofSeconds(5);
        java.time.Duration zero = java.time.Duration.ZERO;
        assertNoAllocation("blocking", (tx, rx, n) -> {
            long sum = 0;
            for (int i = 0; i < n; i++) {
                src[0] = (byte) i;
                if (!tx.send(src, 0, 64, timeout)) {
                    throw new AssertionError("send timed out");
                }
                sum += rx.receive(dst, 0, 128, timeout);
                if (rx.await(zero)) { // empty again: one native check, then false
                    throw new AssertionError("await on an empty ring");
                }
                tx.heartbeat();
            }
            return sum;
        });
    }

    @Test
    void batches() {
        ByteBuffer src = ByteBuffer.allocateDirect(64 * 32);
        ByteBuffer dst = ByteBuffer.allocateDirect(128 * 32);
        int[] lens = new int[32];
        int[] got = new int[32];
        java.util.Arrays.fill(lens, 64);
        assertNoAllocation("batch", (tx, rx, n) -> {
            long sum = 0;
            for (int i = 0; i < n / 32; i++) {
                src.clear();
                assertEquals(32, tx.offerBatch(src, lens, 32));
                dst.clear();
                sum += rx.pollBatch(dst, got);
            }
            return sum;
        });
    }
}
