#pragma once
// A Google Benchmark console reporter that ends with the ratios a target is stated in: the median
// time of each measured implementation over the median of its baseline, from the same run.
//
//   int main(int argc, char** argv) {
//       return typegrad_bench::run(argc, argv, {{"gradient10/typegrad", "gradient10/hand_written"}});
//   }
//
// Runs with 9 repetitions unless --benchmark_repetitions is given, so that a median exists.
//
// When the run includes peak/fma (peak.hpp), the report also gives every benchmark that has a
// FLOP/s counter as a percent of peak/fma's FLOP/s, both medians of the same run (rates per CPU
// second, as Google Benchmark computes them).

#include <benchmark/benchmark.h>

#include <algorithm>
#include <cstdio>
#include <map>
#include <string>
#include <utility>
#include <vector>

namespace typegrad_bench {

struct comparison {
    std::string measured;
    std::string baseline;
};

class ratio_reporter : public benchmark::ConsoleReporter {
public:
    explicit ratio_reporter(std::vector<comparison> comparisons) : comparisons_(std::move(comparisons)) {}

    void ReportRuns(std::vector<Run> const& runs) override {
        for (Run const& run : runs)
            if (run.run_type == Run::RT_Aggregate && run.aggregate_name == "median") {
                medians_[run.run_name.str()] = run.GetAdjustedRealTime();
                if (auto const flops = run.counters.find("FLOP/s"); flops != run.counters.end())
                    flops_.emplace_back(run.run_name.str(), flops->second.value);
            }
        ConsoleReporter::ReportRuns(runs);
    }

    void Finalize() override {
        ConsoleReporter::Finalize();
        if (comparisons_.empty()) return;
        std::printf("\nratios of medians (measured / baseline; below 1 is faster than the baseline)\n");
        for (comparison const& c : comparisons_) {
            auto const m = medians_.find(c.measured);
            auto const b = medians_.find(c.baseline);
            if (m == medians_.end() || b == medians_.end()) {
                std::printf("  %-48s not measured in this run\n", c.measured.c_str());
                continue;
            }
            std::printf("  %-48s / %-40s = %.3f\n", c.measured.c_str(), c.baseline.c_str(), m->second / b->second);
        }
        auto const peak = std::find_if(flops_.begin(), flops_.end(), [](auto const& f) { return f.first == "peak/fma"; });
        if (peak == flops_.end() || flops_.size() < 2) return;
        std::printf("\npercent of peak/fma (median FLOP/s / peak/fma's median FLOP/s = %.1f G)\n", peak->second / 1e9);
        for (auto const& [name, flops] : flops_)
            if (name != peak->first) std::printf("  %-48s %6.1f %%\n", name.c_str(), 100.0 * flops / peak->second);
    }

private:
    std::vector<comparison> comparisons_;
    std::map<std::string, double> medians_;
    std::vector<std::pair<std::string, double>> flops_;  // in the order of the report
};

inline int run(int argc, char** argv, std::vector<comparison> comparisons) {
    std::vector<char*> args(argv, argv + argc);
    std::string repetitions = "--benchmark_repetitions=9";
    bool has_repetitions = false;
    for (int i = 1; i < argc; ++i)
        if (std::string(argv[i]).rfind("--benchmark_repetitions", 0) == 0) has_repetitions = true;
    if (!has_repetitions) args.push_back(repetitions.data());
    int count = static_cast<int>(args.size());
    benchmark::Initialize(&count, args.data());
    if (benchmark::ReportUnrecognizedArguments(count, args.data())) return 1;
    ratio_reporter reporter(std::move(comparisons));
    benchmark::RunSpecifiedBenchmarks(&reporter);
    benchmark::Shutdown();
    return 0;
}

}  // namespace typegrad_bench
