// Table identifiers "namespace.table" and their validation.
#pragma once

#include <string>
#include <string_view>

#include "util/result.h"

namespace faceberg::catalog {

inline constexpr const char* kDefaultNamespace = "default";

struct TableIdentifier {
  std::string ns;  // levels joined by '.'
  std::string name;

  std::string ToString() const { return ns + "." + name; }
  bool operator==(const TableIdentifier&) const = default;
  bool operator<(const TableIdentifier& o) const { return ToString() < o.ToString(); }
};

/// Parses "ns.table", "a.b.table" (multi-level namespace) or "table" (namespace "default").
/// Each part must be 1-128 characters of letters, digits, '_' or '-' (never '.', '/', or "..").
/// Errors: InvalidArgument saying what is allowed.
Result<TableIdentifier> ParseTableIdentifier(std::string_view text);

/// Checks one namespace level or table name. Errors: InvalidArgument.
Status ValidateNamePart(std::string_view part, std::string_view what);

}  // namespace faceberg::catalog
