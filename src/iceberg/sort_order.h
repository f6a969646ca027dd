// Sort orders (spec "Sort Orders"): the order a writer sorted data files by, as transforms of
// source columns with a direction and a null order. Order id 0 is the unsorted order.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "iceberg/schema.h"
#include "iceberg/transform.h"
#include "util/json.h"
#include "util/result.h"

namespace faceberg::iceberg {

enum class SortDirection { kAsc, kDesc };
enum class NullOrder { kNullsFirst, kNullsLast };

/// "asc" / "desc".
std::string_view SortDirectionName(SortDirection direction);
/// "nulls-first" / "nulls-last".
std::string_view NullOrderName(NullOrder null_order);

struct SortField {
  int32_t source_id = 0;
  Transform transform;
  SortDirection direction = SortDirection::kAsc;
  NullOrder null_order = NullOrder::kNullsFirst;

  bool operator==(const SortField&) const = default;
};

struct SortOrder {
  /// The reserved id of the unsorted order, which has no fields.
  static constexpr int32_t kUnsortedOrderId = 0;

  int32_t order_id = kUnsortedOrderId;
  std::vector<SortField> fields;

  static SortOrder Unsorted() { return SortOrder{}; }
  bool IsUnsorted() const { return fields.empty(); }
  /// "[id asc nulls-first, day(2) desc nulls-last]" with source ids; "[]" when unsorted.
  std::string ToString() const;

  bool operator==(const SortOrder&) const = default;
};

/// Reads {"order-id": 1, "fields": [{"transform", "source-id", "direction", "null-order"}]};
/// a v3 "source-ids" list with one id is read as "source-id".
/// Errors: Corrupt naming the missing or malformed key, a bad direction, null order or transform,
/// or a non-empty order with id 0; NotSupported for multi-argument transforms.
Result<SortOrder> SortOrderFromJson(const Json& json);
Json SortOrderToJson(const SortOrder& order);

/// Checks every source column exists and is primitive and every transform applies to it
/// (unknown transforms are allowed), and that only the unsorted order uses id 0.
/// Errors: InvalidArgument naming the field.
Status ValidateSortOrder(const SortOrder& order, const Schema& schema);

}  // namespace faceberg::iceberg
