#!/usr/bin/env bash
# Configure, build and test typegrad with each CMake preset (CMakePresets.json).
#   scripts/test.sh                 presets: default, then asan
#   scripts/test.sh --preset NAME   only NAME
# Exits nonzero if any preset fails, after trying all of them, and says which.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

presets=(default asan)
while [[ $# -gt 0 ]]; do
  case "$1" in
    --preset)   [[ $# -ge 2 ]] || { echo "$0: --preset needs a name" >&2; exit 2; }
                presets=("$2"); shift 2 ;;
    --preset=*) presets=("${1#--preset=}"); shift ;;
    -h|--help)  sed -n '2,5p' "$0"; exit 0 ;;
    *)          echo "$0: unknown argument '$1'" >&2; exit 2 ;;
  esac
done

./scripts/deps.sh test

failed=()
summary=()
total_passed=0
total_failed=0
for preset in "${presets[@]}"; do
  echo "==== preset ${preset} ===="
  start=$SECONDS
  log="build/test-${preset}.log"
  mkdir -p build
  status=ok
  # The preset's cache variables switch tests back on if scripts/main.sh turned them off.
  if ! cmake --preset "$preset"; then
    status="configure failed"
  elif ! cmake --build --preset "$preset"; then
    status="build failed"
  elif ! ctest --preset "$preset" 2>&1 | tee "$log"; then
    status="tests failed"
  fi
  if [[ -f "$log" ]] && line=$(grep -E '^[0-9]+% tests passed, [0-9]+ tests? failed out of [0-9]+' "$log" | tail -n 1); then
    # "100% tests passed, 0 tests failed out of 12"
    n_failed=$(sed -E 's/.* ([0-9]+) tests? failed out of ([0-9]+).*/\1/' <<<"$line")
    n_total=$(sed -E 's/.* ([0-9]+) tests? failed out of ([0-9]+).*/\2/' <<<"$line")
    total_failed=$((total_failed + n_failed))
    total_passed=$((total_passed + n_total - n_failed))
  fi
  rm -f "$log"
  elapsed=$((SECONDS - start))
  summary+=("  ${preset}: ${status} (${elapsed} s)")
  if [[ "$status" != ok ]]; then
    echo "==== preset ${preset}: ${status} ====" >&2
    failed+=("$preset")
  fi
done

echo "==== summary ===="
printf '%s\n' "${summary[@]}"
if [[ ${#failed[@]} -gt 0 ]]; then
  echo "FAILED presets: ${failed[*]}" >&2
  echo "tests: ${total_passed} passed, ${total_failed} failed"
  exit 1
fi
echo "tests: ${total_passed} passed, ${total_failed} failed"
