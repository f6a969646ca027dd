#include "util/murmur3.h"

#include "test_util.h"
#include "util/bytes.h"

namespace faceberg {
namespace {

std::string LongBytes(int64_t v) {
  std::string out;
  AppendLittleEndian(out, v);
  return out;
}

// Vectors from the Iceberg spec (Appendix B).
TEST(Murmur3Test, SpecVectors) {
  EXPECT_EQ(Murmur3_32(LongBytes(34)), 2017239379);
  EXPECT_EQ(Murmur3_32("iceberg"), 1210000089);
  EXPECT_EQ(Murmur3_32("34"), -427558391);
  EXPECT_EQ(Murmur3_32(std::string("\x00\x01\x02\x03", 4)), -188683207);
  EXPECT_EQ(Murmur3_32(LongBytes(17486)), -653330422);
}

TEST(Murmur3Test, EmptyAndTails) {
  EXPECT_EQ(Murmur3_32(""), 0);
  // Each tail length (1..3 bytes beyond a block) takes its own path; values differ.
  EXPECT_NE(Murmur3_32("abcde"), Murmur3_32("abcdef"));
  EXPECT_NE(Murmur3_32("abcdef"), Murmur3_32("abcdefg"));
}

}  // namespace
}  // namespace faceberg
