package io.hftipc;

/**
 * A fresh JVM for {@link NativeLoaderTest}: loads the native library as a user's first call
 * would, and prints the version, or the error's message and exit status 1.
 */
final class NativeLoaderProbe {
    private NativeLoaderProbe() {}

    public static void main(String[] args) {
        try {
            System.out.println("loaded " + Channel.nativeVersion());
        } catch (UnsatisfiedLinkError e) {
            System.out.println("error: " + e.getMessage());
            System.exit(1);
        }
    }
}
