// The local hub over plain HTTP (cpp-httplib's client): every route, pagination, ranges, errors,
// commits with parentCommit, LFS uploads, restarts, tokens, fault injection and latency.
#include "hub/local_hub.h"

#include <httplib.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <thread>

#include "hub/local_hub_codec_internal.h"
#include "test_util.h"
#include "util/json.h"
#include "util/strings.h"

namespace faceberg::hub {
namespace {

namespace fs = std::filesystem;
using faceberg::testing::TempDir;
using internal::Base64Encode;
using internal::GitBlobOid;
using internal::Sha256Hex;
using ::testing::HasSubstr;
using ::testing::StartsWith;

void WriteText(const fs::path& path, const std::string& text) {
  fs::create_directories(path.parent_path());
  std::ofstream out(path, std::ios::binary);
  out << text;
}

std::string Bytes(size_t n, char seed) {
  std::string s(n, '\0');
  for (size_t i = 0; i < n; ++i) s[i] = static_cast<char>((i * 131 + seed) % 251);
  return s;
}

constexpr char kReadme[] =
    "---\nlicense: mit\ntags:\n- demo\nconfigs:\n- config_name: default\n  data_files:\n"
    "  - split: train\n    path: data/train-*\n---\n# Demo\n";

// alice/demo: a README with YAML, 5 csv shards, one parquet (LFS), and a parquet export.
void MakeDemoRepo(const fs::path& root) {
  fs::path repo = root / "datasets" / "alice" / "demo";
  WriteText(repo / "README.md", kReadme);
  for (int i = 0; i < 5; ++i) {
    WriteText(repo / "data" / ("train-0000" + std::to_string(i) + "-of-00005.csv"),
              "id,name\n" + std::to_string(i) + ",row" + std::to_string(i) + "\n");
  }
  WriteText(repo / "data" / "test.parquet", Bytes(3000, 7));
  WriteText(repo / ".refs" / "convert" / "parquet" / "default" / "train" / "0000.parquet",
            Bytes(1000, 3));
  WriteText(repo / ".refs" / "convert" / "parquet" / "default" / "test" / "0000.parquet",
            Bytes(500, 5));
}

class HubClient {
 public:
  explicit HubClient(int port) : cli_("127.0.0.1", port) {
    cli_.set_connection_timeout(5);
    cli_.set_read_timeout(10);
  }
  httplib::Result Get(const std::string& path, httplib::Headers headers = {}) {
    return cli_.Get(path, headers);
  }
  httplib::Result Head(const std::string& path, httplib::Headers headers = {}) {
    return cli_.Head(path, headers);
  }
  httplib::Result Post(const std::string& path, const std::string& body,
                       const std::string& type = "application/json",
                       httplib::Headers headers = {}) {
    return cli_.Post(path, headers, body, type);
  }
  httplib::Result Put(const std::string& path, const std::string& body,
                      httplib::Headers headers = {}) {
    return cli_.Put(path, headers, body, "application/octet-stream");
  }
  httplib::Result Delete(const std::string& path, httplib::Headers headers = {}) {
    return cli_.Delete(path, headers);
  }
  httplib::Result DeleteWithBody(const std::string& path, const std::string& body) {
    return cli_.Delete(path, body, "application/json");
  }

 private:
  httplib::Client cli_;
};

Json BodyJson(const httplib::Result& r) {
  auto j = ParseJson(r->body, "response");
  EXPECT_TRUE(j.ok()) << r->body;
  return j.ok() ? *j : Json();
}

// Splits "http://127.0.0.1:PORT/path?query" into the path and query part.
std::string PathOf(const std::string& url) {
  size_t scheme = url.find("://");
  size_t slash = url.find('/', scheme == std::string::npos ? 0 : scheme + 3);
  return slash == std::string::npos ? "/" : url.substr(slash);
}

// The URL of a `Link: <url>; rel="next"` header, or "".
std::string NextLink(const httplib::Result& r) {
  std::string link = r->get_header_value("Link");
  if (link.empty()) return "";
  EXPECT_THAT(link, StartsWith("<http://127.0.0.1:"));
  EXPECT_THAT(link, HasSubstr(">; rel=\"next\""));
  return link.substr(1, link.find('>') - 1);
}

std::string CommitLine(const std::string& key, const Json& value) {
  return DumpJson(Json{{"key", key}, {"value", value}}) + "\n";
}

std::string Header(const std::string& summary, const std::string& parent = "") {
  Json v{{"summary", summary}, {"description", ""}};
  if (!parent.empty()) v["parentCommit"] = parent;
  return CommitLine("header", v);
}

std::string FileLine(const std::string& path, const std::string& content) {
  return CommitLine(
      "file", Json{{"content", Base64Encode(content)}, {"path", path}, {"encoding", "base64"}});
}

class LocalHubTest : public ::testing::Test {
 protected:
  void SetUp() override { MakeDemoRepo(dir_.path()); }

  LocalHubOptions Options() {
    LocalHubOptions o;
    o.root = dir_.path().string();
    o.port = 0;
    o.tree_page_size = 3;
    o.threads = 8;
    return o;
  }

  void StartHub(LocalHubOptions o) {
    auto hub = LocalHub::Start(o);
    ASSERT_TRUE(hub.ok()) << hub.status().ToString();
    hub_ = std::move(hub).value();
    client_ = std::make_unique<HubClient>(hub_->port());
  }
  void StartHub() { StartHub(Options()); }

  std::string MainSha(const std::string& repo = "alice/demo") {
    auto r = client_->Get("/api/datasets/" + repo + "/revision/main");
    EXPECT_TRUE(r && r->status == 200);
    return r ? BodyJson(r).value("sha", "") : "";
  }

  TempDir dir_;
  std::unique_ptr<LocalHub> hub_;
  std::unique_ptr<HubClient> client_;
};

// ---- info ----

TEST_F(LocalHubTest, InfoHasShaSiblingsAndCardData) {
  StartHub();
  auto r = client_->Get("/api/datasets/alice/demo");
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200) << r->body;
  Json j = BodyJson(r);
  EXPECT_EQ(j["id"], "alice/demo");
  EXPECT_EQ(j["author"], "alice");
  EXPECT_TRUE(internal::IsHex(j["sha"].get<std::string>(), 40));
  EXPECT_EQ(j["private"], false);
  EXPECT_EQ(j["gated"], false);
  EXPECT_THAT(j["lastModified"].get<std::string>(), ::testing::EndsWith("Z"));
  EXPECT_EQ(j["cardData"]["license"], "mit");
  EXPECT_EQ(j["cardData"]["configs"][0]["config_name"], "default");
  EXPECT_EQ(j["tags"], Json::array({"demo"}));
  std::vector<std::string> names;
  for (const auto& s : j["siblings"]) names.push_back(s["rfilename"]);
  EXPECT_EQ(names.size(), 7u);  // README, 5 csv, 1 parquet; not the .refs folder
  EXPECT_FALSE(j["siblings"][0].contains("size"));

  auto blobs = client_->Get("/api/datasets/alice/demo?blobs=true");
  Json jb = BodyJson(blobs);
  bool saw_lfs = false;
  for (const auto& s : jb["siblings"]) {
    EXPECT_TRUE(s.contains("size"));
    EXPECT_TRUE(s.contains("blobId"));
    if (s["rfilename"] == "data/test.parquet") {
      saw_lfs = true;
      EXPECT_EQ(s["lfs"]["sha256"], Sha256Hex(Bytes(3000, 7)));
      EXPECT_EQ(s["lfs"]["size"], 3000);
      EXPECT_EQ(s["lfs"]["pointerSize"], 129);
    } else {
      EXPECT_FALSE(s.contains("lfs")) << s.dump();
    }
  }
  EXPECT_TRUE(saw_lfs);

  auto expand = client_->Get("/api/datasets/alice/demo?expand=sha&expand=private");
  Json je = BodyJson(expand);
  EXPECT_TRUE(je.contains("sha"));
  EXPECT_TRUE(je.contains("private"));
  EXPECT_FALSE(je.contains("siblings"));
}

TEST_F(LocalHubTest, InfoByRevisionAcceptsBranchShaShortShaAndEncodedRefs) {
  StartHub();
  std::string sha = MainSha();
  for (const std::string& rev : std::vector<std::string>{"main", sha, sha.substr(0, 7)}) {
    auto r = client_->Get("/api/datasets/alice/demo/revision/" + rev);
    ASSERT_TRUE(r);
    ASSERT_EQ(r->status, 200) << rev;
    EXPECT_EQ(BodyJson(r)["sha"], sha);
  }
  auto parquet = client_->Get("/api/datasets/alice/demo/revision/refs%2Fconvert%2Fparquet");
  ASSERT_EQ(parquet->status, 200);
  std::string parquet_sha = BodyJson(parquet)["sha"];
  EXPECT_NE(parquet_sha, sha);
  EXPECT_EQ(BodyJson(client_->Get("/api/datasets/alice/demo/revision/~parquet"))["sha"],
            parquet_sha);
  EXPECT_EQ(BodyJson(client_->Get("/api/datasets/alice/demo/revision/refs/convert/parquet"))["sha"],
            parquet_sha);

  auto missing = client_->Get("/api/datasets/alice/demo/revision/nope");
  EXPECT_EQ(missing->status, 404);
  EXPECT_EQ(missing->get_header_value("X-Error-Code"), "RevisionNotFound");
  EXPECT_THAT(BodyJson(missing)["error"].get<std::string>(), HasSubstr("Invalid rev id"));
  auto twice = client_->Get("/api/datasets/alice/demo/revision/refs%252Fconvert%252Fparquet");
  EXPECT_EQ(twice->status, 404);
  EXPECT_EQ(twice->get_header_value("X-Error-Code"), "RevisionNotFound");
}

TEST_F(LocalHubTest, MissingRepoIs401AnonymousAnd404WithAToken) {
  StartHub();
  auto anon = client_->Get("/api/datasets/alice/nope");
  EXPECT_EQ(anon->status, 401);
  EXPECT_EQ(anon->get_header_value("X-Error-Code"), "RepoNotFound");
  auto authed = client_->Get("/api/datasets/alice/nope", {{"Authorization", "Bearer hf_x"}});
  EXPECT_EQ(authed->status, 404);
  EXPECT_EQ(authed->get_header_value("X-Error-Code"), "RepoNotFound");
  EXPECT_EQ(BodyJson(authed)["error"], "Repository not found");
  auto resolve = client_->Head("/datasets/alice/nope/resolve/main/x.csv");
  EXPECT_EQ(resolve->status, 401);
  EXPECT_EQ(resolve->get_header_value("X-Error-Code"), "RepoNotFound");
}

TEST_F(LocalHubTest, ListsDatasets) {
  StartHub();
  auto r = client_->Get("/api/datasets?author=alice");
  ASSERT_EQ(r->status, 200);
  Json j = BodyJson(r);
  ASSERT_EQ(j.size(), 1u);
  EXPECT_EQ(j[0]["id"], "alice/demo");
}

// ---- tree ----

TEST_F(LocalHubTest, TreeListsCompactJsonWithDirectoriesFirst) {
  StartHub();
  auto r = client_->Get("/api/datasets/alice/demo/tree/main?recursive=false&expand=false");
  ASSERT_EQ(r->status, 200);
  EXPECT_THAT(r->body, HasSubstr("\"type\":\"directory\""));
  EXPECT_THAT(r->body, HasSubstr("\"path\":\"README.md\""));
  Json j = BodyJson(r);
  ASSERT_EQ(j.size(), 2u);
  EXPECT_EQ(j[0]["type"], "directory");
  EXPECT_EQ(j[0]["path"], "data");
  EXPECT_EQ(j[0]["size"], 0);
  EXPECT_TRUE(internal::IsHex(j[0]["oid"].get<std::string>(), 40));
  EXPECT_EQ(j[1]["oid"], GitBlobOid(kReadme));
  EXPECT_EQ(j[1]["size"], std::string(kReadme).size());
  // Key order of the Hub: type, oid, size, lfs, path.
  EXPECT_THAT(r->body, HasSubstr("{\"type\":\"file\",\"oid\":\""));
}

TEST_F(LocalHubTest, TreePaginatesWithAbsoluteLinks) {
  StartHub();  // tree_page_size = 3
  std::string url = "/api/datasets/alice/demo/tree/main?recursive=true&expand=false";
  std::vector<std::string> paths;
  int pages = 0;
  while (!url.empty() && pages < 20) {
    auto r = client_->Get(url);
    ASSERT_TRUE(r);
    ASSERT_EQ(r->status, 200) << r->body;
    Json j = BodyJson(r);
    EXPECT_LE(j.size(), 3u);
    for (const auto& e : j) paths.push_back(e["path"]);
    std::string next = NextLink(r);
    url = next.empty() ? "" : PathOf(next);
    ++pages;
  }
  EXPECT_EQ(pages, 3);
  ASSERT_EQ(paths.size(), 8u);  // data/ + README + 6 files under data/
  std::set<std::string> unique(paths.begin(), paths.end());
  EXPECT_EQ(unique.size(), paths.size());
  EXPECT_TRUE(unique.count("data/test.parquet"));

  // limit overrides the page size; the file entry of an LFS file carries lfs info.
  auto limited = client_->Get("/api/datasets/alice/demo/tree/main/data?limit=100");
  Json all = BodyJson(limited);
  EXPECT_EQ(all.size(), 6u);
  EXPECT_TRUE(limited->get_header_value("Link").empty());
  for (const auto& e : all) {
    if (e["path"] == "data/test.parquet") {
      EXPECT_EQ(e["lfs"]["oid"], Sha256Hex(Bytes(3000, 7)));
      EXPECT_EQ(e["lfs"]["pointerSize"], 129);
      EXPECT_NE(e["oid"], GitBlobOid(Bytes(3000, 7)));  // the pointer's id
    }
  }
}

TEST_F(LocalHubTest, TreeExpandAddsLastCommit) {
  StartHub();
  auto r = client_->Get("/api/datasets/alice/demo/tree/main?expand=true");
  Json j = BodyJson(r);
  ASSERT_FALSE(j.empty());
  EXPECT_EQ(j[0]["lastCommit"]["id"], MainSha());
  EXPECT_TRUE(j[1].contains("securityFileStatus"));
}

TEST_F(LocalHubTest, TreeRevisionsAndErrors) {
  StartHub();
  auto encoded = client_->Get("/api/datasets/alice/demo/tree/refs%2Fconvert%2Fparquet/default");
  ASSERT_EQ(encoded->status, 200);
  EXPECT_EQ(BodyJson(encoded).size(), 2u);  // default/test, default/train
  auto plain = client_->Get("/api/datasets/alice/demo/tree/refs/convert/parquet/default/train");
  ASSERT_EQ(plain->status, 200);
  EXPECT_EQ(BodyJson(plain)[0]["path"], "default/train/0000.parquet");
  auto slash_path = client_->Get("/api/datasets/alice/demo/tree/main/data%2F");
  EXPECT_EQ(slash_path->status, 200);

  auto missing_path = client_->Get("/api/datasets/alice/demo/tree/main/nope");
  EXPECT_EQ(missing_path->status, 404);
  EXPECT_EQ(missing_path->get_header_value("X-Error-Code"), "EntryNotFound");
  auto bad_rev = client_->Get("/api/datasets/alice/demo/tree/nope");
  EXPECT_EQ(bad_rev->status, 404);
  EXPECT_EQ(bad_rev->get_header_value("X-Error-Code"), "RevisionNotFound");
  EXPECT_FALSE(bad_rev->get_header_value("X-Error-Message").empty());
  auto twice = client_->Get("/api/datasets/alice/demo/tree/refs%252Fconvert%252Fparquet");
  EXPECT_EQ(twice->status, 404);
  EXPECT_EQ(twice->get_header_value("X-Error-Code"), "RevisionNotFound");
  auto bad_cursor = client_->Get("/api/datasets/alice/demo/tree/main?cursor=%%%");
  EXPECT_EQ(bad_cursor->status, 400);
}

TEST_F(LocalHubTest, PathsInfoAcceptsFormAndJson) {
  StartHub();
  auto form = client_->Post("/api/datasets/alice/demo/paths-info/main",
                            "paths=README.md&paths=data&paths=missing.txt&expand=false",
                            "application/x-www-form-urlencoded");
  ASSERT_EQ(form->status, 200) << form->body;
  Json f = BodyJson(form);
  ASSERT_EQ(f.size(), 2u);
  EXPECT_EQ(f[0]["type"], "file");
  EXPECT_EQ(f[1]["type"], "directory");
  auto json = client_->Post("/api/datasets/alice/demo/paths-info/main",
                            R"({"paths":["data/test.parquet"],"expand":true})");
  ASSERT_EQ(json->status, 200);
  Json j = BodyJson(json);
  ASSERT_EQ(j.size(), 1u);
  EXPECT_TRUE(j[0].contains("lfs"));
  EXPECT_TRUE(j[0].contains("lastCommit"));

  // More than the 8 KiB cpp-httplib allows for form bodies by default.
  std::string big = "expand=false";
  for (int i = 0; i < 600; ++i) big += "&paths=data%2Ftrain-00000-of-00005.csv";
  auto large = client_->Post("/api/datasets/alice/demo/paths-info/main", big,
                             "application/x-www-form-urlencoded");
  ASSERT_EQ(large->status, 200);
  EXPECT_EQ(BodyJson(large).size(), 600u);
}

TEST_F(LocalHubTest, RefsListBranchesConvertsTagsAndPrs) {
  StartHub();
  auto r = client_->Get("/api/datasets/alice/demo/refs");
  Json j = BodyJson(r);
  ASSERT_EQ(j["branches"].size(), 1u);
  EXPECT_EQ(j["branches"][0]["name"], "main");
  EXPECT_EQ(j["branches"][0]["ref"], "refs/heads/main");
  ASSERT_EQ(j["converts"].size(), 1u);
  EXPECT_EQ(j["converts"][0]["name"], "parquet");
  EXPECT_EQ(j["converts"][0]["ref"], "refs/convert/parquet");
  EXPECT_FALSE(j.contains("pullRequests"));
  EXPECT_TRUE(BodyJson(client_->Get("/api/datasets/alice/demo/refs?include_prs=1"))
                  .contains("pullRequests"));
}

TEST_F(LocalHubTest, ParquetListingRedirectsToTheExport) {
  StartHub();
  auto r = client_->Get("/api/datasets/alice/demo/parquet");
  ASSERT_EQ(r->status, 200);
  Json j = BodyJson(r);
  ASSERT_EQ(j["default"]["train"].size(), 1u);
  std::string url = j["default"]["train"][0];
  EXPECT_THAT(url, ::testing::EndsWith("/parquet/default/train/0.parquet"));
  auto shard = client_->Get(PathOf(url));
  EXPECT_EQ(shard->status, 302);
  // (cpp-httplib's client decodes Location; the server sends refs%2Fconvert%2Fparquet.)
  EXPECT_THAT(shard->get_header_value("Location"), HasSubstr("/datasets/alice/demo/resolve/refs"));
  EXPECT_THAT(shard->get_header_value("Location"), HasSubstr("/default/train/0000.parquet"));
}

// ---- resolve ----

TEST_F(LocalHubTest, ResolveRegularFileRedirectsToResolveCache) {
  StartHub();
  std::string sha = MainSha();
  std::string content = "id,name\n0,row0\n";
  auto head = client_->Head("/datasets/alice/demo/resolve/main/data/train-00000-of-00005.csv");
  ASSERT_EQ(head->status, 307);
  EXPECT_EQ(head->get_header_value("X-Repo-Commit"), sha);
  EXPECT_EQ(head->get_header_value("ETag"), fmt::format("\"{}\"", GitBlobOid(content)));
  std::string location = head->get_header_value("Location");
  ASSERT_THAT(location, StartsWith("/api/resolve-cache/datasets/alice/demo/" + sha + "/"));

  auto final_head = client_->Head(location);
  ASSERT_EQ(final_head->status, 200);
  EXPECT_EQ(final_head->get_header_value("Content-Length"), std::to_string(content.size()));
  EXPECT_EQ(final_head->get_header_value("X-Repo-Commit"), sha);
  EXPECT_EQ(final_head->get_header_value("Accept-Ranges"), "bytes");
  EXPECT_EQ(final_head->get_header_value("ETag"), fmt::format("\"{}\"", GitBlobOid(content)));
  auto get = client_->Get(location);
  ASSERT_EQ(get->status, 200);
  EXPECT_EQ(get->body, content);
  EXPECT_EQ(get->get_header_value("Content-Encoding"), "");
}

TEST_F(LocalHubTest, ResolveServesRanges) {
  LocalHubOptions o = Options();
  o.redirect_regular_files = false;
  StartHub(o);
  std::string path = "/datasets/alice/demo/resolve/main/README.md";
  std::string readme = kReadme;
  auto whole = client_->Get(path);
  ASSERT_EQ(whole->status, 200);
  EXPECT_EQ(whole->body, readme);

  auto r1 = client_->Get(path, {{"Range", "bytes=0-3"}});
  ASSERT_EQ(r1->status, 206);
  EXPECT_EQ(r1->body, readme.substr(0, 4));
  EXPECT_EQ(r1->get_header_value("Content-Range"), "bytes 0-3/" + std::to_string(readme.size()));
  auto r2 = client_->Get(path, {{"Range", "bytes=10-"}});
  ASSERT_EQ(r2->status, 206);
  EXPECT_EQ(r2->body, readme.substr(10));
  auto r3 = client_->Get(path, {{"Range", "bytes=-8"}});
  ASSERT_EQ(r3->status, 206);
  EXPECT_EQ(r3->body, readme.substr(readme.size() - 8));
  auto r4 = client_->Get(path, {{"Range", "bytes=5-100000"}});
  ASSERT_EQ(r4->status, 206);
  EXPECT_EQ(r4->body, readme.substr(5));
  auto past = client_->Get(path, {{"Range", "bytes=100000-"}});
  EXPECT_EQ(past->status, 416);
  EXPECT_EQ(past->get_header_value("Content-Range"), "bytes */" + std::to_string(readme.size()));
  auto multi = client_->Get(path, {{"Range", "bytes=0-1,4-5"}});
  EXPECT_EQ(multi->status, 200);  // multi-range is ignored
  EXPECT_EQ(multi->body, readme);
  auto head = client_->Head(path, {{"Range", "bytes=0-9"}});
  EXPECT_EQ(head->status, 206);
  EXPECT_EQ(head->get_header_value("Content-Length"), "10");

  auto missing = client_->Head("/datasets/alice/demo/resolve/main/nope.txt");
  EXPECT_EQ(missing->status, 404);
  EXPECT_EQ(missing->get_header_value("X-Error-Code"), "EntryNotFound");
  EXPECT_EQ(missing->get_header_value("X-Repo-Commit"), MainSha());
  auto bad_rev = client_->Head("/datasets/alice/demo/resolve/nope/README.md");
  EXPECT_EQ(bad_rev->status, 404);
  EXPECT_EQ(bad_rev->get_header_value("X-Error-Code"), "RevisionNotFound");
}

TEST_F(LocalHubTest, ResolveLfsFileRedirectsToTheCdnOrigin) {
  StartHub();
  std::string content = Bytes(3000, 7);
  std::string sha256 = Sha256Hex(content);
  auto head = client_->Head("/datasets/alice/demo/resolve/main/data/test.parquet");
  ASSERT_EQ(head->status, 302);
  EXPECT_EQ(head->get_header_value("X-Linked-Size"), "3000");
  EXPECT_EQ(head->get_header_value("X-Linked-ETag"), "\"" + sha256 + "\"");
  EXPECT_EQ(head->get_header_value("X-Repo-Commit"), MainSha());
  std::string location = head->get_header_value("Location");
  std::string cdn = "http://127.0.0.1:" + std::to_string(hub_->cdn_port()) + "/";
  ASSERT_THAT(location, StartsWith(cdn));

  HubClient cdn_client(hub_->cdn_port());
  auto cdn_head = cdn_client.Head(PathOf(location));
  ASSERT_EQ(cdn_head->status, 200);
  EXPECT_EQ(cdn_head->get_header_value("Content-Length"), "3000");
  EXPECT_TRUE(cdn_head->get_header_value("X-Repo-Commit").empty());
  auto part = cdn_client.Get(PathOf(location), {{"Range", "bytes=100-199"}});
  ASSERT_EQ(part->status, 206);
  EXPECT_EQ(part->body, content.substr(100, 100));
  auto tail = cdn_client.Get(PathOf(location), {{"Range", "bytes=-8"}});
  EXPECT_EQ(tail->body, content.substr(2992));
  auto forged = cdn_client.Get("/lfs/" + sha256 + "?sig=0000");
  EXPECT_EQ(forged->status, 403);

  // An unencoded refs/convert/parquet revision in the resolve path.
  auto exported =
      client_->Head("/datasets/alice/demo/resolve/refs/convert/parquet/default/train/0000.parquet");
  EXPECT_EQ(exported->status, 302);
  EXPECT_EQ(exported->get_header_value("X-Linked-Size"), "1000");
}

// ---- writes ----

TEST_F(LocalHubTest, CreateRepoThenConflict) {
  StartHub();
  auto r =
      client_->Post("/api/repos/create", R"({"name":"new","organization":"bob","type":"dataset"})");
  ASSERT_EQ(r->status, 200) << r->body;
  EXPECT_EQ(BodyJson(r)["url"], hub_->endpoint() + "/datasets/bob/new");
  auto again =
      client_->Post("/api/repos/create", R"({"name":"new","organization":"bob","type":"dataset"})");
  EXPECT_EQ(again->status, 409);
  EXPECT_EQ(BodyJson(again)["error"], "You already created this dataset repo");
  auto folder_repo = client_->Post("/api/repos/create",
                                   R"({"name":"demo","organization":"alice","type":"dataset"})");
  EXPECT_EQ(folder_repo->status, 409);
  auto model = client_->Post("/api/repos/create", R"({"name":"m","organization":"bob"})");
  EXPECT_EQ(model->status, 400);

  auto tree = client_->Get("/api/datasets/bob/new/tree/main");
  Json j = BodyJson(tree);
  ASSERT_EQ(j.size(), 1u);
  EXPECT_EQ(j[0]["path"], ".gitattributes");
  auto priv = client_->Post("/api/repos/create",
                            R"({"name":"hidden","organization":"bob","type":"dataset",)"
                            R"("visibility":"private"})");
  ASSERT_EQ(priv->status, 200);
  EXPECT_EQ(BodyJson(client_->Get("/api/datasets/bob/hidden"))["private"], true);

  auto deleted = client_->DeleteWithBody("/api/repos/delete",
                                         R"({"name":"new","organization":"bob","type":"dataset"})");
  EXPECT_EQ(deleted->status, 200) << deleted->body;
  EXPECT_EQ(client_->Get("/api/datasets/bob/new")->status, 401);
  auto folder_backed = client_->DeleteWithBody(
      "/api/repos/delete", R"({"name":"demo","organization":"alice","type":"dataset"})");
  EXPECT_EQ(folder_backed->status, 400);
  EXPECT_THAT(BodyJson(folder_backed)["error"].get<std::string>(), HasSubstr("delete the folder"));
}

TEST_F(LocalHubTest, CommitAddsDeletesAndChecksTheParent) {
  StartHub();
  std::string base = MainSha();
  std::string body = Header("add and delete", base.substr(0, 8)) +
                     FileLine("notes/hello.txt", "hello world") +
                     CommitLine("deletedFile", Json{{"path", "data/train-00004-of-00005.csv"}});
  auto r = client_->Post("/api/datasets/alice/demo/commit/main", body, "application/x-ndjson");
  ASSERT_EQ(r->status, 200) << r->body;
  Json j = BodyJson(r);
  EXPECT_EQ(j["success"], true);
  std::string sha = j["commitOid"];
  EXPECT_TRUE(internal::IsHex(sha, 40));
  EXPECT_NE(sha, base);
  EXPECT_EQ(j["commitUrl"], hub_->endpoint() + "/datasets/alice/demo/commit/" + sha);
  EXPECT_EQ(MainSha(), sha);

  auto file = client_->Get("/api/resolve-cache/datasets/alice/demo/" + sha + "/notes/hello.txt");
  EXPECT_EQ(file->body, "hello world");
  auto gone = client_->Head("/datasets/alice/demo/resolve/main/data/train-00004-of-00005.csv");
  EXPECT_EQ(gone->status, 404);
  // The old commit stays readable by its sha.
  auto old = client_->Get("/api/datasets/alice/demo/tree/" + base + "/data?limit=100");
  EXPECT_EQ(BodyJson(old).size(), 6u);

  // A stale parent: 412, nothing changes.
  auto stale =
      client_->Post("/api/datasets/alice/demo/commit/main",
                    Header("stale", base) + FileLine("x.txt", "x"), "application/x-ndjson");
  EXPECT_EQ(stale->status, 412);
  EXPECT_EQ(MainSha(), sha);

  // History: newest first, first-parent.
  auto commits = client_->Get("/api/datasets/alice/demo/commits/main");
  Json c = BodyJson(commits);
  ASSERT_EQ(c.size(), 2u);
  EXPECT_EQ(c[0]["id"], sha);
  EXPECT_EQ(c[0]["title"], "add and delete");
  EXPECT_EQ(c[1]["id"], base);

  // Errors: deleting what is not there, a folder, bad lines.
  auto missing = client_->Post("/api/datasets/alice/demo/commit/main",
                               Header("m") + CommitLine("deletedFile", Json{{"path", "nope"}}),
                               "application/x-ndjson");
  EXPECT_EQ(missing->status, 404);
  EXPECT_EQ(missing->get_header_value("X-Error-Code"), "EntryNotFound");
  auto folder =
      client_->Post("/api/datasets/alice/demo/commit/main",
                    Header("rm data") + CommitLine("deletedFolder", Json{{"path", "data/"}}),
                    "application/x-ndjson");
  ASSERT_EQ(folder->status, 200);
  EXPECT_EQ(client_->Get("/api/datasets/alice/demo/tree/main/data")->status, 404);
  auto bad =
      client_->Post("/api/datasets/alice/demo/commit/main", "{not json\n", "application/x-ndjson");
  EXPECT_EQ(bad->status, 400);
  auto escape = client_->Post("/api/datasets/alice/demo/commit/main",
                              Header("x") + FileLine("../etc/passwd", "x"), "application/x-ndjson");
  EXPECT_EQ(escape->status, 400);
  auto no_branch = client_->Post("/api/datasets/alice/demo/commit/nope",
                                 Header("x") + FileLine("a.txt", "x"), "application/x-ndjson");
  EXPECT_EQ(no_branch->status, 404);
  EXPECT_EQ(no_branch->get_header_value("X-Error-Code"), "RevisionNotFound");
}

TEST_F(LocalHubTest, PreuploadDecidesLfsAndReportsExistingOids) {
  StartHub();
  Json files = Json::array();
  files.push_back({{"path", "README.md"}, {"size", 10}, {"sample", Base64Encode("hello")}});
  files.push_back({{"path", "x.parquet"}, {"size", 10}, {"sample", Base64Encode("PAR1")}});
  files.push_back(
      {{"path", "b.bin"}, {"size", 10}, {"sample", Base64Encode(std::string("a\0b", 3))}});
  files.push_back({{"path", "big.csv"}, {"size", 20 << 20}, {"sample", Base64Encode("a,b")}});
  files.push_back({{"path", "data/test.parquet"}, {"size", 3000}, {"sample", ""}});
  auto r = client_->Post("/api/datasets/alice/demo/preupload/main", Json{{"files", files}}.dump());
  ASSERT_EQ(r->status, 200) << r->body;
  Json j = BodyJson(r);
  EXPECT_EQ(j["commitOid"], MainSha());
  EXPECT_EQ(j["files"][0]["uploadMode"], "regular");
  EXPECT_EQ(j["files"][0]["oid"], GitBlobOid(kReadme));
  EXPECT_EQ(j["files"][1]["uploadMode"], "lfs");
  EXPECT_EQ(j["files"][2]["uploadMode"], "lfs");
  EXPECT_EQ(j["files"][3]["uploadMode"], "lfs");
  EXPECT_EQ(j["files"][4]["oid"], Sha256Hex(Bytes(3000, 7)));
  EXPECT_EQ(j["files"][0]["shouldIgnore"], false);
}

TEST_F(LocalHubTest, LfsBasicUploadVerifyAndCommit) {
  StartHub();
  std::string content = Bytes(5000, 9);
  std::string oid = Sha256Hex(content);
  Json batch{{"operation", "upload"},
             {"transfers", {"basic", "multipart"}},
             {"objects", {{{"oid", oid}, {"size", content.size()}}}},
             {"hash_algo", "sha256"},
             {"ref", {{"name", "main"}}}};
  auto r = client_->Post("/datasets/alice/demo.git/info/lfs/objects/batch", batch.dump(),
                         "application/vnd.git-lfs+json");
  ASSERT_EQ(r->status, 200) << r->body;
  EXPECT_THAT(r->get_header_value("Content-Type"), HasSubstr("application/vnd.git-lfs+json"));
  Json j = BodyJson(r);
  EXPECT_EQ(j["transfer"], "basic");
  const Json& obj = j["objects"][0];
  std::string href = obj["actions"]["upload"]["href"];
  ASSERT_THAT(href, StartsWith("http://127.0.0.1:" + std::to_string(hub_->cdn_port()) + "/"));
  HubClient storage(hub_->cdn_port());
  auto wrong = storage.Put(PathOf(href), Bytes(5000, 1));
  EXPECT_EQ(wrong->status, 400);  // hashes to something else
  auto put = storage.Put(PathOf(href), content);
  ASSERT_EQ(put->status, 200) << put->body;
  std::string verify = obj["actions"]["verify"]["href"];
  auto v = client_->Post(PathOf(verify), Json{{"oid", oid}, {"size", content.size()}}.dump());
  EXPECT_EQ(v->status, 200);

  // Asking again: already stored, no actions.
  auto again = client_->Post("/datasets/alice/demo.git/info/lfs/objects/batch", batch.dump());
  EXPECT_FALSE(BodyJson(again)["objects"][0].contains("actions"));

  std::string body = Header("lfs") + CommitLine("lfsFile", Json{{"path", "data/new.parquet"},
                                                                {"algo", "sha256"},
                                                                {"oid", oid},
                                                                {"size", content.size()}});
  auto commit = client_->Post("/api/datasets/alice/demo/commit/main", body, "application/x-ndjson");
  ASSERT_EQ(commit->status, 200) << commit->body;
  auto info = client_->Post("/api/datasets/alice/demo/paths-info/main",
                            R"({"paths":["data/new.parquet"]})");
  EXPECT_EQ(BodyJson(info)[0]["lfs"]["oid"], oid);

  // An lfsFile whose object was never uploaded.
  auto missing =
      client_->Post("/api/datasets/alice/demo/commit/main",
                    Header("bad") + CommitLine("lfsFile", Json{{"path", "y.parquet"},
                                                               {"algo", "sha256"},
                                                               {"oid", std::string(64, 'a')},
                                                               {"size", 1}}),
                    "application/x-ndjson");
  EXPECT_EQ(missing->status, 400);
}

TEST_F(LocalHubTest, LfsMultipartUpload) {
  LocalHubOptions o = Options();
  o.lfs_chunk_size = 1000;
  StartHub(o);
  std::string content = Bytes(2500, 11);
  std::string oid = Sha256Hex(content);
  Json batch{{"operation", "upload"},
             {"transfers", {"basic", "multipart"}},
             {"objects", {{{"oid", oid}, {"size", content.size()}}}},
             {"hash_algo", "sha256"}};
  auto r = client_->Post("/datasets/alice/demo.git/info/lfs/objects/batch", batch.dump());
  Json j = BodyJson(r);
  EXPECT_EQ(j["transfer"], "multipart");
  const Json& upload = j["objects"][0]["actions"]["upload"];
  EXPECT_EQ(upload["header"]["chunk_size"], "1000");
  ASSERT_TRUE(upload["header"].contains("00003"));
  EXPECT_FALSE(upload["header"].contains("00004"));
  HubClient storage(hub_->cdn_port());
  Json parts = Json::array();
  for (int p = 1; p <= 3; ++p) {
    std::string key = "0000" + std::to_string(p);
    auto put = storage.Put(PathOf(upload["header"][key]), content.substr((p - 1) * 1000, 1000));
    ASSERT_EQ(put->status, 200) << put->body;
    parts.push_back({{"partNumber", p}, {"etag", put->get_header_value("ETag")}});
  }
  auto done = client_->Post(PathOf(upload["href"]), Json{{"oid", oid}, {"parts", parts}}.dump());
  ASSERT_EQ(done->status, 200) << done->body;
  auto stored = client_->Post("/datasets/alice/demo.git/info/lfs/objects/batch", batch.dump());
  EXPECT_FALSE(BodyJson(stored)["objects"][0].contains("actions"));
}

TEST_F(LocalHubTest, ConcurrentCommitsSerializeAndOneParentWins) {
  StartHub();
  std::string base = MainSha();
  std::atomic<int> ok{0};
  std::atomic<int> conflicts{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < 6; ++i) {
    threads.emplace_back([&, i] {
      HubClient c(hub_->port());
      auto r = c.Post("/api/datasets/alice/demo/commit/main",
                      Header("race", base) + FileLine(fmt::format("f{}.txt", i), "x"),
                      "application/x-ndjson");
      if (r && r->status == 200) ++ok;
      if (r && r->status == 412) ++conflicts;
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(ok.load(), 1);
  EXPECT_EQ(conflicts.load(), 5);

  threads.clear();
  for (int i = 0; i < 6; ++i) {
    threads.emplace_back([&, i] {
      HubClient c(hub_->port());
      auto r = c.Post("/api/datasets/alice/demo/commit/main",
                      Header("no parent") + FileLine(fmt::format("g{}.txt", i), "x"),
                      "application/x-ndjson");
      EXPECT_TRUE(r && r->status == 200);
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(BodyJson(client_->Get("/api/datasets/alice/demo/commits/main?limit=100")).size(), 8u);
}

TEST_F(LocalHubTest, BranchesTagsAndPullRequests) {
  StartHub();
  std::string base = MainSha();
  auto branch = client_->Post("/api/datasets/alice/demo/branch/dev", "{}");
  ASSERT_EQ(branch->status, 200) << branch->body;
  EXPECT_EQ(client_->Post("/api/datasets/alice/demo/branch/dev", "{}")->status, 409);
  auto commit =
      client_->Post("/api/datasets/alice/demo/commit/dev",
                    Header("on dev") + FileLine("dev.txt", "dev"), "application/x-ndjson");
  ASSERT_EQ(commit->status, 200);
  EXPECT_EQ(MainSha(), base);
  EXPECT_EQ(BodyJson(client_->Get("/api/datasets/alice/demo/revision/dev"))["sha"],
            BodyJson(commit)["commitOid"]);

  auto tag = client_->Post("/api/datasets/alice/demo/tag/main", R"({"tag":"v1"})");
  ASSERT_EQ(tag->status, 200);
  EXPECT_EQ(BodyJson(client_->Get("/api/datasets/alice/demo/revision/v1"))["sha"], base);
  auto on_tag = client_->Post("/api/datasets/alice/demo/commit/v1",
                              Header("x") + FileLine("a", "b"), "application/x-ndjson");
  EXPECT_EQ(on_tag->status, 404);

  auto pr = client_->Post("/api/datasets/alice/demo/commit/main?create_pr=1",
                          Header("a pr") + FileLine("pr.txt", "pr"), "application/x-ndjson");
  ASSERT_EQ(pr->status, 200);
  EXPECT_EQ(BodyJson(pr)["pullRequestUrl"],
            hub_->endpoint() + "/datasets/alice/demo/discussions/1");
  EXPECT_EQ(MainSha(), base);
  auto pr_tree = client_->Get("/api/datasets/alice/demo/tree/refs%2Fpr%2F1");
  EXPECT_EQ(pr_tree->status, 200);
  auto pr_file = client_->Head("/datasets/alice/demo/resolve/refs/pr/1/pr.txt");
  EXPECT_EQ(pr_file->status, 307);
  Json refs = BodyJson(client_->Get("/api/datasets/alice/demo/refs?include_prs=true"));
  EXPECT_EQ(refs["branches"].size(), 2u);
  EXPECT_EQ(refs["tags"][0]["name"], "v1");
  EXPECT_EQ(refs["pullRequests"][0]["ref"], "refs/pr/1");

  EXPECT_EQ(client_->Delete("/api/datasets/alice/demo/branch/dev")->status, 200);
  EXPECT_EQ(client_->Delete("/api/datasets/alice/demo/branch/dev")->status, 404);
  EXPECT_EQ(client_->Delete("/api/datasets/alice/demo/branch/main")->status, 400);
  EXPECT_EQ(client_->Delete("/api/datasets/alice/demo/tag/v1")->status, 200);
}

TEST_F(LocalHubTest, ValidateYamlAndWhoAmI) {
  StartHub();
  auto good = client_->Post("/api/validate-yaml",
                            Json{{"content", kReadme}, {"repoType", "dataset"}}.dump());
  EXPECT_EQ(good->status, 200);
  auto bad =
      client_->Post("/api/validate-yaml",
                    Json{{"content", "---\na: [1, 2\n---\n"}, {"repoType", "dataset"}}.dump());
  EXPECT_EQ(bad->status, 400);
  EXPECT_FALSE(BodyJson(bad)["errors"].empty());
  EXPECT_EQ(client_->Get("/api/whoami-v2")->status, 401);
  auto me = client_->Get("/api/whoami-v2", {{"Authorization", "Bearer hf_any"}});
  EXPECT_EQ(me->status, 200);
  EXPECT_EQ(BodyJson(me)["auth"]["accessToken"]["role"], "write");
}

TEST_F(LocalHubTest, BodiesAboveTheLimitGetA413) {
  LocalHubOptions o = Options();
  o.max_body_bytes = 4096;
  StartHub(o);
  auto r = client_->Post("/api/datasets/alice/demo/commit/main",
                         Header("big") + FileLine("big.txt", std::string(10000, 'x')),
                         "application/x-ndjson");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 413);
  EXPECT_FALSE(r->get_header_value("X-Error-Message").empty());
  // The server keeps serving.
  EXPECT_EQ(client_->Get("/api/datasets/alice/demo")->status, 200);
}

// ---- persistence ----

TEST_F(LocalHubTest, RestartKeepsHistoryAndFolderShaIsDeterministic) {
  StartHub();
  std::string first = MainSha();
  auto r = client_->Post("/api/datasets/alice/demo/commit/main",
                         Header("persist") + FileLine("kept.txt", "kept"), "application/x-ndjson");
  ASSERT_EQ(r->status, 200);
  std::string second = BodyJson(r)["commitOid"];
  ASSERT_EQ(
      client_->Post("/api/repos/create", R"({"name":"api","organization":"bob","type":"dataset"})")
          ->status,
      200);
  hub_->Stop();
  hub_.reset();

  StartHub();
  EXPECT_EQ(MainSha(), second);
  EXPECT_EQ(BodyJson(client_->Get("/api/datasets/alice/demo/revision/" + first))["sha"], first);
  EXPECT_EQ(client_->Get("/api/datasets/bob/api")->status, 200);
  auto kept = client_->Get("/api/resolve-cache/datasets/alice/demo/" + second + "/kept.txt");
  EXPECT_EQ(kept->body, "kept");
  hub_->Stop();
  hub_.reset();

  // Another hub over a copy of the same folder names the first commit the same.
  TempDir other;
  MakeDemoRepo(other.path());
  LocalHubOptions o = Options();
  o.root = other.path().string();
  StartHub(o);
  EXPECT_EQ(MainSha(), first);
}

TEST_F(LocalHubTest, FolderChangesBecomeACommitAtStart) {
  StartHub();
  std::string first = MainSha();
  hub_->Stop();
  hub_.reset();
  fs::path repo = dir_.path() / "datasets" / "alice" / "demo";
  WriteText(repo / "data" / "extra.csv", "id\n9\n");
  fs::remove(repo / "data" / "train-00000-of-00005.csv");
  WriteText(dir_.path() / "datasets" / "carol" / "fresh" / "a.txt", "a");

  StartHub();
  std::string second = MainSha();
  EXPECT_NE(second, first);
  Json commits = BodyJson(client_->Get("/api/datasets/alice/demo/commits/main"));
  ASSERT_EQ(commits.size(), 2u);
  EXPECT_EQ(commits[1]["id"], first);
  Json tree = BodyJson(client_->Get("/api/datasets/alice/demo/tree/main/data?limit=100"));
  std::set<std::string> paths;
  for (const auto& e : tree) paths.insert(e["path"]);
  EXPECT_TRUE(paths.count("data/extra.csv"));
  EXPECT_FALSE(paths.count("data/train-00000-of-00005.csv"));
  EXPECT_EQ(client_->Get("/api/datasets/carol/fresh")->status, 200);
  // A folder added while the hub runs is picked up on first use.
  WriteText(dir_.path() / "datasets" / "dave" / "late" / "b.txt", "b");
  EXPECT_EQ(client_->Get("/api/datasets/dave/late")->status, 200);
}

// ---- tokens ----

TEST_F(LocalHubTest, TokensGuardPrivateAndGatedRepos) {
  WriteText(dir_.path() / "datasets" / "alice" / "secret" / "a.txt", "secret");
  WriteText(dir_.path() / "datasets" / "org" / "gated" / "a.txt", "gated");
  fs::path tokens = dir_.path() / "tokens.json";
  WriteText(tokens, R"({
    "tokens": {
      "hf_alice": {"user": "alice", "repos": ["alice/*", "org/gated"], "write": true},
      "hf_bob": {"user": "bob", "repos": ["bob/*"], "write": true},
      "hf_reader": {"user": "reader", "repos": ["alice/*"]}
    },
    "private": ["alice/secret"],
    "gated": {"org/gated": "manual"}
  })");
  LocalHubOptions o = Options();
  o.tokens_file = tokens.string();
  o.redirect_regular_files = false;
  StartHub(o);
  auto auth = [](const std::string& token) {
    return httplib::Headers{{"Authorization", "Bearer " + token}};
  };
  // Private: anonymous 401, another user's token 404, the owner 200.
  auto anon = client_->Get("/api/datasets/alice/secret");
  EXPECT_EQ(anon->status, 401);
  EXPECT_EQ(anon->get_header_value("X-Error-Code"), "RepoNotFound");
  auto bob = client_->Get("/api/datasets/alice/secret", auth("hf_bob"));
  EXPECT_EQ(bob->status, 404);
  EXPECT_EQ(bob->get_header_value("X-Error-Code"), "RepoNotFound");
  auto alice = client_->Get("/api/datasets/alice/secret", auth("hf_alice"));
  ASSERT_EQ(alice->status, 200);
  EXPECT_EQ(BodyJson(alice)["private"], true);
  auto invalid = client_->Get("/api/datasets/alice/demo", auth("hf_nope"));
  EXPECT_EQ(invalid->status, 401);
  EXPECT_EQ(invalid->get_header_value("X-Error-Message"),
            "Invalid credentials in Authorization header");
  EXPECT_EQ(invalid->get_header_value("X-Error-Code"), "");
  EXPECT_EQ(client_->Get("/api/datasets/alice/demo")->status, 200);  // public

  // Gated: info is public, downloads need access.
  EXPECT_EQ(BodyJson(client_->Get("/api/datasets/org/gated"))["gated"], "manual");
  auto gated_anon = client_->Head("/datasets/org/gated/resolve/main/a.txt");
  EXPECT_EQ(gated_anon->status, 401);
  EXPECT_EQ(gated_anon->get_header_value("X-Error-Code"), "GatedRepo");
  auto gated_bob = client_->Head("/datasets/org/gated/resolve/main/a.txt", auth("hf_bob"));
  EXPECT_EQ(gated_bob->status, 403);
  EXPECT_EQ(gated_bob->get_header_value("X-Error-Code"), "GatedRepo");
  EXPECT_EQ(client_->Get("/datasets/org/gated/resolve/main/a.txt", auth("hf_alice"))->body,
            "gated");

  // Writes: anonymous 401, read-only 403, owner 200; creating under another namespace 403.
  std::string body = Header("w") + FileLine("w.txt", "w");
  EXPECT_EQ(
      client_->Post("/api/datasets/alice/demo/commit/main", body, "application/x-ndjson")->status,
      401);
  EXPECT_EQ(client_
                ->Post("/api/datasets/alice/demo/commit/main", body, "application/x-ndjson",
                       auth("hf_reader"))
                ->status,
            403);
  EXPECT_EQ(client_
                ->Post("/api/datasets/alice/demo/commit/main", body, "application/x-ndjson",
                       auth("hf_alice"))
                ->status,
            200);
  auto create =
      client_->Post("/api/repos/create", R"({"name":"x","organization":"alice","type":"dataset"})",
                    "application/json", auth("hf_bob"));
  EXPECT_EQ(create->status, 403);
  auto own = client_->Post("/api/repos/create", R"({"name":"x","type":"dataset"})",
                           "application/json", auth("hf_bob"));
  ASSERT_EQ(own->status, 200) << own->body;
  EXPECT_EQ(BodyJson(own)["url"], hub_->endpoint() + "/datasets/bob/x");
  // Listing hides what the caller cannot see.
  EXPECT_EQ(BodyJson(client_->Get("/api/datasets?author=alice")).size(), 1u);
  EXPECT_EQ(BodyJson(client_->Get("/api/datasets?author=alice", auth("hf_alice"))).size(), 2u);
}

TEST(LocalHubOptionsTest, BadOptionsAndTokensFilesAreRefused) {
  TempDir dir;
  LocalHubOptions o;
  o.root = dir.Join("missing");
  o.port = 0;
  EXPECT_EQ(LocalHub::Start(o).status().code(), ErrorCode::kNotFound);
  o.root = dir.path().string();
  o.fail_rate = 2;
  EXPECT_EQ(LocalHub::Start(o).status().code(), ErrorCode::kInvalidArgument);
  o.fail_rate = 0;
  o.drop_response_rate = -0.1;
  EXPECT_EQ(LocalHub::Start(o).status().code(), ErrorCode::kInvalidArgument);
  o.drop_response_rate = 0;
  WriteText(dir.path() / "tokens.json", R"({"tokens": {"hf_x": {"write": "yes"}}})");
  o.tokens_file = dir.Join("tokens.json");
  auto bad = LocalHub::Start(o);
  EXPECT_EQ(bad.status().code(), ErrorCode::kCorrupt);
  EXPECT_THAT(bad.status().message(), ::testing::Not(HasSubstr("hf_x")));  // never the token
}

// ---- faults, latency, stats ----

std::vector<int> StatusSequence(const std::string& root, uint64_t seed, int n) {
  LocalHubOptions o;
  o.root = root;
  o.port = 0;
  o.fail_rate = 0.5;
  o.seed = seed;
  auto hub = LocalHub::Start(o);
  EXPECT_TRUE(hub.ok());
  std::vector<int> out;
  for (int i = 0; i < n; ++i) {
    HubClient c((*hub)->port());  // a fresh connection: a reset must not affect the next call
    auto r = c.Get("/api/datasets/alice/demo");
    out.push_back(r ? r->status : -1);
  }
  return out;
}

TEST_F(LocalHubTest, FailRateInjectsFaultsDeterministically) {
  auto a = StatusSequence(dir_.path().string(), 42, 40);
  auto b = StatusSequence(dir_.path().string(), 42, 40);
  EXPECT_EQ(a, b);
  std::set<int> kinds(a.begin(), a.end());
  EXPECT_TRUE(kinds.count(200));
  EXPECT_TRUE(kinds.count(500));
  EXPECT_TRUE(kinds.count(429));
  EXPECT_TRUE(kinds.count(-1));  // connection reset

  LocalHubOptions o = Options();
  o.fail_rate = 1;
  o.seed = 7;
  StartHub(o);
  int injected = 0;
  for (int i = 0; i < 12; ++i) {
    HubClient c(hub_->port());
    auto r = c.Get("/api/datasets/alice/demo");
    if (r && r->status == 429) {
      EXPECT_EQ(r->get_header_value("Retry-After"), "1");
    }
    if (!r || r->status == 429 || r->status == 500) ++injected;
  }
  EXPECT_EQ(injected, 12);
  LocalHubStats stats = hub_->stats();
  EXPECT_EQ(stats.total, 12);
  EXPECT_EQ(stats.injected["500"] + stats.injected["429"] + stats.injected["reset"], 12);
  // The stats hook itself is never failed.
  auto hook = client_->Get("/_faceberg/stats");
  ASSERT_TRUE(hook);
  EXPECT_EQ(hook->status, 200);
}

// --drop-response-rate: the hub acts on a write, then resets the connection instead of answering.
TEST_F(LocalHubTest, DroppedResponseOfACommitStillLandsInTheHistory) {
  LocalHubOptions o = Options();
  o.drop_response_rate = 1;
  StartHub(o);
  std::string base = MainSha();
  HubClient writer(hub_->port());
  auto lost = writer.Post("/api/datasets/alice/demo/commit/main",
                          Header("answer lost", base) + FileLine("notes/lost.txt", "landed"),
                          "application/x-ndjson");
  EXPECT_FALSE(lost);  // the client gets no answer: a reset, not a status

  // Reads are never dropped: the commit is the new head, right after the base, with its file.
  std::string head = MainSha();
  EXPECT_NE(head, base);
  Json history = BodyJson(client_->Get("/api/datasets/alice/demo/commits/main"));
  ASSERT_EQ(history.size(), 2u);
  EXPECT_EQ(history[0]["id"], head);
  EXPECT_EQ(history[0]["title"], "answer lost");
  EXPECT_EQ(history[1]["id"], base);
  auto file = client_->Get("/api/resolve-cache/datasets/alice/demo/" + head + "/notes/lost.txt");
  ASSERT_TRUE(file);
  EXPECT_EQ(file->body, "landed");

  // Sent again with the same parent, it cannot land twice: 412 (also dropped), head unchanged.
  HubClient again(hub_->port());
  EXPECT_FALSE(again.Post("/api/datasets/alice/demo/commit/main",
                          Header("answer lost", base) + FileLine("notes/lost.txt", "landed"),
                          "application/x-ndjson"));
  EXPECT_EQ(MainSha(), head);

  // Read-only POSTs (paths-info) are answered.
  auto info =
      client_->Post("/api/datasets/alice/demo/paths-info/main", R"({"paths": ["notes/lost.txt"]})");
  ASSERT_TRUE(info);
  EXPECT_EQ(info->status, 200);

  LocalHubStats stats = hub_->stats();
  EXPECT_EQ(stats.dropped_responses, 2);
  EXPECT_EQ(stats.statuses["0"], 2);
  EXPECT_EQ(stats.injected["500"] + stats.injected["429"] + stats.injected["reset"], 0);
  Json hook = BodyJson(client_->Get("/_faceberg/stats"));
  EXPECT_EQ(hook["dropped_responses"], 2);
}

TEST_F(LocalHubTest, DropResponseRateIsDeterministicAndLeavesFailRateFaultsAlone) {
  // Which creates lose their answer depends only on the seed and the request order.
  int run = 0;
  auto dropped_creates = [&](uint64_t seed) {
    ++run;
    LocalHubOptions o = Options();
    o.drop_response_rate = 0.5;
    o.seed = seed;
    StartHub(o);
    std::vector<bool> out;
    for (int i = 0; i < 16; ++i) {
      HubClient c(hub_->port());
      auto r = c.Post("/api/repos/create",
                      DumpJson(Json{{"name", "r" + std::to_string(run) + "-" + std::to_string(i)},
                                    {"organization", "w"},
                                    {"type", "dataset"}}));
      out.push_back(!r);
      // Answered or not, the repo exists.
      EXPECT_EQ(
          client_->Get("/api/datasets/w/r" + std::to_string(run) + "-" + std::to_string(i))->status,
          200);
    }
    EXPECT_EQ(hub_->stats().dropped_responses, std::count(out.begin(), out.end(), true));
    hub_->Stop();
    return out;
  };
  std::vector<bool> first = dropped_creates(5);
  EXPECT_EQ(dropped_creates(5), first);
  EXPECT_NE(std::count(first.begin(), first.end(), true), 0);
  EXPECT_NE(std::count(first.begin(), first.end(), false), 0);

  // GETs are never dropped, so a fail-rate run sees the same faults with and without drops.
  auto faults = [&](double drop_rate) {
    LocalHubOptions o = Options();
    o.fail_rate = 0.5;
    o.drop_response_rate = drop_rate;
    o.seed = 11;
    StartHub(o);
    std::vector<int> statuses;
    for (int i = 0; i < 20; ++i) {
      HubClient c(hub_->port());
      auto r = c.Get("/api/datasets/alice/demo");
      statuses.push_back(r ? r->status : -1);
    }
    hub_->Stop();
    return statuses;
  };
  EXPECT_EQ(faults(0), faults(1));
}

TEST_F(LocalHubTest, LatencyIsAddedToEveryRequest) {
  LocalHubOptions o = Options();
  o.latency_ms = 60;
  StartHub(o);
  auto start = std::chrono::steady_clock::now();
  ASSERT_EQ(client_->Get("/api/datasets/alice/demo")->status, 200);
  auto elapsed = std::chrono::steady_clock::now() - start;
  EXPECT_GE(elapsed, std::chrono::milliseconds(60));
}

TEST_F(LocalHubTest, StatsCountRequestsPerRouteAndReset) {
  StartHub();
  client_->Get("/api/datasets/alice/demo");
  client_->Get("/api/datasets/alice/demo/tree/main");
  client_->Get("/api/datasets/alice/demo/tree/main/data");
  client_->Head("/datasets/alice/demo/resolve/main/README.md");
  client_->Get("/nowhere");
  auto r = client_->Get("/_faceberg/stats");
  ASSERT_EQ(r->status, 200);
  Json j = BodyJson(r);
  EXPECT_EQ(j["total"], 5);
  EXPECT_EQ(j["routes"]["tree"], 2);
  EXPECT_EQ(j["routes"]["info"], 1);
  EXPECT_EQ(j["routes"]["unknown"], 1);
  EXPECT_EQ(j["requests"]["HEAD resolve"], 1);
  EXPECT_EQ(j["statuses"]["404"], 1);
  EXPECT_EQ(hub_->stats().routes["tree"], 2);
  EXPECT_EQ(client_->Post("/_faceberg/stats/reset", "")->status, 200);
  EXPECT_EQ(BodyJson(client_->Get("/_faceberg/stats"))["total"], 0);
}

TEST_F(LocalHubTest, ServesManyClientsAtOnce) {
  StartHub();
  std::atomic<int> ok{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 16; ++t) {
    threads.emplace_back([&] {
      HubClient c(hub_->port());
      for (int i = 0; i < 10; ++i) {
        auto r = c.Get("/api/datasets/alice/demo/tree/main?recursive=true&limit=100");
        if (r && r->status == 200) ++ok;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(ok.load(), 160);
}

}  // namespace
}  // namespace faceberg::hub
