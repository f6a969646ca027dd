// Fixed-width little/big-endian encoding into and out of std::string buffers.
#pragma once

#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

namespace faceberg {

template <typename T>
void AppendLittleEndian(std::string& out, T value) {
  static_assert(std::is_trivially_copyable_v<T>);
  unsigned char buf[sizeof(T)];
  std::memcpy(buf, &value, sizeof(T));  // x86-64 and aarch64 are little-endian hosts
  out.append(reinterpret_cast<const char*>(buf), sizeof(T));
}

/// REQUIRES: bytes.size() >= sizeof(T).
template <typename T>
T LoadLittleEndian(std::string_view bytes) {
  T value;
  std::memcpy(&value, bytes.data(), sizeof(T));
  return value;
}

inline uint32_t LoadBigEndian32(std::string_view bytes) {
  auto b = reinterpret_cast<const unsigned char*>(bytes.data());
  return uint32_t{b[0]} << 24 | uint32_t{b[1]} << 16 | uint32_t{b[2]} << 8 | uint32_t{b[3]};
}

inline void AppendBigEndian32(std::string& out, uint32_t v) {
  out.push_back(static_cast<char>(v >> 24));
  out.push_back(static_cast<char>(v >> 16));
  out.push_back(static_cast<char>(v >> 8));
  out.push_back(static_cast<char>(v));
}

}  // namespace faceberg
