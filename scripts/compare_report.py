#!/usr/bin/env python3
"""Writes docs/benchmarks.md from a bench_compare run (scripts/compare.sh calls it).

    compare_report.py --results results.json --check check.txt --load-before "..." --load-after "..."
                      [--notes bench/compare/NOTES.md] > docs/benchmarks.md

results.json is Google Benchmark's JSON output with repetitions (not aggregates only): the
medians, quartiles and extremes are taken over the repetitions here. Times are wall-clock
(real) medians unless a column says CPU.
"""

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys

# The targets of issue 6, item 5, checked against the same run.
TINY = ["2-3-1_batch1", "10-20-1_batch1"]
INFERENCE = "8-16-16-8_tanh_batch1"


def quartiles(values):
    if len(values) < 2:
        return values[0], values[0]
    q = statistics.quantiles(values, n=4, method="inclusive")
    return q[0], q[2]


def load_runs(path):
    with open(path) as f:
        data = json.load(f)
    runs = {}
    for b in data["benchmarks"]:
        if b.get("run_type") != "iteration":
            continue
        scale = {"ns": 1.0, "us": 1e3, "ms": 1e6, "s": 1e9}[b["time_unit"]]
        name = b["run_name"]
        entry = runs.setdefault(name, {"real": [], "cpu": [], "order": b.get("family_index", 0)})
        entry["real"].append(b["real_time"] * scale)
        entry["cpu"].append(b["cpu_time"] * scale)
    stats = {}
    for name, r in runs.items():
        q1, q3 = quartiles(r["real"])
        median = statistics.median(r["real"])
        stats[name] = {
            "median": median,
            "cpu": statistics.median(r["cpu"]),
            "iqr": (q3 - q1) / median,
            "min": min(r["real"]),
            "max": max(r["real"]),
            "n": len(r["real"]),
            "order": r["order"],
        }
    return data.get("context", {}), stats


def run(cmd):
    try:
        return subprocess.run(cmd, capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def machine(context, args, peers):
    cpu = "unknown"
    flags = set()
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name") and cpu == "unknown":
                cpu = line.split(":", 1)[1].strip()
            if line.startswith("flags") and not flags:
                flags = set(line.split(":", 1)[1].split())
    isa = [f for f in ("avx2", "fma", "avx512f", "avx512bw", "avx512vl", "avx512_bf16") if f in flags]
    caches = ", ".join(f"{c['type'].lower()} L{c['level']} {c['size'] // 1024} KiB"
                       + (f" (shared by {c['num_sharing']})" if c.get("num_sharing", 1) > 1 else "")
                       for c in context.get("caches", []))
    mem = "unknown"
    with open("/proc/meminfo") as f:
        for line in f:
            if line.startswith("MemTotal"):
                mem = f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
    os_name = "unknown"
    if os.path.exists("/etc/os-release"):
        with open("/etc/os-release") as f:
            for line in f:
                if line.startswith("PRETTY_NAME="):
                    os_name = line.split("=", 1)[1].strip().strip('"')
    lines = [
        f"- CPU: {cpu}, {context.get('num_cpus', os.cpu_count())} logical CPUs visible, "
        f"{context.get('mhz_per_cpu', '?')} MHz (as Google Benchmark reads it); {', '.join(isa)}",
        f"- caches: {caches or 'unknown'}; memory {mem}",
        f"- {os_name}, Linux {platform.release()}; {run(['g++', '--version']).splitlines()[0]}",
        "- build: preset `compare` (Release, `-O3 -march=native`), Google Benchmark "
        + run(["dpkg-query", "-W", "-f", "${Version}", "libbenchmark-dev"]),
    ]
    lines += [f"- peer: {p}" for p in peers]
    lines.append(f"- load average (1, 5, 15 min) before the run: {args.load_before}; after: {args.load_after}. "
                 "The machine is shared: a load above the core count means the timings include waiting.")
    return "\n".join(lines)


def fmt_ns(ns):
    if ns >= 1e6:
        return f"{ns / 1e6:.2f} ms"
    if ns >= 1e4:
        return f"{ns / 1e3:.1f} µs"
    return f"{ns:.0f} ns"


def workload_table(workload, stats):
    impls = [n.split("/", 1)[1] for n in stats if n.split("/", 1)[0] == workload]
    order = ["typegrad", "typegrad_2t", "plain_loop", "eigen", "eigen_fixed", "libtorch_1t", "libtorch_2t"]
    impls.sort(key=lambda i: order.index(i) if i in order else len(order))
    plain = stats.get(f"{workload}/plain_loop", {}).get("median")
    torch = stats.get(f"{workload}/libtorch_1t", {}).get("median")
    out = [f"### {workload}", "",
           "| implementation | median / step | CPU median | spread (IQR / median) | min – max | "
           "plain loop time / this | libtorch 1t time / this |",
           "| --- | ---: | ---: | ---: | --- | ---: | ---: |"]
    for impl in impls:
        s = stats[f"{workload}/{impl}"]
        vs_plain = f"{plain / s['median']:.2f}" if plain else "–"
        vs_torch = f"{torch / s['median']:.1f}" if torch else "–"
        name = f"**{impl}**" if impl.startswith("typegrad") else impl
        out.append(f"| {name} | {fmt_ns(s['median'])} | {fmt_ns(s['cpu'])} | {100 * s['iqr']:.1f} % | "
                   f"{fmt_ns(s['min'])} – {fmt_ns(s['max'])} | {vs_plain} | {vs_torch} |")
    return "\n".join(out)


def targets(stats, workloads):
    def med(w, i):
        return stats.get(f"{w}/{i}", {}).get("median")

    def cpu(w, i):
        return stats.get(f"{w}/{i}", {}).get("cpu")

    def both(w, peer, ratio):
        # On a loaded machine wall-clock time includes waiting for a core; a single-threaded
        # implementation's CPU time does not. (Not for libtorch_2t: CPU time is the main thread's.)
        def x(r):
            return f"{r:.0f}x" if r >= 100 else f"{r:.2f}x"
        if peer.endswith("_2t"):
            return x(ratio)
        return f"{x(ratio)} (CPU time: {x(cpu(w, peer) / cpu(w, 'typegrad'))})"

    rows = []

    def add(text, value, shown, met):
        rows.append(f"| {text} | {shown if value is not None else 'not measured'} | "
                    f"{'yes' if value is not None and met else '**no**'} |")

    for w in workloads:
        tg = med(w, "typegrad")
        peers = [n.split("/", 1)[1] for n in stats
                 if n.startswith(w + "/") and not n.split("/", 1)[1].startswith("typegrad")]
        fastest_peer = min(peers, key=lambda i: med(w, i)) if peers else None
        if tg is None or fastest_peer is None:
            continue
        ratio = med(w, fastest_peer) / tg
        add(f"{w}: typegrad faster than every peer", ratio,
            f"fastest peer {fastest_peer}: {both(w, fastest_peer, ratio)}", ratio > 1)
    for w in TINY:
        tg, torch, fixed = med(w, "typegrad"), med(w, "libtorch_1t"), med(w, "eigen_fixed")
        if tg and torch:
            add(f"{w}: at least 500x faster than libtorch (1 thread)", torch / tg, both(w, "libtorch_1t", torch / tg),
                torch / tg >= 500)
        if tg and fixed:
            add(f"{w}: faster than Eigen fixed-size", fixed / tg, both(w, "eigen_fixed", fixed / tg), fixed / tg > 1)
    w = "784-10-10_batch32"
    tg, eig = med(w, "typegrad"), med(w, "eigen")
    if tg and eig:
        add(f"{w}: faster than Eigen", eig / tg, both(w, "eigen", eig / tg), eig / tg > 1)
    w = "784-256-128-10_batch64"
    tg, torch, eig = med(w, "typegrad"), med(w, "libtorch_1t"), med(w, "eigen")
    if tg and torch:
        add(f"{w}: at least 1.9x libtorch (1 thread)", torch / tg, both(w, "libtorch_1t", torch / tg), torch / tg >= 1.9)
    if tg and eig:
        add(f"{w}: at least 1.3x Eigen (1 thread)", eig / tg, both(w, "eigen", eig / tg), eig / tg >= 1.3)
    tg2 = med(w, "typegrad_2t")
    if tg and tg2:
        add(f"{w}: typegrad on 2 threads at least 1.7x typegrad on 1 (one-thread time / two-thread time)", tg / tg2,
            f"{tg / tg2:.2f}x", tg / tg2 >= 1.7)
    tg, fixed = med(INFERENCE, "typegrad"), med(INFERENCE, "eigen_fixed")
    if tg and fixed:
        c = cpu(INFERENCE, "typegrad") / cpu(INFERENCE, "eigen_fixed")
        add(f"{INFERENCE}: at most 0.6x Eigen fixed-size latency (typegrad time / Eigen's)", tg / fixed,
            f"{tg / fixed:.2f}x (CPU time: {c:.2f}x)", tg / fixed <= 0.6)
    return "\n".join(["| target | measured: peer time / typegrad time, wall-clock medians (and CPU) | met (wall-clock) |",
                      "| --- | --- | --- |"] + rows)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--results", required=True)
    parser.add_argument("--check", required=True)
    parser.add_argument("--load-before", default="unknown")
    parser.add_argument("--load-after", default="unknown")
    parser.add_argument("--commit", default="unknown")
    parser.add_argument("--command", default="scripts/compare.sh")
    parser.add_argument("--notes")
    args = parser.parse_args()

    context, stats = load_runs(args.results)
    with open(args.check) as f:
        check = f.read().rstrip()
    peers = [line.split(":", 1)[1].strip() for line in check.splitlines() if line.startswith("peer:")]
    check_body = "\n".join(line for line in check.splitlines() if not line.startswith("peer:"))
    workloads = []  # in the program's order (random interleaving shuffles the output)
    for name in sorted(stats, key=lambda n: stats[n]["order"]):
        w = name.split("/", 1)[0]
        if w not in workloads:
            workloads.append(w)
    reps = max(s["n"] for s in stats.values()) if stats else 0

    print("# Benchmarks: typegrad against plain loops, Eigen and libtorch")
    print()
    print("<!-- Written by scripts/compare.sh (scripts/compare_report.py); edit those, not this file. -->")
    print()
    print(f"Measured at commit `{args.commit}` with `{args.command}`: `bench/compare/compare.cpp` built by the "
          f"`compare` preset, {reps} repetitions of each benchmark in random order "
          "(`--benchmark_enable_random_interleaving`). One *step* is a training step (forward, loss, backward and "
          "the optimiser's update) except for the inference workload (one forward of one row). Every "
          "implementation starts from the same data and initial weights; times are medians of the repetitions' "
          "wall-clock means; spread is the interquartile range over the median. The two ratio columns are "
          "speed-ups: above 1, this implementation is faster than the plain loop (or libtorch on one thread).")
    print()
    print("## Machine")
    print()
    print(machine(context, args, peers))
    print()
    print("## Results")
    print()
    for w in workloads:
        print(workload_table(w, stats))
        print()
    print("## Targets (issue 6, item 5)")
    print()
    print(targets(stats, workloads))
    print()
    print("## Agreement")
    print()
    print("Before timing, every implementation runs the same steps from the same state, and the losses "
          "(for inference, the outputs) are compared; the binary refuses to time a comparison that disagrees "
          "(`bench_compare --check` runs only this):")
    print()
    print("```")
    print(check_body)
    print("```")
    if args.notes:
        with open(args.notes) as f:
            print()
            print(f.read().rstrip())
    return 0


if __name__ == "__main__":
    sys.exit(main())
