#include "util/json.h"

#include <cstdint>

namespace faceberg {

Result<Json> ParseJson(std::string_view text, std::string_view what) {
  try {
    return Json::parse(text.begin(), text.end());
  } catch (const Json::parse_error& e) {
    return Corrupt("{} is not valid JSON (byte {}): {}", what, e.byte, e.what());
  } catch (const Json::exception& e) {
    // The parser throws others too: out_of_range.406 for a number beyond a double (1e400).
    return Corrupt("{} is not valid JSON: {}", what, e.what());
  }
}

std::string DumpJson(const Json& json, int indent) {
  return json.dump(indent, ' ', false, Json::error_handler_t::replace);
}

std::string DumpJson(const OrderedJson& json, int indent) {
  return json.dump(indent, ' ', false, OrderedJson::error_handler_t::replace);
}

Result<const Json*> RequiredMember(const Json& obj, std::string_view key, std::string_view where) {
  if (!obj.is_object()) return Corrupt("{} must be a JSON object", where);
  auto it = obj.find(key);
  if (it == obj.end()) return Corrupt("{} is missing required field '{}'", where, key);
  return &*it;
}

Result<int64_t> RequiredInt(const Json& obj, std::string_view key, std::string_view where) {
  ASSIGN_OR_RETURN(const Json* v, RequiredMember(obj, key, where));
  if (!v->is_number_integer()) return Corrupt("{} field '{}' must be an integer", where, key);
  return v->get<int64_t>();
}

Result<std::string> RequiredString(const Json& obj, std::string_view key, std::string_view where) {
  ASSIGN_OR_RETURN(const Json* v, RequiredMember(obj, key, where));
  if (!v->is_string()) return Corrupt("{} field '{}' must be a string", where, key);
  return v->get<std::string>();
}

Result<bool> RequiredBool(const Json& obj, std::string_view key, std::string_view where) {
  ASSIGN_OR_RETURN(const Json* v, RequiredMember(obj, key, where));
  if (!v->is_boolean()) return Corrupt("{} field '{}' must be a boolean", where, key);
  return v->get<bool>();
}

Result<int32_t> JsonInt32(int64_t value, std::string_view key, std::string_view where) {
  if (value < INT32_MIN || value > INT32_MAX) {
    return Corrupt("{} field '{}' is out of range: {}", where, key, value);
  }
  return static_cast<int32_t>(value);
}

Result<std::optional<int64_t>> OptionalInt(const Json& obj, std::string_view key,
                                           std::string_view where) {
  if (!obj.is_object()) return Corrupt("{} must be a JSON object", where);
  auto it = obj.find(key);
  if (it == obj.end() || it->is_null()) return std::optional<int64_t>();
  if (!it->is_number_integer()) return Corrupt("{} field '{}' must be an integer", where, key);
  return std::optional<int64_t>(it->get<int64_t>());
}

Result<std::optional<std::string>> OptionalString(const Json& obj, std::string_view key,
                                                  std::string_view where) {
  if (!obj.is_object()) return Corrupt("{} must be a JSON object", where);
  auto it = obj.find(key);
  if (it == obj.end() || it->is_null()) return std::optional<std::string>();
  if (!it->is_string()) return Corrupt("{} field '{}' must be a string", where, key);
  return std::optional<std::string>(it->get<std::string>());
}

}  // namespace faceberg
