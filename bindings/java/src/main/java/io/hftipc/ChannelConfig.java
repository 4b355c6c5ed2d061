package io.hftipc;

import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.EnumSet;
import java.util.Objects;
import java.util.Set;

/**
 * Geometry and creation options of a channel file.
 *
 * <p>Defaults: 1024 slots of 512 bytes, {@link ChannelMode#SPSC}, permissions {@code rw-------}
 * (0600; the process umask is ignored). Every slot carries an 8-byte header, so the largest
 * message is {@code slotSize - 8} bytes ({@link #maxPayload()}).
 *
 * <pre>{@code
 * ChannelConfig cfg = ChannelConfig.builder().capacity(256).slotSize(128).build();
 * }</pre>
 *
 * @param capacity number of slots: a power of two in [1, 2^30]
 * @param slotSize bytes per slot including the 8-byte slot header: a multiple of 8 in
 *     [16, 64 MiB]
 * @param mode the concurrency mode: {@link ChannelMode#SPSC} or {@link ChannelMode#MPSC}
 * @param filePermissions permission bits of a created file: read and write bits only (no execute
 *     bit)
 */
public record ChannelConfig(
        int capacity, int slotSize, ChannelMode mode, Set<PosixFilePermission> filePermissions) {

    /** Default number of slots. */
    public static final int DEFAULT_CAPACITY = 1024;
    /** Default slot size in bytes, including the slot header. */
    public static final int DEFAULT_SLOT_SIZE = 512;
    /** Bytes of every slot taken by its header. */
    public static final int SLOT_HEADER_SIZE = 8;
    /** Smallest slot size. */
    public static final int MIN_SLOT_SIZE = 16;
    /** Largest slot size (64 MiB). */
    public static final int MAX_SLOT_SIZE = 1 << 26;
    /** Largest capacity. */
    public static final int MAX_CAPACITY = 1 << 30;

    private static final ChannelConfig DEFAULTS = builder().build();

    /**
     * Validates the components.
     *
     * @param capacity number of slots, a power of two
     * @param slotSize bytes per slot including the 8-byte header, a multiple of 8
     * @param mode the concurrency mode
     * @param filePermissions permission bits of a created file
     * @throws IllegalArgumentException if capacity or slot size is out of range, or
     *     filePermissions holds an execute bit
     * @throws NullPointerException if mode or filePermissions is null
     */
    public ChannelConfig {
        if (capacity <= 0 || capacity > MAX_CAPACITY || Integer.bitCount(capacity) != 1) {
            throw new IllegalArgumentException(
                    "capacity must be a power of two in [1, 2^30], got " + capacity);
        }
        if (slotSize < MIN_SLOT_SIZE || slotSize > MAX_SLOT_SIZE || slotSize % 8 != 0) {
            throw new IllegalArgumentException(
                    "slotSize must be a multiple of 8 in [16, 64 MiB], got " + slotSize);
        }
        Objects.requireNonNull(mode, "mode");
        Objects.requireNonNull(filePermissions, "filePermissions");
        for (PosixFilePermission p : filePermissions) {
            // Peers write the file through a mapping: an executable file is a program any of
            // them can replace. The C library refuses such a mode too.
            if (p == PosixFilePermission.OWNER_EXECUTE
                    || p == PosixFilePermission.GROUP_EXECUTE
                    || p == PosixFilePermission.OTHERS_EXECUTE) {
                throw new IllegalArgumentException(
                        "filePermissions must be read and write bits only (within rw-rw-rw-), got "
                                + PosixFilePermissions.toString(EnumSet.copyOf(filePermissions)));
            }
        }
        filePermissions =
                filePermissions.isEmpty()
                        ? Set.of()
                        : Set.copyOf(EnumSet.copyOf(filePermissions));
    }

    /** @return the default configuration */
    public static ChannelConfig defaults() {
        return DEFAULTS;
    }

    /** @return a builder holding the defaults */
    public static Builder builder() {
        return new Builder();
    }

    /** @return a builder holding this configuration */
    public Builder toBuilder() {
        return new Builder()
                .capacity(capacity)
                .slotSize(slotSize)
                .mode(mode)
                .filePermissions(filePermissions);
    }

    /** @return the largest message a slot holds: {@code slotSize - 8} */
    public int maxPayload() {
        return slotSize - SLOT_HEADER_SIZE;
    }

    /** @return the file permissions as POSIX mode bits, such as {@code 0600} */
    public int fileMode() {
        int bits = 0;
        for (PosixFilePermission p : filePermissions) {
            bits |= 1 << (8 - p.ordinal()); // OWNER_READ (0) is 0400 ... OTHERS_EXECUTE is 01
        }
        return bits;
    }

    @Override
    public String toString() {
        return "ChannelConfig[capacity=" + capacity + ", slotSize=" + slotSize + ", mode=" + mode
                + ", filePermissions=" + PosixFilePermissions.toString(
                        filePermissions.isEmpty()
                                ? EnumSet.noneOf(PosixFilePermission.class)
                                : EnumSet.copyOf(filePermissions)) + "]";
    }

    /** Builder for {@link ChannelConfig}; starts from the defaults. Not thread-safe. */
    public static final class Builder {
        private int capacity = DEFAULT_CAPACITY;
        private int slotSize = DEFAULT_SLOT_SIZE;
        private ChannelMode mode = ChannelMode.SPSC;
        private Set<PosixFilePermission> filePermissions =
                EnumSet.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE);

        private Builder() {}

        /**
         * @param capacity number of slots, a power of two
         * @return this builder
         */
        public Builder capacity(int capacity) {
            this.capacity = capacity;
            return this;
        }

        /**
         * @param slotSize bytes per slot including the 8-byte header, a multiple of 8
         * @return this builder
         */
        public Builder slotSize(int slotSize) {
            this.slotSize = slotSize;
            return this;
        }

        /**
         * Sets the slot size for messages of up to {@code maxPayload} bytes, as the C library's
         * {@code max_payload} option does ({@code hftipc_slot_size_for}, the one definition):
         * the 8-byte slot header plus the payload, rounded up so that no two slots share a
         * 64-byte cache line unless each lies within one. Up to 64 bytes that is the next power
         * of two (at least 16), above it the next multiple of 64: 8 gives 16, 56 gives 64, 64
         * gives 128, 100 gives 128, 512 gives 576. The producer and the consumer then work on
         * neighbouring slots without false sharing, for up to twice the memory of packed slots
         * ({@link #slotSize(int)} sets any multiple of 8). {@link ChannelConfig#maxPayload()}
         * is then at least {@code maxPayload}.
         *
         * @param maxPayload the largest message wanted, in [0, 64 MiB - 8]
         * @return this builder
         * @throws IllegalArgumentException if {@code maxPayload} is out of range
         */
        public Builder maxPayload(int maxPayload) {
            if (maxPayload < 0 || maxPayload > MAX_SLOT_SIZE - SLOT_HEADER_SIZE) {
                throw new IllegalArgumentException("maxPayload out of range: " + maxPayload);
            }
            int size = hftipc.hftipc_slot_size_for(maxPayload);
            if (size == 0) { // the C library's own range check
                throw new IllegalArgumentException("maxPayload out of range: " + maxPayload);
            }
            this.slotSize = size;
            return this;
        }

        /**
         * @param mode the concurrency mode
         * @return this builder
         */
        public Builder mode(ChannelMode mode) {
            this.mode = mode;
            return this;
        }

        /**
         * @param filePermissions permissions of a created file
         * @return this builder
         */
        public Builder filePermissions(Set<PosixFilePermission> filePermissions) {
            this.filePermissions = filePermissions;
            return this;
        }

        /**
         * @param posix permissions as a string such as {@code "rw-rw----"}
         * @return this builder
         */
        public Builder filePermissions(String posix) {
            this.filePermissions = PosixFilePermissions.fromString(posix);
            return this;
        }

        /**
         * @return the configuration
         * @throws IllegalArgumentException if a value is out of range
         */
        public ChannelConfig build() {
            return new ChannelConfig(capacity, slotSize, mode, filePermissions);
        }
    }
}
