// Random (version 4) UUIDs and 64-bit ids.
#pragma once

#include <array>
#include <cstdint>
#include <string>

namespace faceberg {

/// 16 random bytes with the v4 version and variant bits set.
std::array<uint8_t, 16> RandomUuidBytes();
/// Lower-case canonical form "xxxxxxxx-xxxx-4xxx-yxxx-xxxxxxxxxxxx".
std::string RandomUuid();
std::string FormatUuid(const std::array<uint8_t, 16>& bytes);
/// A positive random 63-bit id, as Java derives snapshot ids from a UUID.
int64_t RandomPositiveId();

}  // namespace faceberg
