package io.hftipc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Blocking calls on the native futex wait, heartbeats and fenced takeover: threads of this JVM
 * and a second JVM ({@link CrossProcessPeer}) as the peer.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class BlockingTest {
    @TempDir Path dir;

    private static final ChannelConfig SMALL =
            ChannelConfig.builder().capacity(8).slotSize(64).build();
    private static final long MS = 1_000_000L;

    private static Process startPeer(String mode, Path path) throws Exception {
        String javaBin = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        return new ProcessBuilder(javaBin, "-cp", System.getProperty("java.class.path"),
                        CrossProcessPeer.class.getName(), mode, path.toString())
                .redirectError(ProcessBuilder.Redirect.INHERIT)
                .start();
    }

    private static BufferedReader stdout(Process p) {
        return new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
    }

    private static String ask(Writer w, BufferedReader r, String cmd) throws Exception {
        w.write(cmd + "\n");
        w.flush();
        return r.readLine();
    }

    private static void signal(long pid, String sig) throws Exception {
        Process k = new ProcessBuilder("kill", "-" + sig, Long.toString(pid)).inheritIO().start();
        assertTrue(k.waitFor(10, TimeUnit.SECONDS));
        assertEquals(0, k.exitValue(), "kill -" + sig);
    }

    /* Polls until the consumer is asleep in the futex wait (its waiting flag is up). */
    private static void awaitConsumerSleeping(Channel any) throws InterruptedException {
        long end = System.nanoTime() + 10_000 * MS;
        while (!any.stats().consumer().waiting()) {
            assertTrue(System.nanoTime() < end, "the consumer never went to sleep");
            Thread.sleep(1);
        }
    }

    @Test
    void receiveIsWokenByAnOfferFromAnotherThread() throws Exception {
        Path path = dir.resolve("thread");
        try (Channel rx = Channel.create(path, SMALL, Role.CONSUMER);
                Channel tx = Channel.open(path, Role.PRODUCER)) {
            Thread offerer = new Thread(() -> {
                try {
                    awaitConsumerSleeping(tx);
                    tx.offer(new byte[] {1, 2, 3}, 0, 3);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            offerer.start();
            byte[] b = new byte[8];
            long t0 = System.nanoTime();
            assertEquals(3, rx.receive(b, 0, 8, Duration.ofSeconds(30)));
            long took = System.nanoTime() - t0;
            offerer.join();
            assertEquals(3, b[2]);
            assertTrue(took < 15_000 * MS, "woken, not timed out: " + took / MS + " ms");
            assertFalse(rx.stats().consumer().waiting(), "the flag drops after the wait");

            // An unbounded wait takes the same path (no deadline arithmetic overflow).
            offerer = new Thread(() -> {
                try {
                    awaitConsumerSleeping(tx);
                    tx.offer(ByteBuffer.wrap(new byte[] {4}));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            offerer.start();
            ByteBuffer buf = ByteBuffer.allocateDirect(8);
            assertEquals(1, rx.receive(buf, ChronoUnit.FOREVER.getDuration()));
            offerer.join();
            assertEquals(4, buf.get(0));
        }
    }

    @Test
    void sendIsWokenWhenTheConsumerFreesASlot() throws Exception {
        Path path = dir.resolve("full");
        try (Channel tx = Channel.create(path, SMALL, Role.PRODUCER);
                Channel rx = Channel.open(path, Role.CONSUMER)) {
            byte[] b = new byte[4];
            while (tx.offer(b, 0, 4)) {
                // fill the ring
            }
            assertFalse(tx.await(Duration.ZERO), "full: not writable");
            Thread drainer = new Thread(() -> {
                long end = System.nanoTime() + 10_000 * MS;
                while (!rx.stats().producer().waiting() && System.nanoTime() < end) {
                    Thread.onSpinWait();
                }
                rx.poll(new byte[4], 0, 4);
            });
            drainer.start();
            assertTrue(tx.send(b, 0, 4, Duration.ofSeconds(30)));
            drainer.join();
        }
    }

    @Test
    void awaitReportsReadiness() {
        Path path = dir.resolve("await");
        try (Channel tx = Channel.create(path, SMALL, Role.PRODUCER);
                Channel rx = Channel.open(path, Role.CONSUMER);
                Channel obs = Channel.open(path, Role.OBSERVER)) {
            assertTrue(tx.await(Duration.ZERO), "empty ring: writable");
            assertFalse(rx.await(Duration.ZERO), "empty ring: nothing to read");
            long t0 = System.nanoTime();
            assertFalse(obs.await(Duration.ofMillis(30)));
            assertTrue(System.nanoTime() - t0 >= 30 * MS);
            tx.offer(new byte[1], 0, 1);
            assertTrue(rx.await(Duration.ZERO));
            assertTrue(obs.await(Duration.ofSeconds(5)));
            assertTrue(rx.await(Duration.ofSeconds(5)), "await consumes nothing");
            assertEquals(1, rx.poll(new byte[1], 0, 1));
        }
    }

    @Test
    void timeoutReturnsWithinReason() {
        Path path = dir.resolve("timeout");
        try (Channel rx = Channel.create(path, SMALL, Role.CONSUMER)) {
            for (long ms : new long[] {0, 20, 120, 300}) {
                long t0 = System.nanoTime();
                assertEquals(-1, rx.receive(new byte[4], 0, 4, Duration.ofMillis(ms)));
                long took = System.nanoTime() - t0;
                assertTrue(took >= ms * MS, ms + " ms timeout returned after " + took / MS);
                assertTrue(took < ms * MS + 2_000 * MS, ms + " ms timeout took " + took / MS);
            }
            assertEquals(-1, rx.receive(ByteBuffer.allocate(4), Duration.ofMillis(-5)));
        }
    }

    @Test
    void interruptEndsABlockedReceive() throws Exception {
        Path path = dir.resolve("interrupt");
        try (Channel rx = Channel.create(path, SMALL, Role.CONSUMER);
                Channel tx = Channel.open(path, Role.PRODUCER)) {
            AtomicInteger result = new AtomicInteger(Integer.MIN_VALUE);
            AtomicLong returnedAt = new AtomicLong();
            AtomicInteger stillInterrupted = new AtomicInteger();
            Thread waiter = new Thread(() -> {
                result.set(rx.receive(new byte[4], 0, 4, Duration.ofSeconds(30)));
                returnedAt.set(System.nanoTime());
                stillInterrupted.set(Thread.currentThread().isInterrupted() ? 1 : 0);
            });
            waiter.start();
            awaitConsumerSleeping(tx);
            long t0 = System.nanoTime();
            waiter.interrupt();
            waiter.join(10_000);
            assertFalse(waiter.isAlive(), "the interrupt ends the wait");
            assertEquals(-1, result.get());
            assertEquals(1, stillInterrupted.get(), "the interrupt status is kept");
            long latency = returnedAt.get() - t0;
            assertTrue(latency < 2_000 * MS, "noticed after " + latency / MS + " ms");
        }
    }

    @Test
    void heartbeatIsRecordedAndNeedsARole() throws Exception {
        Path path = dir.resolve("beat");
        try (Channel tx = Channel.create(path, SMALL, Role.PRODUCER);
                Channel obs = Channel.open(path, Role.OBSERVER)) {
            long before = tx.stats().producer().heartbeatNanos();
            assertTrue(before > 0, "open records a heartbeat");
            Thread.sleep(5);
            tx.heartbeat();
            long after = obs.stats().producer().heartbeatNanos();
            assertTrue(after > before, "heartbeat advances: " + before + " -> " + after);
            assertEquals(0, obs.stats().consumer().heartbeatNanos(), "no consumer yet");
            assertThrows(IllegalStateException.class, obs::heartbeat);
            assertThrows(ChannelBusyException.class,
                    () -> Channel.openTakeover(path, Role.PRODUCER, Duration.ZERO),
                    "a holder in the same process is never taken over");
        }
        assertThrows(ChannelClosedException.class, () -> {
            Channel c = Channel.open(path, Role.CONSUMER);
            c.close();
            c.heartbeat();
        });
    }

    @Test
    void receiveIsWokenByAnOfferFromAnotherProcess() throws Exception {
        Path path = dir.resolve("xwake");
        try (Channel rx = Channel.create(path, SMALL, Role.CONSUMER)) {
            Process peer = startPeer("send-later", path);
            try {
                BufferedReader out = stdout(peer);
                assertEquals("ready", out.readLine());
                byte[] b = new byte[8];
                long t0 = System.nanoTime();
                assertEquals(1, rx.receive(b, 0, 8, Duration.ofSeconds(30)));
                long took = System.nanoTime() - t0;
                assertEquals(9, b[0]);
                assertTrue(took < 15_000 * MS, "woken after " + took / MS + " ms");
                assertEquals("sent", out.readLine());
                assertTrue(peer.waitFor(30, TimeUnit.SECONDS));
                assertEquals(0, peer.exitValue());
            } finally {
                peer.destroyForcibly();
            }
        }
    }

    @Test
    void stoppedHolderIsTakenOverAndFenced() throws Exception {
        Path path = dir.resolve("fence");
        Channel.create(path, SMALL, Role.OBSERVER).close();
        Process peer = startPeer("serve", path);
        long pid = peer.pid();
        boolean stopped = false;
        try (Writer in = new OutputStreamWriter(peer.getOutputStream(), StandardCharsets.UTF_8)) {
            BufferedReader out = stdout(peer);
            assertEquals("ready", out.readLine());
            assertEquals("sent", ask(in, out, "send"));
            // Going quiet: a heartbeat declares the holder idle, so that the takeover fences it
            // rather than ends it (FORMAT.md, "Fencing").
            assertEquals("beat", ask(in, out, "beat"));
            Duration staleAfter = Duration.ofMillis(100);

            signal(pid, "STOP");
            stopped = true;
            assertEquals(Liveness.ALIVE, Channel.inspect(path).stats().producer().liveness());
            assertThrows(ChannelBusyException.class, () -> Channel.open(path, Role.PRODUCER),
                    "a plain open does not take a live holder's role");
            Thread.sleep(staleAfter.toMillis() * 3);
            try (Channel tx = Channel.openTakeover(path, Role.PRODUCER, staleAfter);
                    Channel rx = Channel.open(path, Role.CONSUMER)) {
                PeerInfo p = tx.stats().producer();
                assertEquals(ProcessHandle.current().pid(), p.pid());
                assertEquals(2, p.epoch());
                assertEquals(1, p.takeovers());

                signal(pid, "CONT");
                stopped = false;
                assertEquals("fenced HFTIPC_EFENCED", ask(in, out, "send"));
                assertEquals("fenced HFTIPC_EFENCED", ask(in, out, "beat"));

                assertTrue(tx.offer(new byte[] {6}, 0, 1), "the new holder publishes");
                byte[] b = new byte[4];
                assertEquals(1, rx.poll(b, 0, 4));
                assertEquals(5, b[0], "the old holder's message before the takeover");
                assertEquals(1, rx.poll(b, 0, 4));
                assertEquals(6, b[0]);
                assertEquals(-1, rx.poll(b, 0, 4), "nothing from the fenced holder");
            }
        } finally {
            if (stopped) {
                signal(pid, "CONT");
            }
            peer.destroyForcibly();
        }
        assertTrue(peer.waitFor(30, TimeUnit.SECONDS));
    }

    @Test
    void heartbeatKeepsAnIdleHolder() throws Exception {
        Path path = dir.resolve("keep");
        Channel.create(path, SMALL, Role.OBSERVER).close();
        Process peer = startPeer("serve", path);
        try (Writer in = new OutputStreamWriter(peer.getOutputStream(), StandardCharsets.UTF_8)) {
            BufferedReader out = stdout(peer);
            assertEquals("ready", out.readLine());
            Duration staleAfter = Duration.ofMillis(30);
            for (int round = 0; round < 3; round++) {
                Thread.sleep(100); // idle for longer than staleAfter ...
                assertEquals("beat", ask(in, out, "beat")); // ... then a sign of life
                assertThrows(ChannelBusyException.class,
                        () -> Channel.openTakeover(path, Role.PRODUCER, staleAfter),
                        "round " + round + ": a fresh heartbeat keeps the role");
            }
            // Without a heartbeat, the same limit takes the idle holder's role.
            Thread.sleep(100);
            try (Channel tx = Channel.openTakeover(path, Role.PRODUCER, staleAfter)) {
                assertEquals(ProcessHandle.current().pid(), tx.stats().producer().pid());
                assertEquals("fenced HFTIPC_EFENCED", ask(in, out, "send"));
            }
        } finally {
            peer.destroyForcibly();
        }
        assertTrue(peer.waitFor(30, TimeUnit.SECONDS));
    }
}
