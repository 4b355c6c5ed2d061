package io.hftipc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Takeover of a producer that holds a claim, in a second JVM ({@link CrossProcessPeer}
 * {@code claim-hold}): a stopped one is killed; one in another pid namespace cannot be stopped
 * ({@link ChannelNoFenceException}) unless the takeover is forced.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class TakeoverTest {
    @TempDir Path dir;

    private static final long MS = 1_000_000L;
    /** Exit value Java reports for a process killed by SIGKILL (128 + 9). */
    private static final int KILLED = 128 + 9;

    private static Process startPeer(List<String> prefix, Path path) throws Exception {
        String javaBin = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> cmd = new ArrayList<>(prefix);
        cmd.addAll(List.of(javaBin, "-cp", System.getProperty("java.class.path"),
                CrossProcessPeer.class.getName(), "claim-hold", path.toString()));
        return new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start();
    }

    private static void signal(long pid, String sig) throws Exception {
        Process k = new ProcessBuilder("kill", "-" + sig, Long.toString(pid)).inheritIO().start();
        assertTrue(k.waitFor(10, TimeUnit.SECONDS));
        assertEquals(0, k.exitValue(), "kill -" + sig);
    }

    private static int pollByte(Channel rx) {
        byte[] b = new byte[4];
        int n = rx.poll(b, 0, b.length);
        return n < 0 ? -1 : b[0];
    }

    @Test
    void stoppedClaimHolderIsKilledByTheTakeoverAndTheChannelContinues() throws Exception {
        for (ChannelMode mode : ChannelMode.values()) {
            Path path = dir.resolve("stopped-" + mode);
            ChannelConfig cfg = ChannelConfig.builder().capacity(8).slotSize(32).mode(mode).build();
            try (Channel rx = Channel.create(path, cfg, Role.CONSUMER)) {
                Process peer = startPeer(List.of(), path);
                try {
                    BufferedReader out = new BufferedReader(
                            new InputStreamReader(peer.getInputStream(), StandardCharsets.UTF_8));
                    assertEquals("ready", out.readLine());
                    assertEquals(1, pollByte(rx), mode + ": the holder's message");
                    // MPSC: a second producer, whose message waits behind the claim
                    Channel other = null;
                    if (mode == ChannelMode.MPSC) {
                        other = Channel.open(path, Role.PRODUCER);
                        assertTrue(other.offer(new byte[] {3}, 0, 1));
                        Thread.sleep(5); // past the consumer's 1 ms stall check
                        assertEquals(-1, pollByte(rx), "the live holder's claim holds it up");
                    }
                    Duration staleAfter = Duration.ofMillis(100);
                    signal(peer.pid(), "STOP");
                    Thread.sleep(staleAfter.toMillis() * 3);
                    try (Channel tx = Channel.openTakeover(path, Role.PRODUCER, staleAfter)) {
                        assertTrue(peer.waitFor(10, TimeUnit.SECONDS), "the holder has exited");
                        assertEquals(KILLED, peer.exitValue(), mode + ": killed by SIGKILL");
                        if (other != null) {
                            long end = System.nanoTime() + 10_000 * MS;
                            int got;
                            while ((got = pollByte(rx)) == -1) {
                                assertTrue(System.nanoTime() < end, "the claim is never passed");
                                Thread.sleep(1);
                            }
                            assertEquals(3, got, "the other producer's message, after the claim");
                            other.close();
                        }
                        assertTrue(tx.offer(new byte[] {4}, 0, 1));
                        assertEquals(4, pollByte(rx));
                        assertEquals(-1, pollByte(rx), "nothing of the killed holder's claim");
                        ChannelStats s = rx.stats();
                        long head = mode == ChannelMode.MPSC ? 4 : 2; // MPSC: the claim has a slot
                        assertEquals(head, s.head());
                        assertEquals(head, s.tail());
                        assertEquals(mode == ChannelMode.MPSC ? 1 : 0, s.abandoned());
                        assertEquals(0, s.aborted());
                        if (mode == ChannelMode.SPSC) {
                            assertEquals(ProcessHandle.current().pid(), s.producer().pid());
                            assertEquals(1, s.producer().takeovers());
                        }
                    }
                } finally {
                    if (peer.isAlive()) { // never leave a stopped JVM behind, whatever failed
                        signal(peer.pid(), "CONT");
                    }
                    peer.destroyForcibly();
                    peer.waitFor(30, TimeUnit.SECONDS);
                }
            }
        }
    }

    /* Can this process start another in a new pid namespace (root, unshare present)? */
    private static boolean canUnsharePid() {
        try {
            Process p = new ProcessBuilder("unshare", "--pid", "--fork", "true")
                    .redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            return p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (Exception e) {
            return false;
        }
    }

    @Test
    void claimHolderInAnotherPidNamespaceIsNoFenceUnlessForced() throws Exception {
        assumeTrue(canUnsharePid(), "cannot start a process in a new pid namespace (needs root)");
        Path path = dir.resolve("pidns");
        ChannelConfig cfg = ChannelConfig.builder().capacity(8).slotSize(32).build();
        try (Channel rx = Channel.create(path, cfg, Role.CONSUMER)) {
            Process peer = startPeer(List.of("unshare", "--pid", "--fork", "--kill-child"), path);
            try (Writer in =
                    new OutputStreamWriter(peer.getOutputStream(), StandardCharsets.UTF_8)) {
                BufferedReader out = new BufferedReader(
                        new InputStreamReader(peer.getInputStream(), StandardCharsets.UTF_8));
                assertEquals("ready", out.readLine());
                assertEquals(1, pollByte(rx));
                PeerInfo before = Channel.inspect(path).stats().producer();
                assertEquals(Liveness.UNKNOWN, before.liveness(), "in another pid namespace");

                Duration staleAfter = Duration.ofMillis(50);
                Thread.sleep(staleAfter.toMillis() * 3);
                ChannelNoFenceException e = assertThrows(ChannelNoFenceException.class,
                        () -> Channel.openTakeover(path, Role.PRODUCER, staleAfter));
                assertEquals(Status.ENOFENCE, e.getStatus());
                assertEquals("HFTIPC_ENOFENCE", e.getStatusName());
                assertTrue(e instanceof ChannelBusyException, "the role is still held");
                PeerInfo after = Channel.inspect(path).stats().producer();
                assertEquals(before.pid(), after.pid(), "a refused takeover leaves the role");
                assertEquals(before.epoch(), after.epoch());
                assertEquals(0, after.takeovers());

                try (Channel tx = Channel.openTakeover(
                        path, Role.PRODUCER, staleAfter, TakeoverOption.FORCE)) {
                    in.write("commit\n");
                    in.flush();
                    assertEquals("fenced HFTIPC_EFENCED", out.readLine(),
                            "the forcibly replaced holder's commit");
                    assertTrue(tx.offer(new byte[] {4}, 0, 1));
                    assertEquals(4, pollByte(rx));
                    assertEquals(-1, pollByte(rx), "nothing of the old holder's claim");
                    PeerInfo now = tx.stats().producer();
                    assertEquals(ProcessHandle.current().pid(), now.pid());
                    assertEquals(before.epoch() + 1, now.epoch());
                    assertEquals(1, now.takeovers());
                }
            } finally {
                peer.destroyForcibly();
                peer.waitFor(30, TimeUnit.SECONDS);
            }
        }
    }
}
