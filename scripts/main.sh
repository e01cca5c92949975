#!/usr/bin/env bash
# The main job: install what it needs, build the main example with the `default` preset, run it.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

# The example that is the main job: examples/${MAIN_EXAMPLE}.cpp -> build/default/examples/${MAIN_EXAMPLE}
MAIN_EXAMPLE=fashion_mnist

if [[ ! -f "examples/${MAIN_EXAMPLE}.cpp" ]]; then
  echo "main: examples/${MAIN_EXAMPLE}.cpp does not exist" >&2
  exit 1
fi

./scripts/deps.sh main

# Tests are off here: the main job does not install Catch2. (scripts/test.sh turns them back on.)
cmake --preset default -DTYPEGRAD_BUILD_TESTS=OFF -DTYPEGRAD_BUILD_EXAMPLES=ON
cmake --build --preset default --target "$MAIN_EXAMPLE"

exe="build/default/examples/${MAIN_EXAMPLE}"
if [[ ! -x "$exe" ]]; then
  echo "main: ${exe} was not built (is examples/${MAIN_EXAMPLE}.cpp listed in examples/CMakeLists.txt?)" >&2
  exit 1
fi
exec "$exe" "$@"
