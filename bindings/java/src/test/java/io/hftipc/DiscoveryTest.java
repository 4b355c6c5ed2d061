package io.hftipc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(value = 60, unit = TimeUnit.SECONDS)
class DiscoveryTest {
    @TempDir Path dir;

    private static final ChannelConfig SMALL =
            ChannelConfig.builder().capacity(8).slotSize(64).build();

    @Test
    void listReportsChannelsAndInvalidEntries() throws Exception {
        try (Channel spsc = Channel.create(dir.resolve("a-spsc"), SMALL, Role.PRODUCER);
                Channel mpsc = Channel.create(dir.resolve("b-mpsc"),
                        ChannelConfig.builder().capacity(16).mode(ChannelMode.MPSC).build(),
                        Role.CONSUMER)) {
            assertTrue(spsc.offer(new byte[] {1}, 0, 1));
            Channel.create(dir.resolve("c-trunc"), SMALL, Role.OBSERVER).close();
            try (FileChannel fc = FileChannel.open(dir.resolve("c-trunc"), StandardOpenOption.WRITE)) {
                fc.truncate(100);
            }
            Files.write(dir.resolve("d-text"), new byte[5000]);
            Files.createSymbolicLink(dir.resolve("e-link"), Path.of("a-spsc"));
            Files.createDirectory(dir.resolve("f-dir"));
            // A FIFO: opening it for reading would block; the listing must not.
            Process mkfifo = new ProcessBuilder("mkfifo", dir.resolve("g-fifo").toString()).start();
            assertEquals(0, mkfifo.waitFor());

            List<ChannelEntry> entries = Channels.list(dir);
            assertEquals(7, entries.size());
            String[] names = {"a-spsc", "b-mpsc", "c-trunc", "d-text", "e-link", "f-dir", "g-fifo"};
            EntryType[] types = {EntryType.FILE, EntryType.FILE, EntryType.FILE, EntryType.FILE,
                EntryType.SYMLINK, EntryType.DIRECTORY, EntryType.OTHER};
            int[] statuses = {Status.OK, Status.OK, Status.ETRUNCATED, Status.EBADMAGIC,
                Status.ENOTFILE, Status.ENOTFILE, Status.ENOTFILE};
            for (int i = 0; i < names.length; i++) {
                ChannelEntry e = entries.get(i);
                assertEquals(names[i], e.name());
                assertEquals(dir.resolve(names[i]), e.path());
                assertEquals(types[i], e.type(), names[i]);
                assertEquals(statuses[i], e.status(), names[i] + ": " + e.statusName());
                assertEquals(statuses[i] == Status.OK, e.isValid());
            }
            ChannelInfo a = entries.get(0).info();
            assertEquals(ChannelMode.SPSC, a.mode());
            assertEquals(8, a.capacity());
            assertEquals(1, a.stats().backlog());
            assertEquals(ProcessHandle.current().pid(), a.stats().producer().pid());
            assertEquals(Liveness.ALIVE, a.stats().producer().liveness());
            ChannelInfo b = entries.get(1).info();
            assertEquals(ChannelMode.MPSC, b.mode());
            assertEquals(Liveness.ALIVE, b.stats().consumer().liveness());
            assertEquals(100, entries.get(2).size());
            assertNull(entries.get(4).info());
            assertNull(entries.get(5).info());
            assertNull(entries.get(6).info());
        }
        assertThrows(ChannelNotFoundException.class, () -> Channels.list(dir.resolve("missing")));
        HftipcException notDir =
                assertThrows(HftipcException.class, () -> Channels.list(dir.resolve("d-text")));
        assertEquals(Status.ENOTFILE, notDir.getStatus());
    }

    /* The next event about `name`, failing after 10 s. */
    private static ChannelEvent next(ChannelWatch w, String name) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < deadline) {
            ChannelEvent ev = w.poll(Duration.ofMillis(200));
            if (ev != null && ev.entry().name().equals(name)) {
                return ev;
            }
        }
        throw new AssertionError("no event about " + name);
    }

    @Test
    void watchReportsCreateDeathAndRemove() throws Exception {
        Path path = dir.resolve("ch");
        try (ChannelWatch w = Channels.watch(dir, Duration.ofMillis(20))) {
            assertNull(w.poll(Duration.ZERO));
            Channel.create(path, SMALL, Role.OBSERVER).close();
            ChannelEvent added = next(w, "ch");
            assertEquals(ChannelEvent.Kind.ADDED, added.kind());
            assertTrue(added.entry().isValid());

            String javaBin = Path.of(System.getProperty("java.home"), "bin", "java").toString();
            Process peer = new ProcessBuilder(javaBin, "-cp", System.getProperty("java.class.path"),
                            CrossProcessPeer.class.getName(), "hold", path.toString())
                    .redirectError(ProcessBuilder.Redirect.INHERIT)
                    .start();
            try {
                var out = new BufferedReader(
                        new InputStreamReader(peer.getInputStream(), StandardCharsets.UTF_8));
                assertEquals("ready", out.readLine());
                ChannelEvent held = next(w, "ch");
                assertEquals(ChannelEvent.Kind.CHANGED, held.kind());
                assertEquals(peer.pid(), held.entry().info().stats().producer().pid());
                assertEquals(Liveness.ALIVE, held.entry().info().stats().producer().liveness());
                peer.getOutputStream().close(); // the peer dies without closing its handle
                assertEquals(0, peer.waitFor());
            } finally {
                peer.destroyForcibly();
            }
            ChannelEvent died = next(w, "ch");
            assertEquals(ChannelEvent.Kind.CHANGED, died.kind());
            assertEquals(Liveness.DEAD, died.entry().info().stats().producer().liveness());

            Files.delete(path);
            ChannelEvent removed = next(w, "ch");
            assertEquals(ChannelEvent.Kind.REMOVED, removed.kind());
            assertEquals(8, removed.entry().info().capacity()); // the last known state
        }
    }

    @Test
    void closeEndsAWaitInAnotherThread() throws Exception {
        ChannelWatch w = Channels.watch(dir);
        CompletableFuture<Throwable> result = CompletableFuture.supplyAsync(() -> {
            try {
                w.take();
                return null;
            } catch (Throwable t) {
                return t;
            }
        });
        Thread.sleep(50);
        long start = System.nanoTime();
        w.close();
        Throwable t = result.get(5, TimeUnit.SECONDS);
        assertTrue(t instanceof ChannelClosedException, String.valueOf(t));
        assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(2));
        w.close(); // idempotent
        assertThrows(ChannelClosedException.class, () -> w.poll(Duration.ZERO));
        assertThrows(ChannelNotFoundException.class, () -> Channels.watch(dir.resolve("missing")));
        assertThrows(IllegalArgumentException.class,
                () -> Channels.watch(dir, Duration.ofNanos(10)));
    }

    @Test
    void pollTimesOutOnAQuietDirectory() throws Exception {
        try (ChannelWatch w = Channels.watch(dir, Duration.ofMillis(10))) {
            long start = System.nanoTime();
            assertNull(w.poll(Duration.ofMillis(120)));
            long waited = System.nanoTime() - start;
            assertTrue(waited >= TimeUnit.MILLISECONDS.toNanos(120), "waited " + waited);
            assertTrue(waited < TimeUnit.SECONDS.toNanos(2), "waited " + waited);
        }
    }

    @Test
    void openWaitReturnsOnceTheChannelIsCreated() throws Exception {
        Path path = dir.resolve("later");
        CompletableFuture<Void> creator = CompletableFuture.runAsync(() -> {
            try {
                Thread.sleep(150);
            } catch (InterruptedException e) {
                throw new RuntimeException(e);
            }
            try (Channel tx = Channel.create(path, SMALL, Role.PRODUCER)) {
                tx.offer(new byte[] {42}, 0, 1);
            }
        });
        long start = System.nanoTime();
        try (Channel rx = Channel.openWait(path, Role.CONSUMER, Duration.ofSeconds(10))) {
            assertTrue(System.nanoTime() - start >= TimeUnit.MILLISECONDS.toNanos(100));
            creator.get(5, TimeUnit.SECONDS);
            byte[] buf = new byte[8];
            assertTrue(rx.await(Duration.ofSeconds(5)));
            assertEquals(1, rx.poll(buf, 0, buf.length));
            assertEquals(42, buf[0]);
        }
    }

    @Test
    void openWaitTimesOutAndReportsOtherErrorsAtOnce() throws Exception {
        Path path = dir.resolve("never");
        long start = System.nanoTime();
        ChannelTimeoutException e = assertThrows(ChannelTimeoutException.class,
                () -> Channel.openWait(path, Role.CONSUMER, Duration.ofMillis(120)));
        long waited = System.nanoTime() - start;
        assertEquals(Status.ETIMEDOUT, e.getStatus());
        assertTrue(waited >= TimeUnit.MILLISECONDS.toNanos(120), "waited " + waited);
        assertTrue(waited < TimeUnit.SECONDS.toNanos(2), "waited " + waited);

        try (Channel tx = Channel.create(path, SMALL, Role.PRODUCER)) {
            start = System.nanoTime();
            assertThrows(ChannelBusyException.class,
                    () -> Channel.openWait(path, Role.PRODUCER, Duration.ofSeconds(10)));
            assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(2));
        }
        Thread.currentThread().interrupt();
        assertThrows(InterruptedException.class,
                () -> Channel.openWait(dir.resolve("x"), Role.CONSUMER, Duration.ofSeconds(10)));
        assertFalse(Thread.currentThread().isInterrupted());
        assertNotNull(path);
    }
}
