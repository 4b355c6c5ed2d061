package io.hftipc;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Malformed channel files, one row per kind: the mutation, the expected status, and why. */
class MalformedFileTest {
    @TempDir Path dir;

    interface Mutation {
        void apply(Path file) throws IOException;
    }

    static void writeAt(Path file, long offset, byte[] bytes) throws IOException {
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
            f.seek(offset);
            f.write(bytes);
        }
    }

    static void truncate(Path file, long size) throws IOException {
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
            f.setLength(size);
        }
    }

    static Stream<Arguments> rows() {
        return Stream.of(
                Arguments.of("empty file: shorter than any header", (Mutation) f -> truncate(f, 0),
                        Status.ETRUNCATED, "HFTIPC_ETRUNCATED"),
                Arguments.of("cut inside the header", (Mutation) f -> truncate(f, 100),
                        Status.ETRUNCATED, "HFTIPC_ETRUNCATED"),
                Arguments.of("wrong magic: not a channel file",
                        (Mutation) f -> writeAt(f, 0, "NOTACHAN".getBytes()),
                        Status.EBADMAGIC, "HFTIPC_EBADMAGIC"),
                Arguments.of("format major 2: written by a newer library",
                        (Mutation) f -> writeAt(f, 8, new byte[] {2, 0}),
                        Status.EVERSION, "HFTIPC_EVERSION"),
                Arguments.of("slots cut off: file shorter than its geometry",
                        (Mutation) f -> truncate(f, 4096 + 64),
                        Status.ESIZE, "HFTIPC_ESIZE"),
                Arguments.of("capacity 3: not a power of two",
                        (Mutation) f -> writeAt(f, 32, new byte[] {3, 0, 0, 0}),
                        Status.ECAPACITY, "HFTIPC_ECAPACITY"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("rows")
    void openAndInspectRefuseTheFile(String why, Mutation m, int status, String name)
            throws IOException {
        Path file = dir.resolve("chan");
        Channel.create(file, ChannelConfig.builder().capacity(8).slotSize(64).build(), Role.OBSERVER)
                .close();
        m.apply(file);
        byte[] before = Files.readAllBytes(file);
        for (Role role : Role.values()) {
            ChannelFormatException e =
                    assertThrows(ChannelFormatException.class, () -> Channel.open(file, role), why);
            assertEquals(status, e.getStatus(), why);
            assertEquals(name, e.getStatusName(), why);
            assertEquals(file, e.getPath());
            assertEquals("open", e.getOperation());
        }
        ChannelFormatException e =
                assertThrows(ChannelFormatException.class, () -> Channel.inspect(file), why);
        assertEquals(name, e.getStatusName());
        assertEquals("inspect", e.getOperation());
        assertArrayEquals(before, Files.readAllBytes(file), "a refused file is not modified");
    }

    @Test
    void handWrittenEmptyFileIsTruncated() throws IOException {
        Path file = Files.createFile(dir.resolve("empty"));
        ChannelFormatException e =
                assertThrows(ChannelFormatException.class, () -> Channel.open(file, Role.CONSUMER));
        assertEquals("HFTIPC_ETRUNCATED", e.getStatusName());
    }

    @Test
    void handWrittenGarbageHasBadMagic() throws IOException {
        Path file = dir.resolve("garbage");
        byte[] junk = new byte[8192];
        for (int i = 0; i < junk.length; i++) {
            junk[i] = (byte) (i * 31 + 7);
        }
        Files.write(file, junk);
        ChannelFormatException e =
                assertThrows(ChannelFormatException.class, () -> Channel.open(file, Role.PRODUCER));
        assertEquals(Status.EBADMAGIC, e.getStatus());
    }

    @Test
    void corruptSlotLengthIsReportedAndSkippable() throws IOException {
        Path file = dir.resolve("corrupt");
        ChannelConfig cfg = ChannelConfig.builder().capacity(4).slotSize(32).build();
        try (Channel tx = Channel.create(file, cfg, Role.PRODUCER);
                Channel rx = Channel.open(file, Role.CONSUMER)) {
            tx.offer(new byte[] {1}, 0, 1);
            tx.offer(new byte[] {2}, 0, 1);
            writeAt(file, 4096, new byte[] {(byte) 0xff, 0x7f, 0, 0}); // slot 0 length
            ChannelCorruptException e =
                    assertThrows(ChannelCorruptException.class, () -> rx.poll(new byte[32], 0, 32));
            assertEquals("HFTIPC_ECORRUPT", e.getStatusName());
            assertThrows(ChannelCorruptException.class, rx::peek);
            rx.ack(); // skip it
            byte[] b = new byte[32];
            assertEquals(1, rx.poll(b, 0, 32));
            assertEquals(2, b[0]);
        }
    }

    @Test
    void observerRefusesSparseFileUntilAConsumerAllocatesIt() throws IOException {
        // A valid header in front of holes: on a full tmpfs, touching a hole through a mapping
        // raises SIGBUS. An observer cannot allocate, so it refuses the file (issue 11, finding 6).
        Path src = dir.resolve("src");
        ChannelConfig cfg = ChannelConfig.builder().capacity(64).slotSize(4096).build();
        Channel.create(src, cfg, Role.OBSERVER).close();
        byte[] header = new byte[4096];
        try (RandomAccessFile f = new RandomAccessFile(src.toFile(), "r")) {
            f.readFully(header);
        }
        Path file = dir.resolve("sparse");
        Files.write(file, header);
        truncate(file, 4096 + 64 * 4096);
        HftipcException e =
                assertThrows(HftipcException.class, () -> Channel.open(file, Role.OBSERVER));
        assertEquals(Status.ESPARSE, e.getStatus());
        assertEquals("HFTIPC_ESPARSE", e.getStatusName());
        byte[] before = Files.readAllBytes(file);
        try (Channel rx = Channel.open(file, Role.CONSUMER);
                Channel obs = Channel.open(file, Role.OBSERVER)) {
            assertEquals(64, obs.capacity());
        }
        byte[] after = Files.readAllBytes(file);
        assertArrayEquals(
                java.util.Arrays.copyOfRange(before, 4096, before.length),
                java.util.Arrays.copyOfRange(after, 4096, after.length),
                "allocating the holes changed no slot byte");
    }

    @Test
    void everyStatusHasAnExceptionAndAName() {
        for (int s = Status.MIN; s < 0; s++) {
            HftipcException e = HftipcException.of(s, "op", null, null);
            assertEquals(s, e.getStatus());
            assertEquals(hftipc.hftipc_err_name(s), e.getStatusName());
        }
    }
}
