#!/usr/bin/env python3
"""The jar carries the JNI library of every platform, each built for that platform.

    python3 bindings/java/jar_natives_test.py target/hftipc-X.Y.Z.jar

Checks, from the jar itself (a zip): under native/ there is exactly one library per platform of
NativeLoader.PLATFORMS, at the resource path NativeLoader.resource(platform) gives, and nothing
else; each is a shared library of its platform's object format and machine, read from its
header bytes (scripts/lib/objformat.py: ELF x86-64 and AArch64, Mach-O x86_64 and arm64, PE
x86-64 with the DLL flag); each defines the JNI entry points the SWIG classes call (their names
are in its dynamic symbol, export or string table). bindings/java/test.sh runs it after
`mvn -Pall-platforms verify`. Prints one line per library; exits 1 on the first mismatch.
"""

import os
import re
import sys
import zipfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "scripts", "lib"))
import objformat  # noqa: E402

LOADER = os.path.join(HERE, "src", "main", "java", "io", "hftipc", "NativeLoader.java")

# platform -> (resource path, object format, machine), as NativeLoader names them and as each
# OS's JVM loads them (System.mapLibraryName: lib*.so, lib*.dylib, *.dll).
EXPECTED = {
    "linux-x86_64": ("native/linux-x86_64/libhftipc_jni.so", "elf", "x86_64"),
    "linux-aarch64": ("native/linux-aarch64/libhftipc_jni.so", "elf", "aarch64"),
    "macos-x86_64": ("native/macos-x86_64/libhftipc_jni.dylib", "macho", "x86_64"),
    "macos-aarch64": ("native/macos-aarch64/libhftipc_jni.dylib", "macho", "aarch64"),
    "windows-x86_64": ("native/windows-x86_64/hftipc_jni.dll", "pe", "x86_64"),
}
# One entry point each of the JNI class, read from the generated wrapper's naming scheme:
# Java_<package>_<class>_<method>.
JNI_SYMBOL = b"Java_io_hftipc_hftipcJNI_hftipc_1version_1number"


def fail(msg):
    print("jar natives: FAIL: " + msg)
    sys.exit(1)


def loader_platforms():
    """NativeLoader.PLATFORMS, read from its source, so the two lists cannot drift apart."""
    with open(LOADER, encoding="utf-8") as f:
        m = re.search(r"PLATFORMS\s*=\s*List\.of\(([^;]*)\);", f.read(), re.S)
    if not m:
        fail("no PLATFORMS = List.of(...) in " + LOADER)
    return re.findall(r'"([^"]+)"', m.group(1))


def main(jar):
    platforms = loader_platforms()
    if sorted(platforms) != sorted(EXPECTED):
        fail("NativeLoader.PLATFORMS is %s, this test knows %s" % (platforms, sorted(EXPECTED)))
    with zipfile.ZipFile(jar) as z:
        natives = sorted(n for n in z.namelist() if n.startswith("native/") and not n.endswith("/"))
        wanted = sorted(v[0] for v in EXPECTED.values())
        if natives != wanted:
            fail("%s has under native/:\n  %s\nwanted exactly:\n  %s"
                 % (jar, "\n  ".join(natives) or "(nothing)", "\n  ".join(wanted)))
        for platform, (path, kind, arch) in EXPECTED.items():
            data = z.read(path)
            what = objformat.identify(data)
            if what != (kind, arch, "shared"):
                fail("%s is %s, not a %s-%s shared library"
                     % (path, "-".join(what) if what else "no known object format", kind, arch))
            if JNI_SYMBOL not in data:
                fail("%s does not define the JNI entry point %s" % (path, JNI_SYMBOL.decode()))
            print("jar natives: %-15s %-42s %s, %d bytes" % (platform, path, "-".join(what), len(data)))
    print("jar natives: %d platforms, each its own format and machine" % len(EXPECTED))


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    main(sys.argv[1])
