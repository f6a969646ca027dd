// RestCatalogService without sockets: /v1/config and prefixes, namespaces (multi-level, paging),
// authentication, read-only servers, hostile requests and unknown routes.
#include "server/rest_service.h"

#include "rest_test_util.h"

namespace faceberg::server {
namespace {

using testing::BodyOf;
using testing::CatalogKind;
using ::testing::Contains;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;
using testing::RestFixture;

class RestServiceTest : public ::testing::TestWithParam<CatalogKind> {
 protected:
  RestFixture f_{GetParam()};
};

INSTANTIATE_TEST_SUITE_P(Catalogs, RestServiceTest,
                         ::testing::Values(CatalogKind::kFile, CatalogKind::kSql),
                         testing::CatalogKindName);

// ---- /v1/config and prefixes ----

TEST_P(RestServiceTest, ConfigAdvertisesTheEndpointsClientsCheck) {
  RestResponse r = f_.Get("/v1/config?warehouse=anything");
  ASSERT_EQ(r.status, 200) << r.body;
  Json config = BodyOf(r);
  EXPECT_EQ(config["defaults"], Json::object());
  EXPECT_EQ(config["overrides"], Json::object());  // no prefix, no uri override
  const Json& endpoints = config["endpoints"];
  for (const char* endpoint :
       {"GET /v1/{prefix}/namespaces", "POST /v1/{prefix}/namespaces",
        "HEAD /v1/{prefix}/namespaces/{namespace}",
        "POST /v1/{prefix}/namespaces/{namespace}/tables/{table}",
        "HEAD /v1/{prefix}/namespaces/{namespace}/tables/{table}",
        "POST /v1/{prefix}/namespaces/{namespace}/register", "POST /v1/{prefix}/tables/rename",
        "POST /v1/{prefix}/transactions/commit"}) {
    EXPECT_THAT(endpoints, Contains(Json(endpoint)));
  }
  // Views and server-side scan planning are not served, so they are not advertised.
  for (const Json& endpoint : endpoints) {
    EXPECT_THAT(endpoint.get<std::string>(), Not(HasSubstr("views")));
    EXPECT_THAT(endpoint.get<std::string>(), Not(HasSubstr("plan")));
  }
  EXPECT_REST_ERROR(f_.Post("/v1/config", "{}"), 405, "MethodNotAllowedException");
}

TEST_P(RestServiceTest, APrefixIsAdvertisedAndRequiredOnEveryCatalogRoute) {
  RestServiceOptions options;
  options.prefix = "warehouse-1";
  f_.Reconfigure(options);
  Json config = BodyOf(f_.Get("/v1/config"));
  EXPECT_EQ(config["overrides"]["prefix"], "warehouse-1");
  RestResponse listed = f_.Get("/v1/warehouse-1/namespaces");
  ASSERT_EQ(listed.status, 200) << listed.body;
  EXPECT_THAT(BodyOf(listed)["namespaces"], Contains(Json::array({"db"})));
  EXPECT_REST_ERROR(f_.Get("/v1/namespaces"), 404, "NotFoundException");
  EXPECT_REST_ERROR(f_.Get("/v1/other/namespaces"), 404, "NotFoundException");
  EXPECT_EQ(f_.Post("/v1/warehouse-1/namespaces", R"({"namespace": ["p"]})").status, 200);
  EXPECT_EQ(f_.Send("HEAD", "/v1/warehouse-1/namespaces/p").status, 204);

  auto bad = RestCatalogService::Make(f_.catalog(), RestServiceOptions{.prefix = "a/b"});
  EXPECT_ERROR(bad, ErrorCode::kInvalidArgument, "prefix 'a/b'");
}

// ---- namespaces ----

TEST_P(RestServiceTest, NamespacesCreateLoadExistAndDrop) {
  RestResponse created =
      f_.Post("/v1/namespaces", R"({"namespace": ["sales"], "properties": {"owner": "ana"}})");
  ASSERT_EQ(created.status, 200) << created.body;
  EXPECT_EQ(BodyOf(created)["namespace"], Json::array({"sales"}));
  EXPECT_EQ(BodyOf(created)["properties"]["owner"], "ana");
  EXPECT_REST_ERROR(f_.Post("/v1/namespaces", R"({"namespace": ["sales"]})"), 409,
                    "AlreadyExistsException");

  RestResponse loaded = f_.Get("/v1/namespaces/sales");
  ASSERT_EQ(loaded.status, 200) << loaded.body;
  EXPECT_EQ(BodyOf(loaded)["namespace"], Json::array({"sales"}));
  EXPECT_EQ(BodyOf(loaded)["properties"]["owner"], "ana");
  EXPECT_REST_ERROR(f_.Get("/v1/namespaces/nope"), 404, "NoSuchNamespaceException");

  RestResponse exists = f_.Send("HEAD", "/v1/namespaces/sales");
  EXPECT_EQ(exists.status, 204);
  EXPECT_TRUE(exists.body.empty());
  RestResponse missing = f_.Send("HEAD", "/v1/namespaces/nope");
  EXPECT_EQ(missing.status, 404);
  EXPECT_TRUE(missing.body.empty());  // HEAD answers carry no body

  EXPECT_EQ(f_.Send("DELETE", "/v1/namespaces/sales").status, 204);
  EXPECT_EQ(f_.Send("HEAD", "/v1/namespaces/sales").status, 404);
  EXPECT_REST_ERROR(f_.Send("DELETE", "/v1/namespaces/sales"), 404, "NoSuchNamespaceException");
}

TEST_P(RestServiceTest, DroppingANamespaceThatHoldsATableIsNamespaceNotEmpty) {
  f_.CreateTable("t");
  EXPECT_REST_ERROR(f_.Send("DELETE", "/v1/namespaces/db"), 409, "NamespaceNotEmptyException");
}

TEST_P(RestServiceTest, MultiLevelNamespacesUseTheUnitSeparator) {
  ASSERT_EQ(f_.Post("/v1/namespaces", R"({"namespace": ["acct"]})").status, 200);
  RestResponse child = f_.Post("/v1/namespaces", R"({"namespace": ["acct", "tax"]})");
  ASSERT_EQ(child.status, 200) << child.body;
  EXPECT_EQ(BodyOf(child)["namespace"], Json::array({"acct", "tax"}));

  // Top level, then one level below a parent (sent as %1F like PyIceberg and Java do).
  Json top = BodyOf(f_.Get("/v1/namespaces"))["namespaces"];
  EXPECT_THAT(top, Contains(Json::array({"acct"})));
  EXPECT_THAT(top, Not(Contains(Json::array({"acct", "tax"}))));
  EXPECT_THAT(BodyOf(f_.Get("/v1/namespaces?parent=acct"))["namespaces"],
              ElementsAre(Json::array({"acct", "tax"})));
  EXPECT_THAT(BodyOf(f_.Get("/v1/namespaces?parent=acct%1Ftax"))["namespaces"], ElementsAre());
  EXPECT_REST_ERROR(f_.Get("/v1/namespaces?parent=nope"), 404, "NoSuchNamespaceException");

  EXPECT_EQ(f_.Send("HEAD", "/v1/namespaces/acct%1Ftax").status, 204);
  EXPECT_EQ(BodyOf(f_.Get("/v1/namespaces/acct%1Ftax"))["namespace"], Json::array({"acct", "tax"}));
  ASSERT_EQ(f_.Post("/v1/namespaces/acct%1Ftax/tables", testing::CreateTableBody("paid")).status,
            200);
  Json tables = BodyOf(f_.Get("/v1/namespaces/acct%1Ftax/tables"))["identifiers"];
  EXPECT_THAT(tables,
              ElementsAre(Json::parse(R"({"namespace": ["acct", "tax"], "name": "paid"})")));
  RestResponse loaded = f_.Get("/v1/namespaces/acct%1Ftax/tables/paid");
  EXPECT_EQ(loaded.status, 200) << loaded.body;

  // A level holding '.' cannot be told apart from two levels: refused.
  EXPECT_REST_ERROR(f_.Post("/v1/namespaces", R"({"namespace": ["a.b"]})"), 400,
                    "BadRequestException");
  EXPECT_REST_ERROR(f_.Get("/v1/namespaces/a.b"), 400, "BadRequestException");
  EXPECT_REST_ERROR(f_.Post("/v1/namespaces", R"({"namespace": []})"), 400, "BadRequestException");
}

TEST_P(RestServiceTest, NamespacePropertiesUpdateAndRemove) {
  ASSERT_EQ(f_.Post("/v1/namespaces", R"({"namespace": ["p"], "properties": {"a": "1", "b": "2"}})")
                .status,
            200);
  RestResponse r =
      f_.Post("/v1/namespaces/p/properties", R"({"removals": ["a", "zz"], "updates": {"c": "3"}})");
  ASSERT_EQ(r.status, 200) << r.body;
  Json summary = BodyOf(r);
  EXPECT_EQ(summary["updated"], Json::array({"c"}));
  EXPECT_EQ(summary["removed"], Json::array({"a"}));
  EXPECT_EQ(summary["missing"], Json::array({"zz"}));
  Json properties = BodyOf(f_.Get("/v1/namespaces/p"))["properties"];
  EXPECT_EQ(properties, Json::parse(R"({"b": "2", "c": "3"})"));

  EXPECT_REST_ERROR(
      f_.Post("/v1/namespaces/p/properties", R"({"removals": ["b"], "updates": {"b": "x"}})"), 422,
      "UnprocessableEntityException");
  EXPECT_REST_ERROR(f_.Post("/v1/namespaces/nope/properties", R"({"updates": {"b": "x"}})"), 404,
                    "NoSuchNamespaceException");
  EXPECT_REST_ERROR(f_.Post("/v1/namespaces/p/properties", R"({"updates": {"b": 1}})"), 400,
                    "BadRequestException");
}

TEST_P(RestServiceTest, ListsArePagedWhenAPageTokenIsSent) {
  for (const char* ns : {"n1", "n2", "n3", "n4", "n5"}) {
    ASSERT_EQ(f_.Post("/v1/namespaces", fmt::format(R"({{"namespace": ["{}"]}})", ns)).status, 200);
  }
  // Without pageToken everything comes at once, without a next-page-token.
  Json all = BodyOf(f_.Get("/v1/namespaces?pageSize=2"));
  const size_t count = all["namespaces"].size();
  EXPECT_GE(count, 6u);  // n1..n5 and db (and the file catalog's default)
  EXPECT_FALSE(all.contains("next-page-token"));

  std::vector<Json> seen;
  std::string token;
  for (int page = 0; page < 10; ++page) {
    Json body = BodyOf(f_.Get("/v1/namespaces?pageSize=2&pageToken=" + token));
    ASSERT_TRUE(body["namespaces"].is_array());
    EXPECT_LE(body["namespaces"].size(), 2u);
    for (const Json& ns : body["namespaces"]) seen.push_back(ns);
    if (!body.contains("next-page-token")) break;
    token = body["next-page-token"].get<std::string>();
  }
  EXPECT_EQ(seen.size(), count);
  EXPECT_EQ(Json(seen), all["namespaces"]);
  EXPECT_REST_ERROR(f_.Get("/v1/namespaces?pageSize=0&pageToken="), 400, "BadRequestException");
}

// ---- authentication and read-only servers ----

TEST_P(RestServiceTest, BearerTokensAreRequiredWhenConfigured) {
  RestServiceOptions options;
  options.tokens =
      std::make_shared<const BearerTokens>(*BearerTokens::Parse("s3cret-token\nother\n", "tokens"));
  f_.Reconfigure(options);

  RestResponse anonymous = f_.Get("/v1/config");
  EXPECT_REST_ERROR(anonymous, 401, "NotAuthorizedException");
  EXPECT_EQ(anonymous.Header("WWW-Authenticate"), "Bearer");
  // PyIceberg without a token sends "Bearer None".
  EXPECT_REST_ERROR(f_.Send("GET", "/v1/namespaces", "", {{"Authorization", "Bearer None"}}), 401,
                    "NotAuthorizedException");
  RestResponse wrong =
      f_.Send("GET", "/v1/namespaces", "", {{"Authorization", "Bearer s3cret-tokenX"}});
  EXPECT_REST_ERROR(wrong, 401, "NotAuthorizedException");
  EXPECT_THAT(wrong.body, Not(HasSubstr("s3cret")));
  EXPECT_REST_ERROR(f_.Send("POST", "/v1/namespaces", R"({"namespace": ["x"]})",
                            {{"Authorization", "Basic czNjcmV0LXRva2Vu"}}),
                    401, "NotAuthorizedException");

  EXPECT_EQ(f_.Send("GET", "/v1/config", "", {{"authorization", "Bearer s3cret-token"}}).status,
            200);
  EXPECT_EQ(f_.Send("POST", "/v1/namespaces", R"({"namespace": ["x"]})",
                    {{"Authorization", "Bearer other"}})
                .status,
            200);
}

TEST_P(RestServiceTest, WithoutTokensTheAuthorizationHeaderIsIgnored) {
  EXPECT_EQ(f_.Send("GET", "/v1/namespaces", "", {{"Authorization", "Bearer None"}}).status, 200);
}

TEST_P(RestServiceTest, TheTokenEndpointHandsBackOnlyAnAcceptedSecret) {
  RestServiceOptions options;
  options.tokens = std::make_shared<const BearerTokens>(*BearerTokens::Parse("tok1\n", "tokens"));
  f_.Reconfigure(options);
  RestResponse granted = f_.Post(
      "/v1/oauth/tokens", "grant_type=client_credentials&client_id=me&client_secret=tok1&scope=x");
  ASSERT_EQ(granted.status, 200) << granted.body;
  EXPECT_EQ(BodyOf(granted)["access_token"], "tok1");
  EXPECT_EQ(BodyOf(granted)["token_type"], "bearer");
  RestResponse refused =
      f_.Post("/v1/oauth/tokens", "grant_type=client_credentials&client_id=me&client_secret=nope");
  EXPECT_EQ(refused.status, 401);
  EXPECT_EQ(BodyOf(refused)["error"], "invalid_client");
  EXPECT_EQ(f_.Post("/v1/oauth/tokens", "grant_type=password").status, 400);
}

TEST_P(RestServiceTest, AReadOnlyServerRefusesEveryChange) {
  f_.CreateTable("t");
  RestServiceOptions options;
  options.read_only = true;
  f_.Reconfigure(options);
  EXPECT_REST_ERROR(f_.Post("/v1/namespaces", R"({"namespace": ["x"]})"), 403,
                    "ForbiddenException");
  EXPECT_REST_ERROR(f_.Send("DELETE", "/v1/namespaces/db"), 403, "ForbiddenException");
  EXPECT_REST_ERROR(f_.Post("/v1/namespaces/db/properties", R"({"updates": {"a": "b"}})"), 403,
                    "ForbiddenException");
  EXPECT_REST_ERROR(f_.Post("/v1/namespaces/db/tables", testing::CreateTableBody("u")), 403,
                    "ForbiddenException");
  EXPECT_REST_ERROR(f_.Post("/v1/namespaces/db/tables/t", R"({"requirements": [], "updates": []})"),
                    403, "ForbiddenException");
  EXPECT_REST_ERROR(f_.Send("DELETE", "/v1/namespaces/db/tables/t"), 403, "ForbiddenException");
  EXPECT_REST_ERROR(f_.Post("/v1/tables/rename", R"({"source": {"namespace": ["db"], "name": "t"},
      "destination": {"namespace": ["db"], "name": "u"}})"),
                    403, "ForbiddenException");
  EXPECT_REST_ERROR(f_.Post("/v1/transactions/commit", R"({"table-changes": []})"), 403,
                    "ForbiddenException");
  // Reads still work, and metrics reports are not changes.
  EXPECT_EQ(f_.Get("/v1/namespaces/db/tables/t").status, 200);
  EXPECT_EQ(f_.Send("HEAD", "/v1/namespaces/db/tables/t").status, 204);
  EXPECT_EQ(
      f_.Post("/v1/namespaces/db/tables/t/metrics", R"({"report-type": "scan-report"})").status,
      204);
  EXPECT_TRUE(*f_.catalog().TableExists({"db", "t"}));
}

// ---- hostile requests ----

TEST_P(RestServiceTest, MalformedBodiesAreBadRequestsAndTheServiceKeepsServing) {
  const std::vector<std::string> bodies = {
      "",
      "   ",
      "{",
      "not json",
      "[1, 2]",
      "\"a string\"",
      R"({"namespace": "db2"})",
      R"({"namespace": [1, 2]})",
      R"({"namespace": ["ok"], "properties": {"k": 5}})",
      R"({"namespace": ["ok"], "properties": [1]})",
      std::string(100000, '[') + std::string(100000, ']'),
      R"({"a": )" + std::string(5000, '{') + std::string(5000, '}') + "}",
      "{\"namespace\": [\"\xff\xfe\"]}",
  };
  for (const std::string& body : bodies) {
    SCOPED_TRACE(body.substr(0, 60));
    EXPECT_REST_ERROR(f_.Post("/v1/namespaces", body), 400, "BadRequestException");
  }
  // Strings with brackets inside do not count as nesting.
  EXPECT_EQ(f_.Post("/v1/namespaces", R"({"namespace": ["deep"], "properties": {"k": ")" +
                                          std::string(500, '[') + R"("}})")
                .status,
            200);
  EXPECT_EQ(f_.Get("/v1/config").status, 200);
}

TEST_P(RestServiceTest, OversizedBodiesAre413) {
  RestServiceOptions options;
  options.max_body_bytes = 4096;
  f_.Reconfigure(options);
  std::string big =
      R"({"namespace": ["big"], "properties": {"k": ")" + std::string(5000, 'x') + R"("}})";
  EXPECT_REST_ERROR(f_.Post("/v1/namespaces", big), 413, "BadRequestException");
  EXPECT_EQ(f_.Post("/v1/namespaces", R"({"namespace": ["small"]})").status, 200);
}

TEST_P(RestServiceTest, UnknownRoutesMethodsAndEscapes) {
  EXPECT_REST_ERROR(f_.Get("/v2/namespaces"), 404, "NotFoundException");
  EXPECT_REST_ERROR(f_.Get("/v1/nothing/here"), 404, "NotFoundException");
  RestResponse put = f_.Send("PUT", "/v1/namespaces");
  EXPECT_REST_ERROR(put, 405, "MethodNotAllowedException");
  EXPECT_EQ(put.Header("Allow"), "GET, POST");
  EXPECT_REST_ERROR(f_.Get("/v1/namespaces/db%zz"), 400, "BadRequestException");
  EXPECT_REST_ERROR(f_.Post("/v1/namespaces/db/tables/t/plan", "{}"), 406,
                    "UnsupportedOperationException");
  // No views: listing finds none, loading one is a 404.
  RestResponse views = f_.Get("/v1/namespaces/db/views");
  ASSERT_EQ(views.status, 200) << views.body;
  EXPECT_EQ(BodyOf(views)["identifiers"], Json::array());
  EXPECT_REST_ERROR(f_.Get("/v1/namespaces/nope/views"), 404, "NoSuchNamespaceException");
  EXPECT_REST_ERROR(f_.Get("/v1/namespaces/db/views/v"), 404, "NoSuchViewException");
  EXPECT_REST_ERROR(f_.Post("/v1/namespaces/db/views", "{}"), 406, "UnsupportedOperationException");
}

}  // namespace
}  // namespace faceberg::server
