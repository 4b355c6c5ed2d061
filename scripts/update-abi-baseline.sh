#!/usr/bin/env bash
# Rewrites the committed ABI baseline from a RelWithDebInfo build of the current tree. Run it
# only for an intended ABI change (an addition in a minor release, or a new major), and commit
# the new core/abi/libhftipc.abi together with that change (docs/ABI.md).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
bash scripts/install-deps.sh
cmake --preset default >/dev/null
cmake --build --preset default --target hftipc >/dev/null
mkdir -p core/abi
abidw --no-corpus-path --no-show-locs --drop-private-types --headers-dir core/include \
  --out-file core/abi/libhftipc.abi build/core/libhftipc.so
echo "wrote core/abi/libhftipc.abi: review it with git diff, then commit it with the change"
