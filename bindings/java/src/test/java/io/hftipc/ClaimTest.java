package io.hftipc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.channels.NonWritableChannelException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Explicit claims: claim, write through the view, commit or abort. */
class ClaimTest {
    @TempDir Path dir;

    private static ChannelConfig config(ChannelMode mode) {
        return ChannelConfig.builder().capacity(4).slotSize(32).mode(mode).build();
    }

    private static void put(ByteBuffer view, String s) {
        view.put(0, s.getBytes(StandardCharsets.US_ASCII));
    }

    private static String poll(Channel rx) {
        byte[] b = new byte[rx.maxPayload()];
        int n = rx.poll(b, 0, b.length);
        return n < 0 ? null : new String(b, 0, n, StandardCharsets.US_ASCII);
    }

    private interface PairTest {
        void run(Channel tx, Channel rx, Path path) throws Exception;
    }

    /* Runs the test in an SPSC and an MPSC channel. */
    private void inBothModes(String name, PairTest t) throws Exception {
        for (ChannelMode mode : ChannelMode.values()) {
            Path path = dir.resolve(name + "-" + mode);
            try (Channel tx = Channel.create(path, config(mode), Role.PRODUCER);
                    Channel rx = Channel.open(path, Role.CONSUMER)) {
                t.run(tx, rx, path);
            }
        }
    }

    @Test
    void claimWriteCommitInBothModes() throws Exception {
        inBothModes("commit", (tx, rx, path) -> {
            long claim = tx.claim();
            assertEquals(0, claim);
            ByteBuffer view = tx.claimBuffer(claim);
            assertEquals(tx.maxPayload(), view.capacity());
            put(view, "in place");
            assertEquals(claim, tx.claim(), "claiming again returns the same claim");
            assertSame(view, tx.claimBuffer(claim));
            assertEquals(null, poll(rx), "nothing is visible before the commit");
            assertThrows(MessageTooBigException.class, () -> tx.commit(claim, tx.maxPayload() + 1));
            assertThrows(IllegalArgumentException.class, () -> tx.commit(claim, -1));
            tx.commit(claim, 8); // the claim stayed through both refusals
            assertEquals(0, view.limit(), "the view is emptied after the commit");

            long next = tx.claim();
            assertEquals(1, next);
            tx.commit(next, 0);
            tx.commit(tx.claim(), 0);
            tx.commit(tx.claim(), 0);
            assertEquals(Channel.NO_CLAIM, tx.claim(), "full");
            assertEquals("in place", poll(rx));
            assertEquals("", poll(rx));
        });
    }

    @Test
    void claimAndTryClaimShareOneClaim() throws Exception {
        inBothModes("share", (tx, rx, path) -> {
            long claim = tx.claim();
            ByteBuffer view = tx.tryClaim();
            assertSame(tx.claimBuffer(claim), view);
            put(view, "old api");
            tx.commit(7);
            assertThrows(IllegalStateException.class, () -> tx.commit(claim, 7));

            ByteBuffer v2 = tx.tryClaim();
            long c2 = tx.claim();
            assertEquals(1, c2);
            assertSame(v2, tx.claimBuffer(c2));
            put(v2, "new api");
            tx.commit(c2, 7);
            assertThrows(IllegalStateException.class, () -> tx.commit(7));
            assertEquals("old api", poll(rx));
            assertEquals("new api", poll(rx));
        });
    }

    @Test
    void spscAbortPublishesNothingAndLeavesNoTrace() throws Exception {
        Path path = dir.resolve("spsc-abort");
        try (Channel tx = Channel.create(path, config(ChannelMode.SPSC), Role.PRODUCER);
                Channel rx = Channel.open(path, Role.CONSUMER)) {
            long claim = tx.claim();
            put(tx.claimBuffer(claim), "never sent");
            tx.abort(claim);
            assertThrows(IllegalStateException.class, () -> tx.abort(claim));
            assertThrows(IllegalStateException.class, () -> tx.commit(claim, 1));
            assertThrows(IllegalStateException.class, () -> tx.claimBuffer(claim));
            assertEquals(null, poll(rx));
            ChannelStats s = rx.stats();
            assertEquals(0, s.head());
            assertEquals(0, s.aborted());
            assertEquals(claim, tx.claim(), "the unused slot is claimed again");
            assertNotNull(tx.claimBuffer(claim));
            tx.abort(claim);
            assertEquals(true, tx.offer(new byte[] {'x'}, 0, 1));
            assertEquals("x", poll(rx));
            assertEquals(null, poll(rx));
        }
    }

    @Test
    void mpscAbortIsASkipRecordThatConsumerAndObserverPass() throws Exception {
        Path path = dir.resolve("mpsc-abort");
        try (Channel tx = Channel.create(path, config(ChannelMode.MPSC), Role.PRODUCER);
                Channel rx = Channel.open(path, Role.CONSUMER);
                Channel obs = Channel.open(path, Role.OBSERVER)) {
            assertEquals(true, tx.offer(new byte[] {'a'}, 0, 1));
            long claim = tx.claim();
            put(tx.claimBuffer(claim), "never sent");
            tx.abort(claim);
            assertThrows(IllegalStateException.class, () -> tx.abort(claim));
            long next = tx.claim();
            assertEquals(claim + 1, next, "the skip record keeps its slot");
            put(tx.claimBuffer(next), "b");
            tx.commit(next, 1);
            for (Channel r : new Channel[] {obs, rx}) {
                assertEquals("a", poll(r));
                assertEquals("b", poll(r));
                assertEquals(null, poll(r));
            }
            ChannelStats s = rx.stats();
            assertEquals(3, s.head());
            assertEquals(3, s.tail());
            assertEquals(1, s.aborted());
            assertEquals(0, s.abandoned());
            assertEquals(1, Channel.inspect(path).aborted());
        }
    }

    @Test
    void staleClaimsAreRefused() throws Exception {
        inBothModes("stale", (tx, rx, path) -> {
            assertThrows(IllegalStateException.class, () -> tx.commit(Channel.NO_CLAIM, 0));
            assertThrows(IllegalStateException.class, () -> tx.abort(Channel.NO_CLAIM));
            assertThrows(IllegalStateException.class, () -> tx.commit(0));
            assertThrows(IllegalStateException.class, () -> tx.commit(0, 0), "never claimed");
            long first = tx.claim();
            put(tx.claimBuffer(first), "first");
            tx.commit(first, 5);
            long second = tx.claim();
            put(tx.claimBuffer(second), "second");
            assertThrows(IllegalStateException.class, () -> tx.commit(first, 1));
            assertThrows(IllegalStateException.class, () -> tx.abort(first));
            assertThrows(IllegalStateException.class, () -> tx.claimBuffer(first));
            tx.commit(second, 6); // undisturbed
            assertEquals("first", poll(rx));
            assertEquals("second", poll(rx));
            assertEquals(null, poll(rx));
        });
    }

    @Test
    void offerAfterClaimUsesTheClaim() throws Exception {
        inBothModes("offer", (tx, rx, path) -> {
            long claim = tx.claim();
            ByteBuffer view = tx.claimBuffer(claim);
            put(view, "overwritten");
            ByteBuffer sent = ByteBuffer.wrap("sent".getBytes(StandardCharsets.US_ASCII));
            assertEquals(true, tx.offer(sent));
            assertEquals(0, view.limit(), "the used-up claim's view is emptied");
            assertThrows(IllegalStateException.class, () -> tx.commit(claim, 3));
            assertThrows(IllegalStateException.class, () -> tx.abort(claim));
            assertEquals("sent", poll(rx));
            assertEquals(null, poll(rx));

            long c2 = tx.claim();
            assertEquals(1, c2);
            ByteBuffer batch = ByteBuffer.allocateDirect(2).put(0, (byte) 'a').put(1, (byte) 'b');
            assertEquals(2, tx.offerBatch(batch, new int[] {1, 1}, 2));
            assertThrows(IllegalStateException.class, () -> tx.commit(c2, 0));
            assertEquals("a", poll(rx));
            assertEquals("b", poll(rx));
            assertEquals(null, poll(rx));
            ChannelStats s = rx.stats();
            assertEquals(3, s.head());
            assertEquals(3, s.tail());
            assertEquals(0, s.abandoned());
            assertEquals(0, s.aborted());
        });
    }

    @Test
    void claimsNeedTheProducerRoleAndAnOpenChannel() throws Exception {
        Path path = dir.resolve("roles");
        Channel tx = Channel.create(path, config(ChannelMode.SPSC), Role.PRODUCER);
        try (Channel rx = Channel.open(path, Role.CONSUMER)) {
            assertThrows(NonWritableChannelException.class, rx::claim);
            assertThrows(NonWritableChannelException.class, () -> rx.abort(0));
            long claim = tx.claim();
            tx.close();
            assertThrows(ChannelClosedException.class, tx::claim);
            assertThrows(ChannelClosedException.class, () -> tx.commit(claim, 0));
            assertThrows(ChannelClosedException.class, () -> tx.abort(claim));
            assertThrows(ChannelClosedException.class, () -> tx.claimBuffer(claim));
            assertEquals(null, poll(rx), "a claim closed uncommitted publishes nothing");
        }
    }

    /** Offset of incompat_flags in the header (docs/FORMAT.md 2.1); SKIP_RECORDS is bit 1. */
    private static final int INCOMPAT_FLAGS_OFFSET = 24;
    private static final long INCOMPAT_SKIP_RECORDS = 1L << 1;

    @Test
    void abortInAnMpscFileWithoutSkipRecordsIsIncompatAndKeepsTheClaim() throws Exception {
        Path path = dir.resolve("old-mpsc");
        Channel.create(path, config(ChannelMode.MPSC), Role.OBSERVER).close();
        try (FileChannel f =
                FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            ByteBuffer word = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
            assertEquals(8, f.read(word, INCOMPAT_FLAGS_OFFSET));
            long flags = word.getLong(0);
            assertEquals(INCOMPAT_SKIP_RECORDS, flags & INCOMPAT_SKIP_RECORDS, "a new MPSC file");
            word.putLong(0, flags & ~INCOMPAT_SKIP_RECORDS).clear();
            assertEquals(8, f.write(word, INCOMPAT_FLAGS_OFFSET)); // as a 1.0 library made it
        }
        try (Channel tx = Channel.open(path, Role.PRODUCER);
                Channel rx = Channel.open(path, Role.CONSUMER)) {
            long claim = tx.claim();
            put(tx.claimBuffer(claim), "kept");
            ChannelFormatException e =
                    assertThrows(ChannelFormatException.class, () -> tx.abort(claim));
            assertEquals(Status.EINCOMPAT, e.getStatus());
            assertEquals("abort", e.getOperation());
            tx.commit(claim, 4); // the claim stayed
            assertEquals("kept", poll(rx));
            assertEquals(null, poll(rx));
        }
    }
}
