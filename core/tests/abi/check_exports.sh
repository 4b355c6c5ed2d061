#!/usr/bin/env bash
# The shared library exports exactly the public API: the set of dynamic symbols equals the set of
# functions declared HFTIPC_API in the header, and every one is listed in the version script.
#   check_exports.sh LIBRARY HEADER VERSION_SCRIPT
set -euo pipefail
lib="$1" header="$2" map="$3"

# A Windows DLL (PE, "MZ"; the windows preset) has an export table, written from the version
# script's symbols (core/CMakeLists.txt), and no symbol versions.
pe=0
[[ "$(head -c 2 "$lib")" == MZ ]] && pe=1
if ((pe)); then
  exported=$(x86_64-w64-mingw32-objdump -p "$lib" |
    sed -n '/^\[Ordinal\/Name Pointer\] Table/,/^$/p' | sed -n 's/^\s*\[ *[0-9]*\] //p' | sort -u)
else
  exported=$(nm -D --defined-only "$lib" | awk '$2 ~ /^[TDBR]$/ {print $3}' | sed 's/@.*//' | sort -u)
fi
declared=$(grep -E '^HFTIPC_API ' "$header" | grep -oE 'hftipc_[a-z0-9_]+ *\(' | tr -d ' (' | sort -u)
listed=$(grep -E '^\s+hftipc_[a-z0-9_]+;' "$map" | tr -d ' \t;' | sort -u)

status=0
report() {
  local what="$1" list="$2"
  if [ -n "$list" ]; then
    echo "FAIL: $what:"
    echo "$list" | sed 's/^/  /'
    status=1
  fi
}
report "exported but not declared in the header (leak)" "$(comm -23 <(echo "$exported") <(echo "$declared"))"
report "declared in the header but not exported" "$(comm -13 <(echo "$exported") <(echo "$declared"))"
report "declared in the header but missing from the version script" "$(comm -13 <(echo "$listed") <(echo "$declared"))"
report "in the version script but not declared" "$(comm -23 <(echo "$listed") <(echo "$declared"))"
versioned=0
((pe)) || versioned=$(nm -D --defined-only "$lib" | awk '$2 == "T" {print $3}' | grep -vc '@@HFTIPC_' || true)
if [ "$versioned" != "0" ]; then
  echo "FAIL: $versioned exported functions carry no HFTIPC_ symbol version"
  status=1
fi
n=$(echo "$declared" | wc -l)
if [ "$status" -eq 0 ]; then
  if ((pe)); then
    echo "exports: $n public functions in the DLL's export table, no leaks (PE has no symbol versions)"
  else
    echo "exports: $n public functions, no leaks, all versioned"
  fi
fi
exit $status
