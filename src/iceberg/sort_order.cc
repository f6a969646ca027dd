#include "iceberg/sort_order.h"

#include <limits>

#include "util/strings.h"

namespace faceberg::iceberg {

std::string_view SortDirectionName(SortDirection direction) {
  return direction == SortDirection::kAsc ? "asc" : "desc";
}

std::string_view NullOrderName(NullOrder null_order) {
  return null_order == NullOrder::kNullsFirst ? "nulls-first" : "nulls-last";
}

std::string SortOrder::ToString() const {
  std::vector<std::string> parts;
  for (const auto& f : fields) {
    std::string term = f.transform.is_identity()
                           ? std::to_string(f.source_id)
                           : fmt::format("{}({})", f.transform.ToString(), f.source_id);
    parts.push_back(
        fmt::format("{} {} {}", term, SortDirectionName(f.direction), NullOrderName(f.null_order)));
  }
  return "[" + Join(parts, ", ") + "]";
}

namespace {

Result<SortField> SortFieldFromJson(const Json& j, std::string_view where) {
  if (!j.is_object()) return Corrupt("{} must be a JSON object", where);
  SortField field;
  if (!j.contains("source-id") && j.contains("source-ids")) {
    const Json& ids = j["source-ids"];
    if (!ids.is_array() || ids.empty() || !ids[0].is_number_integer()) {
      return Corrupt("{} field 'source-ids' must be a non-empty array of integers", where);
    }
    if (ids.size() > 1) {
      return NotSupported("{} uses a multi-argument transform ({} source columns)", where,
                          ids.size());
    }
    ASSIGN_OR_RETURN(field.source_id, JsonInt32(ids[0].get<int64_t>(), "source-ids", where));
  } else {
    ASSIGN_OR_RETURN(int64_t id, RequiredInt(j, "source-id", where));
    ASSIGN_OR_RETURN(field.source_id, JsonInt32(id, "source-id", where));
  }
  ASSIGN_OR_RETURN(std::string transform, RequiredString(j, "transform", where));
  auto parsed = Transform::Parse(transform);
  if (!parsed.ok()) return Corrupt("{}: {}", where, parsed.status().message());
  field.transform = *std::move(parsed);
  ASSIGN_OR_RETURN(std::string direction, RequiredString(j, "direction", where));
  std::string dir = ToLower(direction);
  if (dir == "asc") {
    field.direction = SortDirection::kAsc;
  } else if (dir == "desc") {
    field.direction = SortDirection::kDesc;
  } else {
    return Corrupt("{} has direction '{}': expected asc or desc", where, direction);
  }
  ASSIGN_OR_RETURN(std::string null_order, RequiredString(j, "null-order", where));
  std::string nulls = ToLower(null_order);
  if (nulls == "nulls-first") {
    field.null_order = NullOrder::kNullsFirst;
  } else if (nulls == "nulls-last") {
    field.null_order = NullOrder::kNullsLast;
  } else {
    return Corrupt("{} has null-order '{}': expected nulls-first or nulls-last", where, null_order);
  }
  return field;
}

}  // namespace

Result<SortOrder> SortOrderFromJson(const Json& json) {
  SortOrder order;
  ASSIGN_OR_RETURN(int64_t order_id, RequiredInt(json, "order-id", "sort order"));
  ASSIGN_OR_RETURN(order.order_id, JsonInt32(order_id, "order-id", "sort order"));
  std::string where = fmt::format("sort order {}", order.order_id);
  ASSIGN_OR_RETURN(const Json* fields, RequiredMember(json, "fields", where));
  if (!fields->is_array()) return Corrupt("{} 'fields' must be an array", where);
  for (size_t i = 0; i < fields->size(); ++i) {
    ASSIGN_OR_RETURN(SortField field,
                     SortFieldFromJson((*fields)[i], fmt::format("{} field {}", where, i)));
    order.fields.push_back(std::move(field));
  }
  if (order.order_id == SortOrder::kUnsortedOrderId && !order.fields.empty()) {
    return Corrupt("sort order id 0 is reserved for the unsorted order but has {} fields",
                   order.fields.size());
  }
  return order;
}

Json SortOrderToJson(const SortOrder& order) {
  Json fields = Json::array();
  for (const auto& f : order.fields) {
    fields.push_back(Json{{"transform", f.transform.ToString()},
                          {"source-id", f.source_id},
                          {"direction", SortDirectionName(f.direction)},
                          {"null-order", NullOrderName(f.null_order)}});
  }
  return Json{{"order-id", order.order_id}, {"fields", std::move(fields)}};
}

Status ValidateSortOrder(const SortOrder& order, const Schema& schema) {
  PRECHECK(order.order_id != SortOrder::kUnsortedOrderId || order.fields.empty(),
           "sort order id 0 is reserved for the unsorted order");
  for (const auto& f : order.fields) {
    const NestedField* source = schema.FindFieldById(f.source_id);
    PRECHECK(source != nullptr, "sort field uses source column id {}, which is not in the schema",
             f.source_id);
    std::string column = schema.FindColumnName(f.source_id);
    PRECHECK(source->type->is_primitive(),
             "sort field uses column '{}' of type {}; only primitive columns can be sorted", column,
             source->type->ToString());
    PRECHECK(f.transform.is_unknown() || f.transform.CanTransform(*source->type),
             "sort field: transform {} cannot be applied to column '{}' of type {}",
             f.transform.ToString(), column, source->type->ToString());
  }
  return Status::OK();
}

}  // namespace faceberg::iceberg
