package io.hftipc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Channel.remove retires a channel (docs/FORMAT.md, section 15). */
class RemoveTest {
    @TempDir Path dir;

    @Test
    void removeRetiresTheChannelForEveryOpenHandle() {
        Path path = dir.resolve("retired");
        ChannelConfig cfg = ChannelConfig.builder().capacity(4).slotSize(64).build();
        try (Channel tx = Channel.create(path, cfg, Role.PRODUCER);
                Channel rx = Channel.open(path, Role.CONSUMER)) {
            byte[] left = "left".getBytes(StandardCharsets.US_ASCII);
            assertEquals(true, tx.offer(left, 0, left.length));
            Channel.remove(path);
            assertFalse(Files.exists(path));
            byte[] b = new byte[rx.maxPayload()];
            assertEquals(4, rx.poll(b, 0, b.length)); // sent before: still delivered
            HftipcException e = assertThrows(HftipcException.class, () -> rx.poll(b, 0, b.length));
            assertEquals(Status.ESTALE, e.getStatus());
            assertEquals("HFTIPC_ESTALE", e.getStatusName());
            assertThrows(ChannelNotFoundException.class, () -> Channel.remove(path));
        }
    }
}
