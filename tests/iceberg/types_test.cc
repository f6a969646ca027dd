#include "iceberg/types.h"

#include "test_util.h"

namespace faceberg::iceberg {
namespace {

TEST(TypeTest, ParsesEveryPrimitive) {
  for (std::string name :
       {"boolean", "int", "long", "float", "double", "date", "time", "timestamp", "timestamptz",
        "string", "uuid", "binary", "decimal(9,2)", "fixed[16]"}) {
    ASSERT_OK_AND_ASSIGN(TypePtr t, Type::ParsePrimitive(name));
    EXPECT_EQ(t->ToString(), name);
    EXPECT_TRUE(t->is_primitive());
  }
  ASSERT_OK_AND_ASSIGN(TypePtr d, Type::ParsePrimitive("decimal( 38 , 10 )"));
  EXPECT_EQ(d->precision(), 38);
  EXPECT_EQ(d->scale(), 10);
}

TEST(TypeTest, RejectsBadTypes) {
  EXPECT_ERROR(Type::ParsePrimitive("varchar"), ErrorCode::kInvalidArgument,
               "unknown type 'varchar'");
  EXPECT_ERROR(Type::ParsePrimitive("decimal(39,2)"), ErrorCode::kInvalidArgument, "precision");
  EXPECT_ERROR(Type::ParsePrimitive("decimal(5,6)"), ErrorCode::kInvalidArgument, "scale");
  EXPECT_ERROR(Type::ParsePrimitive("fixed[0]"), ErrorCode::kInvalidArgument, "positive");
  EXPECT_ERROR(Type::ParsePrimitive("fixed[x]"), ErrorCode::kInvalidArgument, "unknown type");
}

TEST(TypeTest, NestedEqualityIncludesIds) {
  auto a = Type::List(5, true, Type::String());
  auto b = Type::List(5, true, Type::String());
  auto c = Type::List(6, true, Type::String());
  EXPECT_TRUE(a->Equals(*b));
  EXPECT_FALSE(a->Equals(*c));
  auto m = Type::Map(1, Type::String(), 2, false, Type::Long());
  EXPECT_EQ(m->ToString(), "map<string, long>");
  EXPECT_TRUE(m->key().required);
}

TEST(TypeTest, Promotions) {
  EXPECT_TRUE(IsPromotionAllowed(*Type::Int(), *Type::Long()));
  EXPECT_TRUE(IsPromotionAllowed(*Type::Float(), *Type::Double()));
  EXPECT_TRUE(IsPromotionAllowed(**Type::Decimal(9, 2), **Type::Decimal(18, 2)));
  EXPECT_FALSE(IsPromotionAllowed(**Type::Decimal(9, 2), **Type::Decimal(18, 3)));
  EXPECT_FALSE(IsPromotionAllowed(*Type::Long(), *Type::Int()));
  EXPECT_FALSE(IsPromotionAllowed(*Type::String(), *Type::Binary()));
}

}  // namespace
}  // namespace faceberg::iceberg
