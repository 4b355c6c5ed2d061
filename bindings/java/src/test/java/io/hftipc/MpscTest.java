package io.hftipc;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.CRC32;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** MPSC channels: several producers (threads, processes), one consumer. */
class MpscTest {
    @TempDir Path dir;

    private static ChannelConfig mpsc(int capacity, int slotSize) {
        return ChannelConfig.builder()
                .capacity(capacity)
                .slotSize(slotSize)
                .mode(ChannelMode.MPSC)
                .build();
    }

    /** Checks per-producer order and bytes of received MPSC messages; CRC32 per producer. */
    private static final class Checker {
        final long[] next;
        final CRC32[] crc;
        final byte[] want;
        final int max;

        Checker(int producers, int maxPayload) {
            next = new long[producers];
            crc = new CRC32[producers];
            for (int i = 0; i < producers; i++) {
                crc[i] = new CRC32();
            }
            want = new byte[maxPayload];
            max = maxPayload;
        }

        void check(byte[] got, int n) {
            if (n < CrossProcessPeer.MPSC_HEADER || got[0] < 0 || got[0] >= next.length) {
                fail("bad message of " + n + " bytes, producer byte " + got[0]);
            }
            int id = got[0];
            long seq = ByteBuffer.wrap(got, 1, 8).order(java.nio.ByteOrder.LITTLE_ENDIAN).getLong();
            if (seq != next[id]) {
                fail("producer " + id + ": got message " + seq + ", expected " + next[id]);
            }
            int len = CrossProcessPeer.mpscLength(id, seq, max);
            CrossProcessPeer.mpscFill(want, id, seq, len);
            if (n != len || !Arrays.equals(got, 0, n, want, 0, len)) {
                fail("producer " + id + " message " + seq + ": bytes differ (length " + n + ")");
            }
            crc[id].update(got, 0, n);
            next[id]++;
        }
    }

    @Test
    void modeAndMaxProducersMatchTheHeader() throws Exception {
        String header = Files.readString(Path.of(System.getProperty("hftipc.header")));
        Matcher m = Pattern.compile("HFTIPC_MODE_MPSC\\s*=\\s*(\\d+)").matcher(header);
        assertTrue(m.find());
        assertEquals(Integer.parseInt(m.group(1)), ChannelMode.MPSC.code);
        m = Pattern.compile("#define HFTIPC_MPSC_MAX_PRODUCERS\\s+(\\d+)").matcher(header);
        assertTrue(m.find());
        assertEquals(Integer.parseInt(m.group(1)), ChannelMode.MAX_PRODUCERS);
    }

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void producerThreadsEachWithTheirOwnChannel() throws Exception {
        int producers = 4;
        long messages = 50_000;
        Path path = dir.resolve("threads");
        ExecutorService pool = Executors.newFixedThreadPool(producers);
        try (Channel rx = Channel.create(path, mpsc(256, 64), Role.CONSUMER)) {
            List<Channel> txs = new ArrayList<>();
            try {
                for (int i = 0; i < producers; i++) {
                    txs.add(Channel.open(path, Role.PRODUCER));
                }
                ChannelStats s = rx.stats();
                assertEquals(producers, s.producerCount());
                assertEquals(Liveness.ALIVE, s.producer().liveness());
                assertEquals(ChannelMode.MPSC, Channel.inspect(path).mode());

                List<Future<Long>> sent = new ArrayList<>();
                for (int i = 0; i < producers; i++) {
                    int id = i;
                    Channel tx = txs.get(i);
                    sent.add(pool.submit(() -> {
                        CRC32 crc = new CRC32();
                        CrossProcessPeer.mpscSend(tx, id, messages, crc);
                        return crc.getValue();
                    }));
                }
                Checker k = new Checker(producers, rx.maxPayload());
                receiveAll(rx, k, producers * messages);
                for (int i = 0; i < producers; i++) {
                    assertEquals(messages, k.next[i], "messages of producer " + i);
                    assertEquals(sent.get(i).get(60, TimeUnit.SECONDS), k.crc[i].getValue(),
                            "checksum of producer " + i);
                }
                assertEquals(-1, rx.poll(new byte[rx.maxPayload()], 0, rx.maxPayload()));
                s = rx.stats();
                assertEquals(producers * messages, s.head());
                assertEquals(s.head(), s.tail());
                assertEquals(0, s.abandoned());
            } finally {
                for (Channel tx : txs) {
                    tx.close();
                }
            }
        } finally {
            pool.shutdownNow();
        }
    }

    /* Receives `total` messages into k, alternating byte[] receives and direct-buffer batches. */
    private static void receiveAll(Channel rx, Checker k, long total) {
        int max = rx.maxPayload();
        byte[] got = new byte[max];
        ByteBuffer batch = ByteBuffer.allocateDirect(32 * max);
        int[] lens = new int[32];
        Duration timeout = Duration.ofSeconds(60);
        long received = 0;
        while (received < total) {
            if (received % 2 == 0) {
                int n = rx.receive(got, 0, max, timeout);
                if (n < 0) {
                    fail("timed out after " + received + " messages");
                }
                k.check(got, n);
                received++;
                continue;
            }
            int c = rx.pollBatch(batch.clear(), lens);
            if (c == 0 && !rx.await(timeout)) {
                fail("timed out after " + received + " messages");
            }
            batch.flip();
            for (int i = 0; i < c; i++) {
                batch.get(got, 0, lens[i]);
                k.check(got, lens[i]);
            }
            received += c;
        }
    }

    @Test
    @Timeout(value = 180, unit = TimeUnit.SECONDS)
    void producerJvmsDeliverInOrderPerProducer() throws Exception {
        int producers = 2;
        long messages = Math.max(1, CrossProcessTest.messageCount() / 10);
        Path path = dir.resolve("xproc");
        String javaBin = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<Process> peers = new ArrayList<>();
        List<BufferedReader> outs = new ArrayList<>();
        try (Channel rx = Channel.create(path, mpsc(256, 128), Role.CONSUMER)) {
            for (int i = 0; i < producers; i++) {
                Process p = new ProcessBuilder(javaBin, "-cp", System.getProperty("java.class.path"),
                                CrossProcessPeer.class.getName(), "mpsc", path.toString(),
                                Integer.toString(i), Long.toString(messages))
                        .redirectError(ProcessBuilder.Redirect.INHERIT)
                        .start();
                peers.add(p);
                outs.add(new BufferedReader(
                        new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8)));
            }
            for (BufferedReader out : outs) {
                assertEquals("ready", out.readLine());
            }
            assertEquals(producers, rx.stats().producerCount());
            for (Process p : peers) { // start together
                p.getOutputStream().write('\n');
                p.getOutputStream().flush();
            }
            Checker k = new Checker(producers, rx.maxPayload());
            receiveAll(rx, k, producers * messages);
            for (int i = 0; i < producers; i++) {
                assertEquals("checksum " + k.crc[i].getValue(), outs.get(i).readLine(),
                        "producer " + i);
                assertTrue(peers.get(i).waitFor(60, TimeUnit.SECONDS));
                assertEquals(0, peers.get(i).exitValue());
                assertEquals(messages, k.next[i]);
            }
            ChannelStats s = rx.stats();
            assertEquals(producers * messages, s.tail());
            assertEquals(0, s.producerCount());
            assertEquals(0, s.abandoned());
        } finally {
            for (Process p : peers) {
                p.destroyForcibly();
            }
        }
    }

    @Test
    void seventeenthProducerIsBusy() throws Exception {
        Path path = dir.resolve("max");
        List<Channel> txs = new ArrayList<>();
        try (Channel rx = Channel.create(path, mpsc(64, 32), Role.CONSUMER)) {
            for (int i = 0; i < ChannelMode.MAX_PRODUCERS; i++) {
                txs.add(Channel.open(path, Role.PRODUCER));
            }
            ChannelBusyException busy =
                    assertThrows(ChannelBusyException.class, () -> Channel.open(path, Role.PRODUCER));
            assertEquals("HFTIPC_EBUSY", busy.getStatusName());
            assertEquals(ChannelMode.MAX_PRODUCERS, rx.stats().producerCount());
            assertEquals(ChannelMode.MAX_PRODUCERS, Channel.inspect(path).producerCount());
            txs.remove(3).close();
            txs.add(Channel.open(path, Role.PRODUCER)); // a free record again
            assertTrue(txs.get(txs.size() - 1).offer(new byte[] {42}, 0, 1));
            byte[] b = new byte[8];
            assertEquals(1, rx.poll(b, 0, 8));
            assertEquals(42, b[0]);
            assertThrows(ChannelBusyException.class, () -> Channel.open(path, Role.CONSUMER));
        } finally {
            for (Channel tx : txs) {
                tx.close();
            }
        }
    }

    @Test
    @Timeout(value = 30, unit = TimeUnit.SECONDS)
    void claimOfAClosedProducerIsSkipped() throws Exception {
        Path path = dir.resolve("abandoned");
        try (Channel rx = Channel.create(path, mpsc(16, 64), Role.CONSUMER);
                Channel tx2 = Channel.open(path, Role.PRODUCER)) {
            Channel tx1 = Channel.open(path, Role.PRODUCER);
            assertTrue(tx1.tryClaim() != null);
            tx1.close(); // without commit
            assertTrue(tx2.offer(new byte[] {1, 2, 3}, 0, 3));
            byte[] b = new byte[8];
            assertEquals(3, rx.receive(b, 0, 8, Duration.ofSeconds(5)));
            assertArrayEquals(new byte[] {1, 2, 3}, Arrays.copyOf(b, 3));
            assertEquals(1, rx.stats().abandoned());
            assertEquals(1, Channel.inspect(path).abandoned());
            assertEquals(2, rx.stats().head()); // the abandoned claim and the message
        }
    }
}
