#include "util/uuid.h"

#include <fmt/format.h>

#include <random>

namespace faceberg {

namespace {
std::mt19937_64& Generator() {
  thread_local std::mt19937_64 gen([] {
    std::random_device rd;
    return (uint64_t{rd()} << 32) ^ rd();
  }());
  return gen;
}
}  // namespace

std::array<uint8_t, 16> RandomUuidBytes() {
  std::array<uint8_t, 16> b{};
  uint64_t hi = Generator()(), lo = Generator()();
  for (int i = 0; i < 8; ++i) {
    b[i] = static_cast<uint8_t>(hi >> (56 - 8 * i));
    b[8 + i] = static_cast<uint8_t>(lo >> (56 - 8 * i));
  }
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  return b;
}

std::string FormatUuid(const std::array<uint8_t, 16>& b) {
  std::string out;
  for (int i = 0; i < 16; ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) out.push_back('-');
    out += fmt::format("{:02x}", b[i]);
  }
  return out;
}

std::string RandomUuid() { return FormatUuid(RandomUuidBytes()); }

int64_t RandomPositiveId() {
  int64_t id;
  do {
    auto b = RandomUuidBytes();
    uint64_t hi = 0, lo = 0;
    for (int i = 0; i < 8; ++i) {
      hi = hi << 8 | b[i];
      lo = lo << 8 | b[8 + i];
    }
    id = static_cast<int64_t>((hi ^ lo) & 0x7fffffffffffffffULL);
  } while (id == 0);
  return id;
}

}  // namespace faceberg
