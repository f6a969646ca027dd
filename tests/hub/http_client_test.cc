// HttpClient against a small in-process httplib server: retries, backoff hints, redirects and
// credentials, limits, concurrency and connection reuse.
#include "io/http_client.h"

#include <atomic>
#include <mutex>
#include <set>
#include <thread>

#include "http_test_server.h"
#include "test_util.h"

namespace faceberg::io {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

HttpClientOptions FastOptions() {
  HttpClientOptions options;
  options.backoff_base = 5ms;
  options.backoff_max = 20ms;
  options.retry_after_margin = 0ms;
  options.max_retries = 3;
  options.connect_timeout = 2000ms;
  return options;
}

class HttpClientTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto& s = server_.server();
    s.Get("/hello", [](const httplib::Request&, httplib::Response& res) {
      res.set_header("X-Thing", "yes");
      res.set_content("hello world", "text/plain");
    });
    s.Get("/flaky", [this](const httplib::Request&, httplib::Response& res) {
      if (flaky_calls_++ < 2) {
        res.status = 503;
        return;
      }
      res.set_content("finally", "text/plain");
    });
    s.Get("/always503", [this](const httplib::Request&, httplib::Response& res) {
      ++always_calls_;
      res.status = 503;
      res.set_header("X-Error-Message", "overloaded");
    });
    s.Get("/missing", [this](const httplib::Request&, httplib::Response& res) {
      ++missing_calls_;
      res.status = 404;
      res.set_content("{\"error\":\"nope\"}", "application/json");
    });
    s.Post("/post500", [this](const httplib::Request&, httplib::Response& res) {
      ++post_calls_;
      res.status = 500;
    });
    s.Get("/retry-after", [this](const httplib::Request&, httplib::Response& res) {
      if (retry_after_calls_++ == 0) {
        res.status = 429;
        res.set_header("Retry-After", "1");
        return;
      }
      res.set_content("ok", "text/plain");
    });
    s.Get("/ratelimit", [this](const httplib::Request&, httplib::Response& res) {
      if (ratelimit_calls_++ == 0) {
        res.status = 429;
        res.set_header("RateLimit", "\"api\";r=0;t=1");
        res.set_header("Retry-After", "30");  // ignored: RateLimit wins on a 429
        return;
      }
      res.set_content("ok", "text/plain");
    });
    s.Get("/auth", [](const httplib::Request& req, httplib::Response& res) {
      res.set_content(req.get_header_value("Authorization"), "text/plain");
    });
    s.Get("/redirect-same", [](const httplib::Request&, httplib::Response& res) {
      res.status = 302;
      res.set_header("Location", "/auth");
      res.set_header("X-Linked-Size", "42");
    });
    s.Get("/redirect-other", [this](const httplib::Request&, httplib::Response& res) {
      res.status = 302;
      res.set_header("Location", server_.other_origin_base() + "/auth");
    });
    s.Get("/loop", [](const httplib::Request&, httplib::Response& res) {
      res.status = 307;
      res.set_header("Location", "/loop?token=hf_secret_in_query");
    });
    s.Post("/see-other", [](const httplib::Request&, httplib::Response& res) {
      res.status = 303;
      res.set_header("Location", "/hello");
    });
    s.Put("/echo", [](const httplib::Request& req, httplib::Response& res) {
      res.set_content(req.method + ":" + req.body, "text/plain");
    });
    s.Post("/echo", [](const httplib::Request& req, httplib::Response& res) {
      res.set_content(req.method + ":" + req.get_header_value("Content-Type") + ":" + req.body,
                      "text/plain");
    });
    s.Get("/range", [](const httplib::Request& req, httplib::Response& res) {
      res.set_content(req.get_header_value("Range"), "text/plain");
    });
    s.Get("/big", [](const httplib::Request&, httplib::Response& res) {
      res.set_content(std::string(100'000, 'x'), "application/octet-stream");
    });
    s.Get("/slow", [this](const httplib::Request& req, httplib::Response& res) {
      int now = ++in_flight_;
      {
        std::lock_guard<std::mutex> lock(mutex_);
        max_in_flight_ = std::max(max_in_flight_, now);
        ports_.insert(req.remote_port);
      }
      std::this_thread::sleep_for(100ms);
      --in_flight_;
      res.set_content("slow", "text/plain");
    });
    s.Get("/port", [this](const httplib::Request& req, httplib::Response& res) {
      std::lock_guard<std::mutex> lock(mutex_);
      ports_.insert(req.remote_port);
      res.set_content("p", "text/plain");
    });
    ASSERT_TRUE(server_.Start());
    ASSERT_OK_AND_ASSIGN(client_, HttpClient::Make(FastOptions()));
  }

  HttpRequest Get(const std::string& path) {
    HttpRequest request;
    request.url = server_.base() + path;
    return request;
  }

  testing::HttpTestServer server_;
  std::unique_ptr<HttpClient> client_;
  std::atomic<int> flaky_calls_{0}, always_calls_{0}, missing_calls_{0}, post_calls_{0},
      retry_after_calls_{0}, ratelimit_calls_{0}, in_flight_{0};
  std::mutex mutex_;
  int max_in_flight_ = 0;
  std::set<int> ports_;
};

TEST_F(HttpClientTest, GetReturnsStatusHeadersBody) {
  ASSERT_OK_AND_ASSIGN(HttpResponse response, client_->Send(Get("/hello")));
  EXPECT_EQ(response.status, 200);
  EXPECT_EQ(response.reason, "OK");
  EXPECT_EQ(response.body, "hello world");
  EXPECT_EQ(response.headers.Get("x-thing"), "yes");
  EXPECT_EQ(response.headers.Get("content-length"), "11");
  EXPECT_EQ(response.final_url, server_.base() + "/hello");
  EXPECT_EQ(response.attempts, 1);
}

TEST_F(HttpClientTest, HeadHasNoBody) {
  HttpRequest request = Get("/hello");
  request.method = HttpMethod::kHead;
  ASSERT_OK_AND_ASSIGN(HttpResponse response, client_->Send(request));
  EXPECT_EQ(response.status, 200);
  EXPECT_EQ(response.body, "");
  EXPECT_EQ(response.headers.Get("Content-Length"), "11");
}

TEST_F(HttpClientTest, RetriesRetryableStatusesThenSucceeds) {
  ASSERT_OK_AND_ASSIGN(HttpResponse response, client_->Send(Get("/flaky")));
  EXPECT_EQ(response.status, 200);
  EXPECT_EQ(response.body, "finally");
  EXPECT_EQ(response.attempts, 3);
  EXPECT_EQ(flaky_calls_, 3);
}

TEST_F(HttpClientTest, GivesUpWithAClearErrorWithoutQueryOrToken) {
  HttpRequest request = Get("/always503?signature=s3cr3t");
  request.bearer_token = "hf_do_not_print";
  auto result = client_->Send(request);
  ASSERT_FALSE(result.ok());
  const Status& st = result.status();
  EXPECT_EQ(st.code(), ErrorCode::kNetwork);
  EXPECT_THAT(st.message(), ::testing::HasSubstr("GET " + server_.base() + "/always503 failed"));
  EXPECT_THAT(st.message(), ::testing::HasSubstr("after 4 attempts"));
  EXPECT_THAT(st.message(), ::testing::HasSubstr("HTTP 503"));
  EXPECT_THAT(st.message(), ::testing::HasSubstr("overloaded"));
  EXPECT_THAT(st.message(), ::testing::Not(::testing::HasSubstr("s3cr3t")));
  EXPECT_THAT(st.message(), ::testing::Not(::testing::HasSubstr("hf_do_not_print")));
  EXPECT_EQ(always_calls_, 4);
}

TEST_F(HttpClientTest, NonRetryableStatusIsAValue) {
  ASSERT_OK_AND_ASSIGN(HttpResponse response, client_->Send(Get("/missing")));
  EXPECT_EQ(response.status, 404);
  EXPECT_FALSE(response.ok());
  EXPECT_EQ(response.body, "{\"error\":\"nope\"}");
  EXPECT_EQ(missing_calls_, 1);
}

TEST_F(HttpClientTest, RetryModes) {
  HttpRequest post = Get("/post500");
  post.method = HttpMethod::kPost;
  post.retry = HttpRetry::kRejectedOnly;
  ASSERT_OK_AND_ASSIGN(HttpResponse once, client_->Send(post));
  EXPECT_EQ(once.status, 500);  // the server may have acted: not retried
  EXPECT_EQ(post_calls_, 1);
  post.retry = HttpRetry::kAll;
  EXPECT_ERROR(client_->Send(post), ErrorCode::kNetwork, "after 4 attempts");
  EXPECT_EQ(post_calls_, 5);
  HttpRequest never = Get("/always503");
  never.retry = HttpRetry::kNever;
  ASSERT_OK_AND_ASSIGN(HttpResponse unavailable, client_->Send(never));
  EXPECT_EQ(unavailable.status, 503);
  EXPECT_EQ(always_calls_, 1);
}

TEST_F(HttpClientTest, HonoursRetryAfterSeconds) {
  auto start = Clock::now();
  ASSERT_OK_AND_ASSIGN(HttpResponse response, client_->Send(Get("/retry-after")));
  EXPECT_EQ(response.status, 200);
  EXPECT_GE(Clock::now() - start, 950ms);  // the backoff alone would be <= 5 ms
  EXPECT_EQ(response.attempts, 2);
}

TEST_F(HttpClientTest, HonoursRateLimitOnA429) {
  auto start = Clock::now();
  ASSERT_OK_AND_ASSIGN(HttpResponse response, client_->Send(Get("/ratelimit")));
  EXPECT_EQ(response.status, 200);
  auto waited = Clock::now() - start;
  EXPECT_GE(waited, 950ms);
  EXPECT_LT(waited, 10s);  // not the 30 s of Retry-After
}

TEST_F(HttpClientTest, RetriesARefusedConnectionOnceThenNamesIt) {
  HttpRequest request;
  {
    testing::HttpTestServer closed;  // a port nobody listens on any more
    ASSERT_TRUE(closed.Start());
    request.url = closed.base() + "/x?token=abc";
  }
  // Regression: a hub that is down took the whole backoff (about 17 s with the defaults)
  // before the error; connect failures now get max_connect_retries (1) retries.
  auto result = client_->Send(request);
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.status().code(), ErrorCode::kNetwork);
  EXPECT_THAT(result.status().message(), ::testing::HasSubstr("after 2 attempts"));
  EXPECT_THAT(result.status().message(), ::testing::Not(::testing::HasSubstr("token=abc")));

  HttpClientOptions patient = FastOptions();
  patient.max_connect_retries = 10;  // still bounded by max_retries (3)
  ASSERT_OK_AND_ASSIGN(auto client, HttpClient::Make(patient));
  auto again = client->Send(request);
  EXPECT_ERROR(again, ErrorCode::kNetwork, "after 4 attempts");
}

TEST_F(HttpClientTest, BearerTokenOnlyAsHeader) {
  HttpRequest request = Get("/auth");
  request.bearer_token = "hf_abc";
  ASSERT_OK_AND_ASSIGN(HttpResponse response, client_->Send(request));
  EXPECT_EQ(response.body, "Bearer hf_abc");
  EXPECT_EQ(response.final_url.find("hf_abc"), std::string::npos);
}

TEST_F(HttpClientTest, SameOriginRedirectKeepsAuthorization) {
  HttpRequest request = Get("/redirect-same");
  request.bearer_token = "hf_abc";
  ASSERT_OK_AND_ASSIGN(HttpResponse response, client_->Send(request));
  EXPECT_EQ(response.status, 200);
  EXPECT_EQ(response.body, "Bearer hf_abc");
  EXPECT_EQ(response.final_url, server_.base() + "/auth");
  ASSERT_EQ(response.redirect_headers.size(), 1u);
  EXPECT_EQ(response.redirect_headers[0].Get("X-Linked-Size"), "42");
}

TEST_F(HttpClientTest, CrossOriginRedirectDropsAuthorization) {
  HttpRequest request = Get("/redirect-other");
  request.bearer_token = "hf_abc";
  request.headers.Add("Authorization", "Basic also-dropped");
  ASSERT_OK_AND_ASSIGN(HttpResponse response, client_->Send(request));
  EXPECT_EQ(response.status, 200);
  EXPECT_EQ(response.body, "");  // no Authorization reached the other origin
  EXPECT_EQ(response.final_url, server_.other_origin_base() + "/auth");
}

TEST_F(HttpClientTest, RedirectsCanBeTurnedOff) {
  HttpRequest request = Get("/redirect-same");
  request.follow_redirects = false;
  ASSERT_OK_AND_ASSIGN(HttpResponse response, client_->Send(request));
  EXPECT_EQ(response.status, 302);
  EXPECT_EQ(response.headers.Get("Location"), "/auth");
}

TEST_F(HttpClientTest, RedirectLoopEndsWithAnError) {
  HttpRequest request = Get("/loop");
  request.bearer_token = "hf_secret_token";
  auto result = client_->Send(request);
  ASSERT_FALSE(result.ok());
  EXPECT_THAT(result.status().message(), ::testing::HasSubstr("redirected more than 10 times"));
  EXPECT_THAT(result.status().message(), ::testing::Not(::testing::HasSubstr("hf_secret")));
}

TEST_F(HttpClientTest, SeeOtherTurnsPostIntoGet) {
  HttpRequest request = Get("/see-other");
  request.method = HttpMethod::kPost;
  request.body = "x";
  ASSERT_OK_AND_ASSIGN(HttpResponse response, client_->Send(request));
  EXPECT_EQ(response.status, 200);
  EXPECT_EQ(response.body, "hello world");
}

TEST_F(HttpClientTest, PutAndPostSendBodies) {
  HttpRequest put = Get("/echo");
  put.method = HttpMethod::kPut;
  put.body = std::string("bin\0ary", 7);
  ASSERT_OK_AND_ASSIGN(HttpResponse put_response, client_->Send(put));
  EXPECT_EQ(put_response.body, std::string("PUT:bin\0ary", 11));
  HttpRequest post = Get("/echo");
  post.method = HttpMethod::kPost;
  post.headers.Add("Content-Type", "application/x-ndjson");
  post.body = "{}\n";
  ASSERT_OK_AND_ASSIGN(HttpResponse post_response, client_->Send(post));
  EXPECT_EQ(post_response.body, "POST:application/x-ndjson:{}\n");
  HttpRequest empty = Get("/echo");
  empty.method = HttpMethod::kPost;
  ASSERT_OK_AND_ASSIGN(HttpResponse empty_response, client_->Send(empty));
  EXPECT_EQ(empty_response.status, 200);
}

TEST_F(HttpClientTest, RangeHeaderIsSent) {
  HttpRequest request = Get("/range");
  request.headers.Add("Range", SuffixRangeHeaderValue(8));
  ASSERT_OK_AND_ASSIGN(HttpResponse response, client_->Send(request));
  EXPECT_EQ(response.body, "bytes=-8");
}

TEST_F(HttpClientTest, BodyLimit) {
  HttpRequest request = Get("/big");
  request.max_body_size = 1000;
  EXPECT_ERROR(client_->Send(request), ErrorCode::kInvalidArgument, "larger than the 1000 bytes");
  request.max_body_size = 0;
  ASSERT_OK_AND_ASSIGN(HttpResponse response, client_->Send(request));
  EXPECT_EQ(response.body.size(), 100'000u);
}

TEST_F(HttpClientTest, RejectsNonHttpUrls) {
  HttpRequest request;
  request.url = "file:///etc/passwd";
  EXPECT_ERROR(client_->Send(request), ErrorCode::kInvalidArgument, "not an http(s) URL");
}

TEST_F(HttpClientTest, SendAllRunsConcurrentlyWithinTheLimit) {
  HttpClientOptions options = FastOptions();
  options.max_connections = 4;
  ASSERT_OK_AND_ASSIGN(auto client, HttpClient::Make(options));
  std::vector<HttpRequest> requests(12, Get("/slow"));
  requests[5] = Get("/hello");
  auto start = Clock::now();
  auto results = client->SendAll(requests);
  auto elapsed = Clock::now() - start;
  ASSERT_EQ(results.size(), 12u);
  for (size_t i = 0; i < results.size(); ++i) {
    ASSERT_OK(results[i]);
    EXPECT_EQ(results[i]->body, i == 5 ? "hello world" : "slow");
  }
  // 11 slow requests, at most 4 at a time: at least three waves of 100 ms. (Concurrency is
  // checked by the server's in-flight count below, not by an upper time bound.)
  EXPECT_GE(elapsed, 250ms);
  EXPECT_LE(max_in_flight_, 4);
  EXPECT_GE(max_in_flight_, 2);
}

TEST_F(HttpClientTest, ReusesConnections) {
  // httplib closes a keep-alive connection after 5 requests; 5 sequential requests then share
  // one connection.
  for (int i = 0; i < 5; ++i) ASSERT_OK(client_->Send(Get("/port")));
  EXPECT_EQ(ports_.size(), 1u);
}

TEST_F(HttpClientTest, SafeForConcurrentCallers) {
  std::vector<std::thread> threads;
  std::atomic<int> ok{0};
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 25; ++i) {
        auto response = client_->Send(Get("/hello"));
        if (response.ok() && response->body == "hello world") ++ok;
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(ok, 100);
  EXPECT_GE(client_->attempts_started(), 100u);
}

}  // namespace
}  // namespace faceberg::io
