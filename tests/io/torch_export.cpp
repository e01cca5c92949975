// The typegrad half of the PyTorch interoperability test (tests/io/torch_load.py is the other).
//
//   test_io_torch_export DIR export   for each case below: a seeded network saved as
//                                     DIR/<case>.safetensors, an input and the network's output
//                                     on it as raw little-endian values (<case>.input.bin,
//                                     <case>.output.bin), and DIR/cases.json describing them; for
//                                     a case trained before the export, also the network before
//                                     training (<case>.initial.safetensors) and its training
//                                     batches (<case>.train_inputs.bin)
//   test_io_torch_export DIR verify   for each case: loads DIR/<case>.torch.safetensors (written by
//                                     torch_load.py from a torch.nn.Sequential of its own) into the
//                                     typegrad network and compares its output on the same input
//                                     with torch's (DIR/<case>.torch_output.bin)
//
// Exits 0 when every case passes, 1 with a message otherwise.

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <exception>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <random>
#include <stdexcept>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include <nlohmann/json.hpp>

#include <typegrad/io/safetensors.hpp>
#include <typegrad/nn/activation.hpp>
#include <typegrad/nn/batch_norm.hpp>
#include <typegrad/nn/dense.hpp>
#include <typegrad/nn/dropout.hpp>
#include <typegrad/nn/forward.hpp>
#include <typegrad/nn/init.hpp>
#include <typegrad/nn/sequential.hpp>
#include <typegrad/tensor/matrix.hpp>

namespace tg = typegrad;
namespace fs = std::filesystem;

namespace {

constexpr std::size_t rows = 5;

using mlp_t = tg::nn::sequential<tg::nn::dense<4, 8>, tg::nn::relu, tg::nn::dense<8, 3>>;
using mlp64_t = tg::nn::rebind_t<mlp_t, double>;
// One output (a [1, 5] weight, as nn.Linear(5, 1)'s) and a last layer without parameters.
using one_output_t = tg::nn::sequential<tg::nn::dense<3, 5>, tg::nn::tanh, tg::nn::dense<5, 1>, tg::nn::sigmoid>;
// Regularisers, compared in eval mode: batch_norm's running statistics (and num_batches_tracked)
// after a few training passes, and dropout, which inference passes through.
using regularised_t = tg::nn::sequential<tg::nn::dense<4, 6>, tg::nn::batch_norm<6>, tg::nn::relu,
                                         tg::nn::dropout<0.5>, tg::nn::dense<6, 3>>;
using regularised64_t = tg::nn::rebind_t<regularised_t, double>;

template <class T>
void write_values(fs::path const& p, T const* values, std::size_t n) {
    static_assert(std::endian::native == std::endian::little, "this test writes raw little-endian values");
    std::ofstream out(p, std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<char const*>(values), static_cast<std::streamsize>(n * sizeof(T)));
    if (!out) throw std::runtime_error("cannot write " + p.string());
}

template <class T>
void append_values(fs::path const& p, T const* values, std::size_t n) {
    std::ofstream out(p, std::ios::binary | std::ios::app);
    out.write(reinterpret_cast<char const*>(values), static_cast<std::streamsize>(n * sizeof(T)));
    if (!out) throw std::runtime_error("cannot write " + p.string());
}

template <class T>
std::vector<T> read_values(fs::path const& p) {
    std::ifstream in(p, std::ios::binary);
    if (!in) throw std::runtime_error("cannot read " + p.string());
    std::vector<char> bytes{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
    if (bytes.size() % sizeof(T) != 0) throw std::runtime_error(p.string() + ": size is not a multiple of the dtype");
    std::vector<T> values(bytes.size() / sizeof(T));
    std::memcpy(values.data(), bytes.data(), bytes.size());
    return values;
}

template <class Net>
tg::matrix<typename Net::value_type, Net::in_features> input(std::uint64_t seed) {
    std::mt19937_64 engine(seed);
    std::uniform_real_distribution<double> value(-2.0, 2.0);
    tg::matrix<typename Net::value_type, Net::in_features> x(rows);
    for (std::size_t i = 0; i < x.size(); ++i) x.data()[i] = static_cast<typename Net::value_type>(value(engine));
    return x;
}

template <class Net>
struct test_case {
    std::string name;
    nlohmann::json layers;  // for torch_load.py: ["linear", in, out], ["batch_norm", n], ["dropout", p],
                            // ["relu"], ["tanh"], ["sigmoid"]
    std::uint64_t seed;
    double tolerance;       // max |typegrad - torch| over the outputs
    // Training passes before the export, so that running statistics move and num_batches_tracked
    // counts them. torch_load.py checks the count it loads, and saves its own network's as
    // training_passes + 1, which verify() checks in turn.
    std::int64_t training_passes = 0;

    static constexpr std::string_view dtype = sizeof(typename Net::value_type) == 4 ? "F32" : "F64";

    nlohmann::json describe() const {
        return {{"name", name},
                {"dtype", dtype},
                {"layers", layers},
                {"rows", rows},
                {"in_features", Net::in_features},
                {"out_features", Net::out_features},
                {"tolerance", tolerance},
                {"num_batches_tracked", training_passes}};
    }

    void export_to(fs::path const& dir) const {
        Net net;
        tg::init::initialize(net, tg::init::he_uniform{}, seed);
        // initialize leaves one-row parameters (biases; here also dense<5, 1>'s weight) at zero:
        // give them values too, so that the test sees them arrive.
        std::mt19937_64 engine(seed + 1);
        std::uniform_real_distribution<double> value(-0.5, 0.5);
        net.for_each_parameter([&](std::size_t, std::string_view, auto& m) {
            if (m.rows() != 1) return;
            using T = typename std::remove_cvref_t<decltype(m)>::value_type;
            for (std::size_t i = 0; i < m.size(); ++i) m.data()[i] = static_cast<T>(value(engine));
        });
        if (training_passes > 0) {
            // The network before training and the batches it trains on, for torch to repeat the
            // passes and compare the running statistics it gets with these.
            tg::io::save(net, dir / (name + ".initial.safetensors"));
            std::ofstream(dir / (name + ".train_inputs.bin"), std::ios::binary | std::ios::trunc);  // emptied
        }
        for (std::int64_t pass = 0; pass < training_passes; ++pass) {
            auto const batch = input<Net>(seed + 10 + static_cast<std::uint64_t>(pass));
            append_values(dir / (name + ".train_inputs.bin"), batch.data(), batch.size());
            (void)tg::nn::forward_train(net, batch);
        }
        auto const x = input<Net>(seed + 2);
        auto const y = tg::nn::forward(net, x);
        tg::io::save(net, dir / (name + ".safetensors"));
        write_values(dir / (name + ".input.bin"), x.data(), x.size());
        write_values(dir / (name + ".output.bin"), y.data(), y.size());
    }

    /// Empty when torch's network, loaded here, gives torch's output; otherwise what differs.
    std::string verify(fs::path const& dir) const {
        Net net;
        tg::io::load(net, dir / (name + ".torch.safetensors"));
        auto const x = input<Net>(seed + 2);
        auto const y = tg::nn::forward(net, x);
        auto const expected = read_values<typename Net::value_type>(dir / (name + ".torch_output.bin"));
        if (expected.size() != y.size())
            return name + ": torch's output has " + std::to_string(expected.size()) + " values, typegrad's " +
                   std::to_string(y.size());
        double worst = 0;
        for (std::size_t i = 0; i < y.size(); ++i)
            worst = std::max(worst, std::abs(static_cast<double>(y.data()[i]) - static_cast<double>(expected[i])));
        std::cout << name << ": torch's network loaded into typegrad, max |difference| " << worst << " (tolerance "
                  << tolerance << ")\n";
        if (!(worst < tolerance)) return name + ": outputs differ by up to " + std::to_string(worst);
        std::string counters;
        net.for_each_buffer([&](std::size_t layer, std::string_view buffer, auto const& b) {
            if constexpr (std::is_same_v<std::remove_cvref_t<decltype(b)>, std::int64_t>)
                if (b != training_passes + 1)
                    counters += name + ": " + std::to_string(layer) + "." + std::string(buffer) + " is " +
                                std::to_string(b) + ", torch saved " + std::to_string(training_passes + 1) + "\n";
        });
        return counters;
    }
};

}  // namespace

int main(int argc, char** argv) {
    if (argc != 3 || (std::string_view(argv[2]) != "export" && std::string_view(argv[2]) != "verify")) {
        std::cerr << "usage: " << argv[0] << " DIR export|verify\n";
        return 2;
    }
    fs::path const dir = argv[1];
    bool const exporting = std::string_view(argv[2]) == "export";
    try {
        test_case<mlp_t> const mlp{"mlp_f32", {{"linear", 4, 8}, {"relu"}, {"linear", 8, 3}}, 42, 1e-5};
        test_case<mlp64_t> const mlp64{"mlp_f64", {{"linear", 4, 8}, {"relu"}, {"linear", 8, 3}}, 43, 1e-12};
        test_case<one_output_t> const one{
            "one_output_f32", {{"linear", 3, 5}, {"tanh"}, {"linear", 5, 1}, {"sigmoid"}}, 44, 1e-5};
        nlohmann::json const regularised_layers = {
            {"linear", 4, 6}, {"batch_norm", 6}, {"relu"}, {"dropout", 0.5}, {"linear", 6, 3}};
        test_case<regularised_t> const reg{"regularised_f32", regularised_layers, 45, 1e-5, 3};
        test_case<regularised64_t> const reg64{"regularised_f64", regularised_layers, 46, 1e-12, 4};

        if (exporting) {
            fs::create_directories(dir);
            mlp.export_to(dir);
            mlp64.export_to(dir);
            one.export_to(dir);
            reg.export_to(dir);
            reg64.export_to(dir);
            std::ofstream manifest(dir / "cases.json", std::ios::trunc);
            manifest << nlohmann::json::array(
                            {mlp.describe(), mlp64.describe(), one.describe(), reg.describe(), reg64.describe()})
                            .dump(2)
                     << "\n";
            if (!manifest) throw std::runtime_error("cannot write " + (dir / "cases.json").string());
            std::cout << "exported 5 networks to " << dir << "\n";
            return 0;
        }
        std::string failures;
        for (auto const& failure : {mlp.verify(dir), mlp64.verify(dir), one.verify(dir), reg.verify(dir), reg64.verify(dir)})
            if (!failure.empty()) failures += failure + "\n";
        if (!failures.empty()) {
            std::cerr << "FAILED:\n" << failures;
            return 1;
        }
        std::cout << "torch's networks load into typegrad and give torch's outputs\n";
        return 0;
    } catch (std::exception const& e) {
        std::cerr << "FAILED: " << e.what() << "\n";
        return 1;
    }
}
