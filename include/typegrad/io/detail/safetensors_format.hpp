#pragma once
// The safetensors format, independent of typegrad's networks: the header a writer produces, and
// a reader that checks a file against the tensors a caller expects before reading any of them.
//
//   bytes [0, 8)        N, the header's length, an unsigned 64-bit little-endian number
//   bytes [8, 8 + N)    a JSON object: {"__metadata__": {string: string, ...},        (optional)
//                                       "<name>": {"dtype": "F32", "shape": [rows, cols],
//                                                  "data_offsets": [begin, end]}, ...}
//                       padded with spaces; offsets count from the first byte after the header
//   bytes [8 + N, end)  the tensors' values, row-major, little-endian, back to back
//
// The reader is strict, like the reference implementation: the tensors must cover the data
// exactly (no gap, no overlap, nothing after the last one), and the names must be exactly the
// expected ones.

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <span>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include <typegrad/error.hpp>
#include <typegrad/io/detail/atomic_file.hpp>
#include <typegrad/io/detail/little_endian.hpp>

namespace typegrad::io::detail {

/// A tensor as the caller has it: its name, shape ([rows, cols], [cols] for a vector, [] for a
/// scalar), dtype ("F32", "F64", "I64") and the size of one element in bytes.
struct tensor_spec {
    std::string name;
    std::vector<std::uint64_t> shape;
    std::string dtype;
    std::size_t element_size = 0;

    std::uint64_t elements() const noexcept {
        std::uint64_t n = 1;
        for (auto d : shape) n *= d;
        return n;
    }
    std::uint64_t bytes() const noexcept { return elements() * element_size; }
};

inline std::string shape_string(std::vector<std::uint64_t> const& shape) {
    std::string s = "[";
    for (std::size_t i = 0; i < shape.size(); ++i) s += (i ? ", " : "") + std::to_string(shape[i]);
    return s + "]";
}

inline std::string offsets_string(std::uint64_t begin, std::uint64_t end) {
    return "data_offsets [" + std::to_string(begin) + ", " + std::to_string(end) + "]";
}

/// The header for `tensors`, stored in this order: compact JSON, padded with spaces to a multiple
/// of 8 bytes so that the data starts aligned.
inline std::string make_header(std::span<tensor_spec const> tensors, std::map<std::string, std::string> const& metadata) {
    nlohmann::ordered_json header = nlohmann::ordered_json::object();
    if (!metadata.empty()) {
        auto& m = header["__metadata__"] = nlohmann::ordered_json::object();
        for (auto const& [key, value] : metadata) m[key] = value;
    }
    std::uint64_t offset = 0;
    for (auto const& t : tensors) {
        std::uint64_t const end = offset + t.bytes();
        nlohmann::ordered_json entry = nlohmann::ordered_json::object();
        entry["dtype"] = t.dtype;
        entry["shape"] = t.shape;
        entry["data_offsets"] = nlohmann::ordered_json::array({offset, end});
        header[t.name] = std::move(entry);
        offset = end;
    }
    std::string text = header.dump();
    text.append((8 - text.size() % 8) % 8, ' ');
    return text;
}

/// Opens a safetensors file and checks everything about it against the expected tensors (names,
/// dtypes, shapes, offsets, sizes) before a single value is read; then reads them one by one.
/// Every problem is a tg::error that names the file and, where there is one, the tensor.
class safetensors_reader {
public:
    /// The reference implementation's limit on the header (MAX_HEADER_SIZE), so that a corrupt
    /// length cannot make a reader allocate the size of a large file.
    static constexpr std::uint64_t max_header_length = 100'000'000;

    safetensors_reader(std::filesystem::path file, std::span<tensor_spec const> expected, std::string_view who)
        : file_(std::move(file)), who_(who), offsets_(expected.size()) {
        namespace fs = std::filesystem;
        std::error_code ec;
        auto const status = fs::status(file_, ec);
        if (!fs::exists(status)) fail("the file does not exist");
        if (fs::is_directory(status)) fail("the path is a directory, not a file");
        if (!fs::is_regular_file(status)) fail("the path is not a regular file");
        std::uint64_t const size = fs::file_size(file_, ec);
        if (ec) fail("cannot read its size: " + ec.message());
        in_.open(file_, std::ios::binary);
        if (!in_) fail("cannot open the file for reading");

        // The header's length.
        if (size < 8)
            fail("the file is " + std::to_string(size) +
                 " bytes, too short for the 8-byte header length a safetensors file starts with");
        std::byte length_bytes[8];
        read_at(0, length_bytes, 8, "the header length");
        std::uint64_t const header_length = get_u64_le(length_bytes);
        if (header_length > size - 8)
            fail("the header length in its first 8 bytes is " + std::to_string(header_length) +
                 ", past the end of the file (" + std::to_string(size) + " bytes, so at most " +
                 std::to_string(size - 8) + " bytes of header); is this a safetensors file?");
        if (header_length > max_header_length)
            fail("the header length in its first 8 bytes is " + std::to_string(header_length) + ", more than the " +
                 std::to_string(max_header_length) + " bytes safetensors allows; is this a safetensors file?");
        data_begin_ = 8 + header_length;
        std::uint64_t const data_size = size - data_begin_;

        // The header's JSON.
        std::string text(static_cast<std::size_t>(header_length), '\0');
        read_at(8, reinterpret_cast<std::byte*>(text.data()), text.size(), "the header");
        nlohmann::json header;
        std::set<std::string> seen;
        std::string duplicate;
        try {
            header = nlohmann::json::parse(
                text.begin(), text.end(), [&](int depth, nlohmann::json::parse_event_t event, nlohmann::json& parsed) {
                    if (event == nlohmann::json::parse_event_t::key && depth == 1 && parsed.is_string()) {
                        auto const& key = parsed.get_ref<std::string const&>();
                        if (!seen.insert(key).second && duplicate.empty()) duplicate = key;
                    }
                    return true;
                });
        } catch (nlohmann::json::exception const& e) {
            fail("the header (" + std::to_string(header_length) + " bytes after the length) is not valid JSON: " +
                 e.what());
        }
        if (!header.is_object()) fail("the header must be a JSON object, found " + excerpt(header));
        if (!duplicate.empty()) fail("the header names tensor '" + duplicate + "' twice");

        // Every entry well-formed.
        std::map<std::string, entry> entries;
        for (auto const& [key, value] : header.items()) {
            if (key == "__metadata__")
                check_metadata(value);
            else
                entries.emplace(key, parse_entry(key, value));
        }

        // Exactly the expected names.
        std::set<std::string_view> expected_names;
        for (auto const& t : expected) expected_names.insert(t.name);
        for (auto const& t : expected)
            if (!entries.contains(t.name))
                fail("tensor '" + t.name + "' is missing; the network expects " + list(expected) +
                     ", the file has " + list(entries));
        for (auto const& [name, e] : entries)
            if (!expected_names.contains(name))
                fail("unexpected tensor '" + name + "': the network has no such parameter (it expects exactly " +
                     list(expected) + "); was the file saved from a different topology?");

        // Each tensor's dtype, shape and extent.
        for (std::size_t i = 0; i < expected.size(); ++i) {
            auto const& t = expected[i];
            auto const& e = entries.at(t.name);
            if (e.dtype != t.dtype)
                fail("tensor '" + t.name + "': dtype " + e.dtype + ", expected " + t.dtype +
                     (t.dtype == "I64" ? std::string(" (a counter)")
                                       : std::string(" (the network's scalar type; to convert, load into the network "
                                                     "rebound to the file's type and assign() it)")));
            if (e.shape != t.shape)
                fail("tensor '" + t.name + "': shape " + shape_string(e.shape) + ", expected " +
                     shape_string(t.shape));
            if (e.begin > e.end)
                fail("tensor '" + t.name + "': " + offsets_string(e.begin, e.end) + " end before they begin");
            std::uint64_t const bytes = t.bytes();
            if (e.end - e.begin != bytes)
                fail("tensor '" + t.name + "': " + offsets_string(e.begin, e.end) + " hold " +
                     std::to_string(e.end - e.begin) + " bytes, expected " + std::to_string(bytes) + " (shape " +
                     shape_string(t.shape) + " of " + t.dtype + ")");
            if (e.end > data_size)
                fail("tensor '" + t.name + "': " + offsets_string(e.begin, e.end) +
                     " run past the end of the data, which is " + std::to_string(data_size) +
                     " bytes after the header (the file is " + std::to_string(size) + " bytes; is it truncated?)");
            offsets_[i] = data_begin_ + e.begin;
        }

        // Together, the tensors cover the data exactly.
        std::vector<std::pair<std::string, entry>> by_offset(entries.begin(), entries.end());
        std::sort(by_offset.begin(), by_offset.end(),
                  [](auto const& a, auto const& b) { return a.second.begin < b.second.begin; });
        std::uint64_t position = 0;
        std::string previous;
        for (auto const& [name, e] : by_offset) {
            std::string const here = "'" + name + "' (" + offsets_string(e.begin, e.end) + ")";
            if (e.begin < position)
                fail("tensors " + previous + " and " + here + " overlap");
            if (e.begin > position)
                fail("a gap of " + std::to_string(e.begin - position) + " bytes in the data before tensor " + here +
                     (previous.empty() ? std::string() : ", after " + previous) +
                     "; tensors must be stored back to back");
            position = e.end;
            previous = here;
        }
        if (position != data_size)
            fail(std::to_string(data_size - position) + " bytes of data after the last tensor " + previous +
                 ": the data after the header is " + std::to_string(data_size) + " bytes");
    }

    /// The bytes of expected tensor i, as stored (little-endian).
    void read(std::size_t i, std::span<std::byte> out) { read_at(offsets_[i], out.data(), out.size(), "a tensor"); }

private:
    struct entry {
        std::string dtype;
        std::vector<std::uint64_t> shape;
        std::uint64_t begin = 0, end = 0;
    };

    [[noreturn]] void fail(std::string const& what) const {
        throw error(std::string(who_) + ": " + quoted(file_) + ": " + what);
    }

    void read_at(std::uint64_t offset, std::byte* out, std::size_t bytes, char const* what) {
        in_.clear();
        in_.seekg(static_cast<std::streamoff>(offset));
        in_.read(reinterpret_cast<char*>(out), static_cast<std::streamsize>(bytes));
        if (!in_ || in_.gcount() != static_cast<std::streamsize>(bytes))
            fail("cannot read " + std::string(what) + " (" + std::to_string(bytes) + " bytes at offset " +
                 std::to_string(offset) + "); did the file change while it was read?");
    }

    static std::string excerpt(nlohmann::json const& value) {
        std::string s = value.dump();
        if (s.size() > 80) s = s.substr(0, 77) + "...";
        return s;
    }

    template <class Range>
    static std::string list(Range const& r) {
        std::string s;
        for (auto const& x : r) {
            if (!s.empty()) s += ", ";
            if constexpr (requires { x.name; })
                s += x.name;
            else
                s += x.first;
        }
        return s.empty() ? "no tensors" : s;
    }

    void check_metadata(nlohmann::json const& value) const {
        if (!value.is_object()) fail("\"__metadata__\" must be an object of strings, found " + excerpt(value));
        for (auto const& [key, v] : value.items())
            if (!v.is_string())
                fail("\"__metadata__\" entry \"" + key + "\" must be a string, found " + excerpt(v));
    }

    static bool is_unsigned(nlohmann::json const& v) { return v.is_number_unsigned(); }

    entry parse_entry(std::string const& name, nlohmann::json const& value) const {
        std::string const where = "tensor '" + name + "': ";
        if (!value.is_object())
            fail(where + "expected an object with \"dtype\", \"shape\" and \"data_offsets\", found " + excerpt(value));
        for (char const* field : {"dtype", "shape", "data_offsets"})
            if (!value.contains(field)) fail(where + "no \"" + field + "\" in " + excerpt(value));
        entry e;
        auto const& dtype = value["dtype"];
        if (!dtype.is_string()) fail(where + "\"dtype\" must be a string, found " + excerpt(dtype));
        e.dtype = dtype.get<std::string>();
        auto const& shape = value["shape"];
        if (!shape.is_array() || !std::all_of(shape.begin(), shape.end(), is_unsigned))
            fail(where + "\"shape\" must be a list of non-negative integers, found " + excerpt(shape));
        for (auto const& d : shape) e.shape.push_back(d.get<std::uint64_t>());
        auto const& offsets = value["data_offsets"];
        if (!offsets.is_array() || offsets.size() != 2 || !std::all_of(offsets.begin(), offsets.end(), is_unsigned))
            fail(where + "\"data_offsets\" must be two non-negative integers [begin, end], found " +
                 excerpt(offsets));
        e.begin = offsets[0].get<std::uint64_t>();
        e.end = offsets[1].get<std::uint64_t>();
        return e;
    }

    std::filesystem::path file_;
    std::string_view who_;
    std::ifstream in_;
    std::vector<std::uint64_t> offsets_;  // absolute, one per expected tensor
    std::uint64_t data_begin_ = 0;
};

}  // namespace typegrad::io::detail
