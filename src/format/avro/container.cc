#include "format/avro/container.h"

#include <limits>

#include "util/strings.h"
#include "util/uuid.h"

namespace faceberg::avro {

// --- ContainerReader ---

Result<std::unique_ptr<ContainerReader>> ContainerReader::Open(io::InputFile& file) {
  ASSIGN_OR_RETURN(std::string data, file.ReadAll(kMaxFileBytes));
  return Open(file.location(), std::move(data));
}

Result<std::unique_ptr<ContainerReader>> ContainerReader::Open(std::string location,
                                                               std::string data) {
  auto reader = std::make_unique<ContainerReader>(Token(), std::move(location), std::move(data));
  RETURN_IF_ERROR(reader->ReadHeader());
  return reader;
}

const std::string* ContainerReader::FindMetadata(std::string_view key) const {
  auto it = metadata_.find(key);
  return it == metadata_.end() ? nullptr : &it->second;
}

Status ContainerReader::ReadHeader() {
  if (data_.size() < kMagic.size() || std::string_view(data_).substr(0, kMagic.size()) != kMagic) {
    return Corrupt("{}: bad magic, not an Avro object container file", location_);
  }
  Decoder& in = input_;
  (void)in.ReadFixed(kMagic.size());
  auto malformed = [&](const Status& st) {
    return Corrupt("{}: truncated or malformed header: {}", location_, st.message());
  };
  while (true) {
    auto count = in.ReadLong();
    if (!count.ok()) return malformed(count.status());
    if (*count == 0) break;
    if (*count < 0) {
      if (*count == std::numeric_limits<int64_t>::min()) {
        return Corrupt("{}: header metadata block count is out of range", location_);
      }
      *count = -*count;
      auto byte_size = in.ReadLong();
      if (!byte_size.ok()) return malformed(byte_size.status());
    }
    // Each entry holds at least two one-byte lengths.
    if (*count > static_cast<int64_t>(in.remaining() / 2)) {
      return Corrupt(
          "{}: truncated or malformed header: metadata count {} exceeds the remaining {} "
          "bytes",
          location_, *count, in.remaining());
    }
    for (int64_t i = 0; i < *count; ++i) {
      auto key = in.ReadBytes();
      if (!key.ok()) return malformed(key.status());
      auto value = in.ReadBytes();
      if (!value.ok()) return malformed(value.status());
      if (!metadata_.emplace(std::string(*key), std::string(*value)).second) {
        return Corrupt("{}: header repeats metadata key '{}'", location_, *key);
      }
    }
  }
  auto sync = in.ReadFixed(kSyncSize);
  if (!sync.ok()) return malformed(sync.status());
  sync_ = std::string(*sync);

  const std::string* schema_json = FindMetadata(kSchemaKey);
  if (schema_json == nullptr) return Corrupt("{}: header has no '{}'", location_, kSchemaKey);
  auto schema = Schema::Parse(*schema_json);
  if (!schema.ok()) return schema.status().WithContext(location_);
  schema_ = std::move(schema).value();

  if (const std::string* codec_name = FindMetadata(kCodecKey)) {
    auto codec = ParseCodec(*codec_name);
    if (!codec.ok()) return codec.status().WithContext(location_);
    codec_ = *codec;
  }
  return Status::OK();
}

Status ContainerReader::ReadBlock() {
  ++block_index_;
  size_t offset = input_.position();
  auto malformed = [&](const Status& st) {
    return Corrupt("{}: block {} at offset {}: {}", location_, block_index_, offset, st.message());
  };
  auto count = input_.ReadLong();
  if (!count.ok()) return malformed(count.status());
  auto size = input_.ReadLong();
  if (!size.ok()) return malformed(size.status());
  if (*count < 0 || *size < 0) {
    return Corrupt("{}: block {} at offset {} has a negative object count {} or size {}", location_,
                   block_index_, offset, *count, *size);
  }
  if (static_cast<uint64_t>(*size) > input_.remaining()) {
    return Corrupt("{}: block {}: block size {} exceeds remaining {} bytes", location_,
                   block_index_, *size, input_.remaining());
  }
  if (static_cast<uint64_t>(*size) > kMaxBlockBytes) {
    return Corrupt("{}: block {}: block size {} exceeds the limit of {} bytes", location_,
                   block_index_, *size, kMaxBlockBytes);
  }
  std::string_view payload = input_.ReadFixed(static_cast<size_t>(*size)).value();
  if (input_.remaining() < kSyncSize) {
    return Corrupt("{}: block {} is truncated: {} bytes left for the {}-byte sync marker",
                   location_, block_index_, input_.remaining(), kSyncSize);
  }
  if (input_.ReadFixed(kSyncSize).value() != sync_) {
    return Corrupt("{}: sync marker mismatch in block {} (offset {})", location_, block_index_,
                   input_.position() - kSyncSize);
  }

  std::string_view objects = payload;
  if (codec_ != Codec::kNull) {
    auto decompressed = Decompress(codec_, payload, kMaxBlockBytes);
    if (!decompressed.ok()) return malformed(decompressed.status());
    block_buffer_ = std::move(decompressed).value();
    objects = block_buffer_;
  }
  // The block's decoder inherits the file-wide budget of zero-size items.
  Decoder block(objects, block_.zero_size_items());
  int64_t min_size = schema_->root().min_encoded_size();
  if (min_size > 0 ? *count > static_cast<int64_t>(objects.size()) / min_size
                   : !block.ConsumeZeroSizeItems(*count).ok()) {
    return Corrupt("{}: block {} declares {} objects but holds only {} bytes", location_,
                   block_index_, *count, objects.size());
  }
  if (*count == 0 && !objects.empty()) {
    return Corrupt("{}: block {} holds {} bytes but no objects", location_, block_index_,
                   objects.size());
  }
  block_ = block;
  objects_left_ = *count;
  return Status::OK();
}

Result<bool> ContainerReader::Next(Datum* out) {
  RETURN_IF_ERROR(error_);
  while (objects_left_ == 0) {
    if (input_.remaining() == 0) return false;
    error_ = ReadBlock();
    RETURN_IF_ERROR(error_);
  }
  size_t offset = block_.position();
  auto datum = DecodeDatum(block_, schema_->root());
  if (!datum.ok()) {
    error_ = Corrupt("{}: block {}, object at offset {}: {}", location_, block_index_, offset,
                     datum.status().message());
    return error_;
  }
  --objects_left_;
  if (objects_left_ == 0 && block_.remaining() != 0) {
    error_ = Corrupt("{}: block {} has {} bytes after its last object", location_, block_index_,
                     block_.remaining());
    return error_;
  }
  *out = std::move(datum).value();
  return true;
}

Result<std::vector<Datum>> ContainerReader::ReadAll() {
  std::vector<Datum> all;
  Datum datum;
  while (true) {
    ASSIGN_OR_RETURN(bool more, Next(&datum));
    if (!more) break;
    all.push_back(std::move(datum));
  }
  return all;
}

// --- ContainerWriter ---

Result<std::unique_ptr<ContainerWriter>> ContainerWriter::Make(SchemaPtr schema,
                                                               ContainerWriterOptions options) {
  PRECHECK(schema != nullptr, "avro writer needs a schema");
  for (const auto& [key, value] : options.metadata) {
    PRECHECK(!StartsWith(key, "avro."), "avro metadata key '{}' is reserved", key);
  }
  PRECHECK(options.sync_marker.empty() || options.sync_marker.size() == kSyncSize,
           "avro sync marker must be {} bytes, got {}", kSyncSize, options.sync_marker.size());
  PRECHECK(options.block_size_bytes > 0, "avro block size must be positive");
  // Validates the compression level.
  RETURN_IF_ERROR(Compress(options.codec, "", options.compression_level));
  if (options.sync_marker.empty()) {
    auto bytes = RandomUuidBytes();
    options.sync_marker.assign(bytes.begin(), bytes.end());
  }
  auto writer = std::make_unique<ContainerWriter>(Token(), std::move(schema), std::move(options));
  writer->WriteHeader();
  return writer;
}

void ContainerWriter::WriteHeader() {
  std::map<std::string, std::string> metadata = options_.metadata;
  metadata[std::string(kSchemaKey)] = schema_->ToJsonString();
  metadata[std::string(kCodecKey)] = std::string(CodecName(options_.codec));
  out_.append(kMagic);
  Encoder encoder(out_);
  encoder.WriteLong(static_cast<int64_t>(metadata.size()));
  for (const auto& [key, value] : metadata) {
    encoder.WriteBytes(key);
    encoder.WriteBytes(value);
  }
  encoder.WriteLong(0);
  encoder.WriteFixed(options_.sync_marker);
}

Status ContainerWriter::Append(const Datum& datum) {
  PRECHECK(!finished_, "avro writer is already finished");
  size_t before = block_.size();
  Encoder encoder(block_);
  Status st = EncodeDatum(datum, schema_->root(), encoder);
  if (!st.ok()) {
    block_.resize(before);
    return st;
  }
  ++block_count_;
  ++count_;
  if (block_.size() >= options_.block_size_bytes) return FlushBlock();
  return Status::OK();
}

Status ContainerWriter::FlushBlock() {
  if (block_count_ == 0) return Status::OK();
  ASSIGN_OR_RETURN(std::string payload,
                   Compress(options_.codec, block_, options_.compression_level));
  Encoder encoder(out_);
  encoder.WriteLong(block_count_);
  encoder.WriteBytes(payload);
  encoder.WriteFixed(options_.sync_marker);
  block_.clear();
  block_count_ = 0;
  return Status::OK();
}

Result<std::string> ContainerWriter::Finish() {
  PRECHECK(!finished_, "avro writer is already finished");
  RETURN_IF_ERROR(FlushBlock());
  finished_ = true;
  return std::move(out_);
}

Status ContainerWriter::FinishTo(io::FileIO& io, std::string_view location, io::WriteMode mode) {
  ASSIGN_OR_RETURN(std::string bytes, Finish());
  return io.WriteFile(location, bytes, mode);
}

}  // namespace faceberg::avro
