// Column metrics of one data file as Iceberg stores them in manifest entries. Keys are field ids;
// bounds are in the spec's single-value binary form, already truncated per the metrics mode.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace faceberg::iceberg {

struct FileMetrics {
  int64_t record_count = 0;
  std::map<int32_t, int64_t> column_sizes;
  std::map<int32_t, int64_t> value_counts;
  std::map<int32_t, int64_t> null_value_counts;
  std::map<int32_t, int64_t> nan_value_counts;
  std::map<int32_t, std::string> lower_bounds;
  std::map<int32_t, std::string> upper_bounds;
  /// Row-group start offsets, ascending.
  std::vector<int64_t> split_offsets;

  bool operator==(const FileMetrics&) const = default;
};

}  // namespace faceberg::iceberg
