// The streaming JSON writer behind the run report: what it writes must be valid JSON that reads
// back as the values given (nlohmann::json is the reference reader), laid out as documented, and
// a misuse must be refused rather than written.
#include "cohort_sync/json_writer.hpp"

#include <cmath>
#include <cstdint>
#include <gtest/gtest.h>
#include <limits>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>

using namespace cohort_sync;

namespace {

using Layout = JsonWriter::Layout;

std::string string_json(std::string_view text) {
    std::string out;
    append_json_string(out, text);
    return out;
}

std::string double_json(double number) {
    JsonWriter out;
    out.value(number);
    return out.text();
}

} // namespace

// ---- Strings -------------------------------------------------------------------------------

TEST(JsonWriter, EscapesQuotesAndBackslashes) {
    EXPECT_EQ(string_json(R"(say "hi" \o/)"), R"("say \"hi\" \\o/")");
    EXPECT_EQ(nlohmann::json::parse(string_json(R"(say "hi" \o/)")), R"(say "hi" \o/)");
}

TEST(JsonWriter, EscapesControlCharacters) {
    EXPECT_EQ(string_json("a\nb\tc\rd\be\ff"), R"("a\nb\tc\rd\be\ff")");
    EXPECT_EQ(string_json(std::string("\x01\x1f\0", 3)), R"("\u0001\u001f\u0000")");
    EXPECT_EQ(string_json("\x7f"), "\"\x7f\"") << "DEL needs no escape in JSON";
}

TEST(JsonWriter, EveryAsciiCharacterReadsBack) {
    std::string all;
    for (int c = 0; c < 128; ++c) {
        all += static_cast<char>(c);
    }
    EXPECT_EQ(nlohmann::json::parse(string_json(all)).get<std::string>(), all);
}

TEST(JsonWriter, PassesUtf8ThroughUnchanged) {
    EXPECT_EQ(string_json("Étape é"), "\"Étape é\"");
    EXPECT_EQ(string_json("\xF0\x9F\x8E\x93 \xE2\x82\xAC"), "\"\xF0\x9F\x8E\x93 \xE2\x82\xAC\"");
    EXPECT_EQ(string_json(""), R"("")");
}

// A stray Latin-1 byte (a path or a directory value in the wrong encoding) must not make the
// report invalid JSON, nor make PostgreSQL refuse the jsonb copy.
TEST(JsonWriter, ReplacesIllFormedUtf8WithReplacementCharacter) {
    const std::string fffd = "\xEF\xBF\xBD";
    EXPECT_EQ(string_json("caf\xE9"), "\"caf" + fffd + "\"") << "Latin-1 é";
    EXPECT_EQ(string_json("\xC3"), "\"" + fffd + "\"") << "truncated sequence";
    EXPECT_EQ(string_json("\xC0\xAF"), "\"" + fffd + fffd + "\"") << "overlong form";
    EXPECT_EQ(string_json("\xED\xA0\x80"), "\"" + fffd + fffd + fffd + "\"") << "surrogate";
    EXPECT_EQ(string_json("\xF4\x90\x80\x80"), "\"" + fffd + fffd + fffd + fffd + "\"") << "above U+10FFFF";
    EXPECT_EQ(string_json("a\xFF\"b"), "\"a" + fffd + "\\\"b\"");
    EXPECT_TRUE(nlohmann::json::accept(string_json("caf\xE9 \xC3")));
}

// ---- Numbers and literals --------------------------------------------------------------------

TEST(JsonWriter, DoublesInShortestRoundTripFormThatStayDoubles) {
    EXPECT_EQ(double_json(1.5), "1.5");
    EXPECT_EQ(double_json(0.1), "0.1");
    EXPECT_EQ(double_json(0.0), "0.0");
    EXPECT_EQ(double_json(-0.0), "-0.0");
    EXPECT_EQ(double_json(2.0), "2.0");
    EXPECT_EQ(double_json(0.1 + 0.2), "0.30000000000000004");
    EXPECT_EQ(double_json(1e300), "1e+300");
    for (const double number : {1.5, 0.1 + 0.2, 1e-7, 123456.789, 1e300, -2.5e-300}) {
        const auto parsed = nlohmann::json::parse(double_json(number));
        EXPECT_TRUE(parsed.is_number_float()) << number;
        EXPECT_EQ(parsed.get<double>(), number);
    }
}

TEST(JsonWriter, NonFiniteDoublesAreNull) {
    EXPECT_EQ(double_json(std::numeric_limits<double>::quiet_NaN()), "null");
    EXPECT_EQ(double_json(std::numeric_limits<double>::infinity()), "null");
    EXPECT_EQ(double_json(-std::numeric_limits<double>::infinity()), "null");
}

TEST(JsonWriter, IntegersOfEveryWidth) {
    JsonWriter out;
    out.begin_array(Layout::line)
        .value(0)
        .value(-1)
        .value(std::numeric_limits<std::int64_t>::min())
        .value(std::numeric_limits<std::int64_t>::max())
        .value(std::numeric_limits<unsigned long long>::max())
        .value(static_cast<short>(-7))
        .value(42U)
        .end_array();
    EXPECT_EQ(out.text(), "[0, -1, -9223372036854775808, 9223372036854775807, 18446744073709551615, -7, 42]");
}

TEST(JsonWriter, BooleansNullAndStringLiterals) {
    JsonWriter out;
    out.begin_array(Layout::line).value(true).value(false).null().value("text").end_array();
    EXPECT_EQ(out.text(), R"([true, false, null, "text"])") << "a literal is a string, not a bool";
}

TEST(JsonWriter, TopLevelScalar) {
    JsonWriter out;
    EXPECT_FALSE(out.complete());
    out.value("alone");
    EXPECT_TRUE(out.complete());
    EXPECT_EQ(std::move(out).take(), R"("alone")");
}

// ---- Layout --------------------------------------------------------------------------------

TEST(JsonWriter, NestsWithTwoSpaceIndentation) {
    JsonWriter out;
    out.begin_object()
        .key("a")
        .value(1)
        .key("list")
        .begin_array()
        .value("x")
        .begin_object()
        .key("b")
        .null()
        .end_object()
        .end_array()
        .key("c")
        .begin_object()
        .key("d")
        .value(true)
        .end_object()
        .end_object();
    EXPECT_EQ(out.text(), "{\n"
                          "  \"a\": 1,\n"
                          "  \"list\": [\n"
                          "    \"x\",\n"
                          "    {\n"
                          "      \"b\": null\n"
                          "    }\n"
                          "  ],\n"
                          "  \"c\": {\n"
                          "    \"d\": true\n"
                          "  }\n"
                          "}");
}

TEST(JsonWriter, LineLayoutKeepsARecordOnOneLine) {
    JsonWriter out;
    out.begin_object().key("adds").begin_array();
    for (int id : {12, 13}) {
        out.begin_object(Layout::line)
            .key("user_id")
            .value(id)
            .key("username")
            .value("jdupont")
            .key("idnumber")
            .value("21900123")
            .end_object();
    }
    out.end_array().end_object();
    EXPECT_EQ(out.text(), "{\n"
                          "  \"adds\": [\n"
                          "    {\"user_id\": 12, \"username\": \"jdupont\", \"idnumber\": \"21900123\"},\n"
                          "    {\"user_id\": 13, \"username\": \"jdupont\", \"idnumber\": \"21900123\"}\n"
                          "  ]\n"
                          "}");
}

TEST(JsonWriter, ContainersInsideALineStayOnIt) {
    JsonWriter out;
    out.begin_array(Layout::line)
        .begin_object()
        .key("a")
        .begin_array()
        .value(1)
        .value(2)
        .end_array()
        .key("b")
        .begin_object()
        .end_object()
        .end_object()
        .begin_array()
        .end_array()
        .end_array();
    EXPECT_EQ(out.text(), R"([{"a": [1, 2], "b": {}}, []])");
}

TEST(JsonWriter, EmptyContainers) {
    JsonWriter out;
    out.begin_object()
        .key("list")
        .begin_array()
        .end_array()
        .key("map")
        .begin_object()
        .end_object()
        .key("line")
        .begin_array(Layout::line)
        .end_array()
        .end_object();
    EXPECT_EQ(out.text(), "{\n  \"list\": [],\n  \"map\": {},\n  \"line\": []\n}");
    JsonWriter empty;
    empty.begin_object().end_object();
    EXPECT_EQ(empty.text(), "{}");
}

TEST(JsonWriter, KeysAreEscapedLikeStrings) {
    JsonWriter out;
    out.begin_object(Layout::line).key("a\"b").value(1).key("Étape").value(2).end_object();
    EXPECT_EQ(out.text(), R"({"a\"b": 1, "Étape": 2})");
    EXPECT_EQ(nlohmann::json::parse(out.text()).at("a\"b"), 1);
}

TEST(JsonWriter, FieldIsAKeyAndItsValue) {
    JsonWriter out;
    out.begin_object(Layout::line)
        .field("id", std::int64_t{7})
        .field("name", std::string("x"))
        .field("label", "y")
        .field("on", true)
        .field("seconds", 0.5)
        .end_object();
    EXPECT_EQ(out.text(), R"({"id": 7, "name": "x", "label": "y", "on": true, "seconds": 0.5})");
}

// ---- Misuse ----------------------------------------------------------------------------------

TEST(JsonWriter, RefusesAKeyOutsideAnObject) {
    JsonWriter top;
    EXPECT_THROW(top.key("a"), std::logic_error);
    JsonWriter in_array;
    in_array.begin_array();
    EXPECT_THROW(in_array.key("a"), std::logic_error);
}

TEST(JsonWriter, RefusesAValueWithoutItsKey) {
    JsonWriter out;
    out.begin_object();
    EXPECT_THROW(out.value(1), std::logic_error);
    EXPECT_THROW(out.begin_array(), std::logic_error);
}

TEST(JsonWriter, RefusesTwoKeysInARow) {
    JsonWriter out;
    out.begin_object().key("a");
    EXPECT_THROW(out.key("b"), std::logic_error);
}

TEST(JsonWriter, RefusesUnbalancedEnds) {
    JsonWriter nothing_open;
    EXPECT_THROW(nothing_open.end_object(), std::logic_error);
    JsonWriter array;
    array.begin_array();
    EXPECT_THROW(array.end_object(), std::logic_error);
    JsonWriter object;
    object.begin_object();
    EXPECT_THROW(object.end_array(), std::logic_error);
    JsonWriter dangling_key;
    dangling_key.begin_object().key("a");
    EXPECT_THROW(dangling_key.end_object(), std::logic_error);
}

TEST(JsonWriter, RefusesASecondTopLevelValue) {
    JsonWriter out;
    out.begin_object().end_object();
    EXPECT_THROW(out.value(1), std::logic_error);
    EXPECT_THROW(out.begin_array(), std::logic_error);
    EXPECT_THROW(out.end_object(), std::logic_error);
}

TEST(JsonWriter, RefusesToHandOverAnIncompleteText) {
    JsonWriter nothing;
    EXPECT_THROW((void)nothing.text(), std::logic_error);
    JsonWriter open;
    open.begin_object().key("a").value(1);
    EXPECT_THROW((void)open.text(), std::logic_error);
    EXPECT_THROW((void)std::move(open).take(), std::logic_error);
}
