#include "format/parquet/schema.h"

#include "util/strings.h"

namespace faceberg::parquet {

std::string SchemaNode::dotted_path() const { return Join(path, "."); }

Result<SchemaTree> SchemaTree::Make(const std::vector<SchemaElement>& elements) {
  if (elements.empty()) return Corrupt("empty Parquet schema");
  const SchemaElement& root = elements[0];
  if (!root.num_children.has_value()) {
    return Corrupt("Parquet schema root '{}' is not a group", root.name);
  }

  SchemaTree tree;
  tree.nodes_.reserve(elements.size());
  tree.nodes_.push_back(SchemaNode{.element = root});

  struct Open {
    int node;
    int32_t remaining;
  };
  std::vector<Open> stack;
  if (*root.num_children < 0) {
    return Corrupt("Parquet schema root has a negative child count {}", *root.num_children);
  }
  stack.push_back({0, *root.num_children});

  size_t next = 1;
  while (!stack.empty()) {
    Open& top = stack.back();
    if (top.remaining == 0) {
      stack.pop_back();
      continue;
    }
    if (next >= elements.size()) {
      return Corrupt("Parquet schema ends early: '{}' declares more children than the list holds",
                     tree.nodes_[top.node].name());
    }
    --top.remaining;
    int parent_index = top.node;
    const SchemaElement& e = elements[next];
    const SchemaNode& parent = tree.nodes_[parent_index];

    SchemaNode node{.element = e, .parent = parent_index};
    node.path = parent.path;
    node.path.push_back(e.name);
    if (!e.repetition_type.has_value()) {
      return Corrupt("Parquet schema element '{}' has no repetition type", Join(node.path, "."));
    }
    node.max_definition_level = parent.max_definition_level;
    node.max_repetition_level = parent.max_repetition_level;
    if (*e.repetition_type != Repetition::kRequired) ++node.max_definition_level;
    if (*e.repetition_type == Repetition::kRepeated) ++node.max_repetition_level;

    int index = static_cast<int>(next);
    bool is_group = e.num_children.has_value() && (*e.num_children > 0 || !e.type.has_value());
    if (is_group) {
      if (*e.num_children < 0) {
        return Corrupt("Parquet schema element '{}' has a negative child count {}",
                       Join(node.path, "."), *e.num_children);
      }
      if (static_cast<int>(stack.size()) >= kMaxDepth) {
        return Corrupt("Parquet schema nests deeper than {} levels at '{}'", kMaxDepth,
                       Join(node.path, "."));
      }
    } else {
      if (!e.type.has_value()) {
        return Corrupt("Parquet schema element '{}' has neither a type nor children",
                       Join(node.path, "."));
      }
      if (*e.type == PhysicalType::kFixedLenByteArray && e.type_length.value_or(0) <= 0) {
        return Corrupt("Parquet column '{}' is FIXED_LEN_BYTE_ARRAY without a positive length",
                       Join(node.path, "."));
      }
      node.column_index = static_cast<int>(tree.leaves_.size());
      tree.leaves_.push_back(index);
    }
    tree.nodes_[parent_index].children.push_back(index);
    tree.nodes_.push_back(std::move(node));
    ++next;
    // `top` may dangle after push_back on the stack; it is not used below.
    if (is_group) stack.push_back({index, *e.num_children});
  }
  if (next != elements.size()) {
    return Corrupt("Parquet schema has {} elements but its child counts cover only {}",
                   elements.size(), next);
  }
  return tree;
}

}  // namespace faceberg::parquet
