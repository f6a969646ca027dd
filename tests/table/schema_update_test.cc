#include "table/schema_update.h"

#include "iceberg/name_mapping.h"
#include "table/update.h"
#include "table_fixture.h"

namespace faceberg::table {
namespace {

using ::testing::HasSubstr;
using testing::TableFixture;

iceberg::TypePtr T(const std::string& text) {
  auto t = ParseColumnType(text);
  EXPECT_TRUE(t.ok()) << t.status().ToString();
  return t.ok() ? *t : nullptr;
}

Result<iceberg::TableMetadataPtr> Change(TableFixture& t,
                                         const std::function<Status(SchemaUpdate&)>& build) {
  return CommitSchemaUpdate(t.ops(), build);
}

std::vector<std::string> Names(const iceberg::Schema& schema) {
  std::vector<std::string> out;
  for (const auto& f : schema.fields()) out.push_back(f.name);
  return out;
}

TEST(SchemaUpdateTest, AddColumnsGetFreshIdsAndNewSchemaIds) {
  TableFixture t("id long not null, name string", "");
  ASSERT_OK_AND_ASSIGN(auto md, Change(t, [](SchemaUpdate& u) {
                         return u.AddColumn("point", T("struct<x: double, y: list<int>>"));
                       }));
  EXPECT_EQ(md->current_schema_id, 1);
  EXPECT_EQ(md->schemas.size(), 2u);
  // point = 3, its fields x = 4, y = 5, y's element = 6.
  EXPECT_EQ(md->last_column_id, 6);
  const auto* point = md->CurrentSchema()->FindFieldByName("point");
  ASSERT_NE(point, nullptr);
  EXPECT_EQ(point->id, 3);
  EXPECT_FALSE(point->required);
  EXPECT_EQ(md->CurrentSchema()->FindFieldByName("point.y")->type->element().id, 6);

  // Nested add by dotted name, placed first among its siblings.
  ASSERT_OK_AND_ASSIGN(md, Change(t, [](SchemaUpdate& u) {
                         AddColumnOptions o;
                         o.position = ColumnPosition::First();
                         return u.AddColumn("point.z", T("double"), o);
                       }));
  EXPECT_EQ(md->current_schema_id, 2);
  EXPECT_EQ(md->CurrentSchema()->FindFieldByName("point")->type->fields().front().name, "z");
  EXPECT_EQ(md->CurrentSchema()->FindFieldByName("point.z")->id, 7);

  // A dropped column's id is never reused.
  ASSERT_OK(Change(t, [](SchemaUpdate& u) { return u.DropColumn("name"); }));
  ASSERT_OK_AND_ASSIGN(md, Change(t, [](SchemaUpdate& u) {
                         AddColumnOptions o;
                         o.position = ColumnPosition::After("id");
                         return u.AddColumn("name", T("string"), o);
                       }));
  EXPECT_EQ(md->CurrentSchema()->FindFieldByName("name")->id, 8);
  EXPECT_EQ(Names(*md->CurrentSchema()), (std::vector<std::string>{"id", "name", "point"}));
  EXPECT_EQ(md->last_column_id, 8);
  EXPECT_EQ(md->current_schema_id, 4);
}

TEST(SchemaUpdateTest, RefusalsSayWhy) {
  TableFixture t("id long not null, split string, v float, p struct<a: int>", "split");
  auto refuse = [&](const std::function<Status(SchemaUpdate&)>& build, const std::string& text) {
    auto r = Change(t, build);
    EXPECT_FALSE(r.ok());
    EXPECT_THAT(r.status().message(), HasSubstr(text));
  };
  refuse([](SchemaUpdate& u) { return u.AddColumn("id", T("int")); }, "already exists");
  refuse([](SchemaUpdate& u) { return u.AddColumn("nope.x", T("int")); }, "does not exist");
  refuse([](SchemaUpdate& u) { return u.AddColumn("split.x", T("int")); }, "is not a struct");
  refuse([](SchemaUpdate& u) { return u.DropColumn("split.x"); }, "only fields of structs");
  refuse([](SchemaUpdate& u) { return u.DropColumn("split"); }, "partition field 'split'");
  refuse([](SchemaUpdate& u) { return u.UpdateColumnType("v", T("int")); }, "cannot change");
  refuse([](SchemaUpdate& u) { return u.UpdateColumnType("id", T("int")); }, "only int to long");
  refuse([](SchemaUpdate& u) { return u.UpdateColumnType("split", T("binary")); }, "cannot change");
  refuse([](SchemaUpdate& u) { return u.UpdateColumnType("p", T("struct<a: long>")); },
         "only primitive");
  refuse([](SchemaUpdate& u) { return u.RenameColumn("v", "id"); }, "already exists");
  refuse([](SchemaUpdate& u) { return u.MakeOptional("v"); }, "already optional");
  refuse(
      [](SchemaUpdate& u) {
        AddColumnOptions o;
        o.default_value = "1";
        return u.AddColumn("w", T("int"), o);
      },
      "format v3");
  refuse(
      [](SchemaUpdate& u) {
        AddColumnOptions o;
        o.position = ColumnPosition::After("nope");
        return u.AddColumn("w", T("int"), o);
      },
      "not a sibling");
  EXPECT_EQ(t.Current()->schemas.size(), 1u);  // nothing was committed

  // A required column is fine while the table has no data, refused once it has.
  ASSERT_OK(Change(t, [](SchemaUpdate& u) {
    AddColumnOptions o;
    o.required = true;
    return u.AddColumn("r", T("int"), o);
  }));
  t.Append({t.File(1, 2, "a")});
  refuse(
      [](SchemaUpdate& u) {
        AddColumnOptions o;
        o.required = true;
        return u.AddColumn("r2", T("int"), o);
      },
      "existing rows");
}

TEST(SchemaUpdateTest, IdentifierFieldsCannotBeDroppedOrMadeOptional) {
  TableFixture t("id long not null, v string", "");
  // Make 'id' an identifier field through a plain schema commit.
  auto md = t.Current();
  auto schema = std::make_shared<const iceberg::Schema>(1, md->CurrentSchema()->fields(),
                                                        std::vector<int32_t>{1});
  ASSERT_OK(CommitTable(t.ops(), {}, {AddSchema{schema}, SetCurrentSchema{-1}}));
  auto dropped = Change(t, [](SchemaUpdate& u) { return u.DropColumn("id"); });
  EXPECT_THAT(dropped.status().message(), HasSubstr("identifier field"));
  auto optional = Change(t, [](SchemaUpdate& u) { return u.MakeOptional("id"); });
  EXPECT_THAT(optional.status().message(), HasSubstr("identifier field"));
  auto same = Change(t, [](SchemaUpdate& u) { return u.UpdateColumnType("id", T("long")); });
  EXPECT_THAT(same.status().message(), HasSubstr("already long"));
}

TEST(SchemaUpdateTest, PromotionsAllowedAndPartitionTransformsChecked) {
  TableFixture t("id int not null, f float, d decimal(9,2), b int", "bucket(4, b)");
  ASSERT_OK(Change(t, [](SchemaUpdate& u) { return u.UpdateColumnType("id", T("long")); }));
  ASSERT_OK(Change(t, [](SchemaUpdate& u) { return u.UpdateColumnType("f", T("double")); }));
  ASSERT_OK(Change(t, [](SchemaUpdate& u) { return u.UpdateColumnType("d", T("decimal(12,2)")); }));
  // bucket hashes ints as longs, so the bucket source may be widened.
  ASSERT_OK_AND_ASSIGN(
      auto md, Change(t, [](SchemaUpdate& u) { return u.UpdateColumnType("b", T("long")); }));
  EXPECT_EQ(md->CurrentSchema()->FindFieldByName("d")->type->ToString(), "decimal(12,2)");
  auto narrower =
      Change(t, [](SchemaUpdate& u) { return u.UpdateColumnType("d", T("decimal(10,2)")); });
  EXPECT_FALSE(narrower.ok());
  auto scale =
      Change(t, [](SchemaUpdate& u) { return u.UpdateColumnType("d", T("decimal(14,3)")); });
  EXPECT_FALSE(scale.ok());

  TableFixture identity("id int not null", "id");
  auto refused =
      Change(identity, [](SchemaUpdate& u) { return u.UpdateColumnType("id", T("long")); });
  EXPECT_THAT(refused.status().message(), HasSubstr("partition field 'id'"));
}

TEST(SchemaUpdateTest, NameMappingFollowsRenamesAndAdds) {
  TableFixture t("id long not null, s struct<a: int>", "");
  iceberg::NameMapping mapping = iceberg::NameMappingFromSchema(*t.Current()->CurrentSchema());
  ASSERT_OK(CommitTable(
      t.ops(), {},
      {SetProperties{{{iceberg::kNameMappingProperty, iceberg::NameMappingToJson(mapping)}}}}));
  ASSERT_OK(Change(t, [](SchemaUpdate& u) { return u.RenameColumn("id", "key"); }));
  ASSERT_OK(Change(t, [](SchemaUpdate& u) { return u.RenameColumn("s.a", "s.alpha"); }));
  ASSERT_OK(Change(t, [](SchemaUpdate& u) { return u.AddColumn("s.b", T("string")); }));
  ASSERT_OK_AND_ASSIGN(auto md,
                       Change(t, [](SchemaUpdate& u) { return u.AddColumn("n", T("int")); }));
  ASSERT_OK_AND_ASSIGN(auto updated,
                       iceberg::ParseNameMapping(md->Property(iceberg::kNameMappingProperty)));
  EXPECT_EQ(updated.Find({"id"}), 1);  // the old name still maps
  EXPECT_EQ(updated.Find({"key"}), 1);
  EXPECT_EQ(updated.Find({"s", "a"}), 3);
  EXPECT_EQ(updated.Find({"s", "alpha"}), 3);
  EXPECT_EQ(updated.Find({"s", "b"}), 4);
  EXPECT_EQ(updated.Find({"n"}), 5);

  // Without a mapping none is created.
  TableFixture plain("id long not null", "");
  ASSERT_OK_AND_ASSIGN(auto md2,
                       Change(plain, [](SchemaUpdate& u) { return u.RenameColumn("id", "k"); }));
  EXPECT_FALSE(md2->properties.count(iceberg::kNameMappingProperty));
}

TEST(SchemaUpdateTest, SnapshotsKeepTheirSchema) {
  TableFixture t("id long not null, split string", "split");
  int64_t s1 = t.Append({t.File(1, 5, "a")});
  ASSERT_OK(Change(t, [](SchemaUpdate& u) { return u.RenameColumn("id", "key"); }));
  int64_t s2 = t.Append({t.File(6, 9, "a")});
  auto md = t.Current();
  ASSERT_OK_AND_ASSIGN(auto old, SchemaAt(*md, s1, std::nullopt));
  EXPECT_EQ(old->fields()[0].name, "id");
  ASSERT_OK_AND_ASSIGN(auto now, SchemaAt(*md, s2, std::nullopt));
  EXPECT_EQ(now->fields()[0].name, "key");
  ASSERT_OK_AND_ASSIGN(auto by_time,
                       SchemaAt(*md, std::nullopt, md->SnapshotById(s1)->timestamp_ms));
  EXPECT_EQ(by_time->schema_id(), old->schema_id());
  EXPECT_FALSE(SchemaAt(*md, s1, int64_t{1}).ok());
}

TEST(SchemaUpdateTest, ConcurrentSchemaChangeIsRebuiltOnTheNewSchema) {
  TableFixture t("id long not null", "");
  int calls = 0;
  ASSERT_OK_AND_ASSIGN(auto md, Change(t, [&](SchemaUpdate& u) -> Status {
                         if (calls++ == 0) {
                           // Another writer adds a column between our read and our commit.
                           catalog::FileTableOperations other(t.io(), t.location());
                           RETURN_IF_ERROR(CommitSchemaUpdate(other, [](SchemaUpdate& o) {
                                             return o.AddColumn("other", T("int"));
                                           }).status());
                         }
                         return u.AddColumn("mine", T("int"));
                       }));
  EXPECT_EQ(calls, 2);
  EXPECT_EQ(Names(*md->CurrentSchema()), (std::vector<std::string>{"id", "other", "mine"}));
  EXPECT_EQ(md->CurrentSchema()->FindFieldByName("mine")->id, 3);
}

TEST(SchemaUpdateTest, ParseColumnType) {
  EXPECT_EQ(T("LONG")->ToString(), "long");
  EXPECT_EQ(T("map<string, int>")->ToString(), "map<string, int>");
  EXPECT_FALSE(ParseColumnType("lung").ok());
  EXPECT_FALSE(ParseColumnType("int not null").ok());
  EXPECT_FALSE(ParseColumnType("").ok());
}

}  // namespace
}  // namespace faceberg::table
