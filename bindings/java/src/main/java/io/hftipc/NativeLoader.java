package io.hftipc;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Locale;

/**
 * Loads the JNI library {@code libhftipc_jni.so}, which carries the whole hftipc core.
 *
 * <p>Order: the system property {@code hftipc.native.path} (an explicit file), then the copy in
 * the jar at {@code /native/<os>-<arch>/}, extracted to a private temporary file (owner-only
 * permissions, deleted on exit), then {@code System.loadLibrary("hftipc_jni")} through
 * {@code java.library.path}.
 */
final class NativeLoader {
    static final String LIBRARY = "hftipc_jni";

    private static volatile boolean loaded;

    private NativeLoader() {}

    /** @return the platform directory name, such as {@code linux-x86_64} */
    static String platform() {
        String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
        String arch = System.getProperty("os.arch", "").toLowerCase(Locale.ROOT);
        String o = os.contains("linux") ? "linux" : os.replaceAll("[^a-z0-9]", "");
        String a =
                switch (arch) {
                    case "amd64", "x86_64" -> "x86_64";
                    case "aarch64", "arm64" -> "aarch64";
                    default -> arch;
                };
        return o + "-" + a;
    }

    /** Loads the library once; later calls return at once. */
    static synchronized void load() {
        if (loaded) {
            return;
        }
        String explicit = System.getProperty("hftipc.native.path");
        if (explicit != null && !explicit.isEmpty()) {
            System.load(Path.of(explicit).toAbsolutePath().toString());
            loaded = true;
            return;
        }
        String resource = "/native/" + platform() + "/" + System.mapLibraryName(LIBRARY);
        Throwable extractFailure = null;
        try (InputStream in = NativeLoader.class.getResourceAsStream(resource)) {
            if (in != null) {
                Path tmp =
                        Files.createTempFile(
                                "hftipc_jni-",
                                ".so",
                                PosixFilePermissions.asFileAttribute(
                                        PosixFilePermissions.fromString("rw-------")));
                tmp.toFile().deleteOnExit();
                Files.copy(in, tmp, StandardCopyOption.REPLACE_EXISTING);
                System.load(tmp.toAbsolutePath().toString());
                loaded = true;
                return;
            }
        } catch (IOException | UnsatisfiedLinkError e) {
            extractFailure = e;
        }
        try {
            System.loadLibrary(LIBRARY);
            loaded = true;
        } catch (UnsatisfiedLinkError e) {
            UnsatisfiedLinkError err =
                    new UnsatisfiedLinkError(
                            "hftipc: no native library for "
                                    + platform()
                                    + " (looked for resource "
                                    + resource
                                    + ", then "
                                    + LIBRARY
                                    + " in java.library.path): "
                                    + e.getMessage());
            if (extractFailure != null) {
                err.addSuppressed(extractFailure);
            }
            throw err;
        }
    }
}
