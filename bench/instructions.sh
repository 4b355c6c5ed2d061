#!/usr/bin/env bash
# Instructions per message on each hot path, counted by callgrind (repeatable, unlike timings on
# a shared VM; perf hardware counters do not work here). Builds bench/instructions.c against the
# static library of each LIBDIR given (default: this tree's release build) and prints one table,
# so two builds of the core can be compared side by side (docs/BENCHMARKS.md).
#   bench/instructions.sh [INCLUDEDIR:LIBDIR ...]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
command -v valgrind >/dev/null || { echo "instructions.sh: needs valgrind (apt-get install valgrind)" >&2; exit 1; }
if [ $# -eq 0 ]; then
  cmake --preset release >/dev/null && cmake --build --preset release >/dev/null
  set -- "$root/core/include:$root/build-release/core"
fi
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
ir() { # binary path size count -> total instructions
  valgrind --tool=callgrind --callgrind-out-file="$work/cg.out" "$1" "$2" "$3" "$4" >/dev/null 2>"$work/cg.err" ||
    { cat "$work/cg.err" >&2; exit 1; }
  awk '/^summary:/ {print $2}' "$work/cg.out"
}
printf '| path | size |'
for spec in "$@"; do printf ' %s |' "$(basename "$(dirname "${spec#*:}")")"; done
printf '\n|---|---:|'
for _ in "$@"; do printf -- '---:|'; done
printf '\n'
n=0
for spec in "$@"; do
  n=$((n + 1))
  gcc -O2 -I "${spec%%:*}" "$root/bench/instructions.c" "${spec#*:}/libhftipc.a" -o "$work/h$n"
done
for path in send batch claim drain; do
  for size in 8 64 512; do
    printf '| %s | %s |' "$path" "$size"
    for i in $(seq 1 $n); do
      a=$(ir "$work/h$i" "$path" "$size" 64000)
      b=$(ir "$work/h$i" "$path" "$size" 128000)
      awk -v a="$a" -v b="$b" 'BEGIN { printf " %.1f |", (b - a) / 64000 }'
    done
    printf '\n'
  done
done
