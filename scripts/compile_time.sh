#!/usr/bin/env bash
# Compile time of one translation unit holding the 784-256-128-10 training step
# (bench/compile_step.cpp), with the exact command the default preset compiles it with (-O2 -g)
# and with the same command without -g: the median of 5 runs each, wall and CPU seconds.
# Issue 4's target is under 10 s.
#   scripts/compile_time.sh [runs]
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-5}
[ -f build/default/compile_commands.json ] || cmake --preset default > /dev/null
command=$(python3 - <<'PY'
import json, shlex
for entry in json.load(open("build/default/compile_commands.json")):
    if entry["file"].endswith("bench/compile_step.cpp"):
        args = shlex.split(entry["command"])
        out = args.index("-o")
        args[out + 1] = "/dev/null"
        print(entry["directory"] + "\n" + shlex.join(args))
        break
else:
    raise SystemExit("bench/compile_step.cpp is not in build/default/compile_commands.json")
PY
)
directory=$(head -1 <<< "$command")
preset=$(tail -1 <<< "$command")
# The preset builds with debug information (-g); a release build of a user's program may not.
release=$(sed 's/ -g / /' <<< "$preset")
(cd "$directory" && eval "$preset")  # once untimed: stops here if it does not compile, and warms the caches
TIMEFORMAT='%R %U %S'  # bash's own time: wall, user and system seconds
for variant in preset release; do
    compile=${!variant}
    echo "$variant: $compile"
    times=()
    for _ in $(seq "$runs"); do
        times+=("$( { time (cd "$directory" && eval "$compile"); } 2>&1 | tail -1)")
    done
    printf '%s\n' "${times[@]}" | python3 -c '
import statistics, sys
rows = [list(map(float, line.split())) for line in sys.stdin if line.strip()]
wall = statistics.median(r[0] for r in rows)
cpu = statistics.median(r[1] + r[2] for r in rows)
print(f"  median of {len(rows)}: {wall:.2f} s wall, {cpu:.2f} s CPU (each run, wall: " +
      ", ".join(f"{r[0]:.2f}" for r in rows) + ")")
'
done
