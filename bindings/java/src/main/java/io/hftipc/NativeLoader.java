package io.hftipc;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Loads the JNI library ({@code libhftipc_jni.so}, {@code libhftipc_jni.dylib} or
 * {@code hftipc_jni.dll}), which carries the whole hftipc core.
 *
 * <p>Where the library comes from, in this order:
 *
 * <ol>
 *   <li>{@code -Dhftipc.native.path=/path/to/libhftipc_jni.so}: that file, nothing else.
 *   <li>The jar, at {@code /native/<os>-<arch>/<library>}: {@code linux-x86_64},
 *       {@code linux-aarch64}, {@code macos-x86_64}, {@code macos-aarch64},
 *       {@code windows-x86_64} (the platform is chosen from {@code os.name} and {@code os.arch}
 *       by {@link #platform(String, String)}). It is extracted once into a private
 *       directory, {@code -Dhftipc.native.dir=DIR} or by default
 *       {@code ${java.io.tmpdir}/hftipc-${user.name}}, under a name that carries the library
 *       version and the first 16 hex digits of its SHA-256, such as
 *       {@code libhftipc_jni-1.0.0-3f2a…9c.so}, then {@code System.load}ed.
 *   <li>If the jar has no library for this platform: {@code System.loadLibrary("hftipc_jni")}
 *       through {@code java.library.path}. If that fails too, the error names the platform, the
 *       {@code os.name} and {@code os.arch} it came from, the resource and the directories
 *       tried, and the platforms the jar does carry.
 * </ol>
 *
 * <p>The extraction, as sqlite-jdbc and netty-tcnative do it:
 *
 * <ul>
 *   <li><b>Private directory.</b> Created owner-only ({@code rwx------}); an existing one must be
 *       a real directory (not a symbolic link) owned by this user and not writable by group or
 *       others, or the load fails, because anyone who can write there could swap the library.
 *       (On Windows, which has no POSIX modes, it must be a real directory; the default one is
 *       under the user's own profile.)
 *   <li><b>Reuse.</b> A file of the right name whose SHA-256 matches the jar's copy is loaded as
 *       it is: JVMs started from the same jar share one file and never rewrite a library another
 *       process has mapped. A damaged file of that name is replaced.
 *   <li><b>Atomic writes.</b> A new copy is written to a temporary file in the directory and
 *       renamed over the final name, so a concurrent JVM sees either no file or a whole one.
 *   <li><b>Clean-up.</b> Other {@code libhftipc_jni-*.so} (.dylib, .dll) files (other versions) unused for
 *       {@value #STALE_HOURS} hours, and temporary files older than one hour (left by a killed
 *       JVM), are deleted. Using a library refreshes its modification time. Deleting a library
 *       another process has mapped is harmless on Linux: the mapping keeps the inode alive.
 *   <li><b>The real cause.</b> If loading fails, the error names the file, the system's reason
 *       ({@code failed to map segment from shared object} for a {@code noexec} mount) and what
 *       to do ({@code -Dhftipc.native.dir} on a file system that allows execution, or
 *       {@code -Dhftipc.native.path}).
 * </ul>
 */
final class NativeLoader {
    static final String LIBRARY = "hftipc_jni";
    /** System property: the library file to load instead of the jar's. */
    static final String PATH_PROPERTY = "hftipc.native.path";
    /** System property: the directory the jar's library is extracted to. */
    static final String DIR_PROPERTY = "hftipc.native.dir";

    static final int STALE_HOURS = 24;
    private static final Duration STALE = Duration.ofHours(STALE_HOURS);
    private static final Duration STALE_TEMP = Duration.ofHours(1);
    private static final String PREFIX = "lib" + LIBRARY + "-";
    private static final String TEMP_PREFIX = "." + PREFIX;

    private static volatile boolean loaded;

    private NativeLoader() {}

    /**
     * The platforms the release jar carries a library for, as their resource directory names
     * ({@code /native/<platform>/}); {@link #carried()} says which this jar has.
     */
    static final List<String> PLATFORMS =
            List.of("linux-x86_64", "linux-aarch64", "macos-x86_64", "macos-aarch64", "windows-x86_64");

    /** @return this JVM's platform directory name, such as {@code linux-x86_64} */
    static String platform() {
        return platform(System.getProperty("os.name", ""), System.getProperty("os.arch", ""));
    }

    /**
     * Maps the JVM's {@code os.name} and {@code os.arch} to a platform directory name: the OS
     * ({@code linux}, {@code macos} for "Mac OS X", {@code windows} for "Windows 11", "Windows
     * Server 2022", ...; any other OS by its name in lower case, letters and digits only) and the
     * architecture ({@code x86_64} for amd64/x86_64, {@code aarch64} for aarch64/arm64; any other
     * as the JVM names it).
     *
     * @return such as {@code linux-x86_64} or {@code macos-aarch64}
     */
    static String platform(String osName, String osArch) {
        String os = osName.toLowerCase(Locale.ROOT).trim();
        String arch = osArch.toLowerCase(Locale.ROOT).trim();
        String o;
        if (os.startsWith("linux")) {
            o = "linux";
        } else if (os.startsWith("mac") || os.startsWith("darwin")) {
            o = "macos";
        } else if (os.startsWith("windows")) {
            o = "windows";
        } else {
            o = os.replaceAll("[^a-z0-9]", "");
        }
        String a =
                switch (arch) {
                    case "amd64", "x86_64", "x86-64", "x64" -> "x86_64";
                    case "aarch64", "arm64" -> "aarch64";
                    default -> arch.replaceAll("[^a-z0-9_]", "");
                };
        return o + "-" + a;
    }

    /**
     * @return the library's file name on {@code platform}, as that OS's
     *     {@code System.mapLibraryName} gives it: {@code libhftipc_jni.so},
     *     {@code libhftipc_jni.dylib} or {@code hftipc_jni.dll}
     */
    static String libraryName(String platform) {
        if (platform.startsWith("windows-")) {
            return LIBRARY + ".dll";
        }
        if (platform.startsWith("macos-")) {
            return "lib" + LIBRARY + ".dylib";
        }
        return "lib" + LIBRARY + ".so";
    }

    /** @return the resource path of {@code platform}'s library inside the jar */
    static String resource(String platform) {
        return "/native/" + platform + "/" + libraryName(platform);
    }

    /** @return the resource path of this platform's library inside the jar */
    static String resource() {
        return resource(platform());
    }

    /** @return the platforms of {@link #PLATFORMS} whose library this jar (class path) has */
    static List<String> carried() {
        return PLATFORMS.stream().filter(p -> NativeLoader.class.getResource(resource(p)) != null).toList();
    }

    /**
     * The message when neither the jar nor {@code java.library.path} has a library for this
     * platform: the platform and the JVM values it came from, every place tried, what the jar
     * does carry, and what to do.
     */
    static String noLibraryMessage(String osName, String osArch, String libraryPath, String reason) {
        String p = platform(osName, osArch);
        return "hftipc: no native library for this platform, "
                + p
                + " (os.name="
                + osName
                + ", os.arch="
                + osArch
                + "); tried the jar's "
                + resource(p)
                + " and "
                + System.mapLibraryName(LIBRARY)
                + " in java.library.path ("
                + libraryPath
                + "): "
                + reason
                + ". This jar carries "
                + (carried().isEmpty() ? "no native library" : String.join(", ", carried()))
                + "; for another platform, build the library (bindings/java/README.md) and set -D"
                + PATH_PROPERTY
                + "=FILE";
    }

    /** @return the extraction directory: {@code hftipc.native.dir}, or the default */
    static Path directory() {
        String dir = System.getProperty(DIR_PROPERTY);
        if (dir != null && !dir.isEmpty()) {
            return Path.of(dir).toAbsolutePath();
        }
        String user = System.getProperty("user.name", "user").replaceAll("[^A-Za-z0-9._-]", "_");
        return Path.of(System.getProperty("java.io.tmpdir"), "hftipc-" + user).toAbsolutePath();
    }

    /** Loads the library once; later calls return at once. */
    static synchronized void load() {
        if (loaded) {
            return;
        }
        String explicit = System.getProperty(PATH_PROPERTY);
        if (explicit != null && !explicit.isEmpty()) {
            Path file = Path.of(explicit).toAbsolutePath();
            loadFile(file, "-D" + PATH_PROPERTY + "=" + explicit);
            loaded = true;
            return;
        }
        byte[] lib = readResource();
        if (lib == null) {
            try {
                System.loadLibrary(LIBRARY);
            } catch (UnsatisfiedLinkError e) {
                UnsatisfiedLinkError err =
                        new UnsatisfiedLinkError(
                                noLibraryMessage(
                                        System.getProperty("os.name", ""),
                                        System.getProperty("os.arch", ""),
                                        System.getProperty("java.library.path", ""),
                                        e.getMessage()));
                err.initCause(e);
                throw err;
            }
            loaded = true;
            return;
        }
        Path file;
        try {
            file = extract(lib, directory());
        } catch (IOException e) {
            UnsatisfiedLinkError err =
                    new UnsatisfiedLinkError(
                            "hftipc: cannot extract the native library to "
                                    + directory()
                                    + ": "
                                    + e
                                    + " (choose another directory with -D"
                                    + DIR_PROPERTY
                                    + "=DIR)");
            err.initCause(e);
            throw err;
        }
        loadFile(file, "extracted from the jar");
        loaded = true;
    }

    private static void loadFile(Path file, String origin) {
        try {
            System.load(file.toString());
        } catch (UnsatisfiedLinkError e) {
            throw new UnsatisfiedLinkError(explainLoadFailure(file, origin, e.getMessage()));
        }
    }

    /** The message for a failed {@code System.load}: the file, the system's reason, the fix. */
    static String explainLoadFailure(Path file, String origin, String reason) {
        StringBuilder msg =
                new StringBuilder("hftipc: cannot load the native library ")
                        .append(file)
                        .append(" (")
                        .append(origin)
                        .append("): ")
                        .append(reason);
        String mount = noexecMountOf(file);
        if (mount != null) {
            msg.append("; ")
                    .append(mount)
                    .append(" is mounted noexec, so no library there can be mapped executable:"
                            + " set -D")
                    .append(DIR_PROPERTY)
                    .append("=DIR to a directory that allows execution, or -D")
                    .append(PATH_PROPERTY)
                    .append("=FILE to an installed copy");
        }
        return msg.toString();
    }

    /**
     * @return the mount point of {@code file}'s file system if it is mounted {@code noexec}, else
     *     null (also when /proc/self/mountinfo cannot be read)
     */
    static String noexecMountOf(Path file) {
        List<String> lines;
        try {
            lines = Files.readAllLines(Path.of("/proc/self/mountinfo"));
        } catch (IOException | SecurityException e) {
            return null;
        }
        Path real;
        try {
            real = file.toRealPath();
        } catch (IOException e) {
            real = file.toAbsolutePath().normalize();
        }
        String best = null;
        boolean bestNoexec = false;
        for (String line : lines) {
            // mountinfo: id parent major:minor root mount-point options ... (proc(5)); the
            // mount point escapes blanks as octal (\040).
            String[] f = line.split(" ");
            if (f.length < 6) {
                continue;
            }
            String point = unescapeMountinfo(f[4]);
            if (real.startsWith(Path.of(point)) && (best == null || point.length() >= best.length())) {
                best = point;
                bestNoexec = Set.of(f[5].split(",")).contains("noexec");
            }
        }
        return bestNoexec ? best : null;
    }

    private static String unescapeMountinfo(String s) {
        StringBuilder b = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\\' && i + 3 < s.length()) {
                b.append((char) Integer.parseInt(s.substring(i + 1, i + 4), 8));
                i += 3;
            } else {
                b.append(c);
            }
        }
        return b.toString();
    }

    private static byte[] readResource() {
        try (InputStream in = NativeLoader.class.getResourceAsStream(resource())) {
            return in == null ? null : in.readAllBytes();
        } catch (IOException e) {
            throw new UnsatisfiedLinkError(
                    "hftipc: cannot read " + resource() + " from the jar: " + e);
        }
    }

    /** @return the file name extension of this platform's libraries: .so, .dylib or .dll */
    private static String suffix() {
        String name = libraryName(platform());
        return name.substring(name.lastIndexOf('.'));
    }

    /**
     * @return whether the default file system has POSIX permissions (not on Windows, where the
     *     default directory, under the user's profile, is private to the user already)
     */
    private static boolean posix() {
        return FileSystems.getDefault().supportedFileAttributeViews().contains("posix");
    }

    /** @return the library version for file names: the jar's Implementation-Version */
    static String version() {
        String v = NativeLoader.class.getPackage().getImplementationVersion();
        return v == null || !v.matches("[A-Za-z0-9._-]+") ? "dev" : v;
    }

    /** @return the file name of {@code lib}: version and the start of its SHA-256 */
    static String fileName(byte[] lib) {
        return PREFIX + version() + "-" + sha256(lib).substring(0, 16) + suffix();
    }

    /**
     * Puts {@code lib} into {@code dir} (created if needed) under {@link #fileName}, reusing an
     * identical copy, and deletes stale ones.
     *
     * @return the library file to load
     * @throws IOException if the directory is unsafe or cannot be written
     */
    static Path extract(byte[] lib, Path dir) throws IOException {
        privateDirectory(dir);
        String name = fileName(lib);
        Path file = dir.resolve(name);
        String want = sha256(lib);
        if (Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)
                && Files.size(file) == lib.length
                && sha256(Files.readAllBytes(file)).equals(want)) {
            touch(file);
        } else {
            Path tmp =
                    posix()
                            ? Files.createTempFile(
                                    dir,
                                    TEMP_PREFIX,
                                    ".tmp",
                                    PosixFilePermissions.asFileAttribute(
                                            PosixFilePermissions.fromString("rwx------")))
                            : Files.createTempFile(dir, TEMP_PREFIX, ".tmp");
            try {
                Files.write(tmp, lib);
                Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } finally {
                Files.deleteIfExists(tmp);
            }
        }
        removeStale(dir, name);
        return file;
    }

    /** Creates {@code dir} owner-only, or checks that an existing one is private to this user. */
    static void privateDirectory(Path dir) throws IOException {
        if (!posix()) {
            // Windows: no POSIX modes; the directory must still be a real one, not a link.
            try {
                Files.createDirectories(dir);
            } catch (FileAlreadyExistsException e) {
                // a symbolic link or a file: refused below
            }
            if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
                throw new IOException(dir + " is not a directory (a symbolic link is refused too)");
            }
            return;
        }
        try {
            Files.createDirectories(
                    dir,
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        } catch (FileAlreadyExistsException e) {
            // a symbolic link or a file: refused below
        }
        PosixFileAttributes a =
                Files.readAttributes(dir, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        if (!a.isDirectory()) {
            throw new IOException(dir + " is not a directory (a symbolic link is refused too)");
        }
        UserPrincipal me = currentUser();
        if (me != null && !a.owner().equals(me)) {
            throw new AccessDeniedException(
                    dir.toString(), null, "owned by " + a.owner().getName() + ", not by " + me.getName());
        }
        Set<PosixFilePermission> p = a.permissions();
        if (p.contains(PosixFilePermission.GROUP_WRITE) || p.contains(PosixFilePermission.OTHERS_WRITE)) {
            throw new AccessDeniedException(
                    dir.toString(),
                    null,
                    "writable by group or others ("
                            + PosixFilePermissions.toString(p)
                            + "): another user could replace the library");
        }
    }

    /**
     * @return this process's user: the owner of /proc/self (its effective uid, also in a
     *     container with no passwd entry, where user.name is "?"), else null
     */
    private static UserPrincipal currentUser() {
        try {
            return Files.getOwner(Path.of("/proc/self"));
        } catch (IOException | UnsupportedOperationException | SecurityException e) {
            return null;
        }
    }

    private static void removeStale(Path dir, String current) {
        Instant now = Instant.now();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir)) {
            for (Path f : files) {
                String n = f.getFileName().toString();
                Duration limit;
                if (n.startsWith(PREFIX) && n.endsWith(suffix()) && !n.equals(current)) {
                    limit = STALE;
                } else if (n.startsWith(TEMP_PREFIX) && n.endsWith(".tmp")) {
                    limit = STALE_TEMP;
                } else {
                    continue;
                }
                try {
                    FileTime t = Files.getLastModifiedTime(f, LinkOption.NOFOLLOW_LINKS);
                    if (t.toInstant().plus(limit).isBefore(now)) {
                        Files.deleteIfExists(f);
                    }
                } catch (IOException e) {
                    // another JVM removed it first, or it is not ours to delete: leave it
                }
            }
        } catch (IOException e) {
            // clean-up is best effort; the load itself does not depend on it
        }
    }

    private static void touch(Path file) {
        try {
            Files.setLastModifiedTime(file, FileTime.from(Instant.now()));
        } catch (IOException e) {
            // a read-only copy still loads; it may just be cleaned up by another version sooner
        }
    }

    static String sha256(byte[] data) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError("every JDK has SHA-256", e);
        }
    }
}
