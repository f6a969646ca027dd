// Pure helpers of the HTTP client and the Hub error mapping: no server needed.
#include "hub/hf_api.h"
#include "io/http_client.h"
#include "test_util.h"

namespace faceberg {
namespace {

using namespace std::chrono_literals;
using hub::HubError;
using hub::HubRequestContext;
using io::HttpHeaders;
using io::HttpResponse;

TEST(HttpHeadersTest, CaseInsensitiveMultimap) {
  HttpHeaders headers;
  headers.Add("Content-Type", "text/plain");
  headers.Add("Set-Cookie", "a=1");
  headers.Add("set-cookie", "b=2");
  EXPECT_EQ(headers.Get("content-type"), "text/plain");
  EXPECT_EQ(headers.Get("CONTENT-TYPE"), "text/plain");
  EXPECT_EQ(headers.GetAll("SET-COOKIE"), (std::vector<std::string>{"a=1", "b=2"}));
  EXPECT_FALSE(headers.Get("Missing").has_value());
  headers.Set("SET-COOKIE", "c=3");
  EXPECT_EQ(headers.GetAll("set-cookie"), (std::vector<std::string>{"c=3"}));
  headers.Remove("content-TYPE");
  EXPECT_FALSE(headers.Has("Content-Type"));
}

TEST(HttpHelpersTest, Ranges) {
  EXPECT_EQ(io::RangeHeaderValue(0, 100), "bytes=0-99");
  EXPECT_EQ(io::RangeHeaderValue(10, 1), "bytes=10-10");
  EXPECT_EQ(io::SuffixRangeHeaderValue(8), "bytes=-8");

  auto full = io::ParseContentRange("bytes 100-199/1234");
  ASSERT_TRUE(full.has_value());
  EXPECT_EQ(full->first_last, std::make_pair(uint64_t{100}, uint64_t{199}));
  EXPECT_EQ(full->total, 1234u);
  auto unknown_total = io::ParseContentRange("bytes 0-9/*");
  ASSERT_TRUE(unknown_total.has_value());
  EXPECT_FALSE(unknown_total->total.has_value());
  auto unsatisfied = io::ParseContentRange("bytes */42");
  ASSERT_TRUE(unsatisfied.has_value());
  EXPECT_FALSE(unsatisfied->first_last.has_value());
  EXPECT_EQ(unsatisfied->total, 42u);
  for (const char* bad : {"", "bytes", "items 0-1/2", "bytes 5-4/10", "bytes 0-10/10", "bytes */*",
                          "bytes a-b/3", "bytes 0-1"}) {
    EXPECT_FALSE(io::ParseContentRange(bad).has_value()) << bad;
  }
}

TEST(HttpHelpersTest, HttpDates) {
  // 1994-11-06T08:49:37Z = 784111777.
  EXPECT_EQ(io::ParseHttpDate("Sun, 06 Nov 1994 08:49:37 GMT"), 784111777);
  EXPECT_EQ(io::ParseHttpDate("Sunday, 06-Nov-94 08:49:37 GMT"), 784111777);
  EXPECT_EQ(io::ParseHttpDate("Sun Nov  6 08:49:37 1994"), 784111777);
  EXPECT_FALSE(io::ParseHttpDate("yesterday").has_value());
  EXPECT_FALSE(io::ParseHttpDate("Sun, 06 Foo 1994 08:49:37 GMT").has_value());
  EXPECT_FALSE(io::ParseHttpDate("Sun, 06 Nov 1994 25:49:37 GMT").has_value());
}

TEST(HttpHelpersTest, RetryAfter) {
  const int64_t now = 784111777;
  EXPECT_EQ(io::ParseRetryAfter("120", now), 120s);
  EXPECT_EQ(io::ParseRetryAfter(" 0 ", now), 0s);
  EXPECT_EQ(io::ParseRetryAfter("Sun, 06 Nov 1994 08:50:07 GMT", now), 30s);
  EXPECT_EQ(io::ParseRetryAfter("Sun, 06 Nov 1994 08:00:00 GMT", now), 0s);  // past
  EXPECT_FALSE(io::ParseRetryAfter("-5", now).has_value());
  EXPECT_FALSE(io::ParseRetryAfter("soon", now).has_value());
}

TEST(HttpHelpersTest, RateLimit) {
  auto limit = io::ParseRateLimit("\"resolvers\";r=2999;t=172");
  ASSERT_TRUE(limit.has_value());
  EXPECT_EQ(limit->remaining, 2999);
  EXPECT_EQ(limit->reset_seconds, 172);
  auto spaced = io::ParseRateLimit("\"api\"; r=0; t=5, \"other\";r=1;t=2");
  ASSERT_TRUE(spaced.has_value());
  EXPECT_EQ(spaced->remaining, 0);
  EXPECT_EQ(spaced->reset_seconds, 5);
  EXPECT_FALSE(io::ParseRateLimit("\"x\";r=1").has_value());
  EXPECT_FALSE(io::ParseRateLimit("garbage").has_value());
}

TEST(HttpHelpersTest, BackoffIsExponentialCappedAndJittered) {
  io::HttpClientOptions options;
  options.backoff_base = 1000ms;
  options.backoff_max = 8000ms;
  // Without jitter (jitter = 1) the sleeps are 1, 2, 4, 8, 8 s as in huggingface_hub.
  EXPECT_EQ(io::BackoffDelay(options, 0, 1.0), 1000ms);
  EXPECT_EQ(io::BackoffDelay(options, 1, 1.0), 2000ms);
  EXPECT_EQ(io::BackoffDelay(options, 2, 1.0), 4000ms);
  EXPECT_EQ(io::BackoffDelay(options, 3, 1.0), 8000ms);
  EXPECT_EQ(io::BackoffDelay(options, 4, 1.0), 8000ms);
  EXPECT_EQ(io::BackoffDelay(options, 60, 1.0), 8000ms);
  // Jitter scales into [d/2, d].
  EXPECT_EQ(io::BackoffDelay(options, 2, 0.0), 2000ms);
  EXPECT_EQ(io::BackoffDelay(options, 2, 0.5), 3000ms);
}

TEST(HttpHelpersTest, ServerRetryDelay) {
  io::HttpClientOptions options;
  options.retry_after_margin = 1000ms;
  options.retry_after_max = 60'000ms;
  HttpResponse response;
  response.status = 429;
  EXPECT_FALSE(io::ServerRetryDelay(options, response, 0).has_value());
  response.headers.Add("Retry-After", "3");
  EXPECT_EQ(io::ServerRetryDelay(options, response, 0), 4000ms);
  // RateLimit with r=0 wins over Retry-After on a 429.
  response.headers.Add("RateLimit", "\"resolvers\";r=0;t=7");
  EXPECT_EQ(io::ServerRetryDelay(options, response, 0), 8000ms);
  // r>0: the RateLimit header is no reason to wait.
  response.headers.Set("RateLimit", "\"resolvers\";r=5;t=7");
  EXPECT_EQ(io::ServerRetryDelay(options, response, 0), 4000ms);
  // Capped.
  response.headers.Set("Retry-After", "100000");
  EXPECT_EQ(io::ServerRetryDelay(options, response, 0), 60'000ms);
  // A 503 honours Retry-After but not RateLimit.
  HttpResponse unavailable;
  unavailable.status = 503;
  unavailable.headers.Add("RateLimit", "\"x\";r=0;t=7");
  EXPECT_FALSE(io::ServerRetryDelay(options, unavailable, 0).has_value());
  unavailable.headers.Add("Retry-After", "Thu, 01 Jan 1970 00:00:10 GMT");
  EXPECT_EQ(io::ServerRetryDelay(options, unavailable, 4), 7000ms);
}

TEST(HttpHelpersTest, RetryableStatuses) {
  for (int s : {408, 429, 500, 502, 503, 504}) EXPECT_TRUE(io::IsRetryableStatus(s)) << s;
  for (int s : {200, 206, 301, 400, 401, 403, 404, 409, 412, 416, 501}) {
    EXPECT_FALSE(io::IsRetryableStatus(s)) << s;
  }
}

TEST(HttpHelpersTest, Urls) {
  EXPECT_EQ(io::RedactUrl("https://user:pw@host:8080/a/b?token=secret#frag"),
            "https://host:8080/a/b");
  EXPECT_EQ(io::RedactUrl("http://h/p?x=1"), "http://h/p");
  EXPECT_EQ(io::UrlOrigin("HTTPS://Example.COM:443/x"), "https://example.com");
  EXPECT_EQ(io::UrlOrigin("http://127.0.0.1:8090/x?y"), "http://127.0.0.1:8090");
  EXPECT_NE(io::UrlOrigin("http://127.0.0.1:8090/"), io::UrlOrigin("http://localhost:8090/"));
  EXPECT_NE(io::UrlOrigin("http://h:1/"), io::UrlOrigin("http://h:2/"));
  EXPECT_EQ(io::ResolveUrl("http://h:1/a/b?q", "/c"), "http://h:1/c");
  EXPECT_EQ(io::ResolveUrl("http://h:1/a/b?q", "c?d"), "http://h:1/a/c?d");
  EXPECT_EQ(io::ResolveUrl("http://h:1/a/b", "https://x/y"), "https://x/y");
  EXPECT_EQ(io::ResolveUrl("https://h/a", "//cdn/z"), "https://cdn/z");
  EXPECT_EQ(io::ResolveUrl("http://h/a/b?q=1", "?r=2"), "http://h/a/b?r=2");
}

TEST(HttpHelpersTest, PercentEncoding) {
  EXPECT_EQ(io::PercentEncode("a/b c~", ""), "a%2Fb%20c~");
  EXPECT_EQ(io::PercentEncode("a/b c", "/"), "a/b%20c");
  EXPECT_EQ(io::PercentEncode("\xc3\xa9"), "%C3%A9");
  EXPECT_EQ(io::PercentDecode("a%2Fb%20c+"), "a/b c+");
  EXPECT_FALSE(io::PercentDecode("%").has_value());
  EXPECT_FALSE(io::PercentDecode("%4").has_value());
  EXPECT_FALSE(io::PercentDecode("%zz").has_value());
}

TEST(HttpHelpersTest, LinkHeader) {
  EXPECT_EQ(io::FindLink("<https://h/api/tree?cursor=abc>; rel=\"next\"", "next"),
            "https://h/api/tree?cursor=abc");
  EXPECT_EQ(io::FindLink("<http://a/1>; rel=\"prev\", <http://a/3,x>; rel=\"next\"", "next"),
            "http://a/3,x");
  EXPECT_EQ(io::FindLink("<http://a/1>; rel=next", "next"), "http://a/1");
  EXPECT_EQ(io::FindLink("<http://a/1>; rel=\"prev\"", "next"), std::nullopt);
  EXPECT_EQ(io::FindLink("<x>; rel=\"xet-auth\"", "next"), std::nullopt);
  EXPECT_EQ(io::FindLink("", "next"), std::nullopt);
}

// ---- Hub error mapping ----

HttpResponse ErrorResponse(int status, std::string code, std::string message) {
  HttpResponse response;
  response.status = status;
  if (!code.empty()) response.headers.Add("X-Error-Code", code);
  response.body = "{\"error\":\"" + message + "\"}";
  return response;
}

HubRequestContext Ctx(bool token, bool write = false) {
  HubRequestContext c;
  c.action = write ? "commit to" : "read";
  c.repo_id = "o/n";
  c.revision = "dev";
  c.path = "data/x.parquet";
  c.endpoint = "http://127.0.0.1:9";
  c.token_source = token ? "HF_TOKEN" : "";
  c.write = write;
  return c;
}

TEST(HubErrorTest, NamesTheCaseAndWhatToDo) {
  EXPECT_ERROR(HubError(ErrorResponse(401, "GatedRepo", "gated"), Ctx(false)),
               ErrorCode::kPermission, "gated and no token was sent");
  EXPECT_ERROR(HubError(ErrorResponse(401, "GatedRepo", "gated"), Ctx(false)),
               ErrorCode::kPermission, "set HF_TOKEN");
  EXPECT_ERROR(HubError(ErrorResponse(403, "GatedRepo", "gated"), Ctx(true)),
               ErrorCode::kPermission, "request access at http://127.0.0.1:9/datasets/o/n");
  EXPECT_ERROR(HubError(ErrorResponse(401, "RepoNotFound", "nope"), Ctx(false)),
               ErrorCode::kPermission,
               "private and no token was sent; if it is private, set "
               "HF_TOKEN");
  EXPECT_ERROR(HubError(ErrorResponse(404, "RepoNotFound", "nope"), Ctx(true)),
               ErrorCode::kNotFound, "the token (from HF_TOKEN) has no access");
  EXPECT_ERROR(HubError(ErrorResponse(404, "RevisionNotFound", "bad rev"), Ctx(true)),
               ErrorCode::kNotFound, "revision 'dev' does not exist in dataset o/n");
  EXPECT_ERROR(HubError(ErrorResponse(404, "EntryNotFound", "no file"), Ctx(true)),
               ErrorCode::kNotFound, "'data/x.parquet' does not exist in dataset o/n at revision");
  EXPECT_ERROR(
      HubError(ErrorResponse(401, "", "Invalid credentials in Authorization header"), Ctx(true)),
      ErrorCode::kPermission, "rejected the token from HF_TOKEN as invalid");
  EXPECT_ERROR(HubError(ErrorResponse(403, "", "forbidden"), Ctx(true, true)),
               ErrorCode::kPermission, "may not write to dataset o/n");
  EXPECT_ERROR(HubError(ErrorResponse(403, "", "forbidden"), Ctx(false, true)),
               ErrorCode::kPermission, "needs a token: set HF_TOKEN");
  EXPECT_ERROR(HubError(ErrorResponse(403, "", "Access to this resource is disabled."), Ctx(true)),
               ErrorCode::kPermission, "disabled");
  EXPECT_ERROR(HubError(ErrorResponse(412, "", "precondition"), Ctx(true, true)),
               ErrorCode::kConflict, "moved on since the expected parent commit");
  EXPECT_ERROR(HubError(ErrorResponse(409, "", "busy"), Ctx(true, true)), ErrorCode::kConflict,
               "busy");
  EXPECT_ERROR(HubError(ErrorResponse(400, "", "bad yaml"), Ctx(true, true)),
               ErrorCode::kInvalidArgument, "the Hub said: bad yaml");
  EXPECT_ERROR(HubError(ErrorResponse(418, "", "teapot"), Ctx(true)), ErrorCode::kNetwork,
               "HTTP 418");
}

TEST(HubErrorTest, MessageSources) {
  HttpResponse header_first = ErrorResponse(404, "", "from body");
  header_first.headers.Add("X-Error-Message", "from header");
  EXPECT_EQ(hub::HubErrorMessage(header_first), "from header");
  HttpResponse errors;
  errors.body = R"({"errors":[{"message":"one"},{"message":"two"}]})";
  EXPECT_EQ(hub::HubErrorMessage(errors), "one; two");
  HttpResponse html;
  html.body = "<html>oops</html>";
  EXPECT_EQ(hub::HubErrorMessage(html), "");
  HttpResponse text;
  text.body = "plain words\n";
  EXPECT_EQ(hub::HubErrorMessage(text), "plain words");
}

TEST(HubEncodingTest, DigestsAndBase64) {
  EXPECT_EQ(hub::Sha256Hex("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  // `git hash-object` of "hello\n".
  EXPECT_EQ(hub::GitBlobSha1("hello\n"), "ce013625030ba8dba906f756967f9e9ca394464a");
  EXPECT_EQ(hub::GitBlobSha1(""), "e69de29bb2d1d6434b8b29ae775ad8c2e48c5391");
  EXPECT_EQ(hub::Base64Encode(""), "");
  EXPECT_EQ(hub::Base64Encode("f"), "Zg==");
  EXPECT_EQ(hub::Base64Encode("fo"), "Zm8=");
  EXPECT_EQ(hub::Base64Encode("foo"), "Zm9v");
  EXPECT_EQ(hub::Base64Encode("foobar"), "Zm9vYmFy");
  EXPECT_EQ(hub::Base64Encode(std::string("\xff\x00\x80", 3)), "/wCA");
}

}  // namespace
}  // namespace faceberg
