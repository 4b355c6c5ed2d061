package io.hftipc;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.zip.CRC32;

/**
 * The producer half of {@link CrossProcessTest}, run in a second JVM:
 * {@code java -cp <test classpath> io.hftipc.CrossProcessPeer <path> <messages>}. Prints
 * {@code checksum <crc32>} of every byte sent. With a first argument {@code hold},
 * {@code send-later}, {@code serve} or {@code claim-hold}, it plays the peer of
 * {@link CrossProcessTest}'s liveness, {@link BlockingTest}'s wake-up and fencing, and
 * {@link TakeoverTest}'s cases instead; with {@code mpsc <path> <id> <messages>}, one of the
 * producers of {@link MpscTest}.
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

    /* Takes the producer role, says "ready", waits ~300 ms, offers one message {9}, says "sent". */
    private static void sendLater(Path path) throws Exception {
        try (Channel tx = Channel.open(path, Role.PRODUCER)) {
            System.out.println("ready");
            System.out.flush();
            Thread.sleep(300);
            if (!tx.offer(new byte[] {9}, 0, 1)) {
                System.exit(3);
            }
            System.out.println("sent");
            System.out.flush();
        }
    }

    /*
     * Takes the producer role, says "ready", then obeys one command per stdin line, answering
     * each with one stdout line: "send" offers a message ("sent", "full", or "fenced <status>"
     * on ChannelFencedException); "beat" calls heartbeat() ("beat" or "fenced <status>").
     * Between commands the handle does nothing; "beat" also declares it idle for a takeover,
     * which then fences it instead of ending it (FORMAT.md, "Fencing").
     */
    private static void serve(Path path) throws Exception {
        Channel tx = Channel.open(path, Role.PRODUCER);
        answer(cmd -> switch (cmd) {
            case "send" -> tx.offer(new byte[] {5}, 0, 1) ? "sent" : "full";
            case "beat" -> {
                tx.heartbeat();
                yield "beat";
            }
            default -> "unknown " + cmd;
        });
        tx.close(); // a fenced handle's close leaves the new holder alone
    }

    /*
     * Says "ready", then answers each stdin line with one stdout line: what `command` returns
     * for it, "fenced <status>" on ChannelFencedException, "error <exception>" on another.
     */
    private static void answer(java.util.function.UnaryOperator<String> command)
            throws java.io.IOException {
        var in = new java.io.BufferedReader(new java.io.InputStreamReader(System.in,
                java.nio.charset.StandardCharsets.UTF_8));
        System.out.println("ready");
        System.out.flush();
        String cmd;
        while ((cmd = in.readLine()) != null) {
            String reply;
            try {
                reply = command.apply(cmd);
            } catch (ChannelFencedException e) {
                reply = "fenced " + e.getStatusName();
            } catch (RuntimeException e) {
                reply = "error " + e;
            }
            System.out.println(reply);
            System.out.flush();
        }
    }

    /*
     * Takes the producer role, offers {1}, claims a slot and writes {2} into it, says "ready",
     * then per stdin line ("commit") commits the claim: "committed", or "fenced <status>" on
     * ChannelFencedException. Exits at EOF without closing.
     */
    private static void claimHold(Path path) throws Exception {
        Channel tx = Channel.open(path, Role.PRODUCER);
        if (!tx.offer(new byte[] {1}, 0, 1)) {
            System.exit(3);
        }
        long claim = tx.claim();
        if (claim == Channel.NO_CLAIM) {
            System.exit(3);
        }
        tx.claimBuffer(claim).put(0, (byte) 2);
        answer(cmd -> {
            tx.commit(claim, 1);
            return "committed";
        });
        Runtime.getRuntime().halt(0);
    }

    /*
     * One producer of an MPSC channel: opens the producer role, says "ready", waits for a stdin
     * line, sends `messages` MPSC messages as producer `id`, then prints "checksum <crc32>".
     */
    private static void mpsc(Path path, int id, long messages) throws Exception {
        CRC32 crc = new CRC32();
        try (Channel tx = Channel.open(path, Role.PRODUCER)) {
            System.out.println("ready");
            System.out.flush();
            if (System.in.read() < 0) {
                System.exit(4);
            }
            mpscSend(tx, id, messages, crc);
        }
        System.out.println("checksum " + crc.getValue());
    }

    /** Bytes of the MPSC message header: producer id, then its sequence number (little-endian). */
    static final int MPSC_HEADER = 9;

    /** Length of MPSC message {@code i} of producer {@code id}: 9 to max payload. */
    static int mpscLength(int id, long i, int maxPayload) {
        return MPSC_HEADER + (int) ((i * 7919L + id * 104729L) % (maxPayload - MPSC_HEADER + 1));
    }

    /** Fills {@code buf[0, len)} with MPSC message {@code i} of producer {@code id}. */
    static void mpscFill(byte[] buf, int id, long i, int len) {
        buf[0] = (byte) id;
        for (int k = 0; k < 8; k++) {
            buf[1 + k] = (byte) (i >>> (8 * k));
        }
        for (int k = MPSC_HEADER; k < len; k++) {
            buf[k] = (byte) (i * 31 + id * 17 + k);
        }
    }

    /**
     * Sends {@code messages} MPSC messages as producer {@code id}, rotating over the array,
     * direct-buffer and zero-copy paths, adding every byte sent to {@code crc}.
     */
    static void mpscSend(Channel tx, int id, long messages, CRC32 crc) throws Exception {
        int max = tx.maxPayload();
        byte[] msg = new byte[max];
        ByteBuffer direct = ByteBuffer.allocateDirect(max);
        Duration timeout = Duration.ofSeconds(60);
        for (long i = 0; i < messages; i++) {
            int len = mpscLength(id, i, max);
            mpscFill(msg, id, i, len);
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
                    while (slot == null && tx.await(timeout)) {
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
                throw new IllegalStateException("producer " + id + ": timed out at message " + i);
            }
        }
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
        switch (args[0]) {
            case "hold" -> {
                hold(Path.of(args[1]));
                return;
            }
            case "send-later" -> {
                sendLater(Path.of(args[1]));
                return;
            }
            case "serve" -> {
                serve(Path.of(args[1]));
                return;
            }
            case "claim-hold" -> {
                claimHold(Path.of(args[1]));
                return;
            }
            case "mpsc" -> {
                mpsc(Path.of(args[1]), Integer.parseInt(args[2]), Long.parseLong(args[3]));
                return;
            }
            default -> {}
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
