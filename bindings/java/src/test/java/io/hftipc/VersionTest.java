package io.hftipc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.EnumSet;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** Versions, status table and configuration checks that need no channel file. */
class VersionTest {
    @Test
    void mavenVersionMatchesTheHeaderAndTheLoadedLibrary() throws IOException {
        String header = Files.readString(Path.of(System.getProperty("hftipc.header")));
        Matcher m = Pattern.compile("#define HFTIPC_VERSION_STRING \"([^\"]+)\"").matcher(header);
        assertTrue(m.find());
        assertEquals(m.group(1), System.getProperty("hftipc.project.version"), "pom version");
        assertEquals(m.group(1), Channel.nativeVersion(), "loaded library");
    }

    @Test
    void javaStatusTableMatchesTheNativeNames() throws Exception {
        for (var f : Status.class.getFields()) {
            int value = f.getInt(null);
            assertEquals("HFTIPC_" + f.getName(), Status.name(value), f.getName());
            assertNotEquals("unknown hftipc status", Status.describe(value));
        }
        assertEquals("HFTIPC_E?", Status.name(Status.MIN - 1), "the table is complete");
    }

    @Test
    void nativeLibraryComesFromTheJarResources() {
        String arch = System.getProperty("os.arch");
        assertEquals("linux-" + (arch.equals("amd64") ? "x86_64" : arch), NativeLoader.platform());
        assertTrue(NativeLoader.class.getResource("/native/" + NativeLoader.platform()
                + "/libhftipc_jni.so") != null);
    }

    @Test
    void configDefaultsAndValidation() {
        ChannelConfig d = ChannelConfig.defaults();
        assertEquals(1024, d.capacity());
        assertEquals(512, d.slotSize());
        assertEquals(504, d.maxPayload());
        assertEquals(ChannelMode.SPSC, d.mode());
        assertEquals(0600, d.fileMode());
        assertEquals(EnumSet.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE),
                d.filePermissions());
        assertEquals(0664, ChannelConfig.builder().filePermissions("rw-rw-r--").build().fileMode());
        assertEquals(0444, ChannelConfig.builder().filePermissions("r--r--r--").build().fileMode());
        assertEquals(0, ChannelConfig.builder().filePermissions(Set.of()).build().fileMode());
        // maxPayload sizes slots as C's max_payload option (hftipc_slot_size_for) does.
        int[][] sizes = {{0, 16}, {8, 16}, {9, 32}, {56, 64}, {57, 128}, {64, 128}, {100, 128},
            {120, 128}, {121, 192}, {512, 576}, {(1 << 26) - 8, 1 << 26}};
        for (int[] ps : sizes) {
            assertEquals(ps[1], ChannelConfig.builder().maxPayload(ps[0]).build().slotSize(),
                    "maxPayload " + ps[0]);
            assertEquals(ps[1], hftipc.hftipc_slot_size_for(ps[0]), "C, maxPayload " + ps[0]);
        }
        assertThrows(IllegalArgumentException.class,
                () -> ChannelConfig.builder().maxPayload((1 << 26) - 7));
        ChannelConfig c = d.toBuilder().capacity(1).slotSize(16).build();
        assertEquals(1, c.capacity());
        assertEquals(8, c.maxPayload());
        assertTrue(c.toString().contains("rw-------"));
        for (int bad : new int[] {0, -1, 3, 1000, (1 << 30) + 1, Integer.MIN_VALUE}) {
            assertThrows(IllegalArgumentException.class,
                    () -> ChannelConfig.builder().capacity(bad).build(), "capacity " + bad);
        }
        for (int bad : new int[] {0, 8, 15, 20, 100, (1 << 26) + 8}) {
            assertThrows(IllegalArgumentException.class,
                    () -> ChannelConfig.builder().slotSize(bad).build(), "slotSize " + bad);
        }
        assertThrows(NullPointerException.class, () -> ChannelConfig.builder().mode(null).build());
        assertThrows(IllegalArgumentException.class, () -> ChannelConfig.builder().maxPayload(-1));
    }

    @Test
    void generatedClassesStayInternal() throws Exception {
        for (Class<?> c : new Class<?>[] {hftipc.class, hftipcJNI.class,
                SWIGTYPE_p_hftipc_channel_stct.class, SWIGTYPE_p_hftipc_dir_stct.class,
                SWIGTYPE_p_hftipc_watch_stct.class}) {
            assertFalse(java.lang.reflect.Modifier.isPublic(c.getModifiers()), c.getName());
        }
        for (Class<?> facade : new Class<?>[] {Channel.class, Channels.class, ChannelWatch.class,
                ChannelEntry.class, ChannelEvent.class}) {
            for (var m : facade.getMethods()) {
                assertFalse(m.getReturnType().getSimpleName().startsWith("SWIGTYPE"), m.toString());
                for (var p : m.getParameterTypes()) {
                    assertFalse(p.getSimpleName().startsWith("SWIGTYPE"), m.toString());
                }
            }
        }
        assertFalse(java.lang.reflect.Modifier.isPublic(NativeLoader.class.getModifiers()));
    }

    @Test
    void discoveryCodesMapToTheCValues() {
        // hftipc_entry_type_t and hftipc_watch_event_t in hftipc.h.
        assertEquals(1, EntryType.FILE.code);
        assertEquals(2, EntryType.SYMLINK.code);
        assertEquals(3, EntryType.DIRECTORY.code);
        assertEquals(4, EntryType.OTHER.code);
        assertEquals(ChannelEvent.Kind.ADDED, ChannelEvent.Kind.fromCode(1));
        assertEquals(ChannelEvent.Kind.CHANGED, ChannelEvent.Kind.fromCode(2));
        assertEquals(ChannelEvent.Kind.REMOVED, ChannelEvent.Kind.fromCode(3));
    }

    @Test
    void rolesMapToTheCValues() {
        assertEquals(1, Role.PRODUCER.code);
        assertEquals(2, Role.CONSUMER.code);
        assertEquals(3, Role.OBSERVER.code);
        assertEquals(Role.OBSERVER, Role.fromCode(3));
        assertThrows(IllegalArgumentException.class, () -> Role.fromCode(0));
    }
}
