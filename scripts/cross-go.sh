#!/usr/bin/env bash
# Cross builds of the Go binding with cgo, for the platforms other than this Linux machine:
#   darwin/amd64, darwin/arm64  CC="zig cc -target x86_64-macos|aarch64-macos" (zig from
#                               scripts/install-deps.sh --macos; scripts/lib/cross-tools.sh)
#   windows/amd64               CC=x86_64-w64-mingw32-gcc (scripts/install-deps.sh --windows)
# For each: `go vet ./...`, `go build ./...` (the package and its examples), a program and the
# test binary (`go test -c`) linked, and the object format of both checked from their header
# bytes (scripts/lib/objformat.py: Mach-O x86_64/arm64, PE x86-64). Nothing runs: the programs
# are for another OS. Prints one line per target; exits 1 if any failed (its output is shown).
#
# macOS links: zig ships libSystem's stub but not the two other system libraries every cgo
# program on darwin links (libresolv, from package net's cgo resolver, and CoreFoundation, from
# runtime/cgo on arm64), so the script writes their text stubs (.tbd, the format of Apple's
# SDK) naming the real install paths and the symbols runtime/cgo takes from CoreFoundation; the
# linker then still refuses any other undefined symbol, so the core must resolve against
# libSystem. -ldflags=-w: no DWARF, because Go would post-process it with dsymutil and a
# Mach-O strip, which a Linux machine does not have.
#
#   scripts/cross-go.sh [darwin-amd64|darwin-arm64|windows-amd64 ...]   (default: all three)
#
# Environment: HFTIPC_ZIG (a zig to use), HFTIPC_DEPS_MINGW_CC (the mingw compiler).
set -uo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=lib/cross-tools.sh
source "$root/scripts/lib/cross-tools.sh"

all=(darwin-amd64 darwin-arm64 windows-amd64)
targets=("$@")
[[ ${#targets[@]} -gt 0 ]] || targets=("${all[@]}")

if ! command -v go >/dev/null 2>&1 && [[ -x /usr/local/go/bin/go ]]; then
    PATH="$PATH:/usr/local/go/bin"
fi
command -v go >/dev/null 2>&1 || { echo "cross-go: go is not on the PATH" >&2; exit 1; }

tmp="$(mktemp -d "${TMPDIR:-/tmp}/hftipc-cross-go.XXXXXX")"
trap 'rm -rf "$tmp"' EXIT
# The module has no dependencies: nothing may be downloaded.
export GOPROXY=off GOFLAGS=-mod=mod CGO_ENABLED=1

# macos_stubs DIR: the .tbd stubs of libresolv and CoreFoundation (see the top), for -L/-F DIR.
macos_stubs() {
    mkdir -p "$1/CoreFoundation.framework"
    cat >"$1/libresolv.tbd" <<'EOF'
--- !tapi-tbd
tbd-version:     4
targets:         [ x86_64-macos, arm64-macos ]
install-name:    '/usr/lib/libresolv.9.dylib'
current-version: 1
...
EOF
    cat >"$1/CoreFoundation.framework/CoreFoundation.tbd" <<'EOF'
--- !tapi-tbd
tbd-version:     4
targets:         [ x86_64-macos, arm64-macos ]
install-name:    '/System/Library/Frameworks/CoreFoundation.framework/Versions/A/CoreFoundation'
current-version: 1
exports:
  - targets:     [ x86_64-macos, arm64-macos ]
    symbols:     [ _CFBundleCopyResourceURL, _CFBundleGetMainBundle, _CFBundleGetValueForInfoDictionaryKey,
                   _CFRelease, _CFStringGetCString, _CFURLGetString, ___CFConstantStringClassReference ]
...
EOF
}

# target_env TARGET: sets goos, goarch, cc, ldflags and want (objformat.py's kind-arch).
target_env() {
    local zig
    case "$1" in
        darwin-amd64 | darwin-arm64)
            zig="$(cross_zig)"
            [[ -x $zig ]] || {
                echo "no zig at $zig: scripts/install-deps.sh --macos fetches it (or set HFTIPC_ZIG)"
                return 1
            }
            goos=darwin goarch=${1#darwin-}
            macos_stubs "$tmp/macos-stubs"
            export CGO_LDFLAGS="-L$tmp/macos-stubs -F$tmp/macos-stubs"
            ldflags=-w
            if [[ $goarch == amd64 ]]; then
                cc="$zig cc -target x86_64-macos" want=macho-x86_64
            else
                cc="$zig cc -target aarch64-macos" want=macho-aarch64
            fi
            ;;
        windows-amd64)
            cc="${HFTIPC_DEPS_MINGW_CC:-x86_64-w64-mingw32-gcc}"
            command -v "$cc" >/dev/null 2>&1 || {
                echo "no $cc: scripts/install-deps.sh --windows installs mingw-w64"
                return 1
            }
            goos=windows goarch=amd64 want=pe-x86_64 ldflags=
            ;;
        *)
            echo "unknown target '$1' (one of: ${all[*]})"
            return 1
            ;;
    esac
}

# build TARGET: every build of the target, in bindings/go; output to the log, status 0 if all passed.
build() {
    local t=$1 goos goarch cc want ldflags out="$tmp/$1" ext="" f
    target_env "$t" || return 1
    [[ $goos == windows ]] && ext=.exe
    mkdir -p "$out"
    cd "$root/bindings/go" || return 1
    export GOOS=$goos GOARCH=$goarch CC=$cc
    echo "+ GOOS=$goos GOARCH=$goarch CGO_ENABLED=1 CC='$cc'"
    echo "+ go vet ./..." && go vet ./... &&
        echo "+ go build -ldflags='$ldflags' ./..." && go build -ldflags="$ldflags" ./... &&
        echo "+ go build -ldflags='$ldflags' -o consumer$ext ./examples/consumer" &&
        go build -ldflags="$ldflags" -o "$out/consumer$ext" ./examples/consumer &&
        echo "+ go test -c -ldflags='$ldflags' -o hftipc.test$ext ." &&
        go test -c -ldflags="$ldflags" -o "$out/hftipc.test$ext" . || return 1
    for f in "$out/consumer$ext" "$out/hftipc.test$ext"; do
        python3 "$root/scripts/lib/objformat.py" "$f" | tee "$out/format"
        grep -q ": $want-executable\$" "$out/format" || { echo "$f is not $want-executable"; return 1; }
    done
}

failed=0
for t in "${targets[@]}"; do
    start=$SECONDS
    if (build "$t") >"$tmp/$t.log" 2>&1; then
        echo "cross-go: $t: ok: vet, build ./..., a program and the test binary linked ($(grep -c -- '-executable$' "$tmp/$t.log") checked by header) ($((SECONDS - start)) s)"
    else
        failed=$((failed + 1))
        echo "cross-go: $t: FAILED ($((SECONDS - start)) s); its output:"
        sed 's/^/    | /' "$tmp/$t.log" | tail -n 40
    fi
done
echo "cross-go: $((${#targets[@]} - failed)) of ${#targets[@]} targets built"
[[ $failed -eq 0 ]]
