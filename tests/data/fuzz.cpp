// Fuzzing the tg::data readers under CTest: a deterministic generator (std::mt19937_64, fixed seed)
// mutates small valid IDX, CSV and gzip files, and every mutation goes through every reader
// (fuzz_one.hpp), which must succeed or throw tg::error: no crash, no other exception, no
// sanitizer report (the suite also runs under ASan+UBSan), no allocation driven by a corrupt
// count. Mutations: truncation at every length, every single-bit flip, interesting values in every
// header word (0, 1, 0x7FFFFFFF, 0xFFFFFFFF, ...), random byte edits, insertions, deletions,
// duplications and splices, CSV tokens, gzip of mutated content, and garbage after gzip streams.
// Some are also written to files and read by path, so the FILE* path is fuzzed too.
//
// The last test replays tests/data/corpus/: seed inputs and any reproducer the libFuzzer target
// (tests/data/libfuzzer/) finds; drop a crashing input there and it stays a regression test.

#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <random>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <typegrad/data/csv.hpp>
#include <typegrad/data/idx.hpp>
#include <typegrad/error.hpp>

#include "files.hpp"
#include "fuzz_one.hpp"

namespace tg = typegrad;
using namespace typegrad_test;

#ifndef TYPEGRAD_DATA_CORPUS
#error "TYPEGRAD_DATA_CORPUS must name tests/data/corpus (tests/CMakeLists.txt defines it)"
#endif

namespace {

std::vector<bytes> idx_seeds() {
    return {idx_images_file(3, 4, 5), idx_images_file(2, 2, 2), idx_images_file(0, 28, 28), idx_images_file(1, 1, 20),
            idx_labels_file({1, 2, 3, 0, 9}), idx_labels_file({})};
}

std::vector<bytes> csv_seeds() {
    return {to_bytes("a,b\n1,2\n3.5,-4e2\n"),
            to_bytes("label,x,y,t\n0,1,2,3\n2,\"5\",6,7\r\n1,+.5,-0,1e-3\n"),
            to_bytes("\xEF\xBB\xBF"
                     "1.5;0\n-2;1\n\n3e1;2\n"),
            to_bytes("\"q\"\"x\",y\n 1 , 2 \n")};
}

std::vector<bytes> gzipped(std::vector<bytes> const& seeds) {
    std::vector<bytes> out;
    for (auto const& s : seeds) out.push_back(gzip(s));
    return out;
}

/// Deterministic mutations of `seed`; calls `run` on each.
template <class Run>
void mutate(bytes const& seed, std::vector<bytes> const& others, std::mt19937_64& rng, int random_rounds, Run&& run) {
    auto const below = [&](std::size_t n) { return n == 0 ? std::size_t{0} : static_cast<std::size_t>(rng() % n); };

    for (std::size_t n = 0; n < seed.size(); ++n) run(first(seed, n));  // every truncation
    for (std::size_t bit = 0; bit < 8 * seed.size(); ++bit) {           // every bit flip
        bytes m = seed;
        m[bit / 8] ^= static_cast<std::uint8_t>(1u << (bit % 8));
        run(m);
    }
    for (std::size_t word = 0; word + 4 <= std::min<std::size_t>(seed.size(), 16); word += 4)  // header words
        for (std::uint32_t value : {0u, 1u, 2u, 20u, 0xFFu, 0xFFFFu, 0x7FFFFFFFu, 0x80000000u, 0xFFFFFFFEu,
                                    0xFFFFFFFFu, 0x00000801u, 0x00000803u}) {
            bytes m = seed;
            for (std::size_t i = 0; i < 4; ++i) m[word + i] = static_cast<std::uint8_t>(value >> (24 - 8 * i));
            run(m);
            run(gzip(m));
        }
    static std::string_view const tokens[] = {",", ";", "\"", "\"\"", "\n", "\r\n", "\r", " ", "\t", "nan", "-inf",
                                              "1e999", "1e-999", "-", "+", ".", "e", "0x1", "99999999999", "\xEF\xBB\xBF",
                                              "\x1f\x8b", std::string_view("\0", 1)};
    for (int round = 0; round < random_rounds; ++round) {
        bytes m = seed;
        int const edits = 1 + static_cast<int>(below(4));
        for (int e = 0; e < edits; ++e) {
            std::size_t const at = below(m.size() + 1);
            switch (below(8)) {
            case 0:  // overwrite a byte
                if (!m.empty()) m[below(m.size())] = static_cast<std::uint8_t>(rng());
                break;
            case 1:  // insert random bytes
                for (std::size_t k = below(5) + 1; k > 0; --k)
                    m.insert(m.begin() + static_cast<std::ptrdiff_t>(below(m.size() + 1)), static_cast<std::uint8_t>(rng()));
                break;
            case 2: {  // delete a range
                std::size_t const len = std::min(below(9) + 1, m.size() - std::min(at, m.size()));
                m.erase(m.begin() + static_cast<std::ptrdiff_t>(std::min(at, m.size())),
                        m.begin() + static_cast<std::ptrdiff_t>(std::min(at, m.size()) + len));
                break;
            }
            case 3: {  // duplicate a range
                if (m.empty()) break;
                std::size_t const from = below(m.size());
                std::size_t const len = std::min(below(16) + 1, m.size() - from);
                bytes const chunk(m.begin() + static_cast<std::ptrdiff_t>(from), m.begin() + static_cast<std::ptrdiff_t>(from + len));
                m.insert(m.begin() + static_cast<std::ptrdiff_t>(below(m.size() + 1)), chunk.begin(), chunk.end());
                break;
            }
            case 4: {  // insert a token
                auto const token = tokens[below(std::size(tokens))];
                m.insert(m.begin() + static_cast<std::ptrdiff_t>(at), token.begin(), token.end());
                break;
            }
            case 5: {  // splice: our head, another seed's tail
                auto const& other = others[below(others.size())];
                std::size_t const from = below(other.size() + 1);
                m.resize(at);
                m.insert(m.end(), other.begin() + static_cast<std::ptrdiff_t>(from), other.end());
                break;
            }
            case 6:  // append garbage (after a gzip stream: trailing garbage)
                for (std::size_t k = below(4) + 1; k > 0; --k) m.push_back(static_cast<std::uint8_t>(rng()));
                break;
            default:  // flip a random bit
                if (!m.empty()) m[below(m.size())] ^= static_cast<std::uint8_t>(1u << below(8));
                break;
            }
        }
        run(m);
        if (round % 4 == 0) run(gzip(m));  // a valid gzip stream of corrupt content
    }
}

struct tally {
    long inputs = 0;
    long accepted = 0;  // reader runs that succeeded
    long rejected = 0;  // reader runs that threw tg::error
    void operator()(std::span<std::uint8_t const> input) {
        auto const outcome = fuzz_one(input);  // anything but tg::error propagates and fails the test
        ++inputs;
        accepted += outcome.succeeded;
        rejected += outcome.rejected;
    }
};

}  // namespace

TEST_CASE("fuzz: mutated IDX files are read or rejected with tg::error", "[data][fuzz]") {
    std::mt19937_64 rng(20240611);
    auto const seeds = idx_seeds();
    tally t;
    for (auto const& seed : seeds) mutate(seed, seeds, rng, 250, t);
    INFO(t.inputs << " inputs, " << t.accepted << " accepted, " << t.rejected << " rejected reader runs");
    CHECK(t.inputs > 3500);
    CHECK(t.accepted > 0);  // the generator also makes valid files (pixel flips)
    CHECK(t.rejected > t.inputs);
}

TEST_CASE("fuzz: mutated CSV files are read or rejected with tg::error", "[data][fuzz]") {
    std::mt19937_64 rng(20240612);
    auto const seeds = csv_seeds();
    tally t;
    for (auto const& seed : seeds) mutate(seed, seeds, rng, 400, t);
    INFO(t.inputs << " inputs, " << t.accepted << " accepted, " << t.rejected << " rejected reader runs");
    CHECK(t.inputs > 3000);
    CHECK(t.accepted > 100);
    CHECK(t.rejected > t.inputs);
}

TEST_CASE("fuzz: mutated gzip files are read or rejected with tg::error", "[data][fuzz]") {
    std::mt19937_64 rng(20240613);
    auto seeds = gzipped(idx_seeds());
    auto const csv = gzipped(csv_seeds());
    seeds.insert(seeds.end(), csv.begin(), csv.end());
    auto const two = idx_images_file(2, 2, 2);
    seeds.push_back(concat(gzip(first(two, 10)), gzip(bytes(two.begin() + 10, two.end()))));  // two members
    tally t;
    for (auto const& seed : seeds) mutate(seed, seeds, rng, 120, t);
    INFO(t.inputs << " inputs, " << t.accepted << " accepted, " << t.rejected << " rejected reader runs");
    CHECK(t.inputs > 5000);
    CHECK(t.accepted > 0);
    CHECK(t.rejected > t.inputs);
}

TEST_CASE("fuzz: mutations read from files by path", "[data][fuzz]") {
    // The readers' file path (fopen, fread, the file size check) on a sample of mutations.
    temp_dir dir;
    std::mt19937_64 rng(20240614);
    auto seeds = idx_seeds();
    for (auto const& s : csv_seeds()) seeds.push_back(s);
    for (auto const& s : gzipped(csv_seeds())) seeds.push_back(s);
    long files = 0, accepted = 0;
    std::size_t i = 0;
    for (auto const& seed : seeds)
        mutate(seed, seeds, rng, 40, [&](std::span<std::uint8_t const> input) {
            if (i++ % 24 != 0) return;
            auto const path = dir / "input";
            write_file(path, input);
            ++files;
            auto const attempt = [&](auto&& read) {
                try {
                    read();
                    ++accepted;
                } catch (tg::error const& e) {
                    CHECK_THAT(e.what(), Catch::Contains(path.string()));
                }
            };
            attempt([&] { (void)tg::data::read_idx_images(path); });
            attempt([&] { (void)tg::data::read_idx_labels(path); });
            attempt([&] { (void)tg::data::read_csv<float, 2>(path); });
        });
    INFO(files << " files, " << accepted << " accepted reader runs");
    CHECK(files > 150);
    CHECK(accepted > 0);
}

TEST_CASE("fuzz: the corpus in tests/data/corpus replays cleanly", "[data][fuzz][corpus]") {
    std::filesystem::path const corpus = TYPEGRAD_DATA_CORPUS;
    REQUIRE(std::filesystem::is_directory(corpus));
    std::vector<std::filesystem::path> files;
    for (auto const& entry : std::filesystem::directory_iterator(corpus))
        if (entry.is_regular_file() && entry.path().filename() != "README.md") files.push_back(entry.path());
    std::sort(files.begin(), files.end());
    REQUIRE(files.size() >= 10);  // a missing corpus fails rather than passing with nothing replayed
    for (auto const& path : files) {
        CAPTURE(path.string());
        std::ifstream in(path, std::ios::binary);
        bytes const input((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
        CHECK_NOTHROW(fuzz_one(input));
        // And by path, through the file reader.
        try {
            (void)tg::data::read_idx_images(path);
        } catch (tg::error const&) {
        }
        try {
            (void)tg::data::read_csv<float, 2>(path);
        } catch (tg::error const&) {
        }
    }
}
