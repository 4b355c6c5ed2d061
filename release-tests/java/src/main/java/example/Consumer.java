package example;

import io.hftipc.Channel;
import io.hftipc.Role;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;

/**
 * The Java side of the release proof (release-tests/run.sh): a project outside the repository
 * whose only dependency, io.hftipc:hftipc, comes from the release's Maven repository. Receives N
 * messages from the Go peer and checks each one.
 *
 * <pre>java example.Consumer PATH N</pre>
 */
public final class Consumer {
    public static void main(String[] args) {
        if (args.length != 2) {
            System.err.println("usage: Consumer PATH N");
            System.exit(2);
        }
        int n = Integer.parseInt(args[1]);
        try (Channel rx = Channel.open(Path.of(args[0]), Role.CONSUMER)) {
            ByteBuffer buf = ByteBuffer.allocateDirect(rx.maxPayload());
            for (int i = 1; i <= n; i++) {
                buf.clear();
                int len = rx.receive(buf, Duration.ofSeconds(60));
                if (len < 0) {
                    throw new IllegalStateException("message " + i + ": timed out");
                }
                byte[] got = new byte[len];
                buf.flip().get(got);
                String want = "release message " + i;
                String text = new String(got, StandardCharsets.UTF_8);
                if (!text.equals(want)) {
                    throw new IllegalStateException("message " + i + " is '" + text + "'");
                }
            }
        }
        System.out.println("java consumer: received " + n + " messages from the Go producer (library "
                + Channel.nativeVersion() + ")");
    }
}
