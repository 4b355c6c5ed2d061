# Sourced by scripts/install-deps.sh (which fetches and builds these tools) and by the scripts
# that use them (scripts/cross.sh): the one place that says where the cross tools that are not
# Debian packages live, and which versions they are.
#
#   HFTIPC_DEPS_CACHE   the cache directory (default ${XDG_CACHE_HOME:-$HOME/.cache}/hftipc-deps),
#                       shared by every checkout on the machine; each tool is one versioned
#                       subdirectory, moved into place whole once it is complete
#   HFTIPC_ZIG          a zig executable to use instead of the cached one (its `zig cc` must
#                       target x86_64-macos and aarch64-macos)
#
#   cross_cache                the cache directory
#   cross_zig                  the zig executable (HFTIPC_ZIG, else the one in the cache)
#   cross_cmocka_mingw_prefix  the install prefix of cmocka built for x86_64-w64-mingw32
#   cross_cmocka_zig_prefix T  the install prefix of cmocka built with zig for target T
#                              (x86_64-macos, aarch64-macos)

# zig from the PyPI package ziglang (its wheel is the official zig release for this machine,
# with the macOS headers and libSystem stubs `zig cc -target *-macos` links against).
CROSS_ZIGLANG_VERSION=0.14.1
# cmocka for mingw is built from Debian's source package of the cmocka that libcmocka-dev is
# built from. The .dsc is pinned by its SHA-256; the .orig tarball is checked against the .dsc.
CROSS_CMOCKA_DEBIAN_VERSION=1.1.5-2.1
CROSS_CMOCKA_UPSTREAM_VERSION=1.1.5
CROSS_CMOCKA_DSC_SHA256=9f94190b571e059dd6a359c7effd40b982c6c2796959ea201cf41e7cac0b6730
CROSS_DEBIAN_POOL=http://deb.debian.org/debian/pool/main/c/cmocka

cross_cache() { printf '%s\n' "${HFTIPC_DEPS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/hftipc-deps}"; }
cross_zig_dir() { printf '%s/ziglang-%s\n' "$(cross_cache)" "$CROSS_ZIGLANG_VERSION"; }
cross_zig() {
    if [[ -n "${HFTIPC_ZIG:-}" ]]; then
        printf '%s\n' "$HFTIPC_ZIG"
    else
        printf '%s/bin/zig\n' "$(cross_zig_dir)"
    fi
}
cross_cmocka_mingw_prefix() {
    printf '%s/cmocka-%s-x86_64-w64-mingw32\n' "$(cross_cache)" "$CROSS_CMOCKA_DEBIAN_VERSION"
}
cross_cmocka_zig_prefix() {
    printf '%s/cmocka-%s-%s\n' "$(cross_cache)" "$CROSS_CMOCKA_DEBIAN_VERSION" "$1"
}
