#!/usr/bin/env bash
# Install the Debian packages typegrad needs, idempotently.
#   scripts/deps.sh test          packages for building and testing (scripts/test.sh)
#   scripts/deps.sh main          packages for the main job (scripts/main.sh)
#   scripts/deps.sh bench         the test packages plus optional benchmark references
#   scripts/deps.sh compare       packages for the peer comparison (scripts/compare.sh)
#   scripts/deps.sh PKG [PKG...]  the named packages
# Only missing packages are installed; `apt-get update` runs only if something is missing.
# Runs apt-get as root, or through sudo when not root.
set -euo pipefail

# Build and test toolchain (the presets use the Ninja generator).
TYPEGRAD_TEST_PACKAGES=(
  cmake ninja-build g++
  libxsimd-dev libboost-dev catch2
  zlib1g-dev nlohmann-json3-dev libbenchmark-dev
  dataset-fashion-mnist
  python3-torch  # tests/io: checkpoints load into torch.nn.Sequential (run with /usr/bin/python3)
)
# The main job: the test toolchain minus catch2, plus what the examples read.
# Extend this list when the main job needs more.
TYPEGRAD_MAIN_PACKAGES=(
  cmake ninja-build g++
  libxsimd-dev libboost-dev
  zlib1g-dev nlohmann-json3-dev libbenchmark-dev
  dataset-fashion-mnist
)
# The peer comparison (bench/compare, scripts/compare.sh): the build toolchain and the peers.
# libtorch-dev (~200 MB with libtorch1.13) brings what its CMake package (TorchConfig.cmake ->
# Caffe2Config.cmake) looks for: gflags, glog and protobuf, as its own dependencies; python3 writes
# the report.
TYPEGRAD_COMPARE_PACKAGES=(
  cmake ninja-build g++
  libxsimd-dev libboost-dev
  zlib1g-dev nlohmann-json3-dev libbenchmark-dev
  libeigen3-dev libtorch-dev
  python3
)
# Benchmarks: the test toolchain plus the optional references bench/ compares with when found.
TYPEGRAD_BENCH_PACKAGES=(
  "${TYPEGRAD_TEST_PACKAGES[@]}"
  libopenblas-dev  # bench/tensor_gemm: cblas_sgemm as a GEMM reference
)

if [[ $# -eq 0 ]]; then
  echo "usage: $0 test|main|bench|compare|PACKAGE..." >&2
  exit 2
fi
case "$1" in
  test) [[ $# -eq 1 ]] || { echo "$0: 'test' takes no further arguments" >&2; exit 2; }
        packages=("${TYPEGRAD_TEST_PACKAGES[@]}") ;;
  main) [[ $# -eq 1 ]] || { echo "$0: 'main' takes no further arguments" >&2; exit 2; }
        packages=("${TYPEGRAD_MAIN_PACKAGES[@]}") ;;
  bench) [[ $# -eq 1 ]] || { echo "$0: 'bench' takes no further arguments" >&2; exit 2; }
        packages=("${TYPEGRAD_BENCH_PACKAGES[@]}") ;;
  compare) [[ $# -eq 1 ]] || { echo "$0: 'compare' takes no further arguments" >&2; exit 2; }
        packages=("${TYPEGRAD_COMPARE_PACKAGES[@]}") ;;
  *)    packages=("$@") ;;
esac

missing=()
for pkg in "${packages[@]}"; do
  status=$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null || true)
  if [[ "$status" != "install ok installed" ]]; then
    missing+=("$pkg")
  fi
done

if [[ ${#missing[@]} -eq 0 ]]; then
  echo "deps: all ${#packages[@]} packages present"
  exit 0
fi

if [[ $(id -u) -eq 0 ]]; then
  as_root=()
elif command -v sudo >/dev/null 2>&1; then
  as_root=(sudo)
else
  echo "deps: missing packages (${missing[*]}); run as root or install sudo" >&2
  exit 1
fi

echo "deps: installing ${missing[*]}"
"${as_root[@]}" apt-get update
"${as_root[@]}" env DEBIAN_FRONTEND=noninteractive \
  apt-get install -y --no-install-recommends "${missing[@]}"
