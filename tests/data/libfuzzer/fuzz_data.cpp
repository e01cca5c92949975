// libFuzzer target for the tg::data readers: every input goes through fuzz_one (../fuzz_one.hpp),
// the same function the CTest corpus replay runs. Built by this directory's CMakeLists.txt with
// clang only; see there for how to run it. Includes only data/ headers (clang 14 cannot compile
// typegrad's expression headers).

#include <cstddef>
#include <cstdint>
#include <span>

#include "../fuzz_one.hpp"

extern "C" int LLVMFuzzerTestOneInput(std::uint8_t const* data, std::size_t size) {
    (void)typegrad_test::fuzz_one(std::span<std::uint8_t const>(data, size));
    return 0;
}
