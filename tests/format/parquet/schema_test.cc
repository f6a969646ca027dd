#include "format/parquet/schema.h"

#include "format/parquet/footer.h"
#include "test_util.h"

namespace faceberg::parquet {
namespace {

using faceberg::testing::TestDataPath;

SchemaElement Group(std::string name, int32_t children,
                    std::optional<Repetition> rep = Repetition::kOptional) {
  SchemaElement e;
  e.name = std::move(name);
  e.num_children = children;
  e.repetition_type = rep;
  return e;
}

SchemaElement Leaf(std::string name, PhysicalType type, Repetition rep = Repetition::kOptional) {
  SchemaElement e;
  e.name = std::move(name);
  e.type = type;
  e.repetition_type = rep;
  return e;
}

TEST(SchemaTreeTest, PyArrowFileLevelsAndPaths) {
  io::LocalFileIO io;
  ASSERT_OK_AND_ASSIGN(auto file, io.NewInputFile(TestDataPath("parquet/pyarrow_ids.parquet")));
  ASSERT_OK_AND_ASSIGN(FileMetaData md, ReadFileMetaData(*file));
  ASSERT_OK_AND_ASSIGN(SchemaTree tree, SchemaTree::Make(md.schema));
  ASSERT_EQ(tree.num_columns(), 23);
  EXPECT_EQ(tree.root().children.size(), 21u);

  struct Expected {
    int column;
    const char* path;
    int16_t def;
    int16_t rep;
  };
  for (const Expected& e : {
           Expected{0, "id", 0, 0},
           Expected{1, "flag", 1, 0},
           Expected{18, "point.x", 2, 0},
           Expected{19, "point.y", 2, 0},
           Expected{20, "tags.list.element", 3, 1},
           Expected{21, "attrs.key_value.key", 2, 1},
           Expected{22, "attrs.key_value.value", 3, 1},
       }) {
    const SchemaNode& leaf = tree.column(e.column);
    EXPECT_EQ(leaf.dotted_path(), e.path);
    EXPECT_EQ(leaf.max_definition_level, e.def) << e.path;
    EXPECT_EQ(leaf.max_repetition_level, e.rep) << e.path;
    EXPECT_EQ(leaf.column_index, e.column);
    EXPECT_TRUE(leaf.is_leaf());
    EXPECT_EQ(md.row_groups[0].columns[e.column].meta_data->path_in_schema, leaf.path);
  }
  const SchemaNode& point = tree.node(tree.column(18).parent);
  EXPECT_EQ(point.name(), "point");
  EXPECT_FALSE(point.is_leaf());
  EXPECT_EQ(point.children.size(), 2u);
}

TEST(SchemaTreeTest, EmptyGroupAndRootOnly) {
  ASSERT_OK_AND_ASSIGN(SchemaTree root_only, SchemaTree::Make({Group("root", 0, std::nullopt)}));
  EXPECT_EQ(root_only.num_columns(), 0);
  ASSERT_OK_AND_ASSIGN(SchemaTree empty_group,
                       SchemaTree::Make({Group("root", 1, std::nullopt), Group("g", 0)}));
  EXPECT_EQ(empty_group.num_columns(), 0);
  EXPECT_FALSE(empty_group.node(1).is_leaf());
}

TEST(SchemaTreeTest, HostileChildCounts) {
  EXPECT_ERROR(SchemaTree::Make({}), ErrorCode::kCorrupt, "empty Parquet schema");
  EXPECT_ERROR(SchemaTree::Make({Leaf("root", PhysicalType::kInt32)}), ErrorCode::kCorrupt,
               "root 'root' is not a group");
  EXPECT_ERROR(SchemaTree::Make({Group("root", 3, std::nullopt), Leaf("a", PhysicalType::kInt32)}),
               ErrorCode::kCorrupt, "ends early: 'root' declares more children");
  EXPECT_ERROR(SchemaTree::Make({Group("root", 1, std::nullopt), Leaf("a", PhysicalType::kInt32),
                                 Leaf("b", PhysicalType::kInt32)}),
               ErrorCode::kCorrupt, "has 3 elements but its child counts cover only 2");
  EXPECT_ERROR(SchemaTree::Make({Group("root", -1, std::nullopt)}), ErrorCode::kCorrupt,
               "negative child count");
  EXPECT_ERROR(SchemaTree::Make({Group("root", 1, std::nullopt), Group("g", -5)}),
               ErrorCode::kCorrupt, "'g' has a negative child count -5");
  EXPECT_ERROR(SchemaTree::Make({Group("root", 1, std::nullopt), Group("g", 2000000000),
                                 Leaf("a", PhysicalType::kInt32)}),
               ErrorCode::kCorrupt, "ends early: 'g'");
}

TEST(SchemaTreeTest, HostileElements) {
  SchemaElement no_type;
  no_type.name = "x";
  no_type.repetition_type = Repetition::kOptional;
  EXPECT_ERROR(SchemaTree::Make({Group("root", 1, std::nullopt), no_type}), ErrorCode::kCorrupt,
               "'x' has neither a type nor children");
  EXPECT_ERROR(SchemaTree::Make(
                   {Group("root", 1, std::nullopt), Leaf("f", PhysicalType::kFixedLenByteArray)}),
               ErrorCode::kCorrupt, "'f' is FIXED_LEN_BYTE_ARRAY without a positive length");
  SchemaElement no_rep = Leaf("r", PhysicalType::kInt32);
  no_rep.repetition_type.reset();
  EXPECT_ERROR(SchemaTree::Make({Group("root", 1, std::nullopt), no_rep}), ErrorCode::kCorrupt,
               "'r' has no repetition type");
}

TEST(SchemaTreeTest, NestingLimit) {
  std::vector<SchemaElement> deep = {Group("root", 1, std::nullopt)};
  for (int i = 0; i < 1000; ++i) deep.push_back(Group("g" + std::to_string(i), 1));
  deep.push_back(Leaf("leaf", PhysicalType::kInt32));
  EXPECT_ERROR(SchemaTree::Make(deep), ErrorCode::kCorrupt, "nests deeper than 128 levels");

  std::vector<SchemaElement> ok = {Group("root", 1, std::nullopt)};
  for (int i = 0; i < 100; ++i) ok.push_back(Group("g", 1, Repetition::kRepeated));
  ok.push_back(Leaf("leaf", PhysicalType::kInt32));
  ASSERT_OK_AND_ASSIGN(SchemaTree tree, SchemaTree::Make(ok));
  EXPECT_EQ(tree.column(0).max_repetition_level, 100);
  EXPECT_EQ(tree.column(0).max_definition_level, 101);
  EXPECT_EQ(tree.column(0).path.size(), 101u);
}

}  // namespace
}  // namespace faceberg::parquet
