package io.hftipc;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ReadOnlyBufferException;
import java.nio.channels.NonReadableChannelException;
import java.nio.channels.NonWritableChannelException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ChannelTest {
    @TempDir Path dir;

    private Path path;
    private Channel tx;
    private Channel rx;

    private static final ChannelConfig SMALL =
            ChannelConfig.builder().capacity(8).slotSize(64).build();

    @BeforeEach
    void setUp() {
        path = dir.resolve("chan");
        tx = Channel.create(path, SMALL, Role.PRODUCER);
        rx = Channel.open(path, Role.CONSUMER);
    }

    @AfterEach
    void tearDown() {
        tx.close();
        rx.close();
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void propertiesReflectTheConfig() {
        assertEquals(8, tx.capacity());
        assertEquals(64, tx.slotSize());
        assertEquals(56, tx.maxPayload());
        assertEquals(Role.PRODUCER, tx.role());
        assertEquals(Role.CONSUMER, rx.role());
        assertEquals(path, tx.path());
        assertTrue(tx.isOpen());
        assertTrue(tx.toString().contains("PRODUCER"));
    }

    @Test
    void offerAndPollWithDirectBuffers() {
        ByteBuffer src = ByteBuffer.allocateDirect(64);
        src.put(bytes("hello")).flip();
        assertTrue(tx.offer(src));
        assertEquals(src.limit(), src.position(), "offer consumes the remaining bytes");
        ByteBuffer dst = ByteBuffer.allocateDirect(64);
        dst.position(3);
        assertEquals(5, rx.poll(dst));
        assertEquals(8, dst.position());
        byte[] got = new byte[5];
        dst.get(3, got);
        assertArrayEquals(bytes("hello"), got);
        assertEquals(-1, rx.poll(dst));
    }

    @Test
    void offerAndPollWithHeapBuffersAndArrays() {
        assertTrue(tx.offer(ByteBuffer.wrap(bytes("xxheapyy"), 2, 4)));
        assertTrue(tx.offer(bytes("--array--"), 2, 5));
        assertTrue(tx.offer(ByteBuffer.wrap(bytes("readonly")).asReadOnlyBuffer()));
        ByteBuffer dst = ByteBuffer.allocate(16);
        assertEquals(4, rx.poll(dst));
        assertEquals("heap", new String(dst.array(), 0, 4, StandardCharsets.UTF_8));
        byte[] arr = new byte[20];
        assertEquals(5, rx.poll(arr, 10, 10));
        assertEquals("array", new String(arr, 10, 5, StandardCharsets.UTF_8));
        assertEquals(8, rx.poll(arr, 0, 20));
        assertEquals("readonly", new String(arr, 0, 8, StandardCharsets.UTF_8));
        assertEquals(-1, rx.poll(arr, 0, 20));
    }

    @Test
    void emptyAndMaxPayloadMessages() {
        assertTrue(tx.offer(new byte[0], 0, 0));
        byte[] big = new byte[tx.maxPayload()];
        for (int i = 0; i < big.length; i++) {
            big[i] = (byte) i;
        }
        assertTrue(tx.offer(ByteBuffer.wrap(big)));
        byte[] out = new byte[100];
        assertEquals(0, rx.poll(out, 0, 100));
        assertEquals(big.length, rx.poll(out, 0, 100));
        for (int i = 0; i < big.length; i++) {
            assertEquals((byte) i, out[i]);
        }
    }

    @Test
    void fullAndEmptyAreReturnValues() {
        for (int i = 0; i < tx.capacity(); i++) {
            assertTrue(tx.offer(new byte[] {(byte) i}, 0, 1));
        }
        assertFalse(tx.offer(new byte[] {1}, 0, 1));
        assertFalse(tx.offer(ByteBuffer.allocateDirect(1)));
        assertNull(tx.tryClaim());
        assertEquals(0, tx.offerBatch(ByteBuffer.allocateDirect(4), new int[] {1}, 1));
        byte[] b = new byte[1];
        for (int i = 0; i < tx.capacity(); i++) {
            assertEquals(1, rx.poll(b, 0, 1));
            assertEquals((byte) i, b[0]);
        }
        assertEquals(-1, rx.poll(b, 0, 1));
        assertEquals(-1, rx.poll(ByteBuffer.allocateDirect(1)));
        assertNull(rx.peek());
        assertEquals(0, rx.pollBatch(ByteBuffer.allocateDirect(8), new int[4]));
        assertTrue(tx.stats().fullCount() >= 3);
    }

    @Test
    void tooBigMessagesAreRefused() {
        int max = tx.maxPayload();
        MessageTooBigException e =
                assertThrows(MessageTooBigException.class, () -> tx.offer(new byte[max + 1], 0, max + 1));
        assertEquals(Status.ETOOBIG, e.getStatus());
        assertEquals("HFTIPC_ETOOBIG", e.getStatusName());
        assertEquals(path, e.getPath());
        assertEquals("offer", e.getOperation());
        assertThrows(MessageTooBigException.class, () -> tx.offer(ByteBuffer.allocateDirect(max + 1)));
        assertThrows(MessageTooBigException.class,
                () -> tx.offerBatch(ByteBuffer.allocateDirect(200), new int[] {1, max + 1}, 2));
        assertNotNull(tx.tryClaim());
        assertThrows(MessageTooBigException.class, () -> tx.commit(max + 1));
        tx.commit(max); // the claim stays after a refused commit
        assertEquals(1, tx.stats().head());
    }

    @Test
    void smallBufferLeavesTheMessage() {
        assertTrue(tx.offer(new byte[10], 0, 10));
        BufferTooSmallException e =
                assertThrows(BufferTooSmallException.class, () -> rx.poll(new byte[4], 0, 4));
        assertEquals(10, e.getRequired());
        assertEquals("HFTIPC_EBUFSIZE", e.getStatusName());
        assertThrows(BufferTooSmallException.class, () -> rx.poll(ByteBuffer.allocateDirect(9)));
        assertThrows(BufferTooSmallException.class,
                () -> rx.pollBatch(ByteBuffer.allocateDirect(9), new int[2]));
        assertEquals(10, rx.poll(new byte[10], 0, 10), "nothing was consumed");
    }

    @Test
    void badOffsetsAreCaughtInJava() {
        assertThrows(IndexOutOfBoundsException.class, () -> tx.offer(new byte[4], 2, 3));
        assertThrows(IndexOutOfBoundsException.class, () -> tx.offer(new byte[4], -1, 1));
        assertThrows(IndexOutOfBoundsException.class, () -> rx.poll(new byte[4], 3, 2));
        assertThrows(IndexOutOfBoundsException.class,
                () -> tx.offerBatch(ByteBuffer.allocateDirect(4), new int[1], 2));
        assertThrows(IllegalArgumentException.class,
                () -> tx.offerBatch(ByteBuffer.allocateDirect(4), new int[] {3, 3}, 2));
        assertThrows(IllegalArgumentException.class,
                () -> tx.offerBatch(ByteBuffer.allocateDirect(4), new int[] {-1}, 1));
        assertNotNull(tx.tryClaim());
        assertThrows(IllegalArgumentException.class, () -> tx.commit(-1));
        assertThrows(ReadOnlyBufferException.class,
                () -> rx.poll(ByteBuffer.allocate(4).asReadOnlyBuffer()));
        assertThrows(NullPointerException.class, () -> tx.offer((ByteBuffer) null));
    }

    @Test
    void nativeHelpersCheckBoundsToo() {
        // Bypass the facade: the C helpers must refuse out-of-range requests, not crash.
        ByteBuffer d = ByteBuffer.allocateDirect(8);
        long a = hftipc.hj_direct_address(d);
        assertNotEquals(0, a);
        SWIGTYPE_p_hftipc_channel_stct h = handleOf(tx);
        SWIGTYPE_p_hftipc_channel_stct r = handleOf(rx);
        assertEquals(Status.EINVAL, hftipc.hj_send_addr(h, a, 8, 4, 5));
        assertEquals(Status.EINVAL, hftipc.hj_send_addr(h, a, 8, -1, 1));
        assertEquals(Status.EINVAL, hftipc.hj_send_addr(h, a, 8, 2, -1));
        assertEquals(Status.EINVAL, hftipc.hj_send_addr(h, a, -8, 0, 1));
        assertEquals(Status.EINVAL, hftipc.hj_send_addr(h, 0, 8, 0, 1), "no address");
        assertEquals(Status.EINVAL, hftipc.hj_send_wait_addr(h, a, 8, 4, 5, 0));
        assertEquals(Status.EINVAL, hftipc.hj_send_wait_addr(h, a, 8, 0, 1, -1), "negative wait");
        assertEquals(Status.EINVAL, hftipc.hj_receive_addr(r, a, 8, 9, 0));
        assertEquals(Status.EINVAL, hftipc.hj_receive_addr(r, 0, 8, 0, 8));
        assertEquals(Status.EINVAL, hftipc.hj_receive_wait_addr(r, a, 8, 0, 9, 0));
        assertEquals(Status.EINVAL, hftipc.hj_send_batch_addr(h, a, 8, 0, 8, new int[1], 0, 2));
        assertEquals(Status.EINVAL, hftipc.hj_send_batch_addr(h, a, 8, 0, 8, new int[2], 1, 2));
        assertEquals(Status.EINVAL, hftipc.hj_send_batch_addr(h, a, 8, 0, 8, new int[2], -1, 1));
        assertEquals(Status.EINVAL, hftipc.hj_send_batch_addr(h, a, 8, 0, 9, new int[1], 0, 1));
        assertEquals(Status.EINVAL,
                hftipc.hj_receive_batch_addr(r, a, 8, 0, 8, new int[2], 2, 1));
        assertEquals(Status.EINVAL,
                hftipc.hj_receive_batch_addr(r, a, 8, 0, 8, new int[2], 0, 0));
        assertEquals(Status.EINVAL, hftipc.hj_claim_addr(h, 0));
        assertEquals(Status.EINVAL, hftipc.hj_peek_addr(r, 0));
        assertEquals(0, hftipc.hj_direct_address(ByteBuffer.allocate(4)), "a heap buffer");
        assertEquals(0, hftipc.hj_direct_address(null));
        assertEquals(0, tx.stats().head());
    }

    @Test
    void fileModesOutside0666AreRefused(@TempDir Path dir) {
        // Peers write the file through a mapping: an executable (or setuid) channel file is a
        // program any of them can replace (issue 11, finding 7).
        for (String perms : new String[] {"rwx------", "rw-rw-rwx", "rw-r-x---", "--x--x--x"}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> ChannelConfig.builder().filePermissions(perms).build(), perms);
            assertTrue(e.getMessage().contains("read and write bits only"), e.getMessage());
        }
        // Below the facade, the C library refuses the same modes, and setuid, setgid and sticky
        // bits, which PosixFilePermission cannot express, with EINVAL; nothing is created.
        Path path = dir.resolve("mode");
        for (int mode : new int[] {04777, 04666, 02600, 01600, 0700, 0100, 0777}) {
            for (int how : new int[] {1, 2}) {
                int[] status = new int[2];
                assertNull(hftipc.hj_open(path.toString(), how, Role.PRODUCER.code, 8, 64, 1,
                        mode, -1, 0, status));
                assertEquals(Status.EINVAL, status[0], "mode " + Integer.toOctalString(mode));
                assertFalse(Files.exists(path));
            }
        }
    }

    private static SWIGTYPE_p_hftipc_channel_stct handleOf(Channel c) {
        try {
            var f = Channel.class.getDeclaredField("handle");
            f.setAccessible(true);
            return (SWIGTYPE_p_hftipc_channel_stct) f.get(c);
        } catch (ReflectiveOperationException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void claimAndCommitWriteInPlace() {
        ByteBuffer slot = tx.tryClaim();
        assertNotNull(slot);
        assertTrue(slot.isDirect());
        assertEquals(0, slot.position());
        assertEquals(tx.maxPayload(), slot.limit());
        assertSame(slot, tx.tryClaim(), "claiming again returns the same slot");
        slot.putLong(0x1122334455667788L).putInt(42);
        tx.commit(12);
        assertEquals(0, slot.limit(), "the view is emptied after commit");
        assertThrows(IllegalStateException.class, () -> tx.commit(1));

        ByteBuffer msg = rx.peek();
        assertNotNull(msg);
        assertTrue(msg.isReadOnly());
        assertEquals(12, msg.remaining());
        assertEquals(0x1122334455667788L, msg.getLong(0));
        assertEquals(42, msg.getInt(8));
        assertSame(msg, rx.peek(), "peeking again returns the same message");
        rx.ack();
        assertEquals(0, msg.limit());
        assertNull(rx.peek());
        assertThrows(IllegalStateException.class, rx::ack);
    }

    @Test
    void zeroCopyViewsAreReusedAcrossLaps() {
        ByteBuffer[] first = new ByteBuffer[tx.capacity()];
        for (int lap = 0; lap < 3; lap++) {
            for (int i = 0; i < tx.capacity(); i++) {
                ByteBuffer v = tx.tryClaim();
                if (lap == 0) {
                    first[i] = v;
                } else {
                    assertSame(first[i], v);
                }
                v.putInt(0, lap * 100 + i);
                tx.commit(4);
            }
            for (int i = 0; i < tx.capacity(); i++) {
                ByteBuffer m = rx.peek();
                assertEquals(lap * 100 + i, m.getInt(0));
                rx.ack();
            }
        }
    }

    @Test
    void eachDirectBufferIsSentFromItsOwnAddress() {
        // The binding caches the address of the last direct buffer: a slice, a duplicate moved
        // elsewhere or another buffer must not reuse a stale one.
        ByteBuffer a = ByteBuffer.allocateDirect(16);
        for (int i = 0; i < 16; i++) {
            a.put(i, (byte) i);
        }
        ByteBuffer slice = a.slice(4, 8);
        ByteBuffer other = ByteBuffer.allocateDirect(4).put(0, (byte) 99);
        assertTrue(tx.offer(a.limit(4)));
        assertTrue(tx.offer(slice));
        assertTrue(tx.offer(other));
        assertTrue(tx.offer(a.clear().position(12)));
        assertTrue(tx.send(slice.position(6), Duration.ZERO));
        ByteBuffer in = ByteBuffer.allocateDirect(32);
        ByteBuffer inSlice = in.slice(16, 16);
        assertEquals(4, rx.poll(in));
        assertEquals(8, rx.poll(inSlice));
        assertEquals(4, rx.receive(in, Duration.ZERO));
        assertEquals(4, rx.poll(inSlice));
        assertEquals(2, rx.poll(in));
        for (int i = 0; i < 4; i++) {
            assertEquals((byte) i, in.get(i));
            assertEquals((byte) (4 + i), inSlice.get(i));
            assertEquals((byte) (4 + 4 + i), inSlice.get(4 + i));
            assertEquals((byte) (12 + i), inSlice.get(8 + i));
        }
        assertEquals((byte) 99, in.get(4));
        assertEquals((byte) 10, in.get(8));
        assertEquals((byte) 11, in.get(9));
        // A read-only view of a direct buffer has the same memory and is sent from it.
        assertTrue(tx.offer(a.clear().limit(3).asReadOnlyBuffer()));
        byte[] three = new byte[3];
        assertEquals(3, rx.poll(three, 0, 3));
        assertArrayEquals(new byte[] {0, 1, 2}, three);
    }

    @Test
    void heapMessagesOfGrowingSizeArriveWhole(@TempDir Path big) {
        // Heap arrays go through a scratch buffer that grows with the message.
        try (Channel t = Channel.create(big.resolve("big"), ChannelConfig.builder().capacity(4)
                        .maxPayload(5000).build(), Role.PRODUCER);
                Channel r = Channel.open(big.resolve("big"), Role.CONSUMER)) {
            for (int len : new int[] {3, 300, 4999, 5000, 7}) {
                byte[] m = new byte[len];
                for (int i = 0; i < len; i++) {
                    m[i] = (byte) (i * 31 + len);
                }
                assertTrue(len % 2 == 0 ? t.offer(m, 0, len) : t.send(m, 0, len, Duration.ZERO));
                byte[] got = new byte[len + 2];
                int n = len % 2 == 0 ? r.poll(got, 1, len + 1)
                        : r.receive(ByteBuffer.wrap(got, 1, len + 1), Duration.ZERO);
                assertEquals(len, n);
                assertEquals(0, got[0]);
                for (int i = 0; i < len; i++) {
                    assertEquals(m[i], got[1 + i], "byte " + i + " of " + len);
                }
                assertEquals(0, got[len + 1]);
            }
        }
    }

    @Test
    void aPartialBatchIsResentFromTheReturnedOffset() {
        for (boolean direct : new boolean[] {true, false}) {
            // 20 messages of 1..20 bytes, each byte the message's index; capacity 8 takes 8.
            int[] lens = new int[22];
            ByteBuffer data = direct ? ByteBuffer.allocateDirect(256) : ByteBuffer.allocate(256);
            for (int m = 0; m < 20; m++) {
                lens[m + 2] = m + 1; // lengths start at offset 2; lens[0..1] are not messages
                for (int b = 0; b <= m; b++) {
                    data.put((byte) m);
                }
            }
            data.flip();
            lens[0] = -1; // never read: outside [offset, offset+count)
            lens[1] = 1000;
            ByteBuffer out = direct ? ByteBuffer.allocateDirect(256) : ByteBuffer.allocate(256);
            int[] got = new int[30];
            int offset = 2;
            int left = 20;
            int received = 0;
            int rounds = 0;
            while (left > 0) {
                int sent = tx.offerBatch(data, lens, offset, left);
                assertTrue(sent > 0 && sent <= 8, "sent " + sent);
                offset += sent;
                left -= sent;
                // Receive into got[5 + received ...]: the offset on the receiving side too.
                int n = rx.pollBatch(out, got, 5 + received, got.length - 5 - received);
                assertEquals(sent, n);
                received += n;
                rounds++;
            }
            assertEquals(3, rounds, "8 + 8 + 4");
            assertEquals(data.limit(), data.position(), "every byte was sent once");
            assertEquals(0, got[4], "nothing written before the offset");
            out.flip();
            for (int m = 0; m < 20; m++) {
                assertEquals(m + 1, got[5 + m], "length of message " + m);
                for (int b = 0; b <= m; b++) {
                    assertEquals((byte) m, out.get(), "byte " + b + " of message " + m);
                }
            }
            assertEquals(0, got[25], "nothing written past the count");
        }
    }

    @Test
    void badBatchOffsetsAndCountsAreRefused() {
        ByteBuffer d = ByteBuffer.allocateDirect(16);
        int[] lens = {1, 1, 1, 1};
        assertThrows(IndexOutOfBoundsException.class, () -> tx.offerBatch(d, lens, -1, 1));
        assertThrows(IndexOutOfBoundsException.class, () -> tx.offerBatch(d, lens, 0, -1));
        assertThrows(IndexOutOfBoundsException.class, () -> tx.offerBatch(d, lens, 3, 2));
        assertThrows(IndexOutOfBoundsException.class, () -> tx.offerBatch(d, lens, 5, 0));
        assertThrows(IndexOutOfBoundsException.class,
                () -> tx.offerBatch(d, lens, Integer.MAX_VALUE, 2), "offset + count overflows");
        assertEquals(0, tx.offerBatch(d, lens, 4, 0), "an empty range at the end sends nothing");
        assertThrows(IllegalArgumentException.class,
                () -> tx.offerBatch(d, new int[] {1, -1}, 1, 1), "negative length in range");
        assertEquals(0, tx.stats().head(), "nothing was sent");
        assertEquals(1, tx.offerBatch(d, new int[] {-1, 1}, 1, 1), "the -1 is outside the range");

        ByteBuffer o = ByteBuffer.allocateDirect(16);
        int[] got = new int[4];
        assertThrows(IndexOutOfBoundsException.class, () -> rx.pollBatch(o, got, -1, 1));
        assertThrows(IndexOutOfBoundsException.class, () -> rx.pollBatch(o, got, 0, -1));
        assertThrows(IndexOutOfBoundsException.class, () -> rx.pollBatch(o, got, 2, 3));
        assertThrows(IllegalArgumentException.class, () -> rx.pollBatch(o, got, 1, 0));
        assertEquals(1, tx.stats().backlog(), "nothing was consumed");
        assertEquals(1, rx.pollBatch(o, got, 3, 1));
        assertArrayEquals(new int[] {0, 0, 0, 1}, got);
    }

    @Test
    void batchesWithDirectAndHeapBuffers() {
        for (boolean direct : new boolean[] {true, false}) {
            ByteBuffer data = direct ? ByteBuffer.allocateDirect(64) : ByteBuffer.allocate(64);
            int[] lens = {0, 3, 5, 1, 2, 4, 6, 7, 8, 9};
            for (int i = 0; i < 45; i++) {
                data.put((byte) i);
            }
            data.flip();
            int n = tx.offerBatch(data, lens, lens.length);
            assertEquals(8, n, "capacity 8 limits the batch");
            assertEquals(0 + 3 + 5 + 1 + 2 + 4 + 6 + 7, data.position());
            ByteBuffer out = direct ? ByteBuffer.allocateDirect(64) : ByteBuffer.allocate(64);
            int[] got = new int[16];
            assertEquals(8, rx.pollBatch(out, got));
            assertEquals(28, out.position());
            for (int i = 0; i < 8; i++) {
                assertEquals(lens[i], got[i]);
            }
            for (int i = 0; i < 28; i++) {
                assertEquals((byte) i, out.get(i));
            }
        }
        assertThrows(IllegalArgumentException.class,
                () -> rx.pollBatch(ByteBuffer.allocateDirect(8), new int[0]));
    }

    @Test
    void blockingSendAndReceiveTimeOut() throws Exception {
        byte[] b = new byte[4];
        long t0 = System.nanoTime();
        assertEquals(-1, rx.receive(b, 0, 4, Duration.ofMillis(50)));
        assertTrue(System.nanoTime() - t0 >= 50_000_000L);
        assertEquals(-1, rx.receive(ByteBuffer.allocate(4), Duration.ZERO));
        for (int i = 0; i < tx.capacity(); i++) {
            assertTrue(tx.send(b, 0, 4, Duration.ofMillis(10)));
        }
        assertFalse(tx.send(b, 0, 4, Duration.ofMillis(20)));
        assertFalse(tx.send(ByteBuffer.wrap(b), Duration.ofMillis(20)));

        Thread drainer = new Thread(() -> {
            try {
                Thread.sleep(30);
                byte[] x = new byte[4];
                rx.poll(x, 0, 4);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        drainer.start();
        assertTrue(tx.send(ByteBuffer.wrap(b), Duration.ofSeconds(5)), "a slot frees up");
        drainer.join();
        assertEquals(4, rx.receive(ByteBuffer.allocate(4), Duration.ofSeconds(1)));
    }

    @Test
    void blockingReceiveReturnsOnInterrupt() {
        Thread.currentThread().interrupt();
        try {
            assertEquals(-1, rx.receive(new byte[4], 0, 4, Duration.ofSeconds(30)));
            assertTrue(Thread.currentThread().isInterrupted());
        } finally {
            Thread.interrupted();
        }
    }

    @Test
    void rolesAreEnforced() {
        assertThrows(NonWritableChannelException.class, () -> rx.offer(new byte[1], 0, 1));
        assertThrows(NonWritableChannelException.class, rx::tryClaim);
        assertThrows(NonReadableChannelException.class, () -> tx.poll(new byte[1], 0, 1));
        assertThrows(IllegalStateException.class, tx::peek);
        assertThrows(IllegalStateException.class, tx::ack);
        try (Channel obs = Channel.open(path, Role.OBSERVER)) {
            assertThrows(IllegalStateException.class, obs::peek);
            assertThrows(IllegalStateException.class,
                    () -> obs.pollBatch(ByteBuffer.allocateDirect(8), new int[1]));
            assertThrows(NonWritableChannelException.class, () -> obs.offer(new byte[1], 0, 1));
        }
    }

    @Test
    void observerReadsWithoutConsuming() {
        try (Channel obs = Channel.open(path, Role.OBSERVER)) {
            assertEquals(Role.OBSERVER, obs.role());
            assertEquals(-1, obs.poll(new byte[8], 0, 8));
            assertTrue(tx.offer(bytes("one"), 0, 3));
            assertTrue(tx.offer(bytes("two"), 0, 3));
            byte[] b = new byte[8];
            assertEquals(3, obs.poll(b, 0, 8));
            assertEquals("one", new String(b, 0, 3, StandardCharsets.UTF_8));
            ByteBuffer d = ByteBuffer.allocateDirect(8);
            assertEquals(3, obs.poll(d));
            assertEquals(-1, obs.poll(d));
            assertEquals(2, rx.stats().backlog(), "the observer consumed nothing");
            // Lap the observer: publish more than capacity after its position, consumer drains.
            for (int i = 0; i < 20; i++) {
                while (!tx.offer(b, 0, 1)) {
                    rx.poll(b, 0, 8);
                }
            }
            assertThrows(ChannelLappedException.class, () -> {
                for (int i = 0; i < 30; i++) {
                    obs.poll(b, 0, 8);
                }
            });
        }
    }

    @Test
    void closedChannelThrows() {
        tx.close();
        tx.close(); // idempotent
        assertFalse(tx.isOpen());
        ChannelClosedException e =
                assertThrows(ChannelClosedException.class, () -> tx.offer(new byte[1], 0, 1));
        assertTrue(e.getMessage().contains(path.toString()));
        assertThrows(ChannelClosedException.class, tx::tryClaim);
        assertThrows(ChannelClosedException.class, tx::stats);
        assertEquals(8, tx.capacity(), "properties stay readable");
    }

    @Test
    void viewsAreEmptiedOnClose() {
        ByteBuffer slot = tx.tryClaim();
        tx.close();
        assertEquals(0, slot.limit());
        assertThrows(IndexOutOfBoundsException.class, () -> slot.put(0, (byte) 1));
    }

    @Test
    void statsAndInspect() {
        tx.offer(new byte[3], 0, 3);
        tx.offer(new byte[3], 0, 3);
        rx.poll(new byte[3], 0, 3);
        ChannelStats s = rx.stats();
        assertEquals(2, s.head());
        assertEquals(1, s.tail());
        assertEquals(1, s.backlog());
        long pid = ProcessHandle.current().pid();
        assertEquals(pid, s.producer().pid());
        assertEquals(Liveness.ALIVE, s.producer().liveness());
        assertEquals(pid, s.consumer().pid());
        assertTrue(s.consumer().epoch() >= 1);

        ChannelInfo info = Channel.inspect(path);
        assertEquals(1, info.formatMajor());
        assertEquals(8, info.capacity());
        assertEquals(64, info.slotSize());
        assertEquals(56, info.maxPayload());
        assertEquals(ChannelMode.SPSC, info.mode());
        assertEquals(4096 + 8 * 64, info.fileSize());
        assertEquals(pid, info.creatorPid());
        assertEquals(hftipc.hftipc_version_number(), info.creatorVersion()); // this library
        assertEquals(2, info.stats().head());
        assertTrue(info.createdEpochNanos() > 0);
    }

    @Test
    void exclusiveRolesAndCreateOutcomes() throws Exception {
        ChannelBusyException busy =
                assertThrows(ChannelBusyException.class, () -> Channel.open(path, Role.PRODUCER));
        assertEquals("HFTIPC_EBUSY", busy.getStatusName());
        assertEquals("open", busy.getOperation());
        assertThrows(ChannelExistsException.class, () -> Channel.create(path, SMALL, Role.OBSERVER));
        ChannelNotFoundException nf =
                assertThrows(ChannelNotFoundException.class,
                        () -> Channel.open(dir.resolve("missing"), Role.CONSUMER));
        assertEquals(Status.ENOENT, nf.getStatus());
        assertThrows(ChannelMismatchException.class,
                () -> Channel.openOrCreate(path, ChannelConfig.defaults(), Role.OBSERVER));
        try (Channel o = Channel.openOrCreate(path, SMALL, Role.OBSERVER)) {
            assertEquals(8, o.capacity());
        }
        Path fresh = dir.resolve("fresh");
        ChannelConfig cfg = ChannelConfig.builder().filePermissions("rw-r-----").build();
        try (Channel c = Channel.openOrCreate(fresh, cfg, Role.CONSUMER)) {
            assertEquals(1024, c.capacity());
            assertEquals(504, c.maxPayload());
        }
        assertEquals("rw-r-----",
                PosixFilePermissions.toString(Files.getPosixFilePermissions(fresh)));
        tx.close();
        try (Channel again = Channel.open(path, Role.PRODUCER)) {
            assertEquals(2, again.stats().producer().epoch());
        }
    }

    @Test
    void symlinkIsRefused() throws Exception {
        Path link = dir.resolve("link");
        Files.createSymbolicLink(link, path);
        HftipcException e = assertThrows(HftipcException.class, () -> Channel.open(link, Role.OBSERVER));
        assertEquals("HFTIPC_ENOTFILE", e.getStatusName());
    }
}
