#!/usr/bin/env bash
# Compares the ABI of the freshly built shared library with the committed baseline
# (core/abi/libhftipc.abi, written by abidw from a RelWithDebInfo build). Any difference fails:
# an incompatible change always, an addition too until the baseline is updated on purpose in the
# same commit (scripts/update-abi-baseline.sh; procedure in docs/ABI.md).
#   check_abi.sh LIBRARY BASELINE HEADER_DIR
set -euo pipefail
lib="$1" baseline="$2" headers="$3"
if ! command -v abidiff >/dev/null 2>&1; then
  echo "abidiff not found: install abigail-tools (scripts/install-deps.sh does)" >&2
  exit 1
fi
current=$(mktemp --suffix=.abi)
trap 'rm -f "$current"' EXIT
abidw --no-corpus-path --no-show-locs --drop-private-types --headers-dir "$headers" \
  --out-file "$current" "$lib"
set +e
report=$(abidiff --no-show-locs --headers-dir1 "$headers" --headers-dir2 "$headers" \
  "$baseline" "$current" 2>&1)
status=$?
set -e
if [ "$status" -eq 0 ]; then
  echo "abi: libhftipc matches the committed baseline ($(basename "$baseline"))"
  exit 0
fi
# abidiff's exit status is a bit set: 1 error, 2 usage, 4 ABI change, 8 incompatible change.
echo "$report"
if [ $((status & 8)) -ne 0 ]; then
  echo "abi: INCOMPATIBLE change against the baseline: this needs a new major version (docs/ABI.md)"
elif [ $((status & 4)) -ne 0 ]; then
  echo "abi: the ABI differs from the committed baseline (report above). A changed function or type"
  echo "     breaks existing callers and needs a new major version; a pure addition for a minor"
  echo "     release passes once scripts/update-abi-baseline.sh has rewritten the baseline in the"
  echo "     same commit (docs/ABI.md)."
else
  echo "abi: abidiff failed with status $status"
fi
exit 1
