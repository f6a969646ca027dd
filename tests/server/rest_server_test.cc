// RestServer: the service over real HTTP (cpp-httplib), with libcurl as the client.
#include "server/rest_server.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <mutex>
#include <thread>

#include "rest_test_util.h"

namespace faceberg::server {
namespace {

using testing::CatalogKind;
using ::testing::HasSubstr;
using ::testing::Not;
using testing::RestFixture;

class RestServerTest : public ::testing::Test {
 protected:
  void StartServer(RestServiceOptions service_options = {}) {
    f_.Reconfigure(std::move(service_options));
    RestServerOptions options;
    options.port = 0;
    options.threads = 16;
    options.log = [this](std::string_view line) {
      std::lock_guard<std::mutex> lock(log_mu_);
      log_.emplace_back(line);
    };
    auto server = RestServer::Start(options, f_.service());
    ASSERT_TRUE(server.ok()) << server.status().ToString();
    server_ = std::move(*server);
    io::HttpClientOptions client_options;
    client_options.max_retries = 0;
    auto client = io::HttpClient::Make(client_options);
    ASSERT_TRUE(client.ok());
    client_ = std::move(*client);
  }

  void TearDown() override {
    client_.reset();  // closes the keep-alive connections, so Stop() need not wait for them
    if (server_) server_->Stop();
  }

  io::HttpResponse Send(io::HttpMethod method, const std::string& path, std::string body = "",
                        std::string token = "") {
    io::HttpRequest request;
    request.method = method;
    request.url = server_->endpoint() + path;
    request.body = std::move(body);
    request.bearer_token = std::move(token);
    request.retry = io::HttpRetry::kNever;
    if (!request.body.empty()) request.headers.Set("Content-Type", "application/json");
    auto response = client_->Send(request);
    EXPECT_TRUE(response.ok()) << response.status().ToString();
    return response.ok() ? *response : io::HttpResponse();
  }

  std::vector<std::string> Log() {
    std::lock_guard<std::mutex> lock(log_mu_);
    return log_;
  }

  RestFixture f_{CatalogKind::kFile};
  std::unique_ptr<RestServer> server_;
  std::unique_ptr<io::HttpClient> client_;
  std::mutex log_mu_;
  std::vector<std::string> log_;
};

Json JsonOf(const io::HttpResponse& response) {
  auto json = ParseJson(response.body, "response");
  return json.ok() ? *json : Json();
}

TEST_F(RestServerTest, ServesTheCatalogOverHttp) {
  StartServer();
  EXPECT_THAT(server_->endpoint(), HasSubstr("http://127.0.0.1:"));
  io::HttpResponse config = Send(io::HttpMethod::kGet, "/v1/config");
  ASSERT_EQ(config.status, 200) << config.body;
  EXPECT_THAT(config.headers.Get("Content-Type").value_or(""), HasSubstr("application/json"));
  EXPECT_TRUE(JsonOf(config)["endpoints"].is_array());

  EXPECT_EQ(Send(io::HttpMethod::kPost, "/v1/namespaces", R"({"namespace": ["a", "b"]})").status,
            200);
  EXPECT_EQ(Send(io::HttpMethod::kHead, "/v1/namespaces/a%1Fb").status, 204);
  EXPECT_EQ(
      Send(io::HttpMethod::kPost, "/v1/namespaces/a%1Fb/tables", testing::CreateTableBody("t"))
          .status,
      200);
  io::HttpResponse loaded = Send(io::HttpMethod::kGet, "/v1/namespaces/a%1Fb/tables/t");
  ASSERT_EQ(loaded.status, 200) << loaded.body;
  EXPECT_TRUE(JsonOf(loaded)["metadata"].is_object());
  EXPECT_FALSE(loaded.headers.Get("ETag").value_or("").empty());
  io::HttpResponse missing = Send(io::HttpMethod::kGet, "/v1/namespaces/a%1Fb/tables/nope");
  EXPECT_EQ(missing.status, 404);
  EXPECT_EQ(JsonOf(missing)["error"]["type"], "NoSuchTableException");
  EXPECT_EQ(
      Send(io::HttpMethod::kDelete, "/v1/namespaces/a%1Fb/tables/t?purgeRequested=true").status,
      204);

  const std::vector<std::string> log = Log();
  EXPECT_THAT(log, ::testing::Contains(::testing::MatchesRegex("GET /v1/config 200 [0-9]+ms")));
}

TEST_F(RestServerTest, HostileRequestsGetSpecErrorsAndTheServerKeepsServing) {
  RestServiceOptions options;
  options.max_body_bytes = 4096;
  StartServer(options);
  io::HttpResponse big = Send(io::HttpMethod::kPost, "/v1/namespaces", std::string(100000, 'x'));
  EXPECT_EQ(big.status, 413);
  EXPECT_EQ(JsonOf(big)["error"]["code"], 413);
  EXPECT_EQ(JsonOf(big)["error"]["type"], "BadRequestException");
  io::HttpResponse malformed = Send(io::HttpMethod::kPost, "/v1/namespaces", "{\"namespace\": [");
  EXPECT_EQ(malformed.status, 400);
  EXPECT_EQ(JsonOf(malformed)["error"]["type"], "BadRequestException");
  io::HttpResponse deep = Send(io::HttpMethod::kPost, "/v1/namespaces",
                               std::string(1500, '[') + std::string(1500, ']'));
  EXPECT_EQ(deep.status, 400);
  EXPECT_EQ(Send(io::HttpMethod::kGet, "/v1/config").status, 200);
}

// Regression: a body announced larger than the limit was read (or waited for) before the 413.
// Now the 413 comes after the headers alone, closing the connection.
TEST_F(RestServerTest, AnOversizedBodyIsRefusedBeforeItIsSent) {
  RestServiceOptions options;
  options.max_body_bytes = 4096;
  StartServer(options);
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  ASSERT_GE(fd, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(server_->port()));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)), 0);
  const std::string headers =
      "POST /v1/namespaces HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
      "Content-Length: 1073741824\r\n\r\n";
  ASSERT_EQ(::send(fd, headers.data(), headers.size(), 0), static_cast<ssize_t>(headers.size()));
  std::string answer;
  char buf[4096];
  ssize_t n;
  while ((n = ::recv(fd, buf, sizeof(buf), 0)) > 0) answer.append(buf, static_cast<size_t>(n));
  ::close(fd);
  EXPECT_THAT(answer, ::testing::StartsWith("HTTP/1.1 413"));
  EXPECT_THAT(answer, ::testing::HasSubstr("Connection: close"));
  EXPECT_THAT(answer, ::testing::HasSubstr("BadRequestException"));
  EXPECT_EQ(Send(io::HttpMethod::kGet, "/v1/config").status, 200);
}

TEST_F(RestServerTest, TokensAreCheckedAndNeverLogged) {
  RestServiceOptions options;
  options.tokens =
      std::make_shared<const BearerTokens>(*BearerTokens::Parse("tok-secret-1\n", "tokens"));
  StartServer(options);
  io::HttpResponse anonymous = Send(io::HttpMethod::kGet, "/v1/namespaces");
  EXPECT_EQ(anonymous.status, 401);
  EXPECT_EQ(JsonOf(anonymous)["error"]["type"], "NotAuthorizedException");
  EXPECT_EQ(Send(io::HttpMethod::kGet, "/v1/namespaces", "", "wrong").status, 401);
  EXPECT_EQ(Send(io::HttpMethod::kGet, "/v1/namespaces", "", "tok-secret-1").status, 200);
  for (const std::string& line : Log()) EXPECT_THAT(line, Not(HasSubstr("tok-secret")));
  EXPECT_EQ(Log().size(), 3u);
}

TEST_F(RestServerTest, ManyClientsAtOnce) {
  StartServer();
  f_.CreateTable("t");
  std::atomic<int> ok{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&] {
      auto client = io::HttpClient::Make();
      if (!client.ok()) return;
      for (int i = 0; i < 20; ++i) {
        io::HttpRequest request;
        request.url = server_->endpoint() + "/v1/namespaces/db/tables/t";
        auto response = (*client)->Send(request);
        if (response.ok() && response->status == 200) ++ok;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(ok.load(), 160);
}

TEST(RestServerHostTest, LoopbackHosts) {
  for (const char* host : {"127.0.0.1", "127.1.2.3", "::1", "[::1]", "localhost", "LocalHost"}) {
    EXPECT_TRUE(IsLoopbackHost(host)) << host;
  }
  for (const char* host : {"0.0.0.0", "::", "10.0.0.1", "192.168.1.1", "example.com", ""}) {
    EXPECT_FALSE(IsLoopbackHost(host)) << host;
  }
}

}  // namespace
}  // namespace faceberg::server
