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

/// Checks a namespace: one or more valid levels joined by '.'. Errors: InvalidArgument.
Status ValidateNamespace(std::string_view ns);

/// Checks both parts of an identifier. Errors: InvalidArgument.
Status ValidateTableIdentifier(const TableIdentifier& id);

/// True when `ns` is `ancestor` or lies below it ("a.b" is within "a"; "ab" is not).
bool NamespaceWithin(std::string_view ns, std::string_view ancestor);

/// The namespace one level below `parent` on the way to `ns` ("a.b" for parent "a" and ns
/// "a.b.c"; "a" for the root ""), or empty when `ns` is not strictly below `parent`.
std::string ChildNamespace(std::string_view ns, std::string_view parent);

}  // namespace faceberg::catalog
