#include "hub/hf_uri.h"

#include "test_util.h"

namespace faceberg::hub {
namespace {

TEST(HfUriTest, ParsesRepoOnly) {
  ASSERT_OK_AND_ASSIGN(HfUri uri, ParseHfUri("hf://datasets/owner/name"));
  EXPECT_EQ(uri.owner, "owner");
  EXPECT_EQ(uri.name, "name");
  EXPECT_EQ(uri.revision, "");
  EXPECT_EQ(uri.revision_or_default(), "main");
  EXPECT_EQ(uri.path, "");
  EXPECT_EQ(uri.repo_id(), "owner/name");
  EXPECT_EQ(uri.ToString(), "hf://datasets/owner/name");
}

TEST(HfUriTest, ParsesRevisionAndPath) {
  ASSERT_OK_AND_ASSIGN(HfUri uri,
                       ParseHfUri("hf://datasets/o-1/n.a_me@0123abcd/data/train-0.parquet"));
  EXPECT_EQ(uri.repo_id(), "o-1/n.a_me");
  EXPECT_EQ(uri.revision, "0123abcd");
  EXPECT_EQ(uri.path, "data/train-0.parquet");
  EXPECT_EQ(uri.ToString(), "hf://datasets/o-1/n.a_me@0123abcd/data/train-0.parquet");
}

TEST(HfUriTest, SpecialRefsAreRecognisedUnencoded) {
  ASSERT_OK_AND_ASSIGN(
      HfUri convert,
      ParseHfUri("hf://datasets/o/n@refs/convert/parquet/default/train/0000.parquet"));
  EXPECT_EQ(convert.revision, "refs/convert/parquet");
  EXPECT_EQ(convert.path, "default/train/0000.parquet");
  EXPECT_EQ(convert.ToString(),
            "hf://datasets/o/n@refs/convert/parquet/default/train/0000.parquet");

  ASSERT_OK_AND_ASSIGN(HfUri pr, ParseHfUri("hf://datasets/o/n@refs/pr/12/x.csv"));
  EXPECT_EQ(pr.revision, "refs/pr/12");
  EXPECT_EQ(pr.path, "x.csv");

  ASSERT_OK_AND_ASSIGN(HfUri bare, ParseHfUri("hf://datasets/o/n@refs/convert/parquet"));
  EXPECT_EQ(bare.revision, "refs/convert/parquet");
  EXPECT_EQ(bare.path, "");
}

TEST(HfUriTest, EncodedRevisionsAreDecodedOnce) {
  ASSERT_OK_AND_ASSIGN(HfUri convert,
                       ParseHfUri("hf://datasets/o/n@refs%2Fconvert%2Fparquet/default/a.parquet"));
  EXPECT_EQ(convert.revision, "refs/convert/parquet");
  EXPECT_EQ(convert.path, "default/a.parquet");
  // Printed canonically: special refs verbatim.
  EXPECT_EQ(convert.ToString(), "hf://datasets/o/n@refs/convert/parquet/default/a.parquet");

  ASSERT_OK_AND_ASSIGN(HfUri branch, ParseHfUri("hf://datasets/o/n@feature%2Ffoo/a.txt"));
  EXPECT_EQ(branch.revision, "feature/foo");
  EXPECT_EQ(branch.ToString(), "hf://datasets/o/n@feature%2Ffoo/a.txt");

  // A double-encoded revision decodes only once, so it stays a literal (wrong) name.
  ASSERT_OK_AND_ASSIGN(HfUri twice, ParseHfUri("hf://datasets/o/n@refs%252Fpr%252F2/a"));
  EXPECT_EQ(twice.revision, "refs%2Fpr%2F2");
  EXPECT_EQ(EncodeRevision(twice.revision), "refs%252Fpr%252F2");
  ASSERT_OK_AND_ASSIGN(HfUri again, ParseHfUri(twice.ToString()));
  EXPECT_EQ(again, twice);
}

TEST(HfUriTest, OtherSlashRevisionsNeedEncoding) {
  // Without %2F, "refs/heads/x" is revision "refs" and the rest is the path.
  ASSERT_OK_AND_ASSIGN(HfUri uri, ParseHfUri("hf://datasets/o/n@refs/heads/x"));
  EXPECT_EQ(uri.revision, "refs");
  EXPECT_EQ(uri.path, "heads/x");
}

TEST(HfUriTest, AtInPathIsLiteral) {
  ASSERT_OK_AND_ASSIGN(HfUri uri, ParseHfUri("hf://datasets/o/n/dir/file@v2.txt"));
  EXPECT_EQ(uri.revision, "");
  EXPECT_EQ(uri.path, "dir/file@v2.txt");
  EXPECT_EQ(uri.ToString(), "hf://datasets/o/n/dir/file@v2.txt");
}

TEST(HfUriTest, TrailingSlashIsAFolder) {
  ASSERT_OK_AND_ASSIGN(HfUri root, ParseHfUri("hf://datasets/o/n/"));
  EXPECT_EQ(root.path, "");
  ASSERT_OK_AND_ASSIGN(HfUri dir, ParseHfUri("hf://datasets/o/n@main/data/"));
  EXPECT_EQ(dir.path, "data");
}

TEST(HfUriTest, RoundTripsThroughToString) {
  for (const char* text :
       {"hf://datasets/a/b", "hf://datasets/a/b@main", "hf://datasets/a/b@v1.0/x/y.z",
        "hf://datasets/a/b@refs/pr/3/f", "hf://datasets/a/b@we%20ird%25rev/f"}) {
    ASSERT_OK_AND_ASSIGN(HfUri uri, ParseHfUri(text));
    ASSERT_OK_AND_ASSIGN(HfUri again, ParseHfUri(uri.ToString()));
    EXPECT_EQ(again, uri) << text;
  }
  ASSERT_OK_AND_ASSIGN(HfUri weird, ParseHfUri("hf://datasets/a/b@we%20ird%25rev/f"));
  EXPECT_EQ(weird.revision, "we ird%rev");
}

TEST(HfUriTest, RefusesBadUris) {
  EXPECT_ERROR(ParseHfUri("s3://bucket/x"), ErrorCode::kInvalidArgument, "not an hf://");
  EXPECT_ERROR(ParseHfUri("hf://dataset/o/n"), ErrorCode::kInvalidArgument, "plural");
  EXPECT_ERROR(ParseHfUri("hf://models/o/n"), ErrorCode::kInvalidArgument,
               "only dataset repositories");
  EXPECT_ERROR(ParseHfUri("hf://datasets/onlyone"), ErrorCode::kInvalidArgument, "NAME is missing");
  EXPECT_ERROR(ParseHfUri("hf://datasets//n"), ErrorCode::kInvalidArgument, "owner is empty");
  EXPECT_ERROR(ParseHfUri("hf://datasets/o/n@/x"), ErrorCode::kInvalidArgument,
               "revision after '@' is empty");
  EXPECT_ERROR(ParseHfUri("hf://datasets/o/n@bad%zz/x"), ErrorCode::kInvalidArgument,
               "malformed %-escape");
  EXPECT_ERROR(ParseHfUri("hf://datasets/o/n/a//b"), ErrorCode::kInvalidArgument, "empty segment");
  EXPECT_ERROR(ParseHfUri("hf://datasets/o/n/a/../b"), ErrorCode::kInvalidArgument, "'..'");
  EXPECT_ERROR(ParseHfUri("hf://datasets/o/n/./b"), ErrorCode::kInvalidArgument, "'.'");
  EXPECT_ERROR(ParseHfUri("hf://datasets/o/n$x/f"), ErrorCode::kInvalidArgument, "may only hold");
  EXPECT_ERROR(ParseHfUri("hf://datasets/o/a..b"), ErrorCode::kInvalidArgument, "'..'");
}

TEST(HfUriTest, WireEncodings) {
  EXPECT_EQ(EncodeRevision("refs/convert/parquet"), "refs%2Fconvert%2Fparquet");
  EXPECT_EQ(EncodeRevision("main"), "main");
  EXPECT_EQ(EncodeRevision("v1.0-rc_1~x"), "v1.0-rc_1~x");
  EXPECT_EQ(EncodeRevision("a b+c@d"), "a%20b%2Bc%40d");
  EXPECT_EQ(EncodeResolvePath("data/my file#1.parquet"), "data/my%20file%231.parquet");
  EXPECT_EQ(EncodeTreePath("data/sub dir"), "data%2Fsub%20dir");
}

TEST(HfUriTest, ValidatesRepoIds) {
  EXPECT_OK(ValidateRepoId("owner/name"));
  EXPECT_ERROR(ValidateRepoId("owner"), ErrorCode::kInvalidArgument, "OWNER/NAME");
  EXPECT_ERROR(ValidateRepoId("a/b/c"), ErrorCode::kInvalidArgument, "OWNER/NAME");
  EXPECT_ERROR(ValidateRepoId("a/b c"), ErrorCode::kInvalidArgument, "may only hold");
}

}  // namespace
}  // namespace faceberg::hub
