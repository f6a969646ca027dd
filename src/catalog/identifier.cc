#include "catalog/identifier.h"

#include "util/strings.h"

namespace faceberg::catalog {

Status ValidateNamePart(std::string_view part, std::string_view what) {
  if (part.empty() || part.size() > 128) {
    return InvalidArgument("{} name '{}' must be 1 to 128 characters long", what, part);
  }
  for (char c : part) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '_' || c == '-';
    if (!ok) {
      return InvalidArgument("{} name '{}' may only contain letters, digits, '_' and '-'", what,
                             part);
    }
  }
  return Status::OK();
}

Result<TableIdentifier> ParseTableIdentifier(std::string_view text) {
  auto parts = Split(text, '.');
  TableIdentifier id;
  if (parts.size() == 1) {
    id.ns = kDefaultNamespace;
  } else {
    std::vector<std::string> ns(parts.begin(), parts.end() - 1);
    for (const auto& level : ns) {
      Status st = ValidateNamePart(level, "namespace");
      if (!st.ok()) return st.WithContext(fmt::format("table '{}'", text));
    }
    id.ns = Join(ns, ".");
  }
  id.name = parts.back();
  Status st = ValidateNamePart(id.name, "table");
  if (!st.ok()) return st.WithContext(fmt::format("table '{}'", text));
  return id;
}

}  // namespace faceberg::catalog
