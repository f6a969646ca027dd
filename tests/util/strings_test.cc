#include "util/strings.h"

#include "test_util.h"

namespace faceberg {
namespace {

TEST(StringsTest, SplitKeepsEmptyPieces) {
  EXPECT_EQ(Split("a,,b", ','), (std::vector<std::string>{"a", "", "b"}));
  EXPECT_EQ(Split("", ','), (std::vector<std::string>{""}));
}

TEST(StringsTest, SplitTopLevelRespectsNesting) {
  auto parts = SplitTopLevel("a decimal(9,2), m map<string, int>, s 'x,y'", ',');
  ASSERT_EQ(parts.size(), 3u);
  EXPECT_EQ(parts[0], "a decimal(9,2)");
  EXPECT_EQ(Trim(parts[1]), "m map<string, int>");
  EXPECT_EQ(Trim(parts[2]), "s 'x,y'");
}

TEST(StringsTest, ParseInt64) {
  EXPECT_EQ(ParseInt64("42"), 42);
  EXPECT_EQ(ParseInt64("-7"), -7);
  EXPECT_EQ(ParseInt64("+7"), 7);
  EXPECT_EQ(ParseInt64("9223372036854775807"), INT64_MAX);
  EXPECT_FALSE(ParseInt64("9223372036854775808"));
  EXPECT_FALSE(ParseInt64("4x"));
  EXPECT_FALSE(ParseInt64(""));
  EXPECT_FALSE(ParseInt64(" 4"));
}

TEST(StringsTest, HexRoundTrip) {
  std::string raw("\x00\x01\xab\xff", 4);
  EXPECT_EQ(HexEncode(raw), "0001abff");
  EXPECT_EQ(HexDecode("0001ABff"), raw);
  EXPECT_FALSE(HexDecode("abc"));
  EXPECT_FALSE(HexDecode("zz"));
}

TEST(StringsTest, TrimAndCase) {
  EXPECT_EQ(Trim("  a b \t\n"), "a b");
  EXPECT_EQ(ToLower("AbC"), "abc");
  EXPECT_TRUE(StartsWith("hf://x", "hf://"));
  EXPECT_TRUE(EndsWith("v3.metadata.json", ".metadata.json"));
  EXPECT_FALSE(EndsWith("a", "abc"));
}

TEST(StringsTest, FindInvalidUtf8) {
  EXPECT_EQ(FindInvalidUtf8("plain ascii"), std::string_view::npos);
  EXPECT_EQ(FindInvalidUtf8("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80"), std::string_view::npos);
  EXPECT_EQ(FindInvalidUtf8("ab\xff"), 2u);
  EXPECT_EQ(FindInvalidUtf8("x\xc3"), 1u);             // truncated sequence
  EXPECT_EQ(FindInvalidUtf8("\xc0\xaf"), 0u);          // overlong '/'
  EXPECT_EQ(FindInvalidUtf8("\xed\xa0\x80"), 0u);      // surrogate
  EXPECT_EQ(FindInvalidUtf8("\xf4\x90\x80\x80"), 0u);  // above U+10FFFF
}

TEST(StringsTest, AbbreviateKeepsShortTextAndCutsLongTextAtACharacter) {
  EXPECT_EQ(Abbreviate("id = 1", 10), "id = 1");
  EXPECT_EQ(Abbreviate("abcdefghij", 4), "abcd... (10 bytes)");
  // "\xc3\xa9" is one character: a cut at byte 2 keeps only "a".
  EXPECT_EQ(Abbreviate("a\xc3\xa9" "bc", 2), "a... (5 bytes)");
}

}  // namespace
}  // namespace faceberg
