// `faceberg serve` through the binary: the first stdout line, REST requests against it, tokens,
// read-only mode, the refusal to listen beyond loopback without tokens, and SIGTERM.

#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "cli_runner.h"
#include "io/http_client.h"
#include "server_process.h"
#include "test_util.h"

namespace faceberg::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

class ServerCliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    catalog_ = dir_.Join("cat");
    ASSERT_EQ(RunFaceberg({"--catalog", catalog_, "init"}, dir_.path().string()).exit_code, 0);
    auto client = io::HttpClient::Make(io::HttpClientOptions{.max_retries = 0});
    ASSERT_TRUE(client.ok());
    client_ = std::move(*client);
  }

  io::HttpResponse Send(io::HttpMethod method, const std::string& url, std::string body = "",
                        std::string token = "") {
    io::HttpRequest request;
    request.method = method;
    request.url = url;
    request.body = std::move(body);
    request.bearer_token = std::move(token);
    request.retry = io::HttpRetry::kNever;
    auto response = client_->Send(request);
    EXPECT_TRUE(response.ok()) << response.status().ToString();
    return response.ok() ? *response : io::HttpResponse();
  }

  std::vector<std::string> ServeArgs(std::vector<std::string> extra) const {
    std::vector<std::string> args = {"--catalog", catalog_, "serve", "--port", "0"};
    args.insert(args.end(), extra.begin(), extra.end());
    return args;
  }

  TempDir dir_;
  std::string catalog_;
  std::unique_ptr<io::HttpClient> client_;
};

TEST_F(ServerCliTest, ServesTheCatalogUntilSigterm) {
  ServeProcess serve(ServeArgs({}), dir_.Join("serve.err"));
  ASSERT_THAT(serve.first_line(), ::testing::MatchesRegex("serving http://127\\.0\\.0\\.1:[0-9]+"));
  io::HttpResponse config = Send(io::HttpMethod::kGet, serve.endpoint() + "/v1/config");
  EXPECT_EQ(config.status, 200) << config.body;
  EXPECT_THAT(config.body, HasSubstr("\"endpoints\""));

  // A table created over REST is the CLI's table too.
  EXPECT_EQ(
      Send(io::HttpMethod::kPost, serve.endpoint() + "/v1/namespaces", R"({"namespace": ["web"]})")
          .status,
      200);
  io::HttpResponse created =
      Send(io::HttpMethod::kPost, serve.endpoint() + "/v1/namespaces/web/tables",
           R"({"name": "hits", "schema": {"type": "struct", "fields": [
                                      {"id": 1, "name": "id", "type": "long", "required": true}]}})");
  EXPECT_EQ(created.status, 200) << created.body;
  CliRun info = RunFaceberg({"--catalog", catalog_, "info", "web.hits"}, dir_.path().string());
  EXPECT_EQ(info.exit_code, 0) << info.err;

  client_.reset();  // close keep-alive connections so the server stops at once
  EXPECT_EQ(serve.Stop(), 0);
  EXPECT_THAT(serve.Stderr(), HasSubstr("no --token-file"));
}

TEST_F(ServerCliTest, TokenFileRequiresABearerTokenAndNeverLogsIt) {
  const std::string tokens = dir_.Join("tokens.txt");
  std::ofstream(tokens) << "# team\nsecret-token-42\n";
  ServeProcess serve(ServeArgs({"--token-file", tokens, "-v"}), dir_.Join("serve.err"));
  ASSERT_FALSE(serve.endpoint().empty()) << serve.Stderr();
  io::HttpResponse anonymous = Send(io::HttpMethod::kGet, serve.endpoint() + "/v1/config");
  EXPECT_EQ(anonymous.status, 401);
  EXPECT_THAT(anonymous.body, HasSubstr("NotAuthorizedException"));
  EXPECT_EQ(Send(io::HttpMethod::kGet, serve.endpoint() + "/v1/config", "", "wrong").status, 401);
  EXPECT_EQ(
      Send(io::HttpMethod::kGet, serve.endpoint() + "/v1/config", "", "secret-token-42").status,
      200);
  client_.reset();
  EXPECT_EQ(serve.Stop(), 0);
  const std::string err = serve.Stderr();
  EXPECT_THAT(err, HasSubstr("GET /v1/config 401"));
  EXPECT_THAT(err, HasSubstr("GET /v1/config 200"));
  EXPECT_THAT(err, Not(HasSubstr("secret-token")));
  EXPECT_THAT(err, Not(HasSubstr("no --token-file")));
}

TEST_F(ServerCliTest, RefusesToListenBeyondLoopbackWithoutTokens) {
  CliRun run = RunFaceberg(ServeArgs({"--host", "0.0.0.0"}), dir_.path().string());
  EXPECT_EQ(run.exit_code, 1);
  EXPECT_EQ(run.out, "");
  EXPECT_THAT(run.err, HasSubstr("error: refusing to serve the catalog on 0.0.0.0 without "
                                 "--token-file"));
  EXPECT_EQ(Lines(run.err), 1);
  CliRun missing =
      RunFaceberg(ServeArgs({"--token-file", dir_.Join("none")}), dir_.path().string());
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_THAT(missing.err, HasSubstr("token file"));
}

TEST_F(ServerCliTest, ReadOnlyRefusesChanges) {
  ServeProcess serve(ServeArgs({"--read-only", "--prefix", "main"}), dir_.Join("serve.err"));
  ASSERT_FALSE(serve.endpoint().empty()) << serve.Stderr();
  EXPECT_THAT(Send(io::HttpMethod::kGet, serve.endpoint() + "/v1/config").body,
              HasSubstr("\"prefix\":\"main\""));
  io::HttpResponse refused = Send(io::HttpMethod::kPost, serve.endpoint() + "/v1/main/namespaces",
                                  R"({"namespace": ["x"]})");
  EXPECT_EQ(refused.status, 403);
  EXPECT_THAT(refused.body, HasSubstr("ForbiddenException"));
  EXPECT_EQ(Send(io::HttpMethod::kGet, serve.endpoint() + "/v1/main/namespaces").status, 200);
  client_.reset();
  EXPECT_EQ(serve.Stop(), 0);
}

}  // namespace
}  // namespace faceberg::testing
