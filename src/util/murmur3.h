// MurmurHash3 x86 32-bit, the hash Iceberg's bucket transform is defined on.
#pragma once

#include <cstdint>
#include <string_view>

namespace faceberg {

/// murmur3_x86_32 of `data` with `seed`, as a signed 32-bit value (as Java returns it).
int32_t Murmur3_32(std::string_view data, uint32_t seed = 0);

}  // namespace faceberg
