package io.hftipc;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.zip.CRC32;

/**
 * The producer half of {@link CrossProcessTest}, run in a second JVM:
 * {@code java -cp <test classpath> io.hftipc.CrossProcessPeer <path> <messages>}. Prints
 * {@code checksum <crc32>} of every byte sent.
 */
public final class CrossProcessPeer {
    private CrossProcessPeer() {}

    /* Takes the producer role, says "ready", and dies without closing once stdin closes. */
    private static void hold(Path path) throws Exception {
        Channel tx = Channel.open(path, Role.PRODUCER);
        tx.offer(new byte[] {7}, 0, 1);
        System.out.println("ready");
        System.out.flush();
        while (System.in.read() >= 0) {
            // wait for the parent to close our stdin
        }
        Runtime.getRuntime().halt(0); // no close(): the role stays recorded as held
    }

    /** Length of message {@code i}: every size from 0 to max payload occurs. */
    static int length(long i, int maxPayload) {
        return (int) ((i * 7919L) % (maxPayload + 1));
    }

    /** Fills {@code buf[0, len)} with message {@code i}: its sequence number, then a pattern. */
    static void fill(byte[] buf, long i, int len) {
        for (int k = 0; k < len; k++) {
            buf[k] = (byte) (i * 31 + k);
        }
        if (len >= 8) {
            for (int k = 0; k < 8; k++) {
                buf[k] = (byte) (i >>> (8 * k));
            }
        }
    }

    /**
     * @param args channel path and message count
     * @throws Exception on any failure (exit status 1)
     */
    public static void main(String[] args) throws Exception {
        if (args[0].equals("hold")) {
            hold(Path.of(args[1]));
            return;
        }
        Path path = Path.of(args[0]);
        long messages = Long.parseLong(args[1]);
        CRC32 crc = new CRC32();
        try (Channel tx = Channel.open(path, Role.PRODUCER)) {
            int max = tx.maxPayload();
            byte[] msg = new byte[max];
            ByteBuffer direct = ByteBuffer.allocateDirect(max);
            Duration timeout = Duration.ofSeconds(60);
            for (long i = 0; i < messages; i++) {
                int len = length(i, max);
                fill(msg, i, len);
                crc.update(msg, 0, len);
                boolean ok;
                switch ((int) (i % 3)) {
                    case 0 -> ok = tx.send(msg, 0, len, timeout);
                    case 1 -> {
                        direct.clear();
                        direct.put(msg, 0, len).flip();
                        ok = tx.send(direct, timeout);
                    }
                    default -> {
                        ByteBuffer slot = tx.tryClaim();
                        long deadline = System.nanoTime() + timeout.toNanos();
                        while (slot == null && System.nanoTime() < deadline) {
                            Thread.onSpinWait();
                            slot = tx.tryClaim();
                        }
                        ok = slot != null;
                        if (ok) {
                            slot.put(msg, 0, len);
                            tx.commit(len);
                        }
                    }
                }
                if (!ok) {
                    System.err.println("peer: timed out sending message " + i);
                    System.exit(2);
                }
            }
        }
        System.out.println("checksum " + crc.getValue());
    }
}
