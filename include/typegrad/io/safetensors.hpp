#pragma once
// Checkpoints in the safetensors format, with PyTorch's names and shapes, so that a network
// saved here loads into the equivalent torch.nn.Sequential with load_state_dict(strict=True)
// (and a state dict saved from one loads here).
//
//   tg::nn::sequential<tg::nn::dense<4, 8>, tg::nn::relu, tg::nn::dense<8, 3>> net;
//   tg::io::save(net, "model.safetensors");
//   tg::io::load(net, "model.safetensors");
//
// (save and load also take a bare parameter set, such as a gradients object: its parameters only.)
//
// Names are nn.Sequential's state-dict names, "<layer index>.<parameter name>": "0.weight",
// "0.bias", "2.weight", "2.bias" above (layers without parameters count in the index, as in
// nn.Sequential). Shapes are PyTorch's: a dense weight is [out, in]; a one-row parameter that the
// layer does not multiply by (a bias) is a vector, [out]; every other parameter is [rows, cols]
// (so dense<8, 1>'s weight is [1, 8], as nn.Linear(8, 1)'s). The dtype is the network's scalar
// type: F32 for float, F64 for double. A network's buffers follow its parameters, named as
// PyTorch names them: batch_norm<4> at position 1 saves "1.weight" [4], "1.bias" [4],
// "1.running_mean" [4], "1.running_var" [4] and "1.num_batches_tracked", a scalar (shape [])
// of dtype I64, as BatchNorm1d(4) does. Tensors are stored contiguous, in PyTorch's state-dict
// order (layer by layer, parameters then buffers); the header carries "__metadata__":
// {"format": "pt"}.
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

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <map>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include <typegrad/io/detail/atomic_file.hpp>
#include <typegrad/io/detail/little_endian.hpp>
#include <typegrad/io/detail/safetensors_format.hpp>
#include <typegrad/nn/buffers.hpp>
#include <typegrad/nn/graph/node.hpp>
#include <typegrad/nn/graph/plan.hpp>
#include <typegrad/nn/graph/type_list.hpp>
#include <typegrad/nn/parameters.hpp>
#include <typegrad/nn/sequential.hpp>
#include <typegrad/simd/batch.hpp>
#include <typegrad/tensor/matrix.hpp>

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

template <scalar T>
tensor_spec spec(std::string name, std::vector<std::uint64_t> shape) {
    return {std::move(name), std::move(shape), std::string(dtype_name<T>), sizeof(T)};
}

template <class Net, std::size_t I, class... Ps>
void add_specs(std::vector<tensor_spec>& specs, nn::parameter_list<Ps...>) {
    using T = typename Net::value_type;
    (specs.push_back(spec<T>(std::to_string(I) + "." + std::string(Ps::label.view()), torch_shape<Net, I, Ps>())), ...);
}

// A buffer is a vector, [cols]; a counter a scalar int64, [].
template <class Net, std::size_t I, class... Bs>
void add_buffer_specs(std::vector<tensor_spec>& specs, nn::buffer_list<Bs...>) {
    using T = typename Net::value_type;
    (
        [&] {
            std::string name = std::to_string(I) + "." + std::string(Bs::label.view());
            if constexpr (nn::is_counter_v<Bs>)
                specs.push_back({std::move(name), {}, "I64", sizeof(std::int64_t)});
            else
                specs.push_back(spec<T>(std::move(name), {Bs::cols}));
        }(),
        ...);
}

/// The tensors of a parameter set (with its buffers when it is a network), in the order
/// for_each_tensor visits them, which is PyTorch's state-dict order: layer by layer, its
/// parameters and then its buffers.
template <bool Buffers, scalar T, class... L>
std::vector<tensor_spec> tensor_specs() {
    using net = nn::basic_sequential<T, L...>;
    std::vector<tensor_spec> specs;
    [&]<std::size_t... I>(std::index_sequence<I...>) {
        (
            [&] {
                add_specs<net, I>(specs, nn::parameters_t<L>{});
                if constexpr (Buffers) add_buffer_specs<net, I>(specs, nn::buffers_t<L>{});
            }(),
            ...);
    }(std::index_sequence_for<L...>{});
    return specs;
}

/// Calls f(storage) for every tensor of `set` in tensor_specs' order (storage: a matrix, or a
/// counter's std::int64_t).
template <bool Buffers, class Set, class F>
void for_each_tensor(Set& set, F&& f) {
    [&]<std::size_t... I>(std::index_sequence<I...>) {
        (
            [&] {
                set.template layer<I>().for_each([&](std::string_view, auto& m) { f(m); });
                if constexpr (Buffers) set.template buffers<I>().for_each([&](std::string_view, auto& b) { f(b); });
            }(),
            ...);
    }(std::make_index_sequence<std::remove_const_t<Set>::size>{});
}

template <class T, std::size_t C>
std::span<T const> values_of(matrix<T, C> const& m) noexcept {
    return {m.data(), m.size()};
}
inline std::span<std::int64_t const> values_of(std::int64_t const& counter) noexcept { return {&counter, 1}; }
template <class T, std::size_t C>
std::span<T> values_of(matrix<T, C>& m) noexcept {
    return {m.data(), m.size()};
}
inline std::span<std::int64_t> values_of(std::int64_t& counter) noexcept { return {&counter, 1}; }

template <bool Buffers, scalar T, class... L, class Set>
void save(Set const& set, std::filesystem::path const& path) {
    constexpr std::string_view who = "typegrad::io::save";
    auto const specs = tensor_specs<Buffers, T, L...>();
    std::string const header = make_header(specs, {{"format", "pt"}});

    atomic_file out(path, who);
    std::byte length[8];
    put_u64_le(header.size(), length);
    out.write(length, sizeof length);
    out.write(header.data(), header.size());
    std::vector<std::byte> bytes;
    for_each_tensor<Buffers>(set, [&](auto const& storage) {
        auto const values = values_of(storage);
        bytes.resize(values.size_bytes());
        to_little_endian(values.data(), values.size(), bytes.data());
        out.write(bytes.data(), bytes.size());
    });
    out.commit();
}

template <bool Buffers, scalar T, class... L, class Set>
void load(Set& set, std::filesystem::path const& path) {
    constexpr std::string_view who = "typegrad::io::load";
    auto const specs = tensor_specs<Buffers, T, L...>();
    safetensors_reader reader(path, specs, who);

    std::vector<std::vector<std::byte>> bytes(specs.size());
    for (std::size_t i = 0; i < specs.size(); ++i) {
        bytes[i].resize(static_cast<std::size_t>(specs[i].bytes()));
        reader.read(i, bytes[i]);
    }

    // Everything is read and checked: commit (conversions of known sizes, which cannot fail).
    std::size_t i = 0;
    for_each_tensor<Buffers>(set, [&](auto& storage) {
        auto const values = values_of(storage);
        from_little_endian(bytes[i].data(), values.size(), values.data());
        ++i;
    });
}

}  // namespace detail

/// Writes every parameter and buffer of `net` to `path` in the safetensors format, atomically
/// (see above). Throws tg::error, leaving any existing file at `path` unchanged, if the file
/// cannot be written.
template <scalar T, class... L>
void save(nn::basic_sequential<T, L...> const& net, std::filesystem::path const& path) {
    detail::save<true, T, L...>(net, path);
}

/// Reads every parameter and buffer of `net` from the safetensors file at `path`, which must
/// hold exactly the network's tensors, names, dtypes and shapes (see above). Throws tg::error on
/// any problem, leaving `net` unchanged.
template <scalar T, class... L>
void load(nn::basic_sequential<T, L...>& net, std::filesystem::path const& path) {
    detail::load<true, T, L...>(net, path);
}

/// The same for a parameter set that is not a network (a gradients object): its parameters only.
template <scalar T, class... L>
void save(nn::parameter_set<T, L...> const& parameters, std::filesystem::path const& path) {
    detail::save<false, T, L...>(parameters, path);
}
template <scalar T, class... L>
void load(nn::parameter_set<T, L...>& parameters, std::filesystem::path const& path) {
    detail::load<false, T, L...>(parameters, path);
}

}  // namespace typegrad::io
