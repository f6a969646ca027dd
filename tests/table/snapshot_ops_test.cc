#include "table/snapshot_ops.h"

#include "table_fixture.h"
#include "util/time.h"

namespace faceberg::table {
namespace {

using ::testing::HasSubstr;
using testing::TableFixture;

TEST(RollbackTest, MovesMainToAnAncestorOnly) {
  TableFixture t;
  int64_t s1 = t.Append({t.File(1, 2, "a")});
  int64_t s2 = t.Append({t.File(3, 4, "a")});
  ASSERT_OK_AND_ASSIGN(RollbackResult r, Rollback(t.ops(), {.snapshot_id = s1}));
  EXPECT_EQ(r.from_snapshot_id, s2);
  EXPECT_EQ(r.to_snapshot_id, s1);
  EXPECT_EQ(t.Current()->current_snapshot_id, s1);
  EXPECT_EQ(t.Current()->snapshot_log.back().snapshot_id, s1);
  // s2 is no ancestor of s1 now.
  auto refused = Rollback(t.ops(), {.snapshot_id = s2});
  EXPECT_ERROR(refused, ErrorCode::kInvalidArgument, "not an ancestor");
  ASSERT_OK(Rollback(t.ops(), {.snapshot_id = s2, .force = true}));
  EXPECT_EQ(t.Current()->current_snapshot_id, s2);
  EXPECT_ERROR(Rollback(t.ops(), {.snapshot_id = 42}), ErrorCode::kNotFound, "42");
  EXPECT_ERROR(Rollback(t.ops(), {}), ErrorCode::kInvalidArgument, "one of them");
}

TEST(RollbackTest, ToTimePicksTheNewestAncestorAtOrBefore) {
  TableFixture t;
  int64_t s1 = t.Append({t.File(1, 2, "a")});
  int64_t s2 = t.Append({t.File(3, 4, "a")});
  t.Append({t.File(5, 6, "a")});
  auto md = t.Current();
  const int64_t t2 = md->SnapshotById(s2)->timestamp_ms;
  ASSERT_OK_AND_ASSIGN(RollbackResult r, Rollback(t.ops(), {.to_time_ms = t2}));
  EXPECT_EQ(r.to_snapshot_id, s2);
  ASSERT_OK_AND_ASSIGN(r, Rollback(t.ops(), {.to_time_ms = md->SnapshotById(s1)->timestamp_ms}));
  EXPECT_EQ(r.to_snapshot_id, s1);
  EXPECT_ERROR(Rollback(t.ops(), {.to_time_ms = 1}), ErrorCode::kNotFound, "pick a later time");
}

TEST(RefsTest, RetentionIsSetAndValidated) {
  TableFixture t;
  int64_t s1 = t.Append({t.File(1, 2, "a")});
  int64_t s2 = t.Append({t.File(3, 4, "a")});
  SetRefOptions tag{.type = iceberg::RefType::kTag, .snapshot_id = s1};
  tag.retention.max_ref_age_ms = 1000;
  ASSERT_OK_AND_ASSIGN(iceberg::SnapshotRef ref, SetRef(t.ops(), "v1", tag));
  EXPECT_EQ(ref.snapshot_id, s1);
  EXPECT_EQ(ref.max_ref_age_ms, 1000);
  // Tags take no branch retention.
  SetRefOptions bad{.type = iceberg::RefType::kTag};
  bad.retention.min_snapshots_to_keep = 2;
  EXPECT_ERROR(SetRef(t.ops(), "v2", bad), ErrorCode::kInvalidArgument, "for branches");
  // Retention of an existing ref changes without --replace; moving it needs --replace.
  SetRefOptions retention{.type = iceberg::RefType::kTag};
  retention.retention.max_ref_age_ms = 5000;
  ASSERT_OK_AND_ASSIGN(ref, SetRef(t.ops(), "v1", retention));
  EXPECT_EQ(ref.snapshot_id, s1);
  EXPECT_EQ(ref.max_ref_age_ms, 5000);
  EXPECT_ERROR(SetRef(t.ops(), "v1", {.type = iceberg::RefType::kTag, .snapshot_id = s2}),
               ErrorCode::kAlreadyExists, "--replace");
  ASSERT_OK_AND_ASSIGN(
      ref,
      SetRef(t.ops(), "v1", {.type = iceberg::RefType::kTag, .snapshot_id = s2, .replace = true}));
  EXPECT_EQ(ref.snapshot_id, s2);
  EXPECT_EQ(ref.max_ref_age_ms, 5000);  // kept when moved
  EXPECT_ERROR(SetRef(t.ops(), "v1", {.type = iceberg::RefType::kBranch}),
               ErrorCode::kInvalidArgument, "is a tag");

  SetRefOptions branch{.type = iceberg::RefType::kBranch};
  branch.retention.min_snapshots_to_keep = 3;
  branch.retention.max_snapshot_age_ms = 60'000;
  ASSERT_OK_AND_ASSIGN(ref, SetRef(t.ops(), "dev", branch));
  EXPECT_EQ(ref.snapshot_id, s2);
  EXPECT_EQ(ref.min_snapshots_to_keep, 3);
  // Main's retention can be set, but main never expires.
  SetRefOptions main{.type = iceberg::RefType::kBranch};
  main.retention.min_snapshots_to_keep = 5;
  ASSERT_OK(SetRef(t.ops(), "main", main));
  EXPECT_EQ(t.Current()->refs.at("main").min_snapshots_to_keep, 5);
  SetRefOptions main_age{.type = iceberg::RefType::kBranch};
  main_age.retention.max_ref_age_ms = 5;
  EXPECT_ERROR(SetRef(t.ops(), "main", main_age), ErrorCode::kInvalidArgument, "never expires");

  ASSERT_OK(DropRef(t.ops(), "dev"));
  EXPECT_FALSE(t.Current()->refs.count("dev"));
  EXPECT_ERROR(DropRef(t.ops(), "dev"), ErrorCode::kNotFound, "dev");
  EXPECT_ERROR(DropRef(t.ops(), "main"), ErrorCode::kInvalidArgument, "main");
}

TEST(ResolveSnapshotTest, IdsTimesAndRefs) {
  TableFixture t;
  int64_t s1 = t.Append({t.File(1, 2, "a")});
  int64_t s2 = t.Append({t.File(3, 4, "a")});
  ASSERT_OK(SetRef(t.ops(), "v1", {.type = iceberg::RefType::kTag, .snapshot_id = s1}));
  auto md = t.Current();
  auto id_of = [&](const std::string& text) -> int64_t {
    auto s = ResolveSnapshot(*md, text);
    EXPECT_TRUE(s.ok()) << text << ": " << s.status().ToString();
    return s.ok() ? (*s)->snapshot_id : 0;
  };
  EXPECT_EQ(id_of("v1"), s1);
  EXPECT_EQ(id_of("main"), s2);
  EXPECT_EQ(id_of(std::to_string(s1)), s1);
  EXPECT_EQ(id_of(std::to_string(md->SnapshotById(s1)->timestamp_ms)), s1);
  EXPECT_EQ(id_of(FormatMillisUtc(md->SnapshotById(s2)->timestamp_ms)), s2);
  EXPECT_FALSE(ResolveSnapshot(*md, "nope").ok());
  EXPECT_FALSE(ResolveSnapshot(*md, "5").ok());
}

TEST(DurationTest, ParsesUnits) {
  EXPECT_EQ(*ParseDurationMillis("250"), 250);
  EXPECT_EQ(*ParseDurationMillis("250ms"), 250);
  EXPECT_EQ(*ParseDurationMillis("30s"), 30'000);
  EXPECT_EQ(*ParseDurationMillis("15m"), 900'000);
  EXPECT_EQ(*ParseDurationMillis("2h"), 7'200'000);
  EXPECT_EQ(*ParseDurationMillis("7d"), 604'800'000);
  EXPECT_EQ(*ParseDurationMillis("1w"), 604'800'000);
  EXPECT_FALSE(ParseDurationMillis("d").ok());
  EXPECT_FALSE(ParseDurationMillis("3 years").ok());
  EXPECT_FALSE(ParseDurationMillis("-1s").ok());
  EXPECT_EQ(*ParseTimeOrAgo("3d", 1'000'000'000), 1'000'000'000 - 259'200'000);
  EXPECT_EQ(*ParseTimeOrAgo("2026-01-31T00:00:00Z", 0), *ParseTimeMillis("2026-01-31T00:00:00Z"));
  EXPECT_EQ(*ParseTimeOrAgo("1700000000000", 0), 1'700'000'000'000);
  EXPECT_FALSE(ParseTimeOrAgo("soon", 0).ok());
}

}  // namespace
}  // namespace faceberg::table
