// Checkpoints (io/safetensors.hpp): a bit-exact round trip in float and double, the file's layout
// read back independently of the library (length, JSON names, dtypes, shapes, offsets, bytes),
// atomic saves that leave an existing file and no temporary behind when they fail, and every way
// a load can fail: each names the problem, and each leaves the network exactly as it was.

#include <catch2/catch.hpp>

#include <algorithm>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <limits>
#include <random>
#include <set>
#include <string>
#include <type_traits>
#include <vector>

#include <nlohmann/json.hpp>

#include <typegrad/error.hpp>
#include <typegrad/io/safetensors.hpp>
#include <typegrad/nn/activation.hpp>
#include <typegrad/nn/batch_norm.hpp>
#include <typegrad/nn/dense.hpp>
#include <typegrad/nn/dropout.hpp>
#include <typegrad/nn/sequential.hpp>

#if defined(__unix__) || defined(__APPLE__)
#include <csignal>
#include <sys/resource.h>
#define IO_TEST_HAS_RLIMIT 1
#else
#define IO_TEST_HAS_RLIMIT 0
#endif

namespace tg = typegrad;
namespace fs = std::filesystem;
using json = nlohmann::ordered_json;
using Catch::Contains;

namespace {

using net_t = tg::nn::sequential<tg::nn::dense<4, 8>, tg::nn::relu, tg::nn::dense<8, 3>>;
using net64_t = tg::nn::rebind_t<net_t, double>;
// The same widths without the activation: names 0.*, 1.* instead of 0.*, 2.*.
using no_activation_t = tg::nn::sequential<tg::nn::dense<4, 8>, tg::nn::dense<8, 3>>;
// Only the first layer: the file's 2.* are unexpected.
using first_layer_t = tg::nn::sequential<tg::nn::dense<4, 8>>;
// Two outputs instead of three: 2.weight is [2, 8], 2.bias [2].
using two_outputs_t = tg::nn::sequential<tg::nn::dense<4, 8>, tg::nn::relu, tg::nn::dense<8, 2>>;
// One output, and a last layer without parameters.
using one_output_t = tg::nn::sequential<tg::nn::dense<4, 8>, tg::nn::tanh, tg::nn::dense<8, 1>, tg::nn::sigmoid>;

/// A fresh directory under the system's temporary directory, removed with everything in it.
class temp_dir {
public:
    temp_dir() {
        std::random_device device;
        for (int attempt = 0;; ++attempt) {
            path_ = fs::temp_directory_path() / ("typegrad-io-test-" + std::to_string(device()));
            if (fs::create_directory(path_)) break;
            if (attempt == 100) throw std::runtime_error("cannot create a temporary directory");
        }
    }
    temp_dir(temp_dir const&) = delete;
    temp_dir& operator=(temp_dir const&) = delete;
    ~temp_dir() {
        std::error_code ec;
        fs::remove_all(path_, ec);
    }
    fs::path const& path() const { return path_; }
    fs::path operator/(char const* name) const { return path_ / name; }

    std::set<std::string> entries() const {
        std::set<std::string> names;
        for (auto const& e : fs::directory_iterator(path_)) names.insert(e.path().filename().string());
        return names;
    }

private:
    fs::path path_;
};

std::vector<unsigned char> read_bytes(fs::path const& p) {
    std::ifstream in(p, std::ios::binary);
    REQUIRE(in);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

void write_bytes(fs::path const& p, std::vector<unsigned char> const& bytes) {
    std::ofstream out(p, std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<char const*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
    REQUIRE(out);
}

/// A safetensors file taken apart by hand, without the library.
struct parsed_file {
    std::uint64_t header_length = 0;
    std::string header_text;
    json header;
    std::vector<unsigned char> data;
};

parsed_file parse_file(fs::path const& p) {
    auto const bytes = read_bytes(p);
    REQUIRE(bytes.size() >= 8);
    parsed_file f;
    for (int i = 7; i >= 0; --i) f.header_length = (f.header_length << 8) | bytes[static_cast<std::size_t>(i)];
    REQUIRE(8 + f.header_length <= bytes.size());
    f.header_text.assign(bytes.begin() + 8, bytes.begin() + 8 + static_cast<std::ptrdiff_t>(f.header_length));
    f.header = json::parse(f.header_text);
    f.data.assign(bytes.begin() + 8 + static_cast<std::ptrdiff_t>(f.header_length), bytes.end());
    return f;
}

/// A file from a header (any text) and data, as another writer might produce it.
void write_file(fs::path const& p, std::string const& header_text, std::vector<unsigned char> const& data) {
    std::vector<unsigned char> bytes(8);
    for (std::size_t i = 0; i < 8; ++i) bytes[i] = static_cast<unsigned char>((header_text.size() >> (8 * i)) & 0xFF);
    bytes.insert(bytes.end(), header_text.begin(), header_text.end());
    bytes.insert(bytes.end(), data.begin(), data.end());
    write_bytes(p, bytes);
}

/// Rewrites a saved file with its header changed by `edit` (and its data by `edit_data`).
template <class Edit, class EditData = void (*)(std::vector<unsigned char>&)>
void rewrite(fs::path const& p, Edit edit, EditData edit_data = [](std::vector<unsigned char>&) {}) {
    auto f = parse_file(p);
    edit(f.header);
    edit_data(f.data);
    write_file(p, f.header.dump(), f.data);
}

/// Every parameter filled with distinct values from `seed`, biases included, plus values that a
/// lossy round trip would change: signed zero, the smallest subnormal, infinity, a NaN payload.
template <class Net>
void fill(Net& net, std::uint64_t seed) {
    std::mt19937_64 engine(seed);
    std::uniform_real_distribution<double> value(-1.0, 1.0);
    net.for_each_parameter([&](std::size_t, std::string_view, auto& m) {
        using T = typename std::remove_cvref_t<decltype(m)>::value_type;
        for (std::size_t i = 0; i < m.size(); ++i) m.data()[i] = static_cast<T>(value(engine));
    });
    auto& w = net.template layer<0>().template get<"weight">();
    using T = typename std::remove_cvref_t<decltype(w)>::value_type;
    using U = std::conditional_t<sizeof(T) == 4, std::uint32_t, std::uint64_t>;
    w(0, 0) = T(-0.0);
    w(0, 1) = std::numeric_limits<T>::denorm_min();
    w(0, 2) = -std::numeric_limits<T>::infinity();
    w(0, 3) = std::bit_cast<T>(std::bit_cast<U>(std::numeric_limits<T>::quiet_NaN()) | U(0x2A));
}

/// The bytes of every parameter, in order: equal snapshots mean bit-identical parameters.
template <class Net>
std::vector<std::vector<unsigned char>> snapshot(Net const& net) {
    std::vector<std::vector<unsigned char>> out;
    net.for_each_parameter([&](std::size_t, std::string_view, auto const& m) {
        auto const* p = reinterpret_cast<unsigned char const*>(m.data());
        out.emplace_back(p, p + m.size() * sizeof(*m.data()));
    });
    return out;
}

template <class T>
std::vector<unsigned char> little_endian_bytes(T const* values, std::size_t n) {
    std::vector<unsigned char> out;
    for (std::size_t i = 0; i < n; ++i) {
        auto u = std::bit_cast<std::conditional_t<sizeof(T) == 4, std::uint32_t, std::uint64_t>>(values[i]);
        for (std::size_t b = 0; b < sizeof(T); ++b) out.push_back(static_cast<unsigned char>((u >> (8 * b)) & 0xFF));
    }
    return out;
}

}  // namespace

/// load(net, path) must throw a tg::error whose message contains `text`, and leave net unchanged.
#define REQUIRE_LOAD_FAILS(net, path, text)                                             \
    do {                                                                                \
        auto const io_test_before_ = snapshot(net);                                     \
        CHECK_THROWS_AS(tg::io::load(net, path), tg::error);                            \
        CHECK_THROWS_WITH(tg::io::load(net, path), Contains(text));                     \
        CHECK_THROWS_WITH(tg::io::load(net, path), Contains((path).string()));          \
        CHECK(snapshot(net) == io_test_before_);                                        \
    } while (false)

// ---- round trip and layout ---------------------------------------------------------------------

TEMPLATE_TEST_CASE("save then load restores every parameter bit for bit", "[io][safetensors]", float, double) {
    temp_dir dir;
    tg::nn::rebind_t<net_t, TestType> saved, loaded;
    fill(saved, 1);
    fill(loaded, 2);
    REQUIRE(snapshot(saved) != snapshot(loaded));

    tg::io::save(saved, dir / "net.safetensors");
    tg::io::load(loaded, dir / "net.safetensors");
    CHECK(snapshot(loaded) == snapshot(saved));
    CHECK(dir.entries() == std::set<std::string>{"net.safetensors"});
}

TEMPLATE_TEST_CASE("the file is safetensors with PyTorch's names, dtypes and shapes", "[io][safetensors]", float,
                   double) {
    temp_dir dir;
    tg::nn::rebind_t<net_t, TestType> net;
    fill(net, 3);
    tg::io::save(net, dir / "net.safetensors");

    auto const f = parse_file(dir / "net.safetensors");
    CHECK(f.header_length == f.header_text.size());
    CHECK(f.header_length % 8 == 0);  // padded with spaces, so the data starts 8-byte aligned
    CHECK(f.header_text.front() == '{');
    CHECK(f.header_text.find_last_not_of(' ') == f.header_text.find_last_of('}'));

    std::string const dtype = sizeof(TestType) == 4 ? "F32" : "F64";
    std::uint64_t const s = sizeof(TestType);
    std::vector<std::string> keys;
    for (auto const& [key, value] : f.header.items()) keys.push_back(key);
    CHECK(keys == std::vector<std::string>{"__metadata__", "0.weight", "0.bias", "2.weight", "2.bias"});
    CHECK(f.header["__metadata__"] == json{{"format", "pt"}});

    struct expected {
        char const* name;
        std::vector<std::uint64_t> shape;
        std::uint64_t begin, end;
    };
    std::vector<expected> const tensors = {
        {"0.weight", {8, 4}, 0, 32 * s},
        {"0.bias", {8}, 32 * s, 40 * s},
        {"2.weight", {3, 8}, 40 * s, 64 * s},
        {"2.bias", {3}, 64 * s, 67 * s},
    };
    for (auto const& t : tensors) {
        INFO(t.name);
        json const& entry = f.header[t.name];
        CHECK(entry["dtype"] == dtype);
        CHECK(entry["shape"].get<std::vector<std::uint64_t>>() == t.shape);
        CHECK(entry["data_offsets"].get<std::vector<std::uint64_t>>() == std::vector<std::uint64_t>{t.begin, t.end});
    }
    REQUIRE(f.data.size() == 67 * s);  // no gap, nothing after the last tensor

    // The data: each parameter's values, row-major and little-endian, in that order.
    std::vector<unsigned char> values;
    net.for_each_parameter([&](std::size_t, std::string_view, auto const& m) {
        auto const bytes = little_endian_bytes(m.data(), m.size());
        values.insert(values.end(), bytes.begin(), bytes.end());
    });
    CHECK(f.data == values);
    // Spot checks in PyTorch's layout: weight [out, in] row-major, bias [out].
    auto const at = [&](std::uint64_t offset) {
        TestType v;
        std::memcpy(&v, f.data.data() + offset, sizeof v);  // the test machine is little-endian
        return v;
    };
    STATIC_REQUIRE(std::endian::native == std::endian::little);
    CHECK(at((40 + 1 * 8 + 5) * s) == net.template layer<2>().weight(1, 5));
    CHECK(at((64 + 2) * s) == net.template layer<2>().bias(2));
}

TEST_CASE("a dense layer with one output keeps a 2-D weight, as nn.Linear(8, 1) does", "[io][safetensors]") {
    temp_dir dir;
    one_output_t net, loaded;
    fill(net, 4);
    tg::io::save(net, dir / "net.safetensors");
    auto const f = parse_file(dir / "net.safetensors");
    CHECK(f.header["2.weight"]["shape"] == json::array({1, 8}));
    CHECK(f.header["2.bias"]["shape"] == json::array({1}));
    CHECK(f.header.size() == 5);  // metadata and 0.*, 2.*: the activations count but hold nothing
    tg::io::load(loaded, dir / "net.safetensors");
    CHECK(snapshot(loaded) == snapshot(net));
}

TEST_CASE("load accepts any tensor order and no metadata, as other writers produce them", "[io][safetensors]") {
    temp_dir dir;
    net_t net, loaded;
    fill(net, 5);
    tg::io::save(net, dir / "ours.safetensors");
    auto const ours = parse_file(dir / "ours.safetensors");

    // Tensors stored in the order of their names (as the reference writer does) and the header's
    // keys in yet another order, unpadded, without __metadata__.
    std::vector<std::string> const stored = {"0.bias", "0.weight", "2.bias", "2.weight"};
    json header = json::object();
    std::vector<unsigned char> data;
    for (auto const& name : stored) {
        auto const& entry = ours.header[name];
        auto const offsets = entry["data_offsets"].get<std::vector<std::size_t>>();
        std::uint64_t const begin = data.size();
        data.insert(data.end(), ours.data.begin() + static_cast<std::ptrdiff_t>(offsets[0]),
                    ours.data.begin() + static_cast<std::ptrdiff_t>(offsets[1]));
        header[name] = {{"data_offsets", json::array({begin, data.size()})},
                        {"shape", entry["shape"]},
                        {"dtype", entry["dtype"]}};
    }
    json reordered = json::object();
    for (auto const* name : {"2.weight", "0.bias", "2.bias", "0.weight"}) reordered[name] = header[name];
    write_file(dir / "theirs.safetensors", reordered.dump(), data);

    tg::io::load(loaded, dir / "theirs.safetensors");
    CHECK(snapshot(loaded) == snapshot(net));
}

TEST_CASE("buffers follow the parameters under BatchNorm1d's names, the counter as a scalar I64",
          "[io][safetensors]") {
    using bn_net_t =
        tg::nn::sequential<tg::nn::dense<4, 3>, tg::nn::batch_norm<3>, tg::nn::dropout<0.5>, tg::nn::dense<3, 2>>;
    temp_dir dir;
    bn_net_t net, loaded;
    fill(net, 20);
    fill(loaded, 21);
    auto& b = net.buffers<1>();
    for (std::size_t c = 0; c < 3; ++c) {
        b.get<"running_mean">()(0, c) = 0.25f * static_cast<float>(c) - 0.3f;
        b.get<"running_var">()(0, c) = 1.5f + static_cast<float>(c);
    }
    b.get<"num_batches_tracked">() = 0x0102030405060708;  // every byte distinct: the order shows
    fs::path const file = dir / "net.safetensors";
    tg::io::save(net, file);

    auto const f = parse_file(file);
    std::vector<std::string> keys;
    for (auto const& [key, value] : f.header.items()) keys.push_back(key);
    CHECK(keys == std::vector<std::string>{"__metadata__", "0.weight", "0.bias", "1.weight", "1.bias",
                                           "1.running_mean", "1.running_var", "1.num_batches_tracked", "3.weight",
                                           "3.bias"});
    for (auto const* name : {"1.weight", "1.bias", "1.running_mean", "1.running_var"}) {
        INFO(name);
        CHECK(f.header[name]["shape"] == json::array({3}));
        CHECK(f.header[name]["dtype"] == "F32");
    }
    auto const& counter = f.header["1.num_batches_tracked"];
    CHECK(counter["dtype"] == "I64");
    CHECK(counter["shape"] == json::array());
    auto const offsets = counter["data_offsets"].get<std::vector<std::size_t>>();
    REQUIRE(offsets[1] - offsets[0] == 8);
    CHECK(std::vector<unsigned char>(f.data.begin() + static_cast<std::ptrdiff_t>(offsets[0]),
                                     f.data.begin() + static_cast<std::ptrdiff_t>(offsets[1])) ==
          std::vector<unsigned char>{8, 7, 6, 5, 4, 3, 2, 1});

    tg::io::load(loaded, file);
    CHECK(snapshot(loaded) == snapshot(net));
    auto const& l = loaded.buffers<1>();
    for (std::size_t c = 0; c < 3; ++c) {
        CHECK(l.get<"running_mean">()(0, c) == b.get<"running_mean">()(0, c));
        CHECK(l.get<"running_var">()(0, c) == b.get<"running_var">()(0, c));
    }
    CHECK(l.get<"num_batches_tracked">() == 0x0102030405060708);

    // A failed load leaves the buffers as they were too.
    bn_net_t other;
    auto const untouched = [&] {
        return other.buffers<1>().get<"running_var">()(0, 2) == 1.0f &&
               other.buffers<1>().get<"num_batches_tracked">() == 0;
    };
    rewrite(file, [](json& h) { h["1.num_batches_tracked"]["dtype"] = "F64"; });
    REQUIRE_LOAD_FAILS(other, file, "tensor '1.num_batches_tracked': dtype F64, expected I64");
    CHECK(untouched());
    tg::io::save(net, file);
    rewrite(file, [](json& h) { h.erase("1.running_var"); });
    REQUIRE_LOAD_FAILS(other, file, "tensor '1.running_var' is missing");
    CHECK(untouched());
}

// ---- atomic saves ------------------------------------------------------------------------------

TEST_CASE("save replaces an existing file and leaves no temporary behind", "[io][safetensors]") {
    temp_dir dir;
    net_t a, b, loaded;
    fill(a, 6);
    fill(b, 7);
    tg::io::save(a, dir / "net.safetensors");
    tg::io::save(b, dir / "net.safetensors");
    CHECK(dir.entries() == std::set<std::string>{"net.safetensors"});
    tg::io::load(loaded, dir / "net.safetensors");
    CHECK(snapshot(loaded) == snapshot(b));
}

TEST_CASE("a failing save leaves the existing file unchanged and no temporary behind", "[io][safetensors]") {
    temp_dir dir;
    net_t old_net, new_net;
    fill(old_net, 8);
    fill(new_net, 9);
    fs::path const target = dir / "net.safetensors";
    tg::io::save(old_net, target);
    auto const old_bytes = read_bytes(target);
    auto const old_entries = dir.entries();

    SECTION("the target's directory does not exist") {
        fs::path const missing = dir / "missing" / "net.safetensors";
        CHECK_THROWS_AS(tg::io::save(new_net, missing), tg::error);
        CHECK_THROWS_WITH(tg::io::save(new_net, missing), Contains("does not exist") && Contains(missing.string()));
        CHECK_FALSE(fs::exists(dir / "missing"));
    }
    SECTION("the target is a directory") {
        fs::create_directory(dir / "sub");
        fs::path const sub = dir / "sub";
        CHECK_THROWS_WITH(tg::io::save(new_net, sub), Contains("is a directory") && Contains(sub.string()));
        CHECK(fs::is_empty(sub));
        fs::remove(sub);
    }
    SECTION("the path names no file") {
        CHECK_THROWS_WITH(tg::io::save(new_net, dir.path() / ""), Contains("does not name a file"));
    }
#if IO_TEST_HAS_RLIMIT
    SECTION("writing fails part way (file size limit)") {
        // The temporary is created, then a write fails with EFBIG: the temporary must go and the
        // target must keep its old contents.
        auto const old_handler = std::signal(SIGXFSZ, SIG_IGN);
        rlimit old_limit{};
        REQUIRE(getrlimit(RLIMIT_FSIZE, &old_limit) == 0);
        rlimit small = old_limit;
        small.rlim_cur = 64;
        REQUIRE(setrlimit(RLIMIT_FSIZE, &small) == 0);
        bool threw = false;
        std::string message;
        try {
            tg::io::save(new_net, target);
        } catch (tg::error const& e) {
            threw = true;
            message = e.what();
        }
        REQUIRE(setrlimit(RLIMIT_FSIZE, &old_limit) == 0);
        std::signal(SIGXFSZ, old_handler);
        CHECK(threw);
        CHECK_THAT(message, Contains(target.string()) && Contains("cannot write") && Contains("unchanged"));
    }
#endif
    CHECK(read_bytes(target) == old_bytes);
    CHECK(dir.entries() == old_entries);
}

// ---- load errors: each names the problem and leaves the network as it was -----------------------

TEST_CASE("load reports a missing file, a directory and a file too short", "[io][safetensors]") {
    temp_dir dir;
    net_t net;
    fill(net, 10);
    REQUIRE_LOAD_FAILS(net, dir / "missing.safetensors", "does not exist");
    REQUIRE_LOAD_FAILS(net, dir.path(), "is a directory");
    write_bytes(dir / "empty.safetensors", {});
    REQUIRE_LOAD_FAILS(net, dir / "empty.safetensors", "0 bytes, too short for the 8-byte header length");
    write_bytes(dir / "five.safetensors", {1, 2, 3, 4, 5});
    REQUIRE_LOAD_FAILS(net, dir / "five.safetensors", "5 bytes, too short");
}

TEST_CASE("load rejects a file saved from a different topology", "[io][safetensors]") {
    temp_dir dir;
    fs::path const file = dir / "net.safetensors";
    net_t saved;
    fill(saved, 11);
    tg::io::save(saved, file);

    SECTION("a tensor the network expects is missing") {
        no_activation_t net;
        fill(net, 12);
        REQUIRE_LOAD_FAILS(net, file, "tensor '1.weight' is missing");
        REQUIRE_LOAD_FAILS(net, file, "the file has 0.bias, 0.weight, 2.bias, 2.weight");
    }
    SECTION("the file has a tensor the network does not") {
        first_layer_t net;
        fill(net, 13);
        REQUIRE_LOAD_FAILS(net, file, "unexpected tensor '2.bias'");
        REQUIRE_LOAD_FAILS(net, file, "expects exactly 0.weight, 0.bias");
    }
    SECTION("a tensor has another shape") {
        two_outputs_t net;
        fill(net, 14);
        REQUIRE_LOAD_FAILS(net, file, "tensor '2.weight': shape [3, 8], expected [2, 8]");
    }
}

TEST_CASE("load rejects a shape that is right in size but not in form", "[io][safetensors]") {
    temp_dir dir;
    fs::path const file = dir / "net.safetensors";
    net_t net;
    fill(net, 15);
    tg::io::save(net, file);
    SECTION("a bias stored as a matrix") {
        rewrite(file, [](json& h) { h["0.bias"]["shape"] = json::array({1, 8}); });
        REQUIRE_LOAD_FAILS(net, file, "tensor '0.bias': shape [1, 8], expected [8]");
    }
    SECTION("a weight transposed") {
        rewrite(file, [](json& h) { h["0.weight"]["shape"] = json::array({4, 8}); });
        REQUIRE_LOAD_FAILS(net, file, "tensor '0.weight': shape [4, 8], expected [8, 4]");
    }
}

TEST_CASE("load rejects a dtype other than the network's", "[io][safetensors]") {
    temp_dir dir;
    net_t net32;
    net64_t net64;
    fill(net32, 16);
    fill(net64, 17);
    tg::io::save(net32, dir / "f32.safetensors");
    tg::io::save(net64, dir / "f64.safetensors");
    REQUIRE_LOAD_FAILS(net32, dir / "f64.safetensors", "tensor '0.weight': dtype F64, expected F32");
    REQUIRE_LOAD_FAILS(net64, dir / "f32.safetensors", "tensor '0.weight': dtype F32, expected F64");
    rewrite(dir / "f32.safetensors", [](json& h) { h["2.bias"]["dtype"] = "F16"; });
    REQUIRE_LOAD_FAILS(net32, dir / "f32.safetensors", "tensor '2.bias': dtype F16, expected F32");
}

TEST_CASE("load rejects a truncated file", "[io][safetensors]") {
    temp_dir dir;
    fs::path const file = dir / "net.safetensors";
    net_t net;
    fill(net, 18);
    tg::io::save(net, file);
    auto const bytes = read_bytes(file);
    auto const header_length = parse_file(file).header_length;

    SECTION("in the data") {
        write_bytes(file, {bytes.begin(), bytes.end() - 4});
        REQUIRE_LOAD_FAILS(net, file, "tensor '2.bias': data_offsets [256, 268] run past the end of the data");
        REQUIRE_LOAD_FAILS(net, file, "is it truncated?");
    }
    SECTION("in the header") {
        write_bytes(file, {bytes.begin(), bytes.begin() + 20});
        REQUIRE_LOAD_FAILS(net, file, "header length in its first 8 bytes is " + std::to_string(header_length) +
                                          ", past the end of the file (20 bytes");
    }
}

TEST_CASE("load rejects a header length past the end of the file", "[io][safetensors]") {
    temp_dir dir;
    fs::path const file = dir / "net.safetensors";
    net_t net;
    fill(net, 19);
    tg::io::save(net, file);
    auto bytes = read_bytes(file);
    for (std::size_t i = 0; i < 8; ++i) bytes[i] = 0;
    bytes[5] = 1;  // 2^40
    write_bytes(file, bytes);
    REQUIRE_LOAD_FAILS(net, file, "header length in its first 8 bytes is 1099511627776, past the end of the file");
}

TEST_CASE("load rejects a header length over the format's limit, however large the file", "[io][safetensors]") {
    temp_dir dir;
    fs::path const file = dir / "big.safetensors";
    net_t net;
    fill(net, 22);
    std::vector<unsigned char> length(8);
    length[3] = 0x10;  // 2^28 = 268435456 bytes of header, in a file larger still
    write_bytes(file, length);
    fs::resize_file(file, std::uintmax_t(1) << 29);  // sparse: no disk space used
    REQUIRE_LOAD_FAILS(net, file, "header length in its first 8 bytes is 268435456, more than the 100000000 bytes");
}

TEST_CASE("load rejects a header that is not what safetensors says", "[io][safetensors]") {
    temp_dir dir;
    fs::path const file = dir / "net.safetensors";
    net_t net;
    fill(net, 20);
    tg::io::save(net, file);
    auto const data = parse_file(file).data;
    auto const valid = parse_file(file).header;

    SECTION("garbage") {
        write_file(file, "{\"0.weight\": {not json at all", data);
        REQUIRE_LOAD_FAILS(net, file, "is not valid JSON");
    }
    SECTION("not an object") {
        write_file(file, "[1, 2, 3]", data);
        REQUIRE_LOAD_FAILS(net, file, "the header must be a JSON object, found [1,2,3]");
    }
    SECTION("a tensor named twice") {
        std::string text = valid.dump();
        text.insert(text.size() - 1, ",\"0.bias\":" + valid["0.bias"].dump());
        write_file(file, text, data);
        REQUIRE_LOAD_FAILS(net, file, "names tensor '0.bias' twice");
    }
    SECTION("an entry that is not an object") {
        rewrite(file, [](json& h) { h["0.weight"] = 5; });
        REQUIRE_LOAD_FAILS(net, file, "tensor '0.weight': expected an object");
    }
    SECTION("an entry without data_offsets") {
        rewrite(file, [](json& h) { h["0.bias"].erase("data_offsets"); });
        REQUIRE_LOAD_FAILS(net, file, "tensor '0.bias': no \"data_offsets\"");
    }
    SECTION("a negative dimension") {
        rewrite(file, [](json& h) { h["0.bias"]["shape"] = json::array({-8}); });
        REQUIRE_LOAD_FAILS(net, file, "tensor '0.bias': \"shape\" must be a list of non-negative integers");
    }
    SECTION("three offsets") {
        rewrite(file, [](json& h) { h["0.bias"]["data_offsets"] = json::array({128, 160, 192}); });
        REQUIRE_LOAD_FAILS(net, file, "tensor '0.bias': \"data_offsets\" must be two non-negative integers");
    }
    SECTION("metadata that is not strings") {
        rewrite(file, [](json& h) { h["__metadata__"]["epoch"] = 3; });
        REQUIRE_LOAD_FAILS(net, file, "\"__metadata__\" entry \"epoch\" must be a string");
    }
}

TEST_CASE("load rejects offsets that do not cover the data exactly", "[io][safetensors]") {
    // Saved: 0.weight [0, 128], 0.bias [128, 160], 2.weight [160, 256], 2.bias [256, 268].
    temp_dir dir;
    fs::path const file = dir / "net.safetensors";
    net_t net;
    fill(net, 21);
    tg::io::save(net, file);
    auto const append4 = [](std::vector<unsigned char>& d) { d.insert(d.end(), 4, 0); };

    SECTION("overlapping") {
        rewrite(file, [](json& h) { h["0.bias"]["data_offsets"] = json::array({120, 152}); });
        REQUIRE_LOAD_FAILS(net, file,
                           "tensors '0.weight' (data_offsets [0, 128]) and '0.bias' (data_offsets [120, 152]) overlap");
    }
    SECTION("two tensors at the same place") {
        rewrite(file, [](json& h) { h["2.weight"]["data_offsets"] = json::array({0, 96}); });
        REQUIRE_LOAD_FAILS(net, file, "overlap");
    }
    SECTION("out of range") {
        rewrite(file, [](json& h) { h["2.bias"]["data_offsets"] = json::array({300, 312}); });
        REQUIRE_LOAD_FAILS(net, file,
                           "tensor '2.bias': data_offsets [300, 312] run past the end of the data, which is 268 bytes");
    }
    SECTION("far out of range") {
        rewrite(file, [](json& h) {
            h["2.bias"]["data_offsets"] = json::array({std::numeric_limits<std::uint64_t>::max() - 12,
                                                       std::numeric_limits<std::uint64_t>::max()});
        });
        REQUIRE_LOAD_FAILS(net, file, "tensor '2.bias': data_offsets [18446744073709551603, 18446744073709551615] run "
                                      "past the end of the data");
    }
    SECTION("ending before they begin") {
        rewrite(file, [](json& h) { h["2.bias"]["data_offsets"] = json::array({268, 256}); });
        REQUIRE_LOAD_FAILS(net, file, "tensor '2.bias': data_offsets [268, 256] end before they begin");
    }
    SECTION("holding the wrong number of bytes") {
        rewrite(file, [](json& h) { h["2.bias"]["data_offsets"] = json::array({256, 264}); });
        REQUIRE_LOAD_FAILS(net, file,
                           "tensor '2.bias': data_offsets [256, 264] hold 8 bytes, expected 12 (shape [3] of F32)");
    }
    SECTION("with a gap") {
        rewrite(
            file, [](json& h) { h["2.bias"]["data_offsets"] = json::array({260, 272}); }, append4);
        REQUIRE_LOAD_FAILS(net, file, "a gap of 4 bytes in the data before tensor '2.bias' (data_offsets [260, 272])");
    }
    SECTION("with bytes after the last tensor") {
        rewrite(file, [](json&) {}, append4);
        REQUIRE_LOAD_FAILS(net, file, "4 bytes of data after the last tensor '2.bias'");
    }
}
