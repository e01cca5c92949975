#pragma once
// read_csv<T, Features, Targets = 0>(path, options): a table of numbers as a
// dataset<T, Features, Targets>.
//
// Each non-blank line holds Features feature cells, one label cell when options.label_column is
// set, and Targets regression-target cells, which are the last ones of the line. The label may
// be any of the first Features + 1 cells (options.label_column, 0-based); the features are the
// other leading cells, in their order. "x0,x1,x2,x3,species" is read_csv<float, 4>(path,
// {.label_column = 4}); "label,x0,...,x783" is read_csv<float, 784>(path, {.label_column = 0});
// "x0,x1,y" is read_csv<double, 2, 1>(path).
//
//   header        the first non-blank line names the columns: its cell count is checked, its
//                 text is not
//   delimiter     one character (not '"', '\n' or '\r'); runs of it are not merged, so with ' '
//                 two spaces make an empty cell (an error)
//   label_column  integer class labels ("3", "3.0"; not negative, below `classes` if set)
//   classes       0: any label >= 0 is accepted
//
// Accepted: \n or \r\n line ends, a UTF-8 byte-order mark, spaces and tabs around a cell, cells
// in double quotes ("" inside for a quote; a quoted cell ends on its line), a leading '+',
// gzip-compressed files (detected by their magic bytes), blank lines anywhere (skipped).
// Numbers are parsed by std::from_chars, not strtod: strtod reads "1,5" or "1.5" depending on
// the C locale the program has set (a program with a German locale would read "1.5" as 1), and
// from_chars is locale-independent, exact, and does not allocate. Values too small for T become
// (signed) zero; values too large for T, "nan" and "inf" are errors (a table with them would
// poison training silently).
//
// Errors (tg::error, naming the file, the 1-based line and column, what was expected and the
// offending text, escaped and cut short): a missing or unreadable file, a corrupt gzip stream, a
// non-numeric or empty cell, a line with the wrong number of cells (expected and found counts),
// an unterminated quote, a label that is not an integer or out of range, a missing header line,
// an option that contradicts the layout (checked before the file is opened). The result is
// returned by value: a failed read leaves nothing behind.
//
// Memory: the file (decompressed) is read whole, then parsed; values are stored as they are
// validated, so memory grows with the valid data, never with a count the file claims.

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <limits>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>
#include <vector>

#include <typegrad/data/dataset.hpp>
#include <typegrad/data/detail/input.hpp>
#include <typegrad/data/detail/text.hpp>
#include <typegrad/error.hpp>
#include <typegrad/simd/batch.hpp>
#include <typegrad/tensor/matrix.hpp>

namespace typegrad::data {

struct csv_options {
    bool header = false;                                     // the first non-blank line names the columns
    char delimiter = ',';                                    // between cells
    std::optional<std::size_t> label_column = std::nullopt;  // 0-based cell index of an integer class label
    std::size_t classes = 0;                                 // labels must be below this (0: no bound)
};

namespace detail {

inline bool csv_blank(char c) noexcept { return c == ' ' || c == '\t'; }

inline std::string_view csv_trim(std::string_view s) noexcept {
    while (!s.empty() && csv_blank(s.front())) s.remove_prefix(1);
    while (!s.empty() && csv_blank(s.back())) s.remove_suffix(1);
    return s;
}

/// Where splitting a line failed: the 1-based column and why.
struct csv_split_error {
    std::size_t column;
    std::string what;
};

/// Splits `line` at `delimiter`, honouring double quotes. Stores at most `keep` cells (their text,
/// unquoted, not trimmed) in `cells` and returns the number of cells; a line with many more cells
/// than expected costs no memory.
inline std::size_t csv_split(std::string_view line, char delimiter, std::size_t keep, std::vector<std::string_view>& cells,
                             std::optional<csv_split_error>& failure) {
    cells.clear();
    std::size_t count = 0;
    std::size_t i = 0;
    for (;;) {
        ++count;
        std::size_t j = i;
        while (j < line.size() && line[j] != delimiter && csv_blank(line[j])) ++j;
        std::string_view cell;
        std::size_t end;  // the delimiter after the cell, or line.size()
        if (j < line.size() && line[j] == '"') {
            std::size_t k = j + 1;
            while (k < line.size()) {
                if (line[k] == '"') {
                    if (k + 1 < line.size() && line[k + 1] == '"') {
                        k += 2;
                        continue;
                    }
                    break;
                }
                ++k;
            }
            if (k >= line.size()) {
                failure = csv_split_error{count, "unterminated quoted cell " + quoted(line.substr(j)) +
                                                     " (a quoted cell must end on its line)"};
                return count;
            }
            cell = line.substr(j + 1, k - j - 1);
            end = k + 1;
            while (end < line.size() && line[end] != delimiter && csv_blank(line[end])) ++end;
            if (end < line.size() && line[end] != delimiter) {
                std::size_t stop = line.find(delimiter, end);
                if (stop == std::string_view::npos) stop = line.size();
                failure = csv_split_error{count, "unexpected text " + quoted(line.substr(end, stop - end)) +
                                                     " after the closing quote of " + quoted(cell)};
                return count;
            }
        } else {
            end = line.find(delimiter, i);
            if (end == std::string_view::npos) end = line.size();
            cell = line.substr(i, end - i);
        }
        if (cells.size() < keep) cells.push_back(cell);
        if (end >= line.size()) return count;
        i = end + 1;
    }
}

/// True when a decimal number that from_chars found out of range is too small (not too large):
/// its leading significant digit sits below the units place.
inline bool csv_underflows(std::string_view s) noexcept {
    std::size_t i = 0;
    if (i < s.size() && s[i] == '-') ++i;
    std::int64_t digit_place = 0;  // power of ten of the first significant digit
    bool found = false;
    std::int64_t int_digits = 0;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') {
        if (!found && s[i] != '0') found = true;
        if (found) ++int_digits;
        ++i;
    }
    if (found) digit_place = int_digits - 1;
    if (i < s.size() && s[i] == '.') {
        ++i;
        std::int64_t place = -1;
        while (i < s.size() && s[i] >= '0' && s[i] <= '9') {
            if (!found && s[i] != '0') {
                found = true;
                digit_place = place;
            }
            --place;
            ++i;
        }
    }
    if (!found) return true;  // zero is never out of range; be safe
    std::int64_t exponent = 0;
    if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
        ++i;
        bool negative = false;
        if (i < s.size() && (s[i] == '+' || s[i] == '-')) negative = s[i++] == '-';
        while (i < s.size() && s[i] >= '0' && s[i] <= '9') {
            if (exponent < 1'000'000'000) exponent = exponent * 10 + (s[i] - '0');
            ++i;
        }
        if (negative) exponent = -exponent;
    }
    return digit_place + exponent < 0;
}

/// Parses a whole cell as a finite T; on failure returns why (the caller adds where).
template <scalar T>
std::optional<std::string> csv_number(std::string_view cell, T& value) {
    std::string_view s = csv_trim(cell);
    if (s.empty()) return std::string("expected a number, found an empty cell");
    if (s.size() > 1 && s[0] == '+' && ((s[1] >= '0' && s[1] <= '9') || s[1] == '.')) s.remove_prefix(1);
    T v{};
    auto const [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v, std::chars_format::general);
    if (ec == std::errc::invalid_argument || end != s.data() + s.size())
        return "expected a number, found " + quoted(cell);
    if (ec == std::errc::result_out_of_range) {
        if (!csv_underflows(s))
            return "expected a number in the range of " + std::string(sizeof(T) == 4 ? "float" : "double") +
                   ", found " + quoted(cell);
        v = s[0] == '-' ? -T(0) : T(0);
    } else if (ec != std::errc{}) {
        return "expected a number, found " + quoted(cell);
    }
    if (!std::isfinite(v)) return "expected a finite number, found " + quoted(cell);
    value = v;
    return std::nullopt;
}

/// Parses a whole cell as a class label in [0, classes) (any label >= 0 fitting an int when
/// classes is 0): an integer, or a number with an integral value ("3.0").
inline std::optional<std::string> csv_label(std::string_view cell, std::size_t classes, int& label) {
    constexpr long long int_max = std::numeric_limits<int>::max();
    auto const out_of_range = [&] {
        if (classes > 0)
            return "label " + quoted(cell) + " is out of range: expected 0 to " + std::to_string(classes - 1) +
                   " for " + std::to_string(classes) + " classes";
        return "label " + quoted(cell) + " is out of range: expected 0 to " + std::to_string(int_max);
    };
    std::string_view s = csv_trim(cell);
    if (s.empty()) return std::string("expected an integer label, found an empty cell");
    if (s.size() > 1 && s[0] == '+' && s[1] >= '0' && s[1] <= '9') s.remove_prefix(1);
    long long v = 0;
    auto const [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (end == s.data() + s.size() && ec == std::errc::result_out_of_range) return out_of_range();
    if (end != s.data() + s.size() || ec != std::errc{}) {  // "3.0" and "3e0" are labels too
        double d = 0;
        if (csv_number<double>(cell, d) || d != std::floor(d)) return "expected an integer label, found " + quoted(cell);
        if (d < -1e18 || d > 1e18) return out_of_range();
        v = static_cast<long long>(d);
    }
    if (v < 0 || v > int_max || (classes > 0 && static_cast<unsigned long long>(v) >= classes)) return out_of_range();
    label = static_cast<int>(v);
    return std::nullopt;
}

/// The expected cells of a line, for messages: "5 cells (4 features, 1 label)".
inline std::string csv_layout(std::size_t features, bool label, std::size_t targets) {
    std::size_t const total = features + (label ? 1 : 0) + targets;
    std::string s = std::to_string(total) + (total == 1 ? " cell (" : " cells (") + std::to_string(features) +
                    (features == 1 ? " feature" : " features");
    if (label) s += ", 1 label";
    if (targets > 0) s += ", " + std::to_string(targets) + (targets == 1 ? " target" : " targets");
    return s + ")";
}

inline void csv_check_options(char const* api, std::size_t features, std::size_t targets, csv_options const& o) {
    if (o.delimiter == '"' || o.delimiter == '\n' || o.delimiter == '\r')
        throw error(std::string(api) + ": the delimiter cannot be " + quoted(std::string_view(&o.delimiter, 1)));
    if (o.classes > 0 && !o.label_column)
        throw error(std::string(api) + ": classes is " + std::to_string(o.classes) +
                    " but no label_column says where the labels are");
    if (o.label_column && *o.label_column > features)
        throw error(std::string(api) + ": label_column " + std::to_string(*o.label_column) +
                    " is out of range for a line of " + csv_layout(features, true, targets) + ": expected 0 to " +
                    std::to_string(features) +
                    (targets > 0 ? " (the last " + std::to_string(targets) + " cells are the targets)" : std::string()));
}

template <scalar T, std::size_t Features, std::size_t Targets>
dataset<T, Features, Targets> read_csv(input& in, csv_options const& options) {
    std::vector<std::uint8_t> const bytes = in.read_all();
    std::string_view text(reinterpret_cast<char const*>(bytes.data()), bytes.size());
    if (text.starts_with("\xEF\xBB\xBF")) text.remove_prefix(3);  // UTF-8 byte-order mark

    bool const has_label = options.label_column.has_value();
    std::size_t const label_at = options.label_column.value_or(0);
    std::size_t const expected = Features + (has_label ? 1 : 0) + Targets;
    std::vector<T> features;
    std::vector<int> labels;
    std::vector<T> targets;
    std::vector<std::string_view> cells;
    cells.reserve(expected);
    bool header_pending = options.header;
    std::size_t line_number = 0;

    auto const where = [&](std::size_t column) {
        return "line " + std::to_string(line_number) + ", column " + std::to_string(column) + ": ";
    };

    while (!text.empty()) {
        std::size_t const newline = text.find('\n');
        std::string_view line = text.substr(0, newline);
        text.remove_prefix(newline == std::string_view::npos ? text.size() : newline + 1);
        ++line_number;
        if (line.ends_with('\r')) line.remove_suffix(1);
        if (csv_trim(line).empty()) continue;

        std::optional<csv_split_error> failure;
        std::size_t const count = csv_split(line, options.delimiter, expected, cells, failure);
        if (failure) in.fail(where(failure->column) + failure->what);
        if (count != expected)
            in.fail("line " + std::to_string(line_number) + (header_pending ? " (the header)" : "") + ": expected " +
                    csv_layout(Features, has_label, Targets) + ", found " + std::to_string(count) +
                    (count == 1 ? " cell" : " cells"));
        if (header_pending) {
            header_pending = false;
            continue;
        }
        std::size_t column = 0;
        for (std::size_t c = 0; c < Features + (has_label ? 1 : 0); ++c, ++column) {
            if (has_label && c == label_at) {
                int label = 0;
                if (auto why = csv_label(cells[c], options.classes, label)) in.fail(where(c + 1) + *why);
                labels.push_back(label);
            } else {
                T value{};
                if (auto why = csv_number<T>(cells[c], value)) in.fail(where(c + 1) + *why);
                features.push_back(value);
            }
        }
        for (std::size_t c = column; c < expected; ++c) {
            T value{};
            if (auto why = csv_number<T>(cells[c], value)) in.fail(where(c + 1) + *why);
            targets.push_back(value);
        }
    }
    if (header_pending) in.fail("expected a header line, found " + std::string(bytes.empty() ? "an empty file" : "only blank lines"));

    std::size_t const rows = features.size() / Features;
    matrix<T, Features> x(rows);
    std::copy(features.begin(), features.end(), x.data());
    if constexpr (Targets > 0) {
        matrix<T, Targets> y(rows);
        std::copy(targets.begin(), targets.end(), y.data());
        return dataset<T, Features, Targets>(std::move(x), std::move(labels), std::move(y));
    } else {
        return dataset<T, Features, Targets>(std::move(x), std::move(labels));
    }
}

}  // namespace detail

/// The table in the CSV file at `path` (plain or gzip).
template <scalar T, std::size_t Features, std::size_t Targets = 0>
dataset<T, Features, Targets> read_csv(std::filesystem::path const& path, csv_options const& options = {}) {
    constexpr char const* api = "typegrad::data::read_csv";
    detail::csv_check_options(api, Features, Targets, options);
    detail::input in(api, path);
    return detail::read_csv<T, Features, Targets>(in, options);
}

/// A CSV table held in memory (plain or gzip); `name` stands for it in messages.
template <scalar T, std::size_t Features, std::size_t Targets = 0>
dataset<T, Features, Targets> read_csv(std::span<std::uint8_t const> bytes, std::string name = "<memory>",
                                       csv_options const& options = {}) {
    constexpr char const* api = "typegrad::data::read_csv";
    detail::csv_check_options(api, Features, Targets, options);
    detail::input in(api, bytes, std::move(name));
    return detail::read_csv<T, Features, Targets>(in, options);
}

}  // namespace typegrad::data
