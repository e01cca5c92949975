#pragma once
// Checkpoints in the safetensors format, with PyTorch's names and shapes, so that a network
// saved here loads into the equivalent torch.nn.Sequential with load_state_dict(strict=True)
// (and a state dict saved from one loads here).
//
//   tg::nn::sequential<tg::nn::dense<4, 8>, tg::nn::relu, tg::nn::dense<8, 3>> net;
//   tg::io::save(net, "model.safetensors");
//   tg::io::load(net, "model.safetensors");
//
// Names are nn.Sequential's state-dict names, "<layer index>.<parameter name>": "0.weight",
// "0.bias", "2.weight", "2.bias" above (layers without parameters count in the index, as in
// nn.Sequential). Shapes are PyTorch's: a dense weight is [out, in]; a one-row parameter that the
// layer does not multiply by (a bias) is a vector, [out]; every other parameter is [rows, cols]
// (so dense<8, 1>'s weight is [1, 8], as nn.Linear(8, 1)'s). The dtype is the network's scalar
// type: F32 for float, F64 for double. Tensors are stored in the network's order, contiguous;
// the header carries "__metadata__": {"format": "pt"}.
//
// save() is atomic: it writes a temporary file beside the target, syncs it and renames it over
// the target, so a reader sees the old file or the new one, never a part. If anything fails, the
// temporary is removed, the old file is untouched, and a tg::error says what happened.
//
// load() checks the whole file before it changes the network: the header length, the JSON, that
// the names are exactly the network's (a missing or an unexpected tensor is an error), each
// dtype and shape, and that the offsets lie in the file and cover its data back to back. Every
// value is then read into temporary storage; only when all of it is read is it copied into the
// network. On any problem a tg::error names the file, the tensor, and what was expected against
// what was found, and the network is exactly as it was.
//
// A dtype other than the network's is an error rather than a silent conversion; to load F32 into
// a double network (or back), load into the rebound network and convert:
//   tg::nn::rebind_t<decltype(net64), float> net32;
//   tg::io::load(net32, path);
//   net64.assign(net32);

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <map>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <typegrad/io/detail/atomic_file.hpp>
#include <typegrad/io/detail/little_endian.hpp>
#include <typegrad/io/detail/safetensors_format.hpp>
#include <typegrad/nn/graph/node.hpp>
#include <typegrad/nn/graph/plan.hpp>
#include <typegrad/nn/graph/type_list.hpp>
#include <typegrad/nn/parameters.hpp>
#include <typegrad/nn/sequential.hpp>
#include <typegrad/simd/batch.hpp>

namespace typegrad::io {

namespace detail {

template <scalar T>
inline constexpr std::string_view dtype_name = sizeof(T) == 4 ? "F32" : "F64";

/// PyTorch's shape for parameter P of layer I of Net: a vector for a one-row parameter that the
/// layer's graph never multiplies by (a bias), a matrix otherwise.
template <class Net, std::size_t I, class P>
std::vector<std::uint64_t> torch_shape() {
    using graph = typename Net::template graph_type<I>;
    if constexpr (nn::graph::is_bias_v<graph, P>)
        return {P::cols};
    else
        return {P::rows, P::cols};
}

template <class Net, std::size_t I, class... Ps>
void add_specs(std::vector<tensor_spec>& specs, nn::parameter_list<Ps...>) {
    (specs.push_back({std::to_string(I) + "." + std::string(Ps::label.view()), torch_shape<Net, I, Ps>()}), ...);
}

/// The tensors of a network, in the order for_each_parameter visits them.
template <scalar T, class... L>
std::vector<tensor_spec> tensor_specs() {
    using net = nn::basic_sequential<T, L...>;
    std::vector<tensor_spec> specs;
    [&]<std::size_t... I>(std::index_sequence<I...>) {
        (add_specs<net, I>(specs, nn::parameters_t<L>{}), ...);
    }(std::index_sequence_for<L...>{});
    return specs;
}

}  // namespace detail

/// Writes every parameter of `net` to `path` in the safetensors format, atomically (see above).
/// Throws tg::error, leaving any existing file at `path` unchanged, if the file cannot be written.
template <scalar T, class... L>
void save(nn::parameter_set<T, L...> const& net, std::filesystem::path const& path) {
    constexpr std::string_view who = "typegrad::io::save";
    auto const specs = detail::tensor_specs<T, L...>();
    std::string const header = detail::make_header(specs, detail::dtype_name<T>, sizeof(T), {{"format", "pt"}});

    detail::atomic_file out(path, who);
    std::byte length[8];
    detail::put_u64_le(header.size(), length);
    out.write(length, sizeof length);
    out.write(header.data(), header.size());
    std::vector<std::byte> bytes;
    net.for_each_parameter([&](std::size_t, std::string_view, auto const& m) {
        bytes.resize(m.size() * sizeof(T));
        detail::to_little_endian(m.data(), m.size(), bytes.data());
        out.write(bytes.data(), bytes.size());
    });
    out.commit();
}

/// Reads every parameter of `net` from the safetensors file at `path`, which must hold exactly
/// the network's tensors, names, dtype and shapes (see above). Throws tg::error on any problem,
/// leaving `net` unchanged.
template <scalar T, class... L>
void load(nn::parameter_set<T, L...>& net, std::filesystem::path const& path) {
    constexpr std::string_view who = "typegrad::io::load";
    auto const specs = detail::tensor_specs<T, L...>();
    detail::safetensors_reader reader(path, specs, detail::dtype_name<T>, sizeof(T), who);

    std::vector<std::vector<T>> values(specs.size());
    std::vector<std::byte> bytes;
    for (std::size_t i = 0; i < specs.size(); ++i) {
        auto const n = static_cast<std::size_t>(specs[i].elements());
        bytes.resize(n * sizeof(T));
        reader.read(i, bytes);
        values[i].resize(n);
        detail::from_little_endian(bytes.data(), n, values[i].data());
    }

    // Everything is read and checked: commit (copies of known sizes, which cannot fail).
    std::size_t i = 0;
    net.for_each_parameter([&](std::size_t, std::string_view, auto& m) {
        std::copy(values[i].begin(), values[i].end(), m.data());
        ++i;
    });
}

}  // namespace typegrad::io
