package io.hftipc;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** How the jar's native library is extracted, reused, cleaned up and reported when it fails. */
class NativeLoaderTest {
    @TempDir Path tmp;

    private static byte[] jarLibrary() throws IOException {
        try (InputStream in = NativeLoader.class.getResourceAsStream(NativeLoader.resource())) {
            assertNotNull(in, NativeLoader.resource());
            return in.readAllBytes();
        }
    }

    private static Object inode(Path f) throws IOException {
        return Files.readAttributes(f, BasicFileAttributes.class).fileKey();
    }

    @Test
    void extractsToAVersionedFileInAPrivateDirectory() throws IOException {
        byte[] lib = jarLibrary();
        Path dir = tmp.resolve("native");
        Path f = NativeLoader.extract(lib, dir);
        assertEquals(dir, f.getParent());
        assertTrue(f.getFileName().toString()
                        .matches("libhftipc_jni-" + NativeLoader.version() + "-[0-9a-f]{16}\\.so"),
                f.toString());
        assertTrue(NativeLoader.sha256(lib).startsWith(f.getFileName().toString().split("-")[2]
                .replace(".so", "")));
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(dir)));
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(f)));
        assertArrayEquals(lib, Files.readAllBytes(f));
    }

    @Test
    void reusesAnIdenticalCopyWithoutRewritingIt() throws IOException {
        byte[] lib = jarLibrary();
        Path dir = tmp.resolve("native");
        Path first = NativeLoader.extract(lib, dir);
        Object key = inode(first);
        Path second = NativeLoader.extract(lib, dir);
        assertEquals(first, second);
        assertEquals(key, inode(second), "an identical library must not be rewritten");
    }

    @Test
    void replacesADamagedCopy() throws IOException {
        byte[] lib = jarLibrary();
        Path dir = tmp.resolve("native");
        Path f = NativeLoader.extract(lib, dir);
        byte[] damaged = lib.clone();
        damaged[damaged.length / 2] ^= 0x5a; // same size, different hash
        Files.write(f, damaged);
        Path again = NativeLoader.extract(lib, dir);
        assertEquals(f, again);
        assertArrayEquals(lib, Files.readAllBytes(again));
    }

    @Test
    void removesStaleLibrariesAndLeftoverTemporaryFiles() throws IOException {
        byte[] lib = jarLibrary();
        Path dir = tmp.resolve("native");
        NativeLoader.privateDirectory(dir);
        Instant now = Instant.now();
        Path oldVersion = touch(dir.resolve("libhftipc_jni-0.9.0-0123456789abcdef.so"), now.minus(Duration.ofHours(48)));
        Path inUse = touch(dir.resolve("libhftipc_jni-0.9.1-fedcba9876543210.so"), now.minus(Duration.ofHours(1)));
        Path oldTemp = touch(dir.resolve(".libhftipc_jni-42.tmp"), now.minus(Duration.ofHours(2)));
        Path freshTemp = touch(dir.resolve(".libhftipc_jni-43.tmp"), now);
        Path notOurs = touch(dir.resolve("libother.so"), now.minus(Duration.ofDays(30)));
        Path current = NativeLoader.extract(lib, dir);
        assertFalse(Files.exists(oldVersion), "another version unused for 48 h is removed");
        assertFalse(Files.exists(oldTemp), "a temporary file left by a killed JVM is removed");
        assertTrue(Files.exists(inUse), "another version used an hour ago stays");
        assertTrue(Files.exists(freshTemp), "another JVM may be writing this one");
        assertTrue(Files.exists(notOurs), "files that are not ours are never touched");
        assertTrue(Files.exists(current));
    }

    private static Path touch(Path f, Instant when) throws IOException {
        Files.write(f, new byte[] {1});
        Files.setLastModifiedTime(f, FileTime.from(when));
        return f;
    }

    @Test
    void refusesADirectoryOthersCanWrite() throws IOException {
        Path dir = Files.createDirectory(tmp.resolve("shared"));
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxrwxrwx"));
        AccessDeniedException e =
                assertThrows(AccessDeniedException.class, () -> NativeLoader.extract(jarLibrary(), dir));
        assertTrue(e.getMessage().contains("writable by group or others"), e.getMessage());
    }

    @Test
    void refusesASymbolicLinkAsTheDirectory() throws IOException {
        Path real = Files.createDirectory(tmp.resolve("real"),
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        Path link = Files.createSymbolicLink(tmp.resolve("link"), real);
        IOException e = assertThrows(IOException.class, () -> NativeLoader.extract(jarLibrary(), link));
        assertTrue(e.getMessage().contains("not a directory"), e.getMessage());
    }

    @Test
    void aFreshJvmLoadsFromTheDirectoryProperty() throws Exception {
        Path dir = tmp.resolve("chosen");
        Result r = probe(List.of(), dir);
        assertEquals(0, r.status, r.output);
        assertEquals("loaded " + Channel.nativeVersion(), r.output.strip());
        try (var files = Files.list(dir)) {
            assertEquals(List.of(NativeLoader.fileName(jarLibrary())),
                    files.map(p -> p.getFileName().toString()).toList());
        }
    }

    @Test
    void concurrentFreshJvmsShareOneExtractedCopy() throws Exception {
        Path dir = tmp.resolve("shared-by-jvms");
        List<Process> jvms = new ArrayList<>();
        for (int i = 0; i < 4; i++) { // all start with an empty directory and race to extract
            jvms.add(start(probeCommand(List.of(), dir)));
        }
        for (Process p : jvms) {
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(p.waitFor(60, TimeUnit.SECONDS));
            assertEquals(0, p.exitValue(), out);
            assertEquals("loaded " + Channel.nativeVersion(), out.strip());
        }
        try (var files = Files.list(dir)) {
            assertEquals(List.of(NativeLoader.fileName(jarLibrary())),
                    files.map(p -> p.getFileName().toString()).toList(),
                    "one library, no temporary file left behind");
        }
    }

    @Test
    void aNoexecDirectoryFailsWithTheRealCause() throws Exception {
        boolean root = "root".equals(System.getProperty("user.name"));
        assumeTrue(root && run(List.of("unshare", "--mount", "true")).status == 0,
                "skipped: mounting a noexec tmpfs needs root and unshare --mount");
        Path dir = Files.createDirectory(tmp.resolve("noexec"));
        // A private mount namespace: the noexec tmpfs exists for the child JVM only.
        List<String> wrap = List.of("unshare", "--mount", "sh", "-c",
                "mount -t tmpfs -o noexec,size=16m,mode=0700 hftipc-noexec \"$0\" && exec \"$@\"",
                dir.toString());
        Result r = probe(wrap, dir);
        assertNotEquals(0, r.status, r.output);
        assertTrue(r.output.contains("failed to map segment from shared object"), r.output);
        assertTrue(r.output.contains(dir + " is mounted noexec"), r.output);
        assertTrue(r.output.contains("-Dhftipc.native.dir=DIR"), r.output);
        assertFalse(r.output.contains("no native library"), r.output);
    }

    @Test
    void mapsEveryJvmOsAndArchToItsPlatformDirectory() {
        String[][] table = { // os.name, os.arch as JVMs report them, the jar's directory
            {"Linux", "amd64", "linux-x86_64"},
            {"Linux", "x86_64", "linux-x86_64"},
            {"Linux", "aarch64", "linux-aarch64"},
            {"Mac OS X", "x86_64", "macos-x86_64"},
            {"Mac OS X", "aarch64", "macos-aarch64"},
            {"Darwin", "arm64", "macos-aarch64"},
            {"Windows 10", "amd64", "windows-x86_64"},
            {"Windows 11", "amd64", "windows-x86_64"},
            {"Windows Server 2022", "amd64", "windows-x86_64"},
            {"Windows 11", "aarch64", "windows-aarch64"}, // not carried: reported, not mapped away
            {"Linux", "riscv64", "linux-riscv64"},
            {"Linux", "ppc64le", "linux-ppc64le"},
            {"FreeBSD", "amd64", "freebsd-x86_64"},
            {"SunOS", "sparcv9", "sunos-sparcv9"},
        };
        for (String[] row : table) {
            assertEquals(row[2], NativeLoader.platform(row[0], row[1]), row[0] + " / " + row[1]);
        }
    }

    @Test
    void namesEachPlatformsLibraryAsItsJvmLoadsIt() {
        assertEquals("/native/linux-x86_64/libhftipc_jni.so", NativeLoader.resource("linux-x86_64"));
        assertEquals("/native/linux-aarch64/libhftipc_jni.so", NativeLoader.resource("linux-aarch64"));
        assertEquals("/native/macos-x86_64/libhftipc_jni.dylib", NativeLoader.resource("macos-x86_64"));
        assertEquals("/native/macos-aarch64/libhftipc_jni.dylib", NativeLoader.resource("macos-aarch64"));
        assertEquals("/native/windows-x86_64/hftipc_jni.dll", NativeLoader.resource("windows-x86_64"));
        // This JVM's own name for it is the same one.
        String host = NativeLoader.platform();
        assertEquals(System.mapLibraryName(NativeLoader.LIBRARY), NativeLoader.libraryName(host));
        assertTrue(NativeLoader.carried().contains(host), "the jar carries this machine's library");
    }

    @Test
    void anUnsupportedPlatformFailsNamingItAndEveryPlaceTried() throws Exception {
        Path empty = Files.createDirectory(tmp.resolve("empty-library-path"));
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add("-Dos.arch=riscv64");
        cmd.add("-Djava.library.path=" + empty);
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add("-D" + NativeLoader.DIR_PROPERTY + "=" + tmp.resolve("unused"));
        cmd.add(NativeLoaderProbe.class.getName());
        Result r = run(cmd);
        assertNotEquals(0, r.status, r.output);
        String platform = NativeLoader.platform(System.getProperty("os.name"), "riscv64");
        for (String want : List.of(
                "no native library for this platform, " + platform,
                "os.name=" + System.getProperty("os.name"),
                "os.arch=riscv64",
                "/native/" + platform + "/" + NativeLoader.libraryName(platform),
                "java.library.path (" + empty + ")",
                "This jar carries " + String.join(", ", NativeLoader.carried()),
                "-Dhftipc.native.path=FILE")) {
            assertTrue(r.output.contains(want), "missing '" + want + "' in: " + r.output);
        }
        assertFalse(Files.exists(tmp.resolve("unused")), "nothing is extracted when nothing fits");
    }

    private record Result(int status, String output) {}

    private static Result probe(List<String> wrapper, Path dir) throws Exception {
        return run(probeCommand(wrapper, dir));
    }

    private static List<String> probeCommand(List<String> wrapper, Path dir) {
        List<String> cmd = new ArrayList<>(wrapper);
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add("-D" + NativeLoader.DIR_PROPERTY + "=" + dir);
        cmd.add(NativeLoaderProbe.class.getName());
        return cmd;
    }

    private static Process start(List<String> cmd) throws IOException {
        return new ProcessBuilder(cmd).redirectErrorStream(true).start();
    }

    private static Result run(List<String> cmd) throws Exception {
        Process p;
        try {
            p = start(cmd);
        } catch (IOException e) {
            return new Result(127, e.toString());
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "child did not finish: " + cmd);
        return new Result(p.exitValue(), out);
    }
}
