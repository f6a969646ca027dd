// The Parquet schema as a tree. The footer stores it as a flat depth-first list where each group
// says how many children follow; SchemaTree rebuilds the nesting, checking the counts (the input is
// untrusted), and gives each leaf column its full path and maximum definition/repetition levels.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "format/parquet/metadata.h"
#include "util/result.h"

namespace faceberg::parquet {

struct SchemaNode {
  SchemaElement element;
  /// Index of the parent node in SchemaTree::nodes(); -1 for the root.
  int parent = -1;
  /// Indices of the children in SchemaTree::nodes(), in schema order.
  std::vector<int> children;
  /// Names from the top-level field down to this node; empty for the root. For a leaf this is
  /// the column's path_in_schema.
  std::vector<std::string> path;
  int16_t max_definition_level = 0;
  int16_t max_repetition_level = 0;
  /// For a leaf: its position among the leaves, which is its column chunk index in every row
  /// group. -1 for groups.
  int column_index = -1;

  bool is_leaf() const { return column_index >= 0; }
  const std::string& name() const { return element.name; }
  Repetition repetition() const { return element.repetition_type.value_or(Repetition::kRequired); }
  /// The path joined with '.' ("a.b.c").
  std::string dotted_path() const;
};

/// An immutable schema tree. Node 0 is the root. Copyable.
class SchemaTree {
 public:
  /// Nesting deeper than this is refused (the tree is walked recursively later).
  static constexpr int kMaxDepth = 128;

  /// Builds the tree from the footer's flat list.
  /// Errors: Corrupt for an empty list, a negative or inconsistent num_children (the list ends
  /// early or has elements left over), a leaf without a physical type or repetition, a
  /// FIXED_LEN_BYTE_ARRAY without a positive type_length, or nesting deeper than kMaxDepth.
  static Result<SchemaTree> Make(const std::vector<SchemaElement>& elements);

  const SchemaNode& root() const { return nodes_[0]; }
  const std::vector<SchemaNode>& nodes() const { return nodes_; }
  const SchemaNode& node(int index) const { return nodes_[index]; }
  int num_columns() const { return static_cast<int>(leaves_.size()); }
  /// REQUIRES: 0 <= index < num_columns().
  const SchemaNode& column(int index) const { return nodes_[leaves_[index]]; }
  /// Node index of leaf column `index`.
  int column_node(int index) const { return leaves_[index]; }

 private:
  SchemaTree() = default;

  std::vector<SchemaNode> nodes_;
  std::vector<int> leaves_;
};

}  // namespace faceberg::parquet
