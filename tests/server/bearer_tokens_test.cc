// The token file of `faceberg serve --token-file` and bearer header parsing.
#include "server/bearer_tokens.h"

#include <fstream>

#include "test_util.h"

namespace faceberg::server {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

TEST(BearerTokensTest, ParsesOneTokenPerLineSkippingCommentsAndBlanks) {
  ASSERT_OK_AND_ASSIGN(auto tokens, BearerTokens::Parse("# readers\n"
                                                        "alpha-token\n"
                                                        "\n"
                                                        "   beta_token  \r\n"
                                                        "# gamma-token\n",
                                                        "tokens.txt"));
  EXPECT_EQ(tokens.size(), 2u);
  EXPECT_TRUE(tokens.Accepts("alpha-token"));
  EXPECT_TRUE(tokens.Accepts("beta_token"));
  EXPECT_FALSE(tokens.Accepts("gamma-token"));  // commented out
  EXPECT_FALSE(tokens.Accepts("alpha-toke"));   // a prefix
  EXPECT_FALSE(tokens.Accepts("alpha-token2"));
  EXPECT_FALSE(tokens.Accepts(""));
  EXPECT_FALSE(tokens.Accepts("# readers"));
}

TEST(BearerTokensTest, RefusesEmptyFilesAndTokensWithSpacesWithoutEchoingThem) {
  EXPECT_ERROR(BearerTokens::Parse("# nothing\n\n", "t.txt"), ErrorCode::kInvalidArgument,
               "t.txt holds no token");
  auto bad = BearerTokens::Parse("good\nsecret part\n", "t.txt");
  EXPECT_ERROR(bad, ErrorCode::kInvalidArgument, "t.txt:2");
  EXPECT_THAT(bad.status().message(), Not(HasSubstr("secret")));
}

TEST(BearerTokensTest, LoadsAFileAndReportsAMissingOne) {
  faceberg::testing::TempDir dir;
  const std::string path = dir.Join("tokens");
  std::ofstream(path) << "t1\nt2\n";
  ASSERT_OK_AND_ASSIGN(auto tokens, BearerTokens::Load(path));
  EXPECT_TRUE(tokens.Accepts("t2"));
  EXPECT_ERROR(BearerTokens::Load(dir.Join("missing")), ErrorCode::kNotFound, "--token-file");
}

TEST(BearerTokensTest, ReadsTheBearerScheme) {
  EXPECT_EQ(BearerTokenOf("Bearer abc"), "abc");
  EXPECT_EQ(BearerTokenOf("bearer   abc  "), "abc");
  EXPECT_EQ(BearerTokenOf("BEARER abc"), "abc");
  EXPECT_EQ(BearerTokenOf("Basic abc"), "");
  EXPECT_EQ(BearerTokenOf("Bearer"), "");
  EXPECT_EQ(BearerTokenOf("Bearer "), "");
  EXPECT_EQ(BearerTokenOf(""), "");
}

}  // namespace
}  // namespace faceberg::server
