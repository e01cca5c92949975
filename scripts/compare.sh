#!/usr/bin/env bash
# Compare typegrad with plain C++ loops, Eigen and libtorch, and write docs/benchmarks.md.
#   scripts/compare.sh [--repetitions N] [--min-time SECONDS] [--out FILE]
# Installs the peers (scripts/deps.sh compare: libeigen3-dev, libtorch-dev, ~200 MB), builds
# bench/compare with the `compare` preset (Release, -march=native; libtorch's translation unit
# takes ~20 s), checks that every implementation's losses agree, runs the benchmarks with
# repetitions in random order, and writes the report with the machine described. Not part of
# scripts/test.sh or CI. Run it on a machine that is otherwise idle: the report records the load.
set -euo pipefail
cd "$(dirname "$0")/.."

repetitions=12
min_time=0.3
out=docs/benchmarks.md
while [[ $# -gt 0 ]]; do
  case "$1" in
    --repetitions) repetitions=$2; shift 2 ;;
    --min-time) min_time=$2; shift 2 ;;
    --out) out=$2; shift 2 ;;
    *) echo "usage: $0 [--repetitions N] [--min-time SECONDS] [--out FILE]" >&2; exit 2 ;;
  esac
done

scripts/deps.sh compare
cmake --preset compare
cmake --build --preset compare

dir=build/compare
exe=$dir/bench/compare/bench_compare
"$exe" --check | tee "$dir/check.txt"

load_before=$(cut -d' ' -f1-3 /proc/loadavg)
"$exe" --benchmark_repetitions="$repetitions" --benchmark_min_time="$min_time" \
  --benchmark_enable_random_interleaving=true \
  --benchmark_out="$dir/results.json" --benchmark_out_format=json | tee "$dir/console.txt"
load_after=$(cut -d' ' -f1-3 /proc/loadavg)

commit=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)
if [[ -n "$(git status --porcelain --untracked-files=no 2>/dev/null)" ]]; then commit="$commit (with local changes)"; fi
mkdir -p "$(dirname "$out")"
python3 scripts/compare_report.py --results "$dir/results.json" --check "$dir/check.txt" \
  --load-before "$load_before" --load-after "$load_after" --commit "$commit" \
  --command "scripts/compare.sh --repetitions $repetitions --min-time $min_time" \
  --notes bench/compare/NOTES.md > "$out.tmp"
mv "$out.tmp" "$out"
echo "compare: wrote $out"
