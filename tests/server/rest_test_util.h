// A RestCatalogService over a fresh file or SQL catalog, and helpers to send it requests and read
// its answers the way a REST client would.
#pragma once

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "catalog/catalog.h"
#include "io/file_io.h"
#include "io/http_client.h"
#include "server/rest_service.h"
#include "test_util.h"
#include "util/json.h"
#include "util/strings.h"

namespace faceberg::server::testing {

enum class CatalogKind { kFile, kSql };

inline std::string CatalogKindName(const ::testing::TestParamInfo<CatalogKind>& info) {
  return info.param == CatalogKind::kFile ? "File" : "Sql";
}

/// The catalog URI of `kind` under `dir` (created on open).
inline std::string CatalogUri(CatalogKind kind, const faceberg::testing::TempDir& dir) {
  return kind == CatalogKind::kFile ? dir.Join("cat") : "sqlite:" + dir.Join("cat.db");
}

/// A request as a client sends it: `target` may carry a query ("/v1/namespaces?parent=a%1Fb").
inline RestRequest MakeRequest(std::string method, const std::string& target, std::string body = "",
                               std::vector<std::pair<std::string, std::string>> headers = {}) {
  RestRequest request;
  request.method = std::move(method);
  const size_t question = target.find('?');
  request.path = target.substr(0, question);
  if (question != std::string::npos) {
    for (const std::string& pair : Split(target.substr(question + 1), '&')) {
      const size_t eq = pair.find('=');
      request.query.emplace_back(
          io::PercentDecode(pair.substr(0, eq)).value_or(""),
          io::PercentDecode(eq == std::string::npos ? "" : pair.substr(eq + 1)).value_or(""));
    }
  }
  request.headers = std::move(headers);
  request.body = std::move(body);
  return request;
}

/// The body of `response` as JSON (null when empty or not JSON).
inline Json BodyOf(const RestResponse& response) {
  if (response.body.empty()) return Json();
  auto json = ParseJson(response.body, "response");
  return json.ok() ? *json : Json();
}

/// Expects an error response of `code` and `type` in the spec's shape.
#define EXPECT_REST_ERROR(response_expr, expected_code, expected_type)    \
  do {                                                                    \
    const ::faceberg::server::RestResponse _r = (response_expr);          \
    EXPECT_EQ(_r.status, expected_code) << _r.body;                       \
    const ::faceberg::Json _b = ::faceberg::server::testing::BodyOf(_r);  \
    EXPECT_TRUE(_b.is_object() && _b.contains("error")) << _r.body;       \
    if (_b.is_object() && _b.contains("error")) {                         \
      EXPECT_EQ(_b["error"].value("type", ""), expected_type) << _r.body; \
      EXPECT_EQ(_b["error"].value("code", 0), expected_code) << _r.body;  \
      EXPECT_FALSE(_b["error"].value("message", "").empty()) << _r.body;  \
    }                                                                     \
  } while (false)

/// A CreateTableRequest as PyIceberg sends it: ids from 1, spec 0, unsorted order.
inline std::string CreateTableBody(const std::string& name, bool stage = false,
                                   const std::string& extra_properties = "") {
  std::string properties = "{" + extra_properties + "}";
  return R"({"name": ")" + name + R"(",
    "schema": {"type": "struct", "schema-id": 0, "identifier-field-ids": [], "fields": [
      {"id": 1, "name": "id", "type": "long", "required": true},
      {"id": 2, "name": "name", "type": "string", "required": false},
      {"id": 3, "name": "ts", "type": "timestamptz", "required": false}]},
    "partition-spec": {"spec-id": 0, "fields": [
      {"source-id": 3, "field-id": 1000, "transform": "day", "name": "ts_day"}]},
    "write-order": {"order-id": 0, "fields": []},
    "stage-create": )" +
         std::string(stage ? "true" : "false") + R"(, "properties": )" + properties + "}";
}

/// A service over a fresh catalog of `kind`, created with the namespace "db".
class RestFixture {
 public:
  explicit RestFixture(CatalogKind kind, RestServiceOptions options = {}) : kind_(kind) {
    auto catalog = catalog::OpenCatalog(io_, CatalogUri(kind, dir_), /*create=*/true);
    EXPECT_TRUE(catalog.ok()) << catalog.status().ToString();
    if (!catalog.ok()) return;
    catalog_ = std::move(*catalog);
    EXPECT_OK(catalog_->CreateNamespace("db", {}));
    Reconfigure(std::move(options));
  }

  /// Replaces the service with one made with `options` (same catalog).
  void Reconfigure(RestServiceOptions options) {
    if (options.hf_endpoint.empty()) options.hf_endpoint = "http://hub.test";
    auto service = RestCatalogService::Make(*catalog_, std::move(options));
    EXPECT_TRUE(service.ok()) << service.status().ToString();
    if (service.ok()) service_ = std::move(*service);
  }

  RestResponse Send(std::string method, const std::string& target, std::string body = "",
                    std::vector<std::pair<std::string, std::string>> headers = {}) const {
    return service_->Handle(
        MakeRequest(std::move(method), target, std::move(body), std::move(headers)));
  }
  RestResponse Get(const std::string& target) const { return Send("GET", target); }
  RestResponse Post(const std::string& target, std::string body) const {
    return Send("POST", target, std::move(body));
  }

  /// Creates db.NAME through the service; returns the LoadTableResult.
  Json CreateTable(const std::string& name) const {
    RestResponse r = Post("/v1/namespaces/db/tables", CreateTableBody(name));
    EXPECT_EQ(r.status, 200) << r.body;
    return BodyOf(r);
  }

  /// The table's metadata as GET .../tables/NAME returns it.
  Json LoadMetadata(const std::string& ns_path, const std::string& name) const {
    RestResponse r = Get("/v1/namespaces/" + ns_path + "/tables/" + name);
    EXPECT_EQ(r.status, 200) << r.body;
    return BodyOf(r)["metadata"];
  }

  CatalogKind kind() const { return kind_; }
  catalog::Catalog& catalog() { return *catalog_; }
  const RestCatalogService& service() const { return *service_; }
  io::LocalFileIO& io() { return io_; }
  const faceberg::testing::TempDir& dir() const { return dir_; }

 private:
  CatalogKind kind_;
  faceberg::testing::TempDir dir_;
  io::LocalFileIO io_;
  std::unique_ptr<catalog::Catalog> catalog_;
  std::unique_ptr<RestCatalogService> service_;
};

}  // namespace faceberg::server::testing
