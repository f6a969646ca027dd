#include "hub/local_hub_http_internal.h"

#include "hub/local_hub_codec_internal.h"
#include "util/strings.h"

namespace faceberg::hub::internal {

bool HttpRequest::HasQuery(std::string_view key) const {
  for (const auto& [k, v] : query) {
    if (k == key) return true;
  }
  return false;
}

std::string HttpRequest::Query(std::string_view key) const {
  for (const auto& [k, v] : query) {
    if (k == key) return v;
  }
  return "";
}

std::vector<std::string> HttpRequest::QueryAll(std::string_view key) const {
  std::vector<std::string> out;
  for (const auto& [k, v] : query) {
    if (k == key) out.push_back(v);
  }
  return out;
}

bool HttpRequest::QueryFlag(std::string_view key, bool fallback) const {
  if (!HasQuery(key)) return fallback;
  std::string v = ToLower(Query(key));
  return v == "true" || v == "1" || v == "yes";
}

void HttpResponse::SetHeader(std::string name, std::string value) {
  // Header values must not carry line breaks (response splitting).
  for (char& c : value) {
    if (c == '\r' || c == '\n') c = ' ';
  }
  std::string lower = ToLower(name);
  for (auto& [k, v] : headers) {
    if (ToLower(k) == lower) {
      v = std::move(value);
      return;
    }
  }
  headers.emplace_back(std::move(name), std::move(value));
}

std::string HttpResponse::Header(std::string_view name) const {
  std::string lower = ToLower(name);
  for (const auto& [k, v] : headers) {
    if (ToLower(k) == lower) return v;
  }
  return "";
}

void SetJson(HttpResponse* res, int status, const OrderedJson& body) {
  res->status = status;
  res->content_type = "application/json; charset=utf-8";
  res->body = DumpJson(body);
  res->file.reset();
}

void SetJson(HttpResponse* res, int status, const Json& body) {
  res->status = status;
  res->content_type = "application/json; charset=utf-8";
  res->body = DumpJson(body);
  res->file.reset();
}

void SetError(HttpResponse* res, int status, std::string_view error_code, std::string message) {
  if (!error_code.empty()) res->SetHeader("X-Error-Code", std::string(error_code));
  // Header values are ASCII on the wire; keep the message printable there.
  std::string header_message;
  for (char c : message) {
    auto u = static_cast<unsigned char>(c);
    header_message.push_back(u >= 0x20 && u < 0x7f ? c : ' ');
  }
  res->SetHeader("X-Error-Message", header_message);
  OrderedJson body;
  body["error"] = std::move(message);
  SetJson(res, status, body);
}

namespace {

std::string DecodeComponent(std::string_view text) {
  std::string plus(text);
  for (char& c : plus) {
    if (c == '+') c = ' ';
  }
  auto decoded = PercentDecode(plus);
  return decoded.ok() ? *decoded : plus;
}

}  // namespace

std::vector<std::pair<std::string, std::string>> ParseQuery(std::string_view raw_query) {
  std::vector<std::pair<std::string, std::string>> out;
  if (raw_query.empty()) return out;
  for (const auto& part : Split(raw_query, '&')) {
    if (part.empty()) continue;
    size_t eq = part.find('=');
    if (eq == std::string::npos) {
      out.emplace_back(DecodeComponent(part), "");
    } else {
      out.emplace_back(DecodeComponent(std::string_view(part).substr(0, eq)),
                       DecodeComponent(std::string_view(part).substr(eq + 1)));
    }
  }
  return out;
}

std::string EncodeQuery(const std::vector<std::pair<std::string, std::string>>& query) {
  std::string out;
  for (const auto& [k, v] : query) {
    if (!out.empty()) out.push_back('&');
    out += PercentEncode(k);
    out.push_back('=');
    out += PercentEncode(v);
  }
  return out;
}

std::vector<std::pair<std::string, std::string>> ParseForm(std::string_view body) {
  return ParseQuery(Trim(body));
}

RangeDecision DecideRange(std::string_view header, uint64_t size) {
  RangeDecision whole;
  std::string_view h = Trim(header);
  if (h.empty() || !StartsWith(ToLower(h.substr(0, std::min<size_t>(h.size(), 6))), "bytes=")) {
    return whole;
  }
  h.remove_prefix(6);
  h = Trim(h);
  if (h.find(',') != std::string_view::npos) return whole;
  size_t dash = h.find('-');
  if (dash == std::string_view::npos) return whole;
  std::string_view first = Trim(h.substr(0, dash));
  std::string_view last = Trim(h.substr(dash + 1));
  RangeDecision out;
  if (first.empty()) {  // suffix: the last n bytes
    auto n = ParseInt64(last);
    if (!n || *n < 0) return whole;
    if (*n == 0 || size == 0) {
      out.kind = RangeDecision::Kind::kUnsatisfiable;
      return out;
    }
    uint64_t len = std::min<uint64_t>(static_cast<uint64_t>(*n), size);
    out.kind = RangeDecision::Kind::kPartial;
    out.range = {size - len, len};
    return out;
  }
  auto a = ParseInt64(first);
  if (!a || *a < 0) return whole;
  uint64_t start = static_cast<uint64_t>(*a);
  uint64_t end = size == 0 ? 0 : size - 1;
  if (!last.empty()) {
    auto b = ParseInt64(last);
    if (!b || *b < *a) return whole;
    end = std::min<uint64_t>(static_cast<uint64_t>(*b), end);
  }
  if (start >= size) {
    out.kind = RangeDecision::Kind::kUnsatisfiable;
    return out;
  }
  out.kind = RangeDecision::Kind::kPartial;
  out.range = {start, end - start + 1};
  return out;
}

void ServeFile(const HttpRequest& req, const std::string& path, uint64_t size, HttpResponse* res) {
  res->SetHeader("Accept-Ranges", "bytes");
  RangeDecision d = DecideRange(req.header("Range"), size);
  if (d.kind == RangeDecision::Kind::kUnsatisfiable) {
    res->SetHeader("Content-Range", "bytes */" + std::to_string(size));
    SetError(res, 416, "", "Requested Range Not Satisfiable");
    if (req.method == "HEAD") res->body.clear();
    return;
  }
  ByteRange range = d.kind == RangeDecision::Kind::kPartial ? d.range : ByteRange{0, size};
  res->status = d.kind == RangeDecision::Kind::kPartial ? 206 : 200;
  if (d.kind == RangeDecision::Kind::kPartial) {
    res->SetHeader("Content-Range", "bytes " + std::to_string(range.offset) + "-" +
                                        std::to_string(range.offset + range.length - 1) + "/" +
                                        std::to_string(size));
  }
  res->content_type = "application/octet-stream";
  res->body.clear();
  if (req.method == "HEAD") {
    res->head_length = range.length;
    res->file.reset();
  } else {
    res->file = HttpResponse::FileRange{path, range.offset, range.length};
  }
}

std::string HostWithoutPort(std::string_view host_header) {
  std::string_view h = Trim(host_header);
  if (StartsWith(h, "[")) {
    size_t close = h.find(']');
    return std::string(close == std::string_view::npos ? h : h.substr(0, close + 1));
  }
  size_t colon = h.rfind(':');
  return std::string(colon == std::string_view::npos ? h : h.substr(0, colon));
}

}  // namespace faceberg::hub::internal
