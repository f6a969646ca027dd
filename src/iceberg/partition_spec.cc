#include "iceberg/partition_spec.h"

#include <limits>
#include <map>
#include <optional>
#include <set>
#include <utility>

#include "iceberg/single_value.h"
#include "util/strings.h"

namespace faceberg::iceberg {

// ---- PartitionSpec ----

bool PartitionSpec::IsUnpartitioned() const {
  for (const auto& f : fields) {
    if (!f.transform.is_void()) return false;
  }
  return true;
}

int32_t PartitionSpec::LastFieldId() const {
  int32_t last = kUnpartitionedLastFieldId;
  for (const auto& f : fields) last = std::max(last, f.field_id);
  return last;
}

std::string PartitionSpec::ToString() const {
  std::vector<std::string> parts;
  for (const auto& f : fields) {
    parts.push_back(fmt::format("{}: {}({})", f.name, f.transform.ToString(), f.source_id));
  }
  return "[" + Join(parts, ", ") + "]";
}

// ---- JSON ----

namespace {

Result<int32_t> SourceIdFromJson(const Json& j, std::string_view where) {
  if (j.is_object() && !j.contains("source-id") && j.contains("source-ids")) {
    const Json& ids = j["source-ids"];
    if (!ids.is_array() || ids.empty() || !ids[0].is_number_integer()) {
      return Corrupt("{} field 'source-ids' must be a non-empty array of integers", where);
    }
    if (ids.size() > 1) {
      return NotSupported("{} uses a multi-argument transform ({} source columns)", where,
                          ids.size());
    }
    return JsonInt32(ids[0].get<int64_t>(), "source-ids", where);
  }
  ASSIGN_OR_RETURN(int64_t id, RequiredInt(j, "source-id", where));
  return JsonInt32(id, "source-id", where);
}

Json FieldToJson(const PartitionField& f) {
  return Json{{"name", f.name},
              {"transform", f.transform.ToString()},
              {"source-id", f.source_id},
              {"field-id", f.field_id}};
}

}  // namespace

Result<PartitionSpec> PartitionSpecFromJson(const Json& json, int32_t default_spec_id) {
  PartitionSpec spec;
  spec.spec_id = default_spec_id;
  const Json* fields = &json;
  if (json.is_object()) {
    ASSIGN_OR_RETURN(auto spec_id, OptionalInt(json, "spec-id", "partition spec"));
    if (spec_id) {
      ASSIGN_OR_RETURN(spec.spec_id, JsonInt32(*spec_id, "spec-id", "partition spec"));
    }
    ASSIGN_OR_RETURN(fields, RequiredMember(json, "fields", "partition spec"));
  }
  if (!fields->is_array()) {
    return Corrupt("a partition spec must be an object with a 'fields' array, or a fields array");
  }
  int32_t next_field_id = PartitionSpec::kFirstFieldId;
  for (size_t i = 0; i < fields->size(); ++i) {
    const Json& j = (*fields)[i];
    std::string where = fmt::format("partition spec {} field {}", spec.spec_id, i);
    if (!j.is_object()) return Corrupt("{} must be a JSON object", where);
    PartitionField field;
    ASSIGN_OR_RETURN(field.source_id, SourceIdFromJson(j, where));
    ASSIGN_OR_RETURN(auto field_id, OptionalInt(j, "field-id", where));
    if (field_id) {
      ASSIGN_OR_RETURN(field.field_id, JsonInt32(*field_id, "field-id", where));
    } else {
      field.field_id = next_field_id;  // v1 specs may omit ids: Java numbers them from 1000
    }
    next_field_id = field.field_id + 1;
    ASSIGN_OR_RETURN(field.name, RequiredString(j, "name", where));
    ASSIGN_OR_RETURN(std::string transform, RequiredString(j, "transform", where));
    auto parsed = Transform::Parse(transform);
    if (!parsed.ok()) return Corrupt("{}: {}", where, parsed.status().message());
    field.transform = *std::move(parsed);
    spec.fields.push_back(std::move(field));
  }
  return spec;
}

Json PartitionSpecToJson(const PartitionSpec& spec) {
  return Json{{"spec-id", spec.spec_id}, {"fields", PartitionFieldsToJson(spec)}};
}

Json PartitionFieldsToJson(const PartitionSpec& spec) {
  Json fields = Json::array();
  for (const auto& f : spec.fields) fields.push_back(FieldToJson(f));
  return fields;
}

// ---- validation and types ----

Status ValidatePartitionSpec(const PartitionSpec& spec, const Schema& schema) {
  std::set<std::string> names;
  std::set<int32_t> ids;
  std::map<std::pair<int32_t, std::string>, std::string> transforms_by_source;
  for (const auto& f : spec.fields) {
    PRECHECK(!f.name.empty(), "partition field {} has an empty name", f.field_id);
    PRECHECK(names.insert(f.name).second, "partition field name '{}' is used twice", f.name);
    PRECHECK(ids.insert(f.field_id).second, "partition field id {} is used twice (by '{}')",
             f.field_id, f.name);
    const NestedField* source = schema.FindFieldById(f.source_id);
    PRECHECK(source != nullptr,
             "partition field '{}' uses source column id {}, which is not in the schema", f.name,
             f.source_id);
    std::string column = schema.FindColumnName(f.source_id);
    PRECHECK(source->type->is_primitive(),
             "partition field '{}' uses column '{}' of type {}; only primitive columns can be "
             "partitioned",
             f.name, column, source->type->ToString());
    PRECHECK(f.transform.is_unknown() || f.transform.CanTransform(*source->type),
             "partition field '{}': transform {} cannot be applied to column '{}' of type {}",
             f.name, f.transform.ToString(), column, source->type->ToString());
    if (const NestedField* clash = schema.FindFieldByName(f.name)) {
      bool same_column =
          (f.transform.is_identity() || f.transform.is_void()) && clash->id == f.source_id;
      PRECHECK(same_column,
               "partition field name '{}' clashes with a schema column; only identity({}) may "
               "use that name",
               f.name, f.name);
    }
    if (f.transform.is_void() || f.transform.is_unknown()) continue;
    bool is_time =
        f.transform.kind() == TransformKind::kYear || f.transform.kind() == TransformKind::kMonth ||
        f.transform.kind() == TransformKind::kDay || f.transform.kind() == TransformKind::kHour;
    auto [it, added] = transforms_by_source.emplace(
        std::make_pair(f.source_id, is_time ? std::string("time") : f.transform.ToString()),
        f.name);
    PRECHECK(added, "partition fields '{}' and '{}' are redundant: both apply {} to column '{}'",
             it->second, f.name, is_time ? "a time transform" : f.transform.ToString(), column);
  }
  return Status::OK();
}

Result<TypePtr> PartitionType(const PartitionSpec& spec, const Schema& schema) {
  std::vector<NestedField> fields;
  for (const auto& f : spec.fields) {
    const NestedField* source = schema.FindFieldById(f.source_id);
    PRECHECK(source != nullptr,
             "partition field '{}' uses source column id {}, which is not in the schema", f.name,
             f.source_id);
    auto type = f.transform.ResultType(source->type);
    if (!type.ok()) return type.status().WithContext(fmt::format("partition field '{}'", f.name));
    fields.push_back(NestedField{f.field_id, f.name, false, *std::move(type), ""});
  }
  return Type::Struct(std::move(fields));
}

std::string DefaultPartitionFieldName(std::string_view source_name, const Transform& transform) {
  std::string name(source_name);
  switch (transform.kind()) {
    case TransformKind::kIdentity:
      return name;
    case TransformKind::kBucket:
      return name + "_bucket";
    case TransformKind::kTruncate:
      return name + "_trunc";
    case TransformKind::kYear:
      return name + "_year";
    case TransformKind::kMonth:
      return name + "_month";
    case TransformKind::kDay:
      return name + "_day";
    case TransformKind::kHour:
      return name + "_hour";
    case TransformKind::kVoid:
      return name + "_null";
    case TransformKind::kUnknown:
      break;
  }
  return name + "_" + transform.ToString();
}

// ---- the CLI spec string ----

namespace {

std::string_view Unquote(std::string_view s) {
  if (s.size() >= 2 && s.front() == s.back() && (s.front() == '"' || s.front() == '`')) {
    return s.substr(1, s.size() - 2);
  }
  return s;
}

std::string TopLevelColumnNames(const Schema& schema) {
  std::vector<std::string> names;
  for (const auto& f : schema.fields()) names.push_back(f.name);
  return names.empty() ? "(none)" : Join(names, ", ");
}

struct ParsedTerm {
  std::string column;
  Transform transform;
};

Result<ParsedTerm> ParsePartitionTerm(std::string_view term) {
  constexpr std::string_view kForms =
      "use column, identity(col), year(col), month(col), day(col), hour(col), bucket(N, col), "
      "truncate(W, col) or void(col)";
  size_t open = term.find('(');
  if (open == std::string_view::npos) {
    PRECHECK(term.find_first_of(")[],") == std::string_view::npos,
             "partition term '{}' is malformed: {}", term, kForms);
    return ParsedTerm{std::string(Unquote(term)), Transform::Identity()};
  }
  PRECHECK(term.back() == ')', "partition term '{}' is malformed: {}", term, kForms);
  std::string func = ToLower(Trim(term.substr(0, open)));
  std::vector<std::string> args = SplitTopLevel(term.substr(open + 1, term.size() - open - 2), ',');
  for (auto& a : args) a = std::string(Trim(a));
  if (func == "bucket" || func == "truncate") {
    PRECHECK(args.size() == 2, "partition term '{}' needs two arguments: {}(N, column)", term,
             func);
    auto n = ParseInt64(args[0]);
    PRECHECK(n.has_value() && *n > 0,
             "'{}' in partition term '{}' is not a positive integer: use {}(N, column)", args[0],
             term, func);
    ASSIGN_OR_RETURN(Transform t,
                     func == "bucket" ? Transform::Bucket(*n) : Transform::Truncate(*n));
    return ParsedTerm{std::string(Unquote(args[1])), t};
  }
  Transform t;
  if (func == "identity") {
    t = Transform::Identity();
  } else if (func == "year" || func == "years") {
    t = Transform::Year();
  } else if (func == "month" || func == "months") {
    t = Transform::Month();
  } else if (func == "day" || func == "days") {
    t = Transform::Day();
  } else if (func == "hour" || func == "hours") {
    t = Transform::Hour();
  } else if (func == "void") {
    t = Transform::Void();
  } else {
    return InvalidArgument("unknown partition transform '{}' in '{}': {}", func, term, kForms);
  }
  PRECHECK(args.size() == 1 && !args[0].empty(),
           "partition term '{}' needs exactly one column: {}(column)", term, func);
  return ParsedTerm{std::string(Unquote(args[0])), t};
}

}  // namespace

Result<PartitionSpec> ParsePartitionSpecString(std::string_view text, const Schema& schema,
                                               int32_t last_partition_id, int32_t spec_id) {
  PartitionSpec spec;
  spec.spec_id = spec_id;
  if (Trim(text).empty()) return spec;
  int32_t next_id = last_partition_id + 1;
  for (const auto& piece : SplitTopLevel(text, ',')) {
    std::string_view term = Trim(piece);
    PRECHECK(!term.empty(), "partition spec '{}' has an empty term: separate terms with commas",
             text);
    ASSIGN_OR_RETURN(ParsedTerm parsed, ParsePartitionTerm(term));
    const NestedField* source = schema.FindFieldByName(parsed.column);
    PRECHECK(source != nullptr, "unknown column '{}' in partition term '{}'; the columns are: {}",
             parsed.column, term, TopLevelColumnNames(schema));
    spec.fields.push_back(PartitionField{source->id, next_id++,
                                         DefaultPartitionFieldName(parsed.column, parsed.transform),
                                         parsed.transform});
  }
  RETURN_IF_ERROR(ValidatePartitionSpec(spec, schema));
  return spec;
}

// ---- partition tuples ----

Result<PartitionValues> ComputePartition(const PartitionSpec& spec, const Schema& schema,
                                         const SourceValueFn& source_value) {
  PartitionValues values;
  values.reserve(spec.fields.size());
  for (const auto& f : spec.fields) {
    if (f.transform.is_void()) {
      values.emplace_back();
      continue;
    }
    const NestedField* source = schema.FindFieldById(f.source_id);
    PRECHECK(source != nullptr,
             "partition field '{}' uses source column id {}, which is not in the schema", f.name,
             f.source_id);
    auto value = f.transform.Apply(source_value(f.source_id), *source->type);
    if (!value.ok()) return value.status().WithContext(fmt::format("partition field '{}'", f.name));
    values.push_back(*std::move(value));
  }
  return values;
}

namespace {

std::optional<int64_t> FindCount(const std::map<int32_t, int64_t>& counts, int32_t id) {
  auto it = counts.find(id);
  if (it == counts.end()) return std::nullopt;
  return it->second;
}

}  // namespace

Result<PartitionValues> PartitionFromBounds(const PartitionSpec& spec, const Schema& schema,
                                            const FileMetrics& metrics) {
  PartitionValues values;
  values.reserve(spec.fields.size());
  for (const auto& f : spec.fields) {
    if (f.transform.is_void()) {
      values.emplace_back();
      continue;
    }
    if (f.transform.is_unknown()) {
      return NotSupported(
          "partition field '{}' uses transform '{}', which is not supported for "
          "writing",
          f.name, f.transform.ToString());
    }
    const NestedField* source = schema.FindFieldById(f.source_id);
    PRECHECK(source != nullptr,
             "partition field '{}' uses source column id {}, which is not in the schema", f.name,
             f.source_id);
    const Type& type = *source->type;
    std::string column = schema.FindColumnName(f.source_id);
    std::optional<int64_t> nulls = FindCount(metrics.null_value_counts, f.source_id);
    int64_t count = FindCount(metrics.value_counts, f.source_id).value_or(metrics.record_count);
    auto lower_it = metrics.lower_bounds.find(f.source_id);
    auto upper_it = metrics.upper_bounds.find(f.source_id);
    if (lower_it == metrics.lower_bounds.end() || upper_it == metrics.upper_bounds.end()) {
      // No bounds: fine when every value is null (or the file is empty).
      if (count == 0 || (nulls && *nulls >= count)) {
        values.emplace_back();
        continue;
      }
      return InvalidArgument(
          "column '{}' has no lower and upper bounds in the file's metrics, so partition field "
          "'{}' cannot be derived",
          column, f.name);
    }
    auto lower = ValueFromBinary(lower_it->second, type);
    if (!lower.ok()) return lower.status().WithContext(fmt::format("lower bound of '{}'", column));
    auto upper = ValueFromBinary(upper_it->second, type);
    if (!upper.ok()) return upper.status().WithContext(fmt::format("upper bound of '{}'", column));
    ASSIGN_OR_RETURN(Value low, f.transform.Apply(*lower, type));
    ASSIGN_OR_RETURN(Value high, f.transform.Apply(*upper, type));
    std::string low_text = f.transform.ToHumanString(low, type);
    if (nulls && *nulls > 0) {
      return InvalidArgument(
          "file spans several partitions: column '{}' holds {} null and {} non-null values, so "
          "partition field '{}' is both null and {}",
          column, *nulls, count - *nulls, f.name, low_text);
    }
    if (!f.transform.PreservesOrder()) {
      PRECHECK(CompareValues(*lower, *upper) == 0,
               "file spans several partitions: column '{}' ranges from {} to {}, and {} does not "
               "preserve order, so partition field '{}' can take several values",
               column, ValueToString(*lower, type), ValueToString(*upper, type),
               f.transform.ToString(), f.name);
    } else {
      PRECHECK(CompareValues(low, high) == 0,
               "file spans several partitions: column '{}' ranges from {} to {}, which gives "
               "{}={} and {}={}",
               column, ValueToString(*lower, type), ValueToString(*upper, type), f.name, low_text,
               f.name, f.transform.ToHumanString(high, type));
    }
    values.push_back(std::move(low));
  }
  return values;
}

namespace {

// application/x-www-form-urlencoded, as Java's URLEncoder writes it.
std::string UrlFormEncode(std::string_view s) {
  std::string out;
  for (char c : s) {
    auto u = static_cast<unsigned char>(c);
    if ((u >= 'a' && u <= 'z') || (u >= 'A' && u <= 'Z') || (u >= '0' && u <= '9') || u == '.' ||
        u == '-' || u == '*' || u == '_') {
      out.push_back(c);
    } else if (u == ' ') {
      out.push_back('+');
    } else {
      out += fmt::format("%{:02X}", u);
    }
  }
  return out;
}

}  // namespace

Result<std::string> PartitionPath(const PartitionSpec& spec, const Schema& schema,
                                  const PartitionValues& values) {
  PRECHECK(values.size() == spec.fields.size(),
           "partition tuple has {} values but spec {} has {} fields", values.size(), spec.spec_id,
           spec.fields.size());
  std::vector<std::string> parts;
  for (size_t i = 0; i < spec.fields.size(); ++i) {
    const PartitionField& f = spec.fields[i];
    const NestedField* source = schema.FindFieldById(f.source_id);
    PRECHECK(source != nullptr,
             "partition field '{}' uses source column id {}, which is not in the schema", f.name,
             f.source_id);
    parts.push_back(UrlFormEncode(f.name) + "=" +
                    UrlFormEncode(f.transform.ToHumanString(values[i], *source->type)));
  }
  return Join(parts, "/");
}

}  // namespace faceberg::iceberg
