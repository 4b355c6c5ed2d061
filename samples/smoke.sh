#!/usr/bin/env bash
# Runs the smoke test of every sample in samples/ (each bounded in time by its own timeout)
# and fails if any fails. The C and Go programs are built once, first, into build-samples/.
#   samples/smoke.sh
set -uo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
SAMPLE_NAME=samples
source "$here/lib.sh"
(samples_build) || exit 1
failed=()
for s in "$here"/*/smoke.sh; do
    name="$(basename "$(dirname "$s")")"
    echo "-- sample $name"
    start=$SECONDS
    if bash "$s"; then
        echo "-- sample $name: ok ($((SECONDS - start)) s)"
    else
        echo "-- sample $name: FAILED ($((SECONDS - start)) s)"
        failed+=("$name")
    fi
done
if [[ ${#failed[@]} -ne 0 ]]; then
    echo "samples smoke: FAILED: ${failed[*]}"
    exit 1
fi
echo "samples smoke: ok"
