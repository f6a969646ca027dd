// The one place nlohmann::json exceptions are caught: parsing and typed field access that return
// Status instead of throwing. Used by every layer that reads JSON.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "util/result.h"

namespace faceberg {

using Json = nlohmann::json;
using OrderedJson = nlohmann::ordered_json;

/// Parses `text`; `what` names the source in the error ("metadata file X").
/// Errors: Corrupt with the parser's position (also for numbers beyond a double, like 1e400).
Result<Json> ParseJson(std::string_view text, std::string_view what);

/// Dumps without throwing on invalid UTF-8 (replaced by U+FFFD).
std::string DumpJson(const Json& json, int indent = -1);
std::string DumpJson(const OrderedJson& json, int indent = -1);

// Typed accessors. `where` names the object for error messages ("schema field 3").
// Required* return Corrupt when the key is missing or has the wrong type.
Result<const Json*> RequiredMember(const Json& obj, std::string_view key, std::string_view where);
Result<int64_t> RequiredInt(const Json& obj, std::string_view key, std::string_view where);
Result<std::string> RequiredString(const Json& obj, std::string_view key, std::string_view where);
Result<bool> RequiredBool(const Json& obj, std::string_view key, std::string_view where);
/// Narrows an integer read from field `key` of `where` to int32. Errors: Corrupt when out of range.
Result<int32_t> JsonInt32(int64_t value, std::string_view key, std::string_view where);
/// Optional* return nullopt when the key is missing or null, Corrupt on a wrong type.
Result<std::optional<int64_t>> OptionalInt(const Json& obj, std::string_view key,
                                           std::string_view where);
Result<std::optional<std::string>> OptionalString(const Json& obj, std::string_view key,
                                                  std::string_view where);

}  // namespace faceberg
