#include "hub/local_hub_codec_internal.h"

#include <openssl/evp.h>
#include <yaml-cpp/yaml.h>

#include <array>
#include <cctype>
#include <charconv>
#include <cmath>
#include <exception>
#include <limits>

#include "io/http_client.h"
#include "util/strings.h"

namespace faceberg::hub::internal {

struct Hasher::Impl {
  EVP_MD_CTX* ctx = nullptr;
  ~Impl() { EVP_MD_CTX_free(ctx); }
};

Hasher::Hasher(Algorithm algorithm) : impl_(std::make_unique<Impl>()) {
  impl_->ctx = EVP_MD_CTX_new();
  // EVP_DigestInit_ex only fails on allocation failure; a null ctx then makes every call a no-op
  // and HexDigest returns an empty string, which no caller accepts as an id.
  if (impl_->ctx != nullptr) {
    EVP_DigestInit_ex(impl_->ctx, algorithm == Algorithm::kSha1 ? EVP_sha1() : EVP_sha256(),
                      nullptr);
  }
}

Hasher::~Hasher() = default;

void Hasher::Update(std::string_view bytes) {
  if (impl_->ctx != nullptr && !bytes.empty()) {
    EVP_DigestUpdate(impl_->ctx, bytes.data(), bytes.size());
  }
}

std::string Hasher::HexDigest() {
  if (impl_->ctx == nullptr) return "";
  std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
  unsigned int length = 0;
  if (EVP_DigestFinal_ex(impl_->ctx, digest.data(), &length) != 1) return "";
  return HexEncode(std::string_view(reinterpret_cast<const char*>(digest.data()), length));
}

std::string Sha1Hex(std::string_view bytes) {
  Hasher h(Hasher::Algorithm::kSha1);
  h.Update(bytes);
  return h.HexDigest();
}

std::string Sha256Hex(std::string_view bytes) {
  Hasher h(Hasher::Algorithm::kSha256);
  h.Update(bytes);
  return h.HexDigest();
}

std::string GitBlobHeader(uint64_t size) {
  std::string header = "blob " + std::to_string(size);
  header.push_back('\0');
  return header;
}

std::string GitBlobOid(std::string_view content) {
  Hasher h(Hasher::Algorithm::kSha1);
  h.Update(GitBlobHeader(content.size()));
  h.Update(content);
  return h.HexDigest();
}

std::string LfsPointer(std::string_view sha256_hex, uint64_t size) {
  return "version https://git-lfs.github.com/spec/v1\noid sha256:" + std::string(sha256_hex) +
         "\nsize " + std::to_string(size) + "\n";
}

bool IsHex(std::string_view text, size_t length) {
  if (length != 0 && text.size() != length) return false;
  if (text.empty()) return false;
  for (char c : text) {
    if (!std::isxdigit(static_cast<unsigned char>(c))) return false;
  }
  return true;
}

namespace {

constexpr std::string_view kBase64Alphabet =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

int Base64Value(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '+' || c == '-') return 62;
  if (c == '/' || c == '_') return 63;
  return -1;
}

}  // namespace

std::string Base64Encode(std::string_view bytes) {
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  size_t i = 0;
  auto byte = [&](size_t k) { return static_cast<uint32_t>(static_cast<unsigned char>(bytes[k])); };
  for (; i + 3 <= bytes.size(); i += 3) {
    uint32_t v = byte(i) << 16 | byte(i + 1) << 8 | byte(i + 2);
    out.push_back(kBase64Alphabet[(v >> 18) & 63]);
    out.push_back(kBase64Alphabet[(v >> 12) & 63]);
    out.push_back(kBase64Alphabet[(v >> 6) & 63]);
    out.push_back(kBase64Alphabet[v & 63]);
  }
  size_t rest = bytes.size() - i;
  if (rest == 1) {
    uint32_t v = byte(i) << 16;
    out.push_back(kBase64Alphabet[(v >> 18) & 63]);
    out.push_back(kBase64Alphabet[(v >> 12) & 63]);
    out.append("==");
  } else if (rest == 2) {
    uint32_t v = byte(i) << 16 | byte(i + 1) << 8;
    out.push_back(kBase64Alphabet[(v >> 18) & 63]);
    out.push_back(kBase64Alphabet[(v >> 12) & 63]);
    out.push_back(kBase64Alphabet[(v >> 6) & 63]);
    out.push_back('=');
  }
  return out;
}

Result<std::string> Base64Decode(std::string_view text) {
  std::string out;
  out.reserve(text.size() / 4 * 3);
  uint32_t acc = 0;
  int bits = 0;
  bool padding = false;
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == '\n' || c == '\r') continue;
    if (c == '=') {
      padding = true;
      continue;
    }
    int v = Base64Value(c);
    if (v < 0 || padding) {
      return InvalidArgument("invalid base64 character at offset {}", i);
    }
    acc = (acc << 6) | static_cast<uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<char>((acc >> bits) & 0xFF));
    }
  }
  if (bits >= 6) return InvalidArgument("truncated base64 input");
  return out;
}

Result<std::string> PercentDecode(std::string_view text) {
  auto decoded = io::PercentDecode(text);
  if (!decoded) return InvalidArgument("bad percent escape in '{}'", text);
  return *decoded;
}

std::string PercentEncode(std::string_view text, std::string_view safe) {
  return io::PercentEncode(text, safe);
}

std::optional<std::string> ReadmeFrontMatter(std::string_view readme) {
  if (StartsWith(readme, "\xEF\xBB\xBF")) readme.remove_prefix(3);  // UTF-8 byte order mark
  if (!StartsWith(readme, "---")) return std::nullopt;
  size_t first_eol = readme.find('\n');
  if (first_eol == std::string_view::npos || Trim(readme.substr(3, first_eol - 3)) != "") {
    return std::nullopt;
  }
  size_t pos = first_eol + 1;
  while (pos <= readme.size()) {
    size_t eol = readme.find('\n', pos);
    std::string_view line =
        readme.substr(pos, eol == std::string_view::npos ? std::string_view::npos : eol - pos);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line == "---" || line == "...") {
      return std::string(readme.substr(first_eol + 1, pos - first_eol - 1));
    }
    if (eol == std::string_view::npos) break;
    pos = eol + 1;
  }
  return std::nullopt;
}

namespace {

bool IsYamlNull(const std::string& s) { return s.empty() || s == "~" || ToLower(s) == "null"; }

std::optional<int64_t> YamlInt(const std::string& s) {
  std::string_view v = s;
  if (!v.empty() && v.front() == '+') v.remove_prefix(1);
  if (v.empty()) return std::nullopt;
  int64_t out = 0;
  auto [ptr, ec] = std::from_chars(v.data(), v.data() + v.size(), out);
  if (ec != std::errc() || ptr != v.data() + v.size()) return std::nullopt;
  return out;
}

std::optional<double> YamlFloat(const std::string& s) {
  std::string lower = ToLower(s);
  if (lower == ".inf" || lower == "+.inf") return std::numeric_limits<double>::infinity();
  if (lower == "-.inf") return -std::numeric_limits<double>::infinity();
  if (lower == ".nan") return std::numeric_limits<double>::quiet_NaN();
  // [-+]? ( . digits | digits [ . digits* ] ) ( [eE] [-+]? digits )?
  size_t i = 0;
  if (i < s.size() && (s[i] == '-' || s[i] == '+')) ++i;
  size_t digits = 0;
  while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]))) ++i, ++digits;
  if (i < s.size() && s[i] == '.') {
    ++i;
    while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]))) ++i, ++digits;
  }
  if (digits == 0) return std::nullopt;
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    if (i < s.size() && (s[i] == '-' || s[i] == '+')) ++i;
    size_t exp_digits = 0;
    while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]))) ++i, ++exp_digits;
    if (exp_digits == 0) return std::nullopt;
  }
  if (i != s.size()) return std::nullopt;
  try {
    return std::stod(s);
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

Json NodeToJson(const YAML::Node& node, int depth) {
  if (depth > 64) return Json();  // YAML aliases can nest without bound; cut it off
  switch (node.Type()) {
    case YAML::NodeType::Null:
    case YAML::NodeType::Undefined:
      return Json();
    case YAML::NodeType::Sequence: {
      Json arr = Json::array();
      for (const auto& child : node) arr.push_back(NodeToJson(child, depth + 1));
      return arr;
    }
    case YAML::NodeType::Map: {
      Json obj = Json::object();
      for (const auto& kv : node) {
        std::string key = kv.first.IsScalar() ? kv.first.Scalar() : YAML::Dump(kv.first);
        obj[key] = NodeToJson(kv.second, depth + 1);
      }
      return obj;
    }
    case YAML::NodeType::Scalar: {
      const std::string& s = node.Scalar();
      if (node.Tag() == "!") return s;  // quoted: always a string
      if (IsYamlNull(s)) return Json();
      std::string lower = ToLower(s);
      if (lower == "true") return true;
      if (lower == "false") return false;
      if (auto i = YamlInt(s)) return *i;
      if (auto f = YamlFloat(s); f && std::isfinite(*f)) return *f;
      return s;
    }
  }
  return Json();
}

}  // namespace

Result<Json> YamlToJson(std::string_view yaml) {
  try {
    YAML::Node root = YAML::Load(std::string(yaml));
    return NodeToJson(root, 0);
  } catch (const YAML::Exception& e) {
    return InvalidArgument("invalid YAML at line {}, column {}: {}", e.mark.line + 1,
                           e.mark.column + 1, e.msg);
  } catch (const std::exception& e) {
    return InvalidArgument("invalid YAML: {}", e.what());
  }
}

}  // namespace faceberg::hub::internal
