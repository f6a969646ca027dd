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

Status ValidateNamespace(std::string_view ns) {
  if (ns.empty()) return InvalidArgument("the namespace name is empty");
  for (const auto& level : Split(ns, '.')) {
    Status st = ValidateNamePart(level, "namespace");
    if (!st.ok()) return st.WithContext(fmt::format("namespace '{}'", ns));
  }
  return Status::OK();
}

Status ValidateTableIdentifier(const TableIdentifier& id) {
  RETURN_IF_ERROR(ValidateNamespace(id.ns));
  Status st = ValidateNamePart(id.name, "table");
  if (!st.ok()) return st.WithContext(fmt::format("table '{}'", id.ToString()));
  return Status::OK();
}

bool NamespaceWithin(std::string_view ns, std::string_view ancestor) {
  if (ancestor.empty()) return true;
  if (!StartsWith(ns, ancestor)) return false;
  return ns.size() == ancestor.size() || ns[ancestor.size()] == '.';
}

std::string ChildNamespace(std::string_view ns, std::string_view parent) {
  if (ns.empty() || !NamespaceWithin(ns, parent) || ns.size() == parent.size()) return "";
  size_t start = parent.empty() ? 0 : parent.size() + 1;
  size_t dot = ns.find('.', start);
  return std::string(ns.substr(0, dot));
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
