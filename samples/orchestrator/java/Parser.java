import io.hftipc.Channel;
import io.hftipc.ChannelConfig;
import io.hftipc.Role;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;

/**
 * One parser of the orchestrator sample, in Java: creates its own channel in the shared
 * directory and publishes its records there, in the format of ../record.go ('D' + uint64
 * sequence + text, then 'E' + uint64 count, little-endian). The orchestrator finds the
 * channel by watching the directory.
 *
 * <pre>java -cp hftipc.jar:. Parser DIR [NAME] [RECORDS]</pre>
 */
public final class Parser {
    private Parser() {}

    public static void main(String[] args) throws Exception {
        if (args.length < 1) {
            System.err.println("usage: Parser DIR [NAME] [RECORDS]");
            System.exit(2);
        }
        Path dir = Path.of(args[0]);
        String name = args.length > 1 && !args[1].isEmpty()
                ? args[1]
                : "java-" + ProcessHandle.current().pid();
        long records = args.length > 2 ? Long.parseLong(args[2]) : 10_000;
        Path path = dir.resolve(name);
        ChannelConfig config = ChannelConfig.builder().capacity(1024).slotSize(128).build();
        try (Channel tx = Channel.create(path, config, Role.PRODUCER)) {
            System.out.println("javaparser " + name + ": created " + path + ", sending " + records
                    + " records");
            byte[] buf = new byte[tx.maxPayload()];
            ByteBuffer header = ByteBuffer.wrap(buf).order(ByteOrder.LITTLE_ENDIAN);
            for (long seq = 0; seq < records; seq++) {
                header.put(0, (byte) 'D').putLong(1, seq);
                byte[] text = (name + " parsed record " + seq).getBytes(StandardCharsets.US_ASCII);
                System.arraycopy(text, 0, buf, 9, text.length);
                send(tx, buf, 9 + text.length);
            }
            header.put(0, (byte) 'E').putLong(1, records);
            send(tx, buf, 9);
            System.out.println("javaparser " + name + ": sent " + records
                    + " records and the end record");
        }
    }

    /* Waits while the ring is full, for example before the orchestrator found the channel. */
    private static void send(Channel tx, byte[] buf, int len) {
        while (!tx.send(buf, 0, len, Duration.ofSeconds(1))) {
            // full for a second: keep waiting
        }
    }
}
