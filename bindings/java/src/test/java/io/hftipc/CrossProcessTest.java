package io.hftipc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.File;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.zip.CRC32;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A producer in a second JVM, the consumer here: at least a million messages (override with
 * {@code -Dhftipc.crossprocess.messages=N} or {@code HFTIPC_CROSSPROCESS_MESSAGES}) of every size
 * from 0 to the max payload through a 256-slot ring, so it wraps thousands of times; every
 * message's sequence number and bytes are checked, and the CRC32 of the whole stream compared.
 */
class CrossProcessTest {
    @TempDir Path dir;

    static long messageCount() {
        String p = System.getProperty("hftipc.crossprocess.messages");
        if (p == null || p.isEmpty()) {
            p = System.getenv("HFTIPC_CROSSPROCESS_MESSAGES");
        }
        return p == null || p.isEmpty() ? 1_000_000L : Long.parseLong(p.trim());
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void roleOfALiveProcessIsBusyAndOfADeadOneIsTakenOver() throws Exception {
        Path path = dir.resolve("takeover");
        Channel.create(path, ChannelConfig.builder().capacity(16).slotSize(32).build(),
                Role.OBSERVER).close();
        String javaBin = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process peer = new ProcessBuilder(javaBin, "-cp", System.getProperty("java.class.path"),
                        CrossProcessPeer.class.getName(), "hold", path.toString())
                .redirectError(ProcessBuilder.Redirect.INHERIT)
                .start();
        try {
            var out = new java.io.BufferedReader(new java.io.InputStreamReader(
                    peer.getInputStream(), StandardCharsets.UTF_8));
            assertEquals("ready", out.readLine());
            ChannelBusyException busy = org.junit.jupiter.api.Assertions.assertThrows(
                    ChannelBusyException.class, () -> Channel.open(path, Role.PRODUCER));
            assertEquals("HFTIPC_EBUSY", busy.getStatusName());
            assertEquals(path, busy.getPath());
            ChannelStats before = Channel.inspect(path).stats();
            assertEquals(peer.pid(), before.producer().pid());
            try (Channel obs = Channel.open(path, Role.OBSERVER)) {
                assertEquals(Liveness.ALIVE, obs.stats().producer().liveness());
            }
            peer.getOutputStream().close();
            assertTrue(peer.waitFor(30, TimeUnit.SECONDS));
            try (Channel tx = Channel.open(path, Role.PRODUCER);
                    Channel rx = Channel.open(path, Role.CONSUMER)) {
                PeerInfo p = tx.stats().producer();
                assertEquals(ProcessHandle.current().pid(), p.pid());
                assertEquals(1, p.takeovers());
                assertEquals(2, p.epoch());
                byte[] b = new byte[8];
                assertEquals(1, rx.poll(b, 0, 8), "the dead producer's message survives");
                assertEquals(7, b[0]);
            }
        } finally {
            peer.destroyForcibly();
        }
    }

    @Test
    @Timeout(value = 240, unit = TimeUnit.SECONDS)
    void secondJvmProducerDeliversEveryMessageInOrder() throws Exception {
        long messages = messageCount();
        Path path = dir.resolve("xproc");
        ChannelConfig cfg = ChannelConfig.builder().capacity(256).slotSize(128).build();
        try (Channel rx = Channel.create(path, cfg, Role.CONSUMER)) {
            String javaBin = Path.of(System.getProperty("java.home"), "bin", "java").toString();
            ProcessBuilder pb =
                    new ProcessBuilder(
                            javaBin,
                            "-cp",
                            System.getProperty("java.class.path"),
                            CrossProcessPeer.class.getName(),
                            path.toString(),
                            Long.toString(messages));
            pb.redirectError(ProcessBuilder.Redirect.INHERIT);
            File out = dir.resolve("peer.out").toFile();
            pb.redirectOutput(out);
            Process peer = pb.start();
            try {
                int max = rx.maxPayload();
                byte[] expected = new byte[max];
                byte[] got = new byte[max];
                ByteBuffer direct = ByteBuffer.allocateDirect(max);
                CRC32 crc = new CRC32();
                Duration timeout = Duration.ofSeconds(60);
                for (long i = 0; i < messages; i++) {
                    int len = CrossProcessPeer.length(i, max);
                    CrossProcessPeer.fill(expected, i, len);
                    int n;
                    if (i % 2 == 0) {
                        n = rx.receive(got, 0, max, timeout);
                    } else {
                        direct.clear();
                        n = rx.receive(direct, timeout);
                        direct.flip();
                        if (n >= 0) {
                            direct.get(got, 0, n);
                        }
                    }
                    if (n < 0) {
                        fail("timed out at message " + i + ", peer alive: " + peer.isAlive());
                    }
                    if (n != len) {
                        fail("message " + i + ": length " + n + ", expected " + len);
                    }
                    for (int k = 0; k < len; k++) {
                        if (got[k] != expected[k]) {
                            fail("message " + i + ": byte " + k + " differs");
                        }
                    }
                    crc.update(got, 0, n);
                }
                assertTrue(peer.waitFor(60, TimeUnit.SECONDS), "peer exits");
                assertEquals(0, peer.exitValue(), "peer exit status");
                String report = Files.readString(out.toPath(), StandardCharsets.UTF_8);
                assertEquals("checksum " + crc.getValue(), report.trim());
                assertEquals(-1, rx.poll(got, 0, max), "nothing extra");
                ChannelStats s = rx.stats();
                assertEquals(messages, s.head());
                assertEquals(messages, s.tail());
            } finally {
                peer.destroyForcibly();
            }
        }
    }
}
