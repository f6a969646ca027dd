// Shared test schemas and values for the Avro tests.
#pragma once

#include <limits>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "format/avro/datum.h"

namespace faceberg::avro::testing {

// Every type, nested: a record holding all primitives and complex types.
inline constexpr std::string_view kAllTypes = R"({
  "type": "record", "name": "All", "namespace": "test",
  "fields": [
    {"name": "n", "type": "null"},
    {"name": "b", "type": "boolean"},
    {"name": "i", "type": "int"},
    {"name": "l", "type": "long"},
    {"name": "f", "type": "float"},
    {"name": "d", "type": "double"},
    {"name": "by", "type": "bytes"},
    {"name": "s", "type": "string"},
    {"name": "e", "type": {"type": "enum", "name": "Color", "symbols": ["RED", "GREEN", "BLUE"]}},
    {"name": "fx", "type": {"type": "fixed", "name": "Quad", "size": 4}},
    {"name": "a", "type": {"type": "array", "items": "long"}},
    {"name": "m", "type": {"type": "map", "values": "string"}},
    {"name": "u", "type": ["null", "string", "Quad", {"type": "array", "items": "int"}]},
    {"name": "inner", "type": {"type": "record", "name": "Inner",
                               "fields": [{"name": "x", "type": ["null", "int"]}]}},
    {"name": "inners", "type": {"type": "array", "items": "Inner"}},
    {"name": "c2", "type": "Color"}
  ]})";

/// A value of kAllTypes; `i` varies every field, including edge values and empty ones.
inline Datum AllTypesDatum(int i) {
  std::vector<Datum> longs;
  for (int k = 0; k < i % 5; ++k) longs.push_back(Datum::Long(int64_t{k} * 1000000007 * i));
  std::vector<std::pair<std::string, Datum>> entries;
  for (int k = 0; k < i % 3; ++k) {
    entries.emplace_back("key" + std::to_string(k), Datum::String(std::string(k * 7, 'v')));
  }
  Datum u;
  switch (i % 4) {
    case 0:
      u = Datum::Null();
      break;
    case 1:
      u = Datum::String("union string " + std::to_string(i));
      break;
    case 2:
      u = Datum::Fixed("\x01\x02\x03\x04");
      break;
    default:
      u = Datum::Array({Datum::Int(i), Datum::Int(-i)});
      break;
  }
  std::vector<Datum> inners;
  for (int k = 0; k < i % 3; ++k) {
    inners.push_back(Datum::Record({k == 0 ? Datum::Null() : Datum::Int(k)}));
  }
  return Datum::Record({
      Datum::Null(),
      Datum::Boolean(i % 2 == 0),
      Datum::Int(i % 7 == 0 ? std::numeric_limits<int32_t>::min() : i * -31),
      Datum::Long(i % 11 == 0 ? std::numeric_limits<int64_t>::max() : int64_t{i} << 33),
      Datum::Float(i % 13 == 0 ? std::numeric_limits<float>::quiet_NaN() : i * 0.5f),
      Datum::Double(i % 17 == 0 ? -std::numeric_limits<double>::infinity() : i * 1.25e100),
      Datum::Bytes(std::string("\0\xff", 2) + std::to_string(i)),
      Datum::String(i % 5 == 0 ? "" : "h\xc3\xa9llo " + std::to_string(i)),
      Datum::Enum(i % 3),
      Datum::Fixed(std::string("ab\0d", 4)),
      Datum::Array(std::move(longs)),
      Datum::Map(std::move(entries)),
      u,
      Datum::Record({i % 2 ? Datum::Int(i) : Datum::Null()}),
      Datum::Array(std::move(inners)),
      Datum::Enum(2),
  });
}

}  // namespace faceberg::avro::testing
