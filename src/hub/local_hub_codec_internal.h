// Byte-level helpers of the local hub: SHA-1/SHA-256 (OpenSSL EVP), git object ids, Git LFS
// pointers, base64, percent-encoding, and README YAML front matter to JSON. Internal to hub/.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "util/json.h"
#include "util/result.h"

namespace faceberg::hub::internal {

/// An incremental hash (SHA-1 or SHA-256). Not thread-safe; one object per stream.
class Hasher {
 public:
  enum class Algorithm { kSha1, kSha256 };
  explicit Hasher(Algorithm algorithm);
  ~Hasher();
  Hasher(const Hasher&) = delete;
  Hasher& operator=(const Hasher&) = delete;

  void Update(std::string_view bytes);
  /// Lower-case hex digest. The hasher cannot be updated afterwards.
  std::string HexDigest();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

std::string Sha1Hex(std::string_view bytes);
std::string Sha256Hex(std::string_view bytes);

/// The git blob object id of `size` bytes: sha1("blob <size>\0" + content). `header` returns the
/// prefix to feed a Hasher before streaming the content.
std::string GitBlobHeader(uint64_t size);
std::string GitBlobOid(std::string_view content);

/// The Git LFS pointer text of an object: three lines (version, oid sha256:<hex>, size <n>).
std::string LfsPointer(std::string_view sha256_hex, uint64_t size);

/// Whether `text` is `length` lower- or upper-case hex digits (any length when length is 0).
bool IsHex(std::string_view text, size_t length = 0);

std::string Base64Encode(std::string_view bytes);
/// Decodes standard or URL-safe base64, padded or not, ignoring line breaks.
/// Errors: InvalidArgument on any other character.
Result<std::string> Base64Decode(std::string_view text);

/// Decodes %XX escapes once ('+' stays '+'). Errors: InvalidArgument on a bad escape.
Result<std::string> PercentDecode(std::string_view text);
/// Encodes everything but unreserved characters (A-Z a-z 0-9 - . _ ~) and `safe`.
std::string PercentEncode(std::string_view text, std::string_view safe = "");

/// The YAML front matter of a README ("---\n...\n---"), or nullopt when there is none.
std::optional<std::string> ReadmeFrontMatter(std::string_view readme);
/// Parses YAML into JSON (scalars typed the YAML 1.2 core way: null, bool, int, float, string).
/// Errors: InvalidArgument with the parser's line and column.
Result<Json> YamlToJson(std::string_view yaml);

}  // namespace faceberg::hub::internal
