#include "table/table_operations.h"

namespace faceberg::table {

namespace {
constexpr uint64_t kMaxMetadataBytes = uint64_t{1} << 30;
}  // namespace

Result<iceberg::TableMetadataPtr> ReadMetadataFile(io::FileIO& io, const std::string& location) {
  ASSIGN_OR_RETURN(auto file, io.NewInputFile(location));
  ASSIGN_OR_RETURN(std::string text, file->ReadAll(kMaxMetadataBytes));
  ASSIGN_OR_RETURN(iceberg::TableMetadata md, iceberg::TableMetadataFromJson(text, location));
  return std::make_shared<const iceberg::TableMetadata>(std::move(md));
}

}  // namespace faceberg::table
