// tg::data::read_csv: layouts (label anywhere, trailing targets, features only), the accepted
// spellings (header, CRLF, BOM, blanks, quotes, '+', gzip), and every malformed input with the
// file, line, column and text in the message.

#include <catch2/catch.hpp>

#include <clocale>
#include <cmath>
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include <typegrad/data/csv.hpp>
#include <typegrad/error.hpp>

#include "files.hpp"

namespace tg = typegrad;
using namespace typegrad_test;
using Catch::Contains;

namespace {

std::vector<int> labels_of(auto const& ds) { return {ds.labels().begin(), ds.labels().end()}; }

template <class T, std::size_t F, std::size_t Tg = 0>
tg::data::dataset<T, F, Tg> parse(std::string_view text, tg::data::csv_options const& options = {}) {
    auto const b = to_bytes(text);
    return tg::data::read_csv<T, F, Tg>(b, "table.csv", options);
}

}  // namespace

TEST_CASE("read_csv reads features and a label column from a file", "[data][csv]") {
    temp_dir dir;
    write_file(dir / "iris.csv",
               "sepal_length,sepal_width,petal_length,petal_width,species\n"
               "5.1,3.5,1.4,0.2,0\n"
               "7.0,3.2,4.7,1.4,1\n"
               "6.3,3.3,6.0,2.5,2\n");
    auto const ds = tg::data::read_csv<float, 4>(dir / "iris.csv", {.header = true, .label_column = 4, .classes = 3});
    STATIC_REQUIRE(std::is_same_v<decltype(ds), tg::data::dataset<float, 4> const>);
    REQUIRE(ds.size() == 3);
    CHECK(labels_of(ds) == std::vector<int>{0, 1, 2});
    CHECK(ds.features()(0, 0) == 5.1f);
    CHECK(ds.features()(1, 3) == 1.4f);
    CHECK(ds.features()(2, 2) == 6.0f);
}

TEST_CASE("read_csv reads gzip files", "[data][csv]") {
    temp_dir dir;
    write_gzip_file(dir / "t.csv.gz", "1,2,0\n3,4,1\n");
    auto const ds = tg::data::read_csv<double, 2>(dir / "t.csv.gz", {.label_column = 2});
    REQUIRE(ds.size() == 2);
    CHECK(ds.features()(1, 1) == 4.0);
    CHECK(labels_of(ds) == std::vector<int>{0, 1});
}

TEST_CASE("read_csv: the label may be any leading column and targets are the trailing ones", "[data][csv]") {
    SECTION("label first") {
        auto const ds = parse<float, 3>("7,0.5,0.25,1\n2,1,2,3\n", {.label_column = 0});
        CHECK(labels_of(ds) == std::vector<int>{7, 2});
        CHECK(ds.features()(0, 0) == 0.5f);
        CHECK(ds.features()(0, 2) == 1.0f);
    }
    SECTION("label in the middle") {
        auto const ds = parse<float, 3>("10,20,4,30\n", {.label_column = 2});
        CHECK(labels_of(ds) == std::vector<int>{4});
        CHECK(ds.features()(0, 2) == 30.0f);
    }
    SECTION("regression targets, no label") {
        auto const ds = parse<double, 2, 1>("1,2,3\n4,5,6\n");
        STATIC_REQUIRE(std::is_same_v<decltype(ds), tg::data::dataset<double, 2, 1> const>);
        CHECK_FALSE(ds.has_labels());
        CHECK(ds.targets()(0, 0) == 3.0);
        CHECK(ds.targets()(1, 0) == 6.0);
        CHECK(ds.features()(1, 1) == 5.0);
    }
    SECTION("a label and two targets") {
        auto const ds = parse<float, 2, 2>("1, 2, 1, 0.5, 0.25\n", {.label_column = 0});
        CHECK(labels_of(ds) == std::vector<int>{1});
        CHECK(ds.features()(0, 0) == 2.0f);
        CHECK(ds.features()(0, 1) == 1.0f);
        CHECK(ds.targets()(0, 1) == 0.25f);
    }
    SECTION("features only") {
        auto const ds = parse<float, 2>("1,2\n3,4\n");
        CHECK(ds.size() == 2);
        CHECK_FALSE(ds.has_labels());
    }
}

TEST_CASE("read_csv accepts CRLF and a BOM and blanks and quotes and signs and exponents and blank lines", "[data][csv]") {
    auto const table = parse<double, 3>(
        "\xEF\xBB\xBF"
        "\"a\",\"b, with a comma\",\"c \"\"quoted\"\"\",label\r\n"
        "\r\n"
        "  1.5 ,\t-2,+3e2, 1\r\n"
        "   \n"
        "\"4\", .5 ,5., \"2\"  \r\n"
        "1e-400,-1e-400,1E+2,3.0\n",
        {.header = true, .label_column = 3});
    REQUIRE(table.size() == 3);
    CHECK(labels_of(table) == std::vector<int>{1, 2, 3});
    CHECK(table.features()(0, 0) == 1.5);
    CHECK(table.features()(0, 1) == -2.0);
    CHECK(table.features()(0, 2) == 300.0);
    CHECK(table.features()(1, 0) == 4.0);
    CHECK(table.features()(1, 1) == 0.5);
    CHECK(table.features()(1, 2) == 5.0);
    CHECK(table.features()(2, 0) == 0.0);  // too small for a double: zero, keeping the sign
    CHECK(std::signbit(table.features()(2, 1)));
    CHECK(table.features()(2, 2) == 100.0);
}

TEST_CASE("read_csv: other delimiters and no trailing newline", "[data][csv]") {
    auto const semicolons = parse<float, 2>("1.5;2\n3;4", {.delimiter = ';'});
    CHECK(semicolons.features()(0, 0) == 1.5f);
    CHECK(semicolons.features()(1, 1) == 4.0f);
    auto const tabs = parse<float, 2>("1\t2\n3\t4\n", {.delimiter = '\t'});
    CHECK(tabs.features()(1, 0) == 3.0f);
    auto const spaces = parse<float, 2>("1 2\n3 4\n", {.delimiter = ' '});
    CHECK(spaces.features()(1, 1) == 4.0f);
    // A decimal comma is not a number, whatever the locale: from_chars does not consult it.
    CHECK_THROWS_WITH((parse<float, 2>("1,5;2\n", {.delimiter = ';'})),
                      Contains("line 1, column 1: expected a number, found \"1,5\""));
}

TEST_CASE("read_csv of an empty file or only a header gives an empty dataset", "[data][csv]") {
    CHECK(parse<float, 2>("").empty());
    CHECK(parse<float, 2>("\n\n").empty());
    CHECK(parse<float, 2>("x,y\n", {.header = true}).empty());
    CHECK_THROWS_WITH((parse<float, 2>("", {.header = true})),
                      Contains("table.csv: expected a header line, found an empty file"));
    CHECK_THROWS_WITH((parse<float, 2>("\n \n", {.header = true})), Contains("found only blank lines"));
}

TEST_CASE("read_csv: a non-numeric cell is an error naming file and line and column and text", "[data][csv][errors]") {
    temp_dir dir;
    write_file(dir / "bad.csv", "a,b,label\n1,2,0\n3,abc,1\n");
    CHECK_THROWS_WITH((tg::data::read_csv<float, 2>(dir / "bad.csv", {.header = true, .label_column = 2})),
                      Contains("typegrad::data::read_csv: " + (dir / "bad.csv").string() +
                               ": line 3, column 2: expected a number, found \"abc\""));
    CHECK_THROWS_WITH((parse<float, 2>("1,2\n3,\n")), Contains("line 2, column 2: expected a number, found an empty cell"));
    CHECK_THROWS_WITH((parse<float, 2>("1,2\n3, \"\" \n")), Contains("line 2, column 2: expected a number, found an empty cell"));
    CHECK_THROWS_WITH((parse<float, 2>("1,2x\n")), Contains("line 1, column 2: expected a number, found \"2x\""));
    CHECK_THROWS_WITH((parse<float, 2>("1,0x10\n")), Contains("found \"0x10\""));
    CHECK_THROWS_WITH((parse<float, 2>("1,+-2\n")), Contains("found \"+-2\""));
    CHECK_THROWS_WITH((parse<float, 2>("1,nan\n")), Contains("line 1, column 2: expected a finite number, found \"nan\""));
    CHECK_THROWS_WITH((parse<float, 2>("-inf,1\n")), Contains("column 1: expected a finite number, found \"-inf\""));
    CHECK_THROWS_WITH((parse<float, 2>("1e39,1\n")),
                      Contains("column 1: expected a number in the range of float, found \"1e39\""));
    CHECK_NOTHROW(parse<double, 2>("1e39,1\n"));
    CHECK_THROWS_WITH((parse<double, 2>("1,-1e999\n")), Contains("in the range of double, found \"-1e999\""));
    // Untrusted bytes are escaped and cut short in the message.
    CHECK_THROWS_WITH((parse<float, 2>("1,\x01\xff\"z\n")), Contains("found \"\\x01\\xff\\\"z\""));
    CHECK_THROWS_WITH((parse<float, 2>("1," + std::string(100, '7') + "x\n")),
                      Contains("found \"7777777777777777777777777777777777777777\"..."));
}

TEST_CASE("read_csv: a line with the wrong number of cells is an error", "[data][csv][errors]") {
    CHECK_THROWS_WITH((parse<float, 3>("1,2,3,0\n1,2,3\n", {.label_column = 3})),
                      Contains("table.csv: line 2: expected 4 cells (3 features, 1 label), found 3 cells"));
    CHECK_THROWS_WITH((parse<float, 2, 1>("1,2,3\n\n1,2,3,4,5\n")),
                      Contains("line 3: expected 3 cells (2 features, 1 target), found 5 cells"));
    CHECK_THROWS_WITH((parse<float, 2>("1,2,\n")), Contains("line 1: expected 2 cells (2 features), found 3 cells"));
    CHECK_THROWS_WITH((parse<float, 2>("12\n")), Contains("found 1 cell"));
    CHECK_THROWS_WITH((parse<float, 2>("a,b,c\n1,2\n", {.header = true})),
                      Contains("line 1 (the header): expected 2 cells (2 features), found 3 cells"));
    // A quoted delimiter does not split a cell.
    CHECK_NOTHROW(parse<float, 2>("\"a,b\",c\n1,2\n", {.header = true}));
}

TEST_CASE("read_csv: quotes that do not close are an error", "[data][csv][errors]") {
    CHECK_THROWS_WITH((parse<float, 2>("1,\"2\n3\"\n")),
                      Contains("line 1, column 2: unterminated quoted cell \"\\\"2\" (a quoted cell must end on its line)"));
    CHECK_THROWS_WITH((parse<float, 2>("\"1\"x,2\n")),
                      Contains("line 1, column 1: unexpected text \"x\" after the closing quote of \"1\""));
}

TEST_CASE("read_csv: labels must be integers in range", "[data][csv][errors]") {
    tg::data::csv_options const options{.label_column = 1, .classes = 3};
    CHECK(labels_of(parse<float, 1>("0.5,2\n0.5,2.0\n0.5,+1\n0.5,2e0\n", options)) == std::vector<int>{2, 2, 1, 2});
    CHECK_THROWS_WITH((parse<float, 1>("0.5,2.5\n", options)),
                      Contains("line 1, column 2: expected an integer label, found \"2.5\""));
    CHECK_THROWS_WITH((parse<float, 1>("0.5,x\n", options)), Contains("expected an integer label, found \"x\""));
    CHECK_THROWS_WITH((parse<float, 1>("0.5,\n", options)), Contains("expected an integer label, found an empty cell"));
    CHECK_THROWS_WITH((parse<float, 1>("0.5,1\n0.5,3\n", options)),
                      Contains("line 2, column 2: label \"3\" is out of range: expected 0 to 2 for 3 classes"));
    CHECK_THROWS_WITH((parse<float, 1>("0.5,-1\n", options)), Contains("label \"-1\" is out of range"));
    CHECK_THROWS_WITH((parse<float, 1>("0.5,-1\n", {.label_column = 1})),
                      Contains("label \"-1\" is out of range: expected 0 to 2147483647"));
    CHECK_THROWS_WITH((parse<float, 1>("0.5,99999999999999999999\n", {.label_column = 1})),
                      Contains("label \"99999999999999999999\" is out of range"));
    CHECK(labels_of(parse<float, 1>("0.5,1000\n", {.label_column = 1})) == std::vector<int>{1000});
}

TEST_CASE("read_csv: options that contradict the layout are an error before reading", "[data][csv][errors]") {
    CHECK_THROWS_WITH((tg::data::read_csv<float, 2, 1>("/nonexistent.csv", {.label_column = 3})),
                      Contains("label_column 3 is out of range for a line of 4 cells (2 features, 1 label, 1 target): "
                               "expected 0 to 2 (the last 1 cells are the targets)"));
    CHECK_THROWS_WITH((tg::data::read_csv<float, 2>("/nonexistent.csv", {.label_column = 7})),
                      Contains("label_column 7 is out of range for a line of 3 cells (2 features, 1 label): expected 0 to 2"));
    CHECK_THROWS_WITH((tg::data::read_csv<float, 2>("/nonexistent.csv", {.classes = 3})),
                      Contains("classes is 3 but no label_column says where the labels are"));
    CHECK_THROWS_WITH((tg::data::read_csv<float, 2>("/nonexistent.csv", {.delimiter = '"'})),
                      Contains("the delimiter cannot be \"\\\"\""));
    CHECK_THROWS_WITH((tg::data::read_csv<float, 2>("/nonexistent.csv")),
                      Contains("typegrad::data::read_csv: /nonexistent.csv: cannot open for reading"));
}

TEST_CASE("read_csv: a corrupt gzip file is an error", "[data][csv][errors]") {
    auto packed = gzip("1,2\n3,4\n");
    packed[packed.size() - 6] ^= 0x40;  // in the CRC-32
    CHECK_THROWS_WITH((tg::data::read_csv<float, 2>(packed, "t.csv.gz")),
                      Contains("t.csv.gz: corrupt gzip stream at compressed byte"));
    auto const cut = first(gzip("1,2\n3,4\n"), 20);
    CHECK_THROWS_WITH((tg::data::read_csv<float, 2>(cut, "t.csv.gz")), Contains("t.csv.gz: truncated gzip stream"));
}
