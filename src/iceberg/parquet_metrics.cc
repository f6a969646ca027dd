#include "iceberg/parquet_metrics.h"

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstring>
#include <limits>
#include <set>
#include <utility>

#include "format/parquet/schema.h"
#include "util/bytes.h"
#include "util/strings.h"

namespace faceberg::iceberg {

namespace pq = ::faceberg::parquet;

namespace {

// ---- Parquet annotations, logical or legacy, in one shape -------------------------------------

struct Annotation {
  enum class Kind {
    kNone,
    kString,  // STRING, UTF8, ENUM, JSON: UTF-8 text
    kBson,
    kDecimal,
    kDate,
    kTime,
    kTimestamp,
    kInteger,
    kUuid,
    kList,
    kMap,  // MAP or the legacy MAP_KEY_VALUE on the outer group
    kUnsupported,
  };
  Kind kind = Kind::kNone;
  int32_t precision = 0;
  int32_t scale = 0;
  pq::TimeUnit unit = pq::TimeUnit::kMicros;
  bool adjusted_to_utc = false;
  int32_t bit_width = 0;
  bool is_signed = true;
  std::string_view unsupported_name;  // for kUnsupported

  bool is_unsigned() const { return kind == Kind::kInteger && !is_signed; }
};

Annotation FromLogicalType(const pq::LogicalType& lt) {
  using K = pq::LogicalType::Kind;
  Annotation a;
  switch (lt.kind) {
    case K::kString:
    case K::kEnum:
    case K::kJson:
      a.kind = Annotation::Kind::kString;
      break;
    case K::kBson:
      a.kind = Annotation::Kind::kBson;
      break;
    case K::kDecimal:
      a.kind = Annotation::Kind::kDecimal;
      a.precision = lt.precision;
      a.scale = lt.scale;
      break;
    case K::kDate:
      a.kind = Annotation::Kind::kDate;
      break;
    case K::kTime:
    case K::kTimestamp:
      a.kind = lt.kind == K::kTime ? Annotation::Kind::kTime : Annotation::Kind::kTimestamp;
      a.unit = lt.unit;
      a.adjusted_to_utc = lt.is_adjusted_to_utc;
      break;
    case K::kInteger:
      a.kind = Annotation::Kind::kInteger;
      a.bit_width = lt.bit_width;
      a.is_signed = lt.is_signed;
      break;
    case K::kUuid:
      a.kind = Annotation::Kind::kUuid;
      break;
    case K::kList:
      a.kind = Annotation::Kind::kList;
      break;
    case K::kMap:
      a.kind = Annotation::Kind::kMap;
      break;
    case K::kUnknown:
      a.kind = Annotation::Kind::kUnsupported;
      a.unsupported_name = "UNKNOWN (null)";
      break;
    case K::kFloat16:
      a.kind = Annotation::Kind::kUnsupported;
      a.unsupported_name = "FLOAT16";
      break;
    case K::kVariant:
      a.kind = Annotation::Kind::kUnsupported;
      a.unsupported_name = "VARIANT";
      break;
    case K::kGeometry:
      a.kind = Annotation::Kind::kUnsupported;
      a.unsupported_name = "GEOMETRY";
      break;
    case K::kGeography:
      a.kind = Annotation::Kind::kUnsupported;
      a.unsupported_name = "GEOGRAPHY";
      break;
    case K::kOther:
      a.kind = Annotation::Kind::kUnsupported;
      a.unsupported_name = "an unknown logical type";
      break;
  }
  return a;
}

Annotation FromConvertedType(const pq::SchemaElement& e) {
  using C = pq::ConvertedType;
  Annotation a;
  auto integer = [&](int width, bool is_signed) {
    a.kind = Annotation::Kind::kInteger;
    a.bit_width = width;
    a.is_signed = is_signed;
  };
  auto time = [&](Annotation::Kind kind, pq::TimeUnit unit) {
    a.kind = kind;
    a.unit = unit;
    a.adjusted_to_utc = true;  // the legacy annotations describe UTC instants
  };
  switch (*e.converted_type) {
    case C::kUtf8:
    case C::kEnum:
    case C::kJson:
      a.kind = Annotation::Kind::kString;
      break;
    case C::kBson:
      a.kind = Annotation::Kind::kBson;
      break;
    case C::kMap:
    case C::kMapKeyValue:
      a.kind = Annotation::Kind::kMap;
      break;
    case C::kList:
      a.kind = Annotation::Kind::kList;
      break;
    case C::kDecimal:
      a.kind = Annotation::Kind::kDecimal;
      a.precision = e.precision.value_or(0);
      a.scale = e.scale.value_or(0);
      break;
    case C::kDate:
      a.kind = Annotation::Kind::kDate;
      break;
    case C::kTimeMillis:
      time(Annotation::Kind::kTime, pq::TimeUnit::kMillis);
      break;
    case C::kTimeMicros:
      time(Annotation::Kind::kTime, pq::TimeUnit::kMicros);
      break;
    case C::kTimestampMillis:
      time(Annotation::Kind::kTimestamp, pq::TimeUnit::kMillis);
      break;
    case C::kTimestampMicros:
      time(Annotation::Kind::kTimestamp, pq::TimeUnit::kMicros);
      break;
    case C::kUint8:
      integer(8, false);
      break;
    case C::kUint16:
      integer(16, false);
      break;
    case C::kUint32:
      integer(32, false);
      break;
    case C::kUint64:
      integer(64, false);
      break;
    case C::kInt8:
      integer(8, true);
      break;
    case C::kInt16:
      integer(16, true);
      break;
    case C::kInt32:
      integer(32, true);
      break;
    case C::kInt64:
      integer(64, true);
      break;
    case C::kInterval:
      a.kind = Annotation::Kind::kUnsupported;
      a.unsupported_name = "INTERVAL";
      break;
    default:
      a.kind = Annotation::Kind::kUnsupported;
      a.unsupported_name = "an unknown converted type";
      break;
  }
  return a;
}

Annotation Annotate(const pq::SchemaElement& e) {
  if (e.logical_type.has_value()) return FromLogicalType(*e.logical_type);
  if (e.converted_type.has_value()) return FromConvertedType(e);
  return Annotation{};
}

// ---- Schema conversion ------------------------------------------------------------------------

Result<TypePtr> DecimalType(const pq::SchemaNode& leaf, const Annotation& a) {
  auto type = Type::Decimal(a.precision, a.scale);
  if (!type.has_value()) {
    return NotSupported(
        "Parquet column '{}': decimal({}, {}) is not supported by Iceberg "
        "(precision 1..38, scale 0..precision)",
        leaf.dotted_path(), a.precision, a.scale);
  }
  return type;
}

// The Iceberg type of a Parquet leaf.
Result<TypePtr> PrimitiveFromParquet(const pq::SchemaNode& leaf) {
  using K = Annotation::Kind;
  const pq::SchemaElement& e = leaf.element;
  const pq::PhysicalType physical = *e.type;
  const Annotation a = Annotate(e);
  auto unsupported = [&](std::string_view what) -> Status {
    return NotSupported("Parquet column '{}': {} is not supported", leaf.dotted_path(), what);
  };
  auto invalid = [&]() -> Status {
    return NotSupported("Parquet column '{}': its annotation is not valid on physical type {}",
                        leaf.dotted_path(), pq::PhysicalTypeName(physical));
  };
  if (a.kind == K::kUnsupported) return unsupported(a.unsupported_name);

  switch (physical) {
    case pq::PhysicalType::kBoolean:
      if (a.kind == K::kNone) return Type::Boolean();
      return invalid();
    case pq::PhysicalType::kInt32:
      switch (a.kind) {
        case K::kNone:
          return Type::Int();
        case K::kInteger:
          if (a.bit_width > 32) return invalid();
          return a.is_signed || a.bit_width < 32 ? Type::Int() : Type::Long();
        case K::kDate:
          return Type::Date();
        case K::kTime:
          if (a.unit != pq::TimeUnit::kMillis) return invalid();
          return Type::Time();
        case K::kDecimal:
          return DecimalType(leaf, a);
        default:
          return invalid();
      }
    case pq::PhysicalType::kInt64:
      switch (a.kind) {
        case K::kNone:
          return Type::Long();
        case K::kInteger:
          if (a.bit_width == 64 && !a.is_signed) return unsupported("UINT64 (unsigned 64-bit)");
          return Type::Long();
        case K::kTimestamp:
          return a.adjusted_to_utc ? Type::TimestampTz() : Type::Timestamp();
        case K::kTime:
          if (a.unit == pq::TimeUnit::kMillis) return invalid();
          return Type::Time();
        case K::kDecimal:
          return DecimalType(leaf, a);
        default:
          return invalid();
      }
    case pq::PhysicalType::kInt96:
      if (a.kind == K::kNone) return Type::Timestamp();
      return invalid();
    case pq::PhysicalType::kFloat:
      if (a.kind == K::kNone) return Type::Float();
      return invalid();
    case pq::PhysicalType::kDouble:
      if (a.kind == K::kNone) return Type::Double();
      return invalid();
    case pq::PhysicalType::kByteArray:
      switch (a.kind) {
        case K::kNone:
        case K::kBson:
          return Type::Binary();
        case K::kString:
          return Type::String();
        case K::kDecimal:
          return DecimalType(leaf, a);
        default:
          return invalid();
      }
    case pq::PhysicalType::kFixedLenByteArray:
      switch (a.kind) {
        case K::kNone:
          return Type::Fixed(*e.type_length);
        case K::kUuid:
          if (*e.type_length != 16) return invalid();
          return Type::Uuid();
        case K::kDecimal:
          return DecimalType(leaf, a);
        default:
          return invalid();
      }
  }
  return invalid();
}

// An Iceberg field under construction: the Parquet structure is resolved first, ids are assigned
// afterwards (fresh ids need the whole shape), then types are built bottom-up.
struct ConvField {
  std::string name;
  bool required = false;
  std::optional<int32_t> file_id;
  int32_t id = 0;
  TypeId kind = TypeId::kStruct;
  TypePtr primitive;                // set for primitives
  int leaf_node = -1;               // the Parquet leaf of a primitive
  std::vector<ConvField> children;  // struct fields; list: element; map: key, value
};

class SchemaConverter {
 public:
  explicit SchemaConverter(const pq::SchemaTree& tree) : tree_(tree) {}

  // Converts node `index` as a named field (checks its repetition).
  Status ConvertField(int index, ConvField* out) {
    const pq::SchemaNode& n = tree_.node(index);
    if (n.repetition() == pq::Repetition::kRepeated) {
      return NotSupported(
          "Parquet column '{}': a repeated field outside a LIST or MAP group is not supported",
          n.dotted_path());
    }
    out->name = n.name();
    out->required = n.repetition() == pq::Repetition::kRequired;
    out->file_id = n.element.field_id;
    return ConvertType(index, out);
  }

  // Fills the type part of `out` from node `index`.
  Status ConvertType(int index, ConvField* out) {
    const pq::SchemaNode& n = tree_.node(index);
    if (n.is_leaf()) {
      ASSIGN_OR_RETURN(out->primitive, PrimitiveFromParquet(n));
      out->kind = out->primitive->id();
      out->leaf_node = index;
      return Status::OK();
    }
    Annotation a = Annotate(n.element);
    if (a.kind == Annotation::Kind::kList) return ConvertList(index, out);
    if (a.kind == Annotation::Kind::kMap) return ConvertMap(index, out);
    if (a.kind != Annotation::Kind::kNone) {
      return NotSupported("Parquet group '{}' has an annotation that is not valid on a group",
                          n.dotted_path());
    }
    if (n.children.empty()) {
      return NotSupported("Parquet group '{}' has no fields; Iceberg has no empty structs",
                          n.dotted_path());
    }
    out->kind = TypeId::kStruct;
    for (int child : n.children) {
      ConvField f;
      RETURN_IF_ERROR(ConvertField(child, &f));
      out->children.push_back(std::move(f));
    }
    return Status::OK();
  }

 private:
  // LIST: <list-repetition> group <name> (LIST) { repeated <repeated-type>; } with the
  // backward-compatibility rules of the Parquet LogicalTypes document for 2-level lists.
  Status ConvertList(int index, ConvField* out) {
    const pq::SchemaNode& g = tree_.node(index);
    if (g.children.size() != 1) {
      return NotSupported("Parquet LIST group '{}' must have exactly one child, not {}",
                          g.dotted_path(), g.children.size());
    }
    int repeated_index = g.children[0];
    const pq::SchemaNode& r = tree_.node(repeated_index);
    if (r.repetition() != pq::Repetition::kRepeated) {
      return NotSupported("Parquet LIST group '{}': its child '{}' is not repeated",
                          g.dotted_path(), r.name());
    }
    if (!r.is_leaf() && r.children.empty()) {
      return NotSupported("Parquet LIST group '{}': its repeated group '{}' has no fields",
                          g.dotted_path(), r.name());
    }
    out->kind = TypeId::kList;
    ConvField element;
    element.name = "element";
    bool two_level = r.is_leaf() || r.children.size() > 1 || r.name() == "array" ||
                     r.name() == g.name() + "_tuple";
    if (two_level) {
      // The repeated field is the element, and elements are required.
      element.required = true;
      element.file_id = r.element.field_id;
      RETURN_IF_ERROR(ConvertType(repeated_index, &element));
    } else {
      RETURN_IF_ERROR(ConvertField(r.children[0], &element));
      element.name = "element";
    }
    out->children.push_back(std::move(element));
    return Status::OK();
  }

  // MAP: <map-repetition> group <name> (MAP) { repeated group key_value { required <key>;
  // <value-repetition> <value>; } }; the outer group may carry the legacy MAP_KEY_VALUE instead.
  Status ConvertMap(int index, ConvField* out) {
    const pq::SchemaNode& g = tree_.node(index);
    if (g.children.size() != 1) {
      return NotSupported("Parquet MAP group '{}' must have exactly one child, not {}",
                          g.dotted_path(), g.children.size());
    }
    const pq::SchemaNode& kv = tree_.node(g.children[0]);
    if (kv.is_leaf() || kv.repetition() != pq::Repetition::kRepeated) {
      return NotSupported("Parquet MAP group '{}': its child '{}' is not a repeated group",
                          g.dotted_path(), kv.name());
    }
    if (kv.children.size() != 2) {
      return NotSupported(
          "Parquet MAP group '{}' has {} fields in '{}' where a key and a value are expected",
          g.dotted_path(), kv.children.size(), kv.name());
    }
    out->kind = TypeId::kMap;
    ConvField key;
    ConvField value;
    RETURN_IF_ERROR(ConvertField(kv.children[0], &key));
    RETURN_IF_ERROR(ConvertField(kv.children[1], &value));
    key.name = "key";
    key.required = true;  // Iceberg map keys are always required
    value.name = "value";
    out->children.push_back(std::move(key));
    out->children.push_back(std::move(value));
    return Status::OK();
  }

  const pq::SchemaTree& tree_;
};

bool AllHaveIds(const std::vector<ConvField>& fields) {
  for (const auto& f : fields) {
    if (!f.file_id.has_value() || *f.file_id <= 0) return false;
    if (!AllHaveIds(f.children)) return false;
  }
  return true;
}

void UseFileIds(std::vector<ConvField>& fields) {
  for (auto& f : fields) {
    f.id = *f.file_id;
    UseFileIds(f.children);
  }
}

// Iceberg's fresh-id order: a struct's (or list's, map's) own fields first, then their children.
void AssignFreshIds(std::vector<ConvField>& fields, int32_t* next_id) {
  for (auto& f : fields) f.id = (*next_id)++;
  for (auto& f : fields) AssignFreshIds(f.children, next_id);
}

TypePtr BuildType(const ConvField& f) {
  switch (f.kind) {
    case TypeId::kStruct: {
      std::vector<NestedField> fields;
      for (const auto& c : f.children) {
        fields.push_back(NestedField{c.id, c.name, c.required, BuildType(c), ""});
      }
      return Type::Struct(std::move(fields));
    }
    case TypeId::kList: {
      const ConvField& e = f.children[0];
      return Type::List(e.id, e.required, BuildType(e));
    }
    case TypeId::kMap: {
      const ConvField& k = f.children[0];
      const ConvField& v = f.children[1];
      return Type::Map(k.id, BuildType(k), v.id, v.required, BuildType(v));
    }
    default:
      return f.primitive;
  }
}

// Fills info->field_names and `columns` (keyed by column index, for file order).
void CollectInfo(const pq::SchemaTree& tree, const std::vector<ConvField>& fields,
                 std::vector<std::string>& names, ParquetSchemaInfo* info,
                 std::map<int, ParquetColumnId>* columns) {
  for (const auto& f : fields) {
    names.push_back(f.name);
    info->field_names[f.id] = names;
    if (f.leaf_node >= 0) {
      const pq::SchemaNode& leaf = tree.node(f.leaf_node);
      (*columns)[leaf.column_index] = ParquetColumnId{leaf.path, leaf.dotted_path(), f.id};
    }
    CollectInfo(tree, f.children, names, info, columns);
    names.pop_back();
  }
}

}  // namespace

Result<SchemaPtr> SchemaFromParquet(const pq::FileMetaData& metadata, ParquetSchemaInfo* info,
                                    int32_t schema_id) {
  ASSIGN_OR_RETURN(pq::SchemaTree tree, pq::SchemaTree::Make(metadata.schema));
  if (tree.root().children.empty()) return NotSupported("the Parquet schema has no columns");
  SchemaConverter converter(tree);
  ConvField root;  // the root's annotations, if any, are ignored
  for (int child : tree.root().children) {
    ConvField f;
    RETURN_IF_ERROR(converter.ConvertField(child, &f));
    root.children.push_back(std::move(f));
  }

  bool ids_from_file = AllHaveIds(root.children);
  if (ids_from_file) {
    UseFileIds(root.children);
  } else {
    int32_t next_id = 1;
    AssignFreshIds(root.children, &next_id);
  }
  TypePtr struct_type = BuildType(root);
  auto schema = std::make_shared<Schema>(schema_id, struct_type->fields());
  if (Status st = schema->Validate(); !st.ok()) {
    return Corrupt("the Parquet field ids do not form a valid Iceberg schema: {}", st.message());
  }
  if (info != nullptr) {
    *info = ParquetSchemaInfo{};
    info->ids_from_file = ids_from_file;
    std::vector<std::string> names;
    std::map<int, ParquetColumnId> columns;
    CollectInfo(tree, root.children, names, info, &columns);
    for (auto& [index, column] : columns) info->columns.push_back(std::move(column));
  }
  return SchemaPtr(std::move(schema));
}

// ---- Bound truncation -------------------------------------------------------------------------

namespace {

// Byte offsets of the code points of valid UTF-8 `s` (plus s.size() at the end); nullopt when
// `s` is not valid UTF-8.
std::optional<std::vector<size_t>> CodePointOffsets(std::string_view s) {
  std::vector<size_t> offsets;
  size_t i = 0;
  while (i < s.size()) {
    offsets.push_back(i);
    auto b = static_cast<unsigned char>(s[i]);
    size_t n = b < 0x80 ? 1 : (b >> 5) == 0x6 ? 2 : (b >> 4) == 0xE ? 3 : (b >> 3) == 0x1E ? 4 : 0;
    if (n == 0 || i + n > s.size()) return std::nullopt;
    for (size_t k = 1; k < n; ++k) {
      if ((static_cast<unsigned char>(s[i + k]) & 0xC0) != 0x80) return std::nullopt;
    }
    i += n;
  }
  offsets.push_back(s.size());
  return offsets;
}

uint32_t DecodeCodePoint(std::string_view s) {
  auto b = [&](size_t i) { return static_cast<uint32_t>(static_cast<unsigned char>(s[i])); };
  if (b(0) < 0x80) return b(0);
  if ((b(0) >> 5) == 0x6) return (b(0) & 0x1F) << 6 | (b(1) & 0x3F);
  if ((b(0) >> 4) == 0xE) return (b(0) & 0x0F) << 12 | (b(1) & 0x3F) << 6 | (b(2) & 0x3F);
  return (b(0) & 0x07) << 18 | (b(1) & 0x3F) << 12 | (b(2) & 0x3F) << 6 | (b(3) & 0x3F);
}

void AppendCodePoint(std::string& out, uint32_t cp) {
  if (cp < 0x80) {
    out.push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out.push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

}  // namespace

std::string TruncateUtf8LowerBound(std::string_view value, int32_t length) {
  if (length <= 0) return std::string(value);
  auto offsets = CodePointOffsets(value);
  if (!offsets) return TruncateBinaryLowerBound(value, length);
  size_t code_points = offsets->size() - 1;
  if (code_points <= static_cast<size_t>(length)) return std::string(value);
  return std::string(value.substr(0, (*offsets)[length]));
}

std::optional<std::string> TruncateUtf8UpperBound(std::string_view value, int32_t length) {
  if (length <= 0) return std::string(value);
  auto offsets = CodePointOffsets(value);
  if (!offsets) return TruncateBinaryUpperBound(value, length);
  size_t code_points = offsets->size() - 1;
  if (code_points <= static_cast<size_t>(length)) return std::string(value);
  for (int32_t i = length - 1; i >= 0; --i) {
    size_t begin = (*offsets)[i];
    uint32_t cp = DecodeCodePoint(value.substr(begin)) + 1;
    if (cp >= 0xD800 && cp <= 0xDFFF) cp = 0xE000;  // surrogates are not encodable
    if (cp > 0x10FFFF) continue;
    std::string out(value.substr(0, begin));
    AppendCodePoint(out, cp);
    return out;
  }
  return std::nullopt;
}

std::string TruncateBinaryLowerBound(std::string_view value, int32_t length) {
  if (length <= 0 || value.size() <= static_cast<size_t>(length)) return std::string(value);
  return std::string(value.substr(0, length));
}

std::optional<std::string> TruncateBinaryUpperBound(std::string_view value, int32_t length) {
  if (length <= 0 || value.size() <= static_cast<size_t>(length)) return std::string(value);
  std::string out(value.substr(0, length));
  while (!out.empty()) {
    auto last = static_cast<unsigned char>(out.back());
    if (last != 0xFF) {
      out.back() = static_cast<char>(last + 1);
      return out;
    }
    out.pop_back();
  }
  return std::nullopt;
}

// ---- Bound comparison -------------------------------------------------------------------------

namespace {

template <typename T>
int CompareValues(T a, T b) {
  return a < b ? -1 : a > b ? 1 : 0;
}

// Maps a float's bits to an unsigned key in IEEE 754 total order (-0.0 < +0.0).
uint64_t TotalOrderKey(double v) {
  uint64_t bits = std::bit_cast<uint64_t>(v);
  return (bits >> 63) ? ~bits : bits | (uint64_t{1} << 63);
}

int CompareBytes(std::string_view a, std::string_view b) {
  size_t n = std::min(a.size(), b.size());
  int c = n == 0 ? 0 : std::memcmp(a.data(), b.data(), n);
  if (c != 0) return c < 0 ? -1 : 1;
  return CompareValues(a.size(), b.size());
}

// Compares big-endian two's-complement integers of any lengths.
int CompareBigEndianSigned(std::string_view a, std::string_view b) {
  bool neg_a = (static_cast<unsigned char>(a[0]) & 0x80) != 0;
  bool neg_b = (static_cast<unsigned char>(b[0]) & 0x80) != 0;
  if (neg_a != neg_b) return neg_a ? -1 : 1;
  size_t n = std::max(a.size(), b.size());
  char fill = neg_a ? '\xff' : '\0';
  std::string wa(n - a.size(), fill);
  wa.append(a);
  std::string wb(n - b.size(), fill);
  wb.append(b);
  return CompareBytes(wa, wb);
}

}  // namespace

Result<int> CompareBounds(const Type& type, std::string_view left, std::string_view right) {
  auto bad_size = [&]() -> Status {
    return InvalidArgument("bounds of {} and {} bytes are not valid for type {}", left.size(),
                           right.size(), type.ToString());
  };
  auto both = [&](std::initializer_list<size_t> sizes) {
    auto ok = [&](size_t s) { return std::find(sizes.begin(), sizes.end(), s) != sizes.end(); };
    return ok(left.size()) && ok(right.size());
  };
  // An integer bound of 4 or 8 bytes, as int64.
  auto as_int64 = [](std::string_view b) -> int64_t {
    return b.size() == 4 ? LoadLittleEndian<int32_t>(b) : LoadLittleEndian<int64_t>(b);
  };
  switch (type.id()) {
    case TypeId::kBoolean:
      if (!both({1})) return bad_size();
      return CompareValues(left[0] != 0, right[0] != 0);
    case TypeId::kInt:
    case TypeId::kDate:
      if (!both({4})) return bad_size();
      return CompareValues(LoadLittleEndian<int32_t>(left), LoadLittleEndian<int32_t>(right));
    case TypeId::kLong:
      if (!both({4, 8})) return bad_size();
      return CompareValues(as_int64(left), as_int64(right));
    case TypeId::kTime:
      if (!both({8})) return bad_size();
      return CompareValues(LoadLittleEndian<int64_t>(left), LoadLittleEndian<int64_t>(right));
    case TypeId::kTimestamp:
    case TypeId::kTimestampTz: {
      if (!both({4, 8})) return bad_size();
      // A 4-byte bound is a date (days) written before a date -> timestamp promotion.
      constexpr __int128 kMicrosPerDay = int64_t{86400} * 1000000;
      auto micros = [&](std::string_view b) -> __int128 {
        return b.size() == 4 ? LoadLittleEndian<int32_t>(b) * kMicrosPerDay
                             : __int128{LoadLittleEndian<int64_t>(b)};
      };
      return CompareValues(micros(left), micros(right));
    }
    case TypeId::kFloat:
    case TypeId::kDouble: {
      bool is_float = type.id() == TypeId::kFloat;
      if (is_float ? !both({4}) : !both({4, 8})) return bad_size();
      auto value = [](std::string_view b) -> double {
        return b.size() == 4 ? double{LoadLittleEndian<float>(b)} : LoadLittleEndian<double>(b);
      };
      return CompareValues(TotalOrderKey(value(left)), TotalOrderKey(value(right)));
    }
    case TypeId::kDecimal:
      if (left.empty() || right.empty()) return bad_size();
      return CompareBigEndianSigned(left, right);
    case TypeId::kUuid:
      if (!both({16})) return bad_size();
      return CompareBytes(left, right);
    case TypeId::kFixed:
    case TypeId::kString:
    case TypeId::kBinary:
      return CompareBytes(left, right);
    case TypeId::kStruct:
    case TypeId::kList:
    case TypeId::kMap:
      break;
  }
  return InvalidArgument("type {} has no bounds", type.ToString());
}

// ---- Metrics ----------------------------------------------------------------------------------

namespace {

// Iceberg's decimal bound form: the shortest big-endian two's complement.
std::string MinimalBigEndian(std::string_view bytes) {
  size_t start = 0;
  while (start + 1 < bytes.size()) {
    auto b0 = static_cast<unsigned char>(bytes[start]);
    auto b1 = static_cast<unsigned char>(bytes[start + 1]);
    if ((b0 == 0x00 && (b1 & 0x80) == 0) || (b0 == 0xFF && (b1 & 0x80) != 0)) {
      ++start;
    } else {
      break;
    }
  }
  return std::string(bytes.substr(start));
}

std::string DecimalFromInt64(int64_t v) {
  std::string be(8, '\0');
  auto u = static_cast<uint64_t>(v);
  for (int i = 7; i >= 0; --i) {
    be[i] = static_cast<char>(u & 0xFF);
    u >>= 8;
  }
  return MinimalBigEndian(be);
}

std::string Int32Bound(int32_t v) {
  std::string out;
  AppendLittleEndian(out, v);
  return out;
}

std::string Int64Bound(int64_t v) {
  std::string out;
  AppendLittleEndian(out, v);
  return out;
}

int64_t FloorDiv(int64_t a, int64_t b) {
  int64_t q = a / b;
  return (a % b != 0 && a < 0) ? q - 1 : q;
}

int64_t CeilDiv(int64_t a, int64_t b) {
  int64_t q = a / b;
  return (a % b != 0 && a > 0) ? q + 1 : q;
}

// A time or timestamp in `unit` as microseconds, rounded outward for bounds; nullopt on overflow.
std::optional<int64_t> ToMicros(int64_t v, pq::TimeUnit unit, bool upper) {
  switch (unit) {
    case pq::TimeUnit::kMillis: {
      int64_t out;
      if (__builtin_mul_overflow(v, int64_t{1000}, &out)) return std::nullopt;
      return out;
    }
    case pq::TimeUnit::kMicros:
      return v;
    case pq::TimeUnit::kNanos:
      return upper ? CeilDiv(v, 1000) : FloorDiv(v, 1000);
  }
  return std::nullopt;
}

// How one Parquet leaf column feeds one table field.
struct ColumnPlan {
  const pq::SchemaNode* leaf = nullptr;
  Annotation annotation;
  int32_t field_id = 0;
  const NestedField* field = nullptr;
  bool bounds_allowed = false;
  bool use_min_value = true;    // min_value/max_value: false when the column order is unknown
  bool use_legacy_min = false;  // the deprecated min/max
};

bool IsTimeLike(const Annotation& a) {
  return a.kind == Annotation::Kind::kTime || a.kind == Annotation::Kind::kTimestamp;
}

// Checks that values of the Parquet leaf can be read as `type`.
Status CheckReadable(const ColumnPlan& plan, const Type& type) {
  using P = pq::PhysicalType;
  const pq::SchemaElement& e = plan.leaf->element;
  const P physical = *e.type;
  const Annotation& a = plan.annotation;
  bool ok = false;
  switch (type.id()) {
    case TypeId::kBoolean:
      ok = physical == P::kBoolean;
      break;
    case TypeId::kInt:
      ok = physical == P::kInt32 && !(a.is_unsigned() && a.bit_width >= 32);
      break;
    case TypeId::kLong:
      ok = (physical == P::kInt32 || physical == P::kInt64) &&
           !(a.is_unsigned() && a.bit_width >= 64);
      break;
    case TypeId::kFloat:
      ok = physical == P::kFloat;
      break;
    case TypeId::kDouble:
      ok = physical == P::kFloat || physical == P::kDouble;
      break;
    case TypeId::kDate:
      ok = physical == P::kInt32;
      break;
    case TypeId::kTime:
      ok = physical == P::kInt32 || physical == P::kInt64;
      break;
    case TypeId::kTimestamp:
    case TypeId::kTimestampTz:
      ok = physical == P::kInt64 || physical == P::kInt96;
      break;
    case TypeId::kDecimal:
      ok = physical == P::kInt32 || physical == P::kInt64 || physical == P::kByteArray ||
           physical == P::kFixedLenByteArray;
      break;
    case TypeId::kString:
      ok = physical == P::kByteArray;
      break;
    case TypeId::kBinary:
      ok = physical == P::kByteArray || physical == P::kFixedLenByteArray;
      break;
    case TypeId::kFixed:
      ok = physical == P::kFixedLenByteArray && e.type_length == type.fixed_length();
      break;
    case TypeId::kUuid:
      ok = physical == P::kFixedLenByteArray && e.type_length == 16;
      break;
    case TypeId::kStruct:
    case TypeId::kList:
    case TypeId::kMap:
      ok = false;
      break;
  }
  if (ok) return Status::OK();
  return InvalidArgument("Parquet column '{}' ({}) cannot be read as field {} of type {}",
                         plan.leaf->dotted_path(), pq::PhysicalTypeName(physical), plan.field_id,
                         type.ToString());
}

// Converts one PLAIN-encoded Parquet statistic to an Iceberg bound (untruncated), or nullopt
// when it cannot be used. `upper` selects outward rounding for unit conversions and the
// zero-sign rule for floats.
std::optional<std::string> ToIcebergBound(const ColumnPlan& plan, std::string_view stat,
                                          bool upper) {
  using P = pq::PhysicalType;
  const Type& type = *plan.field->type;
  const pq::SchemaElement& e = plan.leaf->element;
  const Annotation& a = plan.annotation;
  switch (*e.type) {
    case P::kBoolean:
      if (stat.size() != 1) return std::nullopt;
      return std::string(1, stat[0] != 0 ? '\x01' : '\x00');
    case P::kInt32: {
      if (stat.size() != 4) return std::nullopt;
      int32_t v = LoadLittleEndian<int32_t>(stat);
      int64_t wide = a.is_unsigned() ? int64_t{static_cast<uint32_t>(v)} : int64_t{v};
      switch (type.id()) {
        case TypeId::kInt:
        case TypeId::kDate:
          return Int32Bound(v);
        case TypeId::kLong:
          return Int64Bound(wide);
        case TypeId::kTime: {
          if (a.kind != Annotation::Kind::kTime) return std::nullopt;
          auto micros = ToMicros(v, a.unit, upper);
          if (!micros) return std::nullopt;
          return Int64Bound(*micros);
        }
        case TypeId::kDecimal:
          if (a.kind != Annotation::Kind::kDecimal || a.scale != type.scale()) return std::nullopt;
          return DecimalFromInt64(v);
        default:
          return std::nullopt;
      }
    }
    case P::kInt64: {
      if (stat.size() != 8) return std::nullopt;
      int64_t v = LoadLittleEndian<int64_t>(stat);
      switch (type.id()) {
        case TypeId::kLong:
          if (a.is_unsigned() && a.bit_width >= 64) return std::nullopt;
          return Int64Bound(v);
        case TypeId::kTime:
        case TypeId::kTimestamp:
        case TypeId::kTimestampTz: {
          if (!IsTimeLike(a)) return std::nullopt;
          auto micros = ToMicros(v, a.unit, upper);
          if (!micros) return std::nullopt;
          return Int64Bound(*micros);
        }
        case TypeId::kDecimal:
          if (a.kind != Annotation::Kind::kDecimal || a.scale != type.scale()) return std::nullopt;
          return DecimalFromInt64(v);
        default:
          return std::nullopt;
      }
    }
    case P::kFloat:
    case P::kDouble: {
      double v;
      if (*e.type == P::kFloat) {
        if (stat.size() != 4) return std::nullopt;
        v = LoadLittleEndian<float>(stat);
      } else {
        if (stat.size() != 8) return std::nullopt;
        v = LoadLittleEndian<double>(stat);
      }
      if (std::isnan(v)) return std::nullopt;
      // Parquet: a minimum of +0.0 may hide -0.0 values and a maximum of -0.0 may hide +0.0.
      if (v == 0.0) v = upper ? 0.0 : -0.0;
      std::string out;
      if (type.id() == TypeId::kFloat) {
        AppendLittleEndian(out, static_cast<float>(v));
      } else {
        AppendLittleEndian(out, v);
      }
      return out;
    }
    case P::kInt96:
      return std::nullopt;  // no defined sort order
    case P::kByteArray:
    case P::kFixedLenByteArray:
      switch (type.id()) {
        case TypeId::kString:
        case TypeId::kBinary:
          return std::string(stat);
        case TypeId::kFixed:
        case TypeId::kUuid:
          if (static_cast<int64_t>(stat.size()) != e.type_length.value_or(-1)) {
            return std::nullopt;
          }
          return std::string(stat);
        case TypeId::kDecimal: {
          if (a.kind != Annotation::Kind::kDecimal || a.scale != type.scale() || stat.empty()) {
            return std::nullopt;
          }
          std::string minimal = MinimalBigEndian(stat);
          if (minimal.size() > 16) return std::nullopt;
          return minimal;
        }
        default:
          return std::nullopt;
      }
  }
  return std::nullopt;
}

// Running metrics of one field over the row groups.
struct FieldAccumulator {
  int64_t column_size = 0;
  int64_t value_count = 0;
  int64_t null_count = 0;
  int64_t nan_count = 0;
  bool complete = true;  // every row group had column metadata
  bool nulls_known = true;
  bool nans_known = true;
  bool lower_valid = true;
  bool upper_valid = true;
  std::optional<std::string> lower;
  std::optional<std::string> upper;
};

Status MergeBound(const Type& type, std::string value, bool upper,
                  std::optional<std::string>* current) {
  if (!current->has_value()) {
    *current = std::move(value);
    return Status::OK();
  }
  ASSIGN_OR_RETURN(int c, CompareBounds(type, value, **current));
  if (upper ? c > 0 : c < 0) *current = std::move(value);
  return Status::OK();
}

// Adds a count or size from the footer. Errors: Corrupt when the sum overflows.
Status AddCount(int64_t value, int64_t* total, const ColumnPlan& plan) {
  if (__builtin_add_overflow(*total, value, total)) {
    return Corrupt("column '{}': counts or sizes overflow 64 bits", plan.leaf->dotted_path());
  }
  return Status::OK();
}

Status AccumulateChunk(const ColumnPlan& plan, const pq::ColumnMetaData& md,
                       FieldAccumulator* acc) {
  RETURN_IF_ERROR(AddCount(md.total_compressed_size, &acc->column_size, plan));
  RETURN_IF_ERROR(AddCount(md.num_values, &acc->value_count, plan));
  const std::optional<pq::Statistics>& stats = md.statistics;
  if (stats && stats->null_count) {
    RETURN_IF_ERROR(AddCount(*stats->null_count, &acc->null_count, plan));
  } else {
    acc->nulls_known = false;
  }
  const TypeId type_id = plan.field->type->id();
  bool floating = type_id == TypeId::kFloat || type_id == TypeId::kDouble;
  if (floating && stats && stats->nan_count) {
    RETURN_IF_ERROR(AddCount(*stats->nan_count, &acc->nan_count, plan));
  } else {
    acc->nans_known = false;
  }
  if (!plan.bounds_allowed || (!acc->lower_valid && !acc->upper_valid)) return Status::OK();

  // A chunk without non-null, non-NaN values needs no bounds.
  if (md.num_values == 0) return Status::OK();
  if (stats && stats->null_count) {
    int64_t empty = 0;
    bool overflow = __builtin_add_overflow(*stats->null_count,
                                           floating ? stats->nan_count.value_or(0) : 0, &empty);
    if (!overflow && empty >= md.num_values) return Status::OK();
  }

  // The views point into `stats`, which outlives them.
  auto raw = [&](const std::optional<std::string>& new_field,
                 const std::optional<std::string>& legacy) -> std::optional<std::string_view> {
    if (new_field && plan.use_min_value) return std::string_view(*new_field);
    if (legacy && plan.use_legacy_min) return std::string_view(*legacy);
    return std::nullopt;
  };
  std::optional<std::string_view> raw_min;
  std::optional<std::string_view> raw_max;
  if (stats) {
    raw_min = raw(stats->min_value, stats->min);
    raw_max = raw(stats->max_value, stats->max);
  }
  std::optional<std::string> lower = raw_min ? ToIcebergBound(plan, *raw_min, false) : std::nullopt;
  std::optional<std::string> upper = raw_max ? ToIcebergBound(plan, *raw_max, true) : std::nullopt;
  if (floating && (!lower || !upper)) {
    // A NaN (or missing) side makes the other untrustworthy as well.
    lower.reset();
    upper.reset();
  }
  const Type& type = *plan.field->type;
  if (!lower) {
    acc->lower_valid = false;
    acc->lower.reset();
  } else if (acc->lower_valid) {
    RETURN_IF_ERROR(MergeBound(type, std::move(*lower), false, &acc->lower));
  }
  if (!upper) {
    acc->upper_valid = false;
    acc->upper.reset();
  } else if (acc->upper_valid) {
    RETURN_IF_ERROR(MergeBound(type, std::move(*upper), true, &acc->upper));
  }
  return Status::OK();
}

}  // namespace

Result<FileMetrics> MetricsFromParquet(const pq::FileMetaData& metadata, const Schema& table_schema,
                                       const std::map<std::string, int32_t>* name_to_id,
                                       const ParquetMetricsOptions& options) {
  ASSIGN_OR_RETURN(pq::SchemaTree tree, pq::SchemaTree::Make(metadata.schema));

  // Plan each leaf column.
  std::vector<std::optional<ColumnPlan>> plans(tree.num_columns());
  for (int i = 0; i < tree.num_columns(); ++i) {
    const pq::SchemaNode& leaf = tree.column(i);
    std::optional<int32_t> id;
    if (name_to_id != nullptr) {
      auto it = name_to_id->find(leaf.dotted_path());
      if (it != name_to_id->end()) id = it->second;
    } else {
      id = leaf.element.field_id;
    }
    if (!id) continue;
    const NestedField* field = table_schema.FindFieldById(*id);
    if (field == nullptr) continue;
    ColumnPlan plan;
    plan.leaf = &leaf;
    plan.annotation = Annotate(leaf.element);
    plan.field_id = *id;
    plan.field = field;
    RETURN_IF_ERROR(CheckReadable(plan, *field->type));
    plan.bounds_allowed = leaf.max_repetition_level == 0;
    if (static_cast<size_t>(i) < metadata.column_orders.size()) {
      plan.use_min_value = metadata.column_orders[i] != pq::ColumnOrder::kUnknown;
    }
    switch (*leaf.element.type) {
      case pq::PhysicalType::kBoolean:
      case pq::PhysicalType::kInt32:
      case pq::PhysicalType::kInt64:
      case pq::PhysicalType::kFloat:
      case pq::PhysicalType::kDouble:
        // Signed order, which is wrong for unsigned integers.
        plan.use_legacy_min = !plan.annotation.is_unsigned();
        break;
      default:
        plan.use_legacy_min = false;
    }
    plans[i] = plan;
  }

  FileMetrics metrics;
  metrics.record_count = metadata.num_rows;
  std::map<int32_t, FieldAccumulator> accumulators;
  for (size_t g = 0; g < metadata.row_groups.size(); ++g) {
    const pq::RowGroup& rg = metadata.row_groups[g];
    if (rg.columns.size() != static_cast<size_t>(tree.num_columns())) {
      return Corrupt("row group {} has {} column chunks but the schema has {} columns", g,
                     rg.columns.size(), tree.num_columns());
    }
    for (int i = 0; i < tree.num_columns(); ++i) {
      const pq::ColumnChunk& chunk = rg.columns[i];
      if (chunk.meta_data && chunk.meta_data->path_in_schema != tree.column(i).path) {
        return Corrupt("row group {} column {} has path '{}' but the schema says '{}'", g, i,
                       Join(chunk.meta_data->path_in_schema, "."), tree.column(i).dotted_path());
      }
      if (!plans[i]) continue;
      FieldAccumulator& acc = accumulators[plans[i]->field_id];
      if (!chunk.meta_data) {
        acc.complete = false;
        continue;
      }
      RETURN_IF_ERROR(AccumulateChunk(*plans[i], *chunk.meta_data, &acc));
    }
    if (!rg.columns.empty() && rg.columns[0].meta_data) {
      const pq::ColumnMetaData& first = *rg.columns[0].meta_data;
      int64_t offset = first.data_page_offset;
      if (first.dictionary_page_offset && *first.dictionary_page_offset >= 4 &&
          *first.dictionary_page_offset < offset) {
        offset = *first.dictionary_page_offset;
      }
      metrics.split_offsets.push_back(offset);
    }
  }
  std::sort(metrics.split_offsets.begin(), metrics.split_offsets.end());

  for (auto& [id, acc] : accumulators) {
    if (!acc.complete) continue;
    metrics.column_sizes[id] = acc.column_size;
    metrics.value_counts[id] = acc.value_count;
    if (acc.nulls_known) metrics.null_value_counts[id] = acc.null_count;
    if (acc.nans_known) metrics.nan_value_counts[id] = acc.nan_count;
    const TypeId type_id = table_schema.FindFieldById(id)->type->id();
    bool truncatable = type_id == TypeId::kString || type_id == TypeId::kBinary;
    if (acc.lower_valid && acc.lower) {
      if (!truncatable) {
        metrics.lower_bounds[id] = std::move(*acc.lower);
      } else if (type_id == TypeId::kString) {
        metrics.lower_bounds[id] = TruncateUtf8LowerBound(*acc.lower, options.truncate_length);
      } else {
        metrics.lower_bounds[id] = TruncateBinaryLowerBound(*acc.lower, options.truncate_length);
      }
    }
    if (acc.upper_valid && acc.upper) {
      std::optional<std::string> upper = std::move(acc.upper);
      if (type_id == TypeId::kString) {
        upper = TruncateUtf8UpperBound(*upper, options.truncate_length);
      } else if (type_id == TypeId::kBinary) {
        upper = TruncateBinaryUpperBound(*upper, options.truncate_length);
      }
      if (upper) metrics.upper_bounds[id] = std::move(*upper);
    }
  }
  return metrics;
}

}  // namespace faceberg::iceberg
