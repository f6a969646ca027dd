// Routing, access checks and the read routes of the local hub.
#include <algorithm>
#include <filesystem>

#include "hub/local_hub_api_internal.h"
#include "hub/local_hub_codec_internal.h"
#include "io/file_io.h"
#include "util/strings.h"
#include "util/time.h"
#include "util/uuid.h"

namespace faceberg::hub::internal {

namespace {

constexpr int kMaxPageSize = 10000;
constexpr uint64_t kSmallFileMax = uint64_t{1} << 20;

std::string Dec(std::string_view s) {
  auto d = PercentDecode(s);
  return d.ok() ? *d : std::string(s);
}

std::vector<std::string> Segments(std::string_view path) {
  std::vector<std::string> segs = Split(path, '/');
  if (!segs.empty() && segs.front().empty()) segs.erase(segs.begin());
  return segs;
}

// Splits a revision off segs[idx...]; the unencoded special refs (refs/convert/NAME, refs/pr/N,
// refs/heads/NAME, refs/tags/NAME) take three segments, anything else one (decoded once, so a
// double-encoded revision stays encoded and is not found).
bool SplitRevision(const std::vector<std::string>& segs, size_t idx, std::string* rev,
                   size_t* next) {
  if (idx >= segs.size() || segs[idx].empty()) return false;
  if (segs[idx] == "refs" && idx + 2 < segs.size() &&
      (segs[idx + 1] == "convert" || segs[idx + 1] == "pr" || segs[idx + 1] == "heads" ||
       segs[idx + 1] == "tags")) {
    *rev = "refs/" + segs[idx + 1] + "/" + Dec(segs[idx + 2]);
    *next = idx + 3;
    return true;
  }
  *rev = Dec(segs[idx]);
  *next = idx + 1;
  return true;
}

std::string JoinFrom(const std::vector<std::string>& segs, size_t idx) {
  std::string out;
  for (size_t i = idx; i < segs.size(); ++i) {
    if (i > idx) out.push_back('/');
    out += segs[i];
  }
  return out;
}

std::string CleanPath(std::string path) {
  while (!path.empty() && path.front() == '/') path.erase(path.begin());
  while (!path.empty() && path.back() == '/') path.pop_back();
  return path;
}

OrderedJson FileJson(const std::string& path, const FileEntry& e) {
  OrderedJson j;
  j["type"] = "file";
  j["oid"] = e.oid;
  j["size"] = e.size;
  if (e.lfs) {
    OrderedJson lfs;
    lfs["oid"] = e.sha256;
    lfs["size"] = e.size;
    lfs["pointerSize"] = e.pointer_size();
    j["lfs"] = std::move(lfs);
  }
  j["path"] = path;
  return j;
}

OrderedJson DirJson(const std::string& path, const std::string& oid) {
  OrderedJson j;
  j["type"] = "directory";
  j["oid"] = oid;
  j["size"] = 0;
  j["path"] = path;
  return j;
}

OrderedJson LastCommitJson(const Commit& c) {
  OrderedJson j;
  j["id"] = c.id;
  j["title"] = c.title;
  j["date"] = FormatMillisUtc(c.date_ms);
  return j;
}

OrderedJson SecurityJson() {
  OrderedJson j;
  j["status"] = "safe";
  j["avScan"] = OrderedJson{{"virusFound", false}, {"virusNames", nullptr}};
  j["pickleImportScan"] = OrderedJson{{"highestSafetyLevel", "innocuous"}, {"imports", nullptr}};
  return j;
}

OrderedJson ToOrdered(const Json& j) { return OrderedJson::parse(DumpJson(j)); }

std::string RepoObjectId(const std::string& repo_id) {
  return Sha1Hex("repo " + repo_id).substr(0, 24);
}

// A pagination cursor: the commit listed and the offset of the next entry.
std::string MakeCursor(const std::string& commit_id, size_t offset) {
  std::string raw = commit_id + ":" + std::to_string(offset);
  std::string b64 = Base64Encode(raw);
  for (char& c : b64) {
    if (c == '+') c = '-';
    if (c == '/') c = '_';
  }
  while (!b64.empty() && b64.back() == '=') b64.pop_back();
  return b64;
}

std::optional<std::pair<std::string, size_t>> ParseCursor(std::string_view cursor) {
  auto raw = Base64Decode(cursor);
  if (!raw.ok()) return std::nullopt;
  size_t colon = raw->find(':');
  if (colon == std::string::npos) return std::nullopt;
  auto offset = ParseInt64(raw->substr(colon + 1));
  if (!offset || *offset < 0) return std::nullopt;
  return std::make_pair(raw->substr(0, colon), static_cast<size_t>(*offset));
}

// The absolute URL of the next page: this request with `cursor` replaced.
std::string NextLink(const HttpRequest& req, const std::string& cursor) {
  std::vector<std::pair<std::string, std::string>> query;
  for (const auto& kv : req.query) {
    if (kv.first != "cursor") query.push_back(kv);
  }
  query.emplace_back("cursor", cursor);
  return "<" + req.base_url + req.path + "?" + EncodeQuery(query) + ">; rel=\"next\"";
}

}  // namespace

HubApi::HubApi(HubStore* store, const AccessPolicy* policy, ApiOptions options)
    : store_(store), policy_(policy), options_(options), secret_(RandomUuid()) {}

// ---- routing ----

RouteMatch HubApi::MatchHub(const HttpRequest& req) {
  const std::string& m = req.method;
  bool get = m == "GET" || m == "HEAD";
  auto segs = Segments(req.path);
  auto route = [](std::string name, std::function<void(const HttpRequest&, HttpResponse*)> run) {
    return RouteMatch{std::move(name), std::move(run)};
  };
  if (segs.size() >= 2 && segs[0] == "api") {
    const std::string& s1 = segs[1];
    if (s1 == "whoami-v2" && get) {
      return route("whoami", [this](auto& q, auto* r) { WhoAmI(q, r); });
    }
    if (s1 == "validate-yaml" && m == "POST") {
      return route("validate-yaml", [this](auto& q, auto* r) { ValidateYaml(q, r); });
    }
    if (s1 == "repos" && segs.size() == 3) {
      if (segs[2] == "create" && m == "POST") {
        return route("create", [this](auto& q, auto* r) { CreateRepo(q, r); });
      }
      if (segs[2] == "delete" && m == "DELETE") {
        return route("delete", [this](auto& q, auto* r) { DeleteRepo(q, r); });
      }
    }
    if (s1 == "complete_multipart" && segs.size() == 2 && m == "POST") {
      return route("lfs-complete", [this](auto& q, auto* r) { LfsComplete(q, r); });
    }
    if (s1 == "resolve-cache" && segs.size() >= 7 && segs[2] == "datasets" && get) {
      std::string repo = Dec(segs[3]) + "/" + Dec(segs[4]);
      std::string rev = Dec(segs[5]);
      std::string path = CleanPath(Dec(JoinFrom(segs, 6)));
      return route("resolve-cache", [this, repo, rev, path](auto& q, auto* r) {
        Resolve(q, r, repo, rev, path, /*from_cache_route=*/true);
      });
    }
    if (s1 == "datasets") {
      if (segs.size() == 2 && get) {
        return route("list", [this](auto& q, auto* r) { ListDatasets(q, r); });
      }
      if (segs.size() >= 4 && !segs[2].empty() && !segs[3].empty()) {
        std::string repo = Dec(segs[2]) + "/" + Dec(segs[3]);
        if (segs.size() == 4 || (segs.size() == 5 && segs[4].empty())) {
          if (get) {
            return route("info", [this, repo](auto& q, auto* r) { Info(q, r, repo, "main"); });
          }
        } else {
          const std::string& action = segs[4];
          std::string rev;
          size_t next = 0;
          bool has_rev = SplitRevision(segs, 5, &rev, &next);
          if (action == "revision" && get && segs.size() >= 6) {
            // Everything after /revision/ is the revision (decoded once).
            std::string whole = Dec(JoinFrom(segs, 5));
            return route("info",
                         [this, repo, whole](auto& q, auto* r) { Info(q, r, repo, whole); });
          }
          if (action == "tree" && get && has_rev) {
            std::string path = CleanPath(Dec(JoinFrom(segs, next)));
            return route(
                "tree", [this, repo, rev, path](auto& q, auto* r) { Tree(q, r, repo, rev, path); });
          }
          if (action == "paths-info" && m == "POST" && has_rev) {
            return route("paths-info",
                         [this, repo, rev](auto& q, auto* r) { PathsInfo(q, r, repo, rev); });
          }
          if (action == "refs" && get && segs.size() == 5) {
            return route("refs", [this, repo](auto& q, auto* r) { Refs(q, r, repo); });
          }
          if (action == "commits" && get && has_rev) {
            return route("commits",
                         [this, repo, rev](auto& q, auto* r) { Commits(q, r, repo, rev); });
          }
          if (action == "preupload" && m == "POST" && has_rev) {
            return route("preupload",
                         [this, repo, rev](auto& q, auto* r) { Preupload(q, r, repo, rev); });
          }
          if (action == "commit" && m == "POST" && has_rev) {
            return route("commit",
                         [this, repo, rev](auto& q, auto* r) { Commit(q, r, repo, rev); });
          }
          if (action == "branch" && (m == "POST" || m == "DELETE") && segs.size() >= 6) {
            std::string branch = Dec(JoinFrom(segs, 5));
            return route(m == "POST" ? "create-branch" : "delete-branch",
                         [this, repo, branch](auto& q, auto* r) { Branch(q, r, repo, branch); });
          }
          if (action == "tag" && (m == "POST" || m == "DELETE") && segs.size() >= 6) {
            std::string name = Dec(JoinFrom(segs, 5));
            return route(m == "POST" ? "create-tag" : "delete-tag",
                         [this, repo, name](auto& q, auto* r) { Tag(q, r, repo, name); });
          }
          if (action == "settings" && m == "PUT" && segs.size() == 5) {
            return route("settings", [this, repo](auto& q, auto* r) { Settings(q, r, repo); });
          }
          if (action == "parquet" && get) {
            std::vector<std::string> parts;
            for (size_t i = 5; i < segs.size(); ++i) {
              if (!segs[i].empty()) parts.push_back(Dec(segs[i]));
            }
            return route("parquet",
                         [this, repo, parts](auto& q, auto* r) { Parquet(q, r, repo, parts); });
          }
        }
      }
    }
  }
  if (segs.size() >= 3 && segs[0] == "datasets" && !segs[1].empty()) {
    if (EndsWith(segs[2], ".git") && segs.size() == 7 && segs[3] == "info" && segs[4] == "lfs" &&
        segs[5] == "objects" && m == "POST") {
      std::string repo = Dec(segs[1]) + "/" + Dec(segs[2].substr(0, segs[2].size() - 4));
      if (segs[6] == "batch") {
        return route("lfs-batch", [this, repo](auto& q, auto* r) { LfsBatch(q, r, repo); });
      }
      if (segs[6] == "verify") {
        return route("lfs-verify", [this, repo](auto& q, auto* r) { LfsVerify(q, r, repo); });
      }
    }
    if (segs.size() >= 6 && segs[3] == "resolve" && get) {
      std::string repo = Dec(segs[1]) + "/" + Dec(segs[2]);
      std::string rev;
      size_t next = 0;
      if (SplitRevision(segs, 4, &rev, &next)) {
        std::string path = CleanPath(Dec(JoinFrom(segs, next)));
        return route("resolve", [this, repo, rev, path](auto& q, auto* r) {
          Resolve(q, r, repo, rev, path, /*from_cache_route=*/false);
        });
      }
    }
  }
  return route("", [](auto& q, auto* r) {
    SetError(r, 404, "",
             "Sorry, we can't find the page you are looking for: " + q.method + " " + q.path);
  });
}

RouteMatch HubApi::MatchStorage(const HttpRequest& req) {
  auto segs = Segments(req.path);
  const std::string& m = req.method;
  if (segs.size() == 2 && segs[0] == "lfs" && (m == "GET" || m == "HEAD")) {
    std::string oid = segs[1];
    return RouteMatch{"cdn", [this, oid](auto& q, auto* r) { StorageDownload(q, r, oid); }};
  }
  if (segs.size() == 2 && segs[0] == "upload" && m == "PUT") {
    std::string oid = segs[1];
    return RouteMatch{"lfs-upload", [this, oid](auto& q, auto* r) { StorageUpload(q, r, oid, 0); }};
  }
  if (segs.size() == 4 && segs[0] == "upload" && segs[2] == "part" && m == "PUT") {
    std::string oid = segs[1];
    auto n = ParseInt64(segs[3]);
    int part = n && *n > 0 && *n <= 100000 ? static_cast<int>(*n) : -1;
    return RouteMatch{"lfs-part",
                      [this, oid, part](auto& q, auto* r) { StorageUpload(q, r, oid, part); }};
  }
  return RouteMatch{
      "", [](auto& q, auto* r) { SetError(r, 404, "", "NoSuchKey: " + q.method + " " + q.path); }};
}

// ---- access ----

std::optional<HubApi::Access> HubApi::Authorize(const HttpRequest& req, const std::string& repo_id,
                                                Need need, HttpResponse* res) {
  Access access;
  access.caller = policy_->Identify(req.header("Authorization"));
  if (access.caller.kind == Caller::Kind::kInvalidToken) {
    SetError(res, 401, "", "Invalid credentials in Authorization header");
    return std::nullopt;
  }
  auto info = store_->GetRepo(repo_id);
  if (info) {
    access.info = *info;
    access.is_private = info->is_private || policy_->ListedPrivate(repo_id);
    access.gated = info->gated.empty() ? policy_->ListedGated(repo_id) : info->gated;
  }
  bool visible = info && (!access.is_private || policy_->Covers(access.caller, repo_id));
  if (!visible) {
    // The Hub never tells a missing repo from a hidden one; anonymous callers get 401.
    if (access.caller.authenticated()) {
      SetError(res, 404, "RepoNotFound", "Repository not found");
    } else {
      SetError(res, 401, "RepoNotFound", "Invalid username or password.");
    }
    return std::nullopt;
  }
  if (need == Need::kDownload && !access.gated.empty() &&
      !(access.caller.authenticated() && policy_->Covers(access.caller, repo_id))) {
    if (access.caller.authenticated()) {
      SetError(res, 403, "GatedRepo",
               "Access to dataset " + repo_id +
                   " is restricted and you are not in the authorized list. Visit " + req.base_url +
                   "/datasets/" + repo_id + " to ask for access.");
    } else {
      SetError(res, 401, "GatedRepo",
               "Access to dataset " + repo_id +
                   " is restricted. You must have access to it and be authenticated to access "
                   "it. Please log in.");
    }
    return std::nullopt;
  }
  if (need == Need::kWrite && !policy_->CanWrite(access.caller, repo_id)) {
    if (access.caller.authenticated()) {
      SetError(res, 403, "",
               "You don't have the rights to write to " + repo_id +
                   ": your token is read-only or does not cover this repo");
    } else {
      SetError(res, 401, "", "You must be authenticated to write to " + repo_id);
    }
    return std::nullopt;
  }
  return access;
}

CommitPtr HubApi::ResolveCommit(const Access& access, const std::string& revision,
                                HttpResponse* res) {
  auto sha = store_->ResolveRevision(access.info, revision);
  if (!sha.ok()) {
    SetError(res, 404, "RevisionNotFound", "Invalid rev id: " + revision);
    return nullptr;
  }
  auto commit = store_->GetCommit(access.info.id, *sha);
  if (!commit.ok()) {
    SetError(res, 500, "", commit.status().message());
    return nullptr;
  }
  return *commit;
}

std::string HubApi::StorageBase(const HttpRequest& req) const {
  std::string host = HostWithoutPort(req.header("Host"));
  if (host.empty()) host = "127.0.0.1";
  return "http://" + host + ":" + std::to_string(storage_port_.load());
}

std::string HubApi::Sign(std::string_view purpose, std::string_view oid, uint64_t size) const {
  return Sha256Hex(secret_ + "|" + std::string(purpose) + "|" + ToLower(oid) + "|" +
                   std::to_string(size))
      .substr(0, 32);
}

std::optional<std::string> HubApi::ReadSmallFile(const CommitPtr& commit, const std::string& path) {
  auto it = commit->files.find(path);
  if (it == commit->files.end() || it->second.size > kSmallFileMax) return std::nullopt;
  auto blob = store_->BlobPath(it->second.sha256);
  if (!blob) return std::nullopt;
  io::LocalFileIO io;
  auto file = io.NewInputFile(*blob);
  if (!file.ok()) return std::nullopt;
  auto text = (*file)->ReadAll(kSmallFileMax);
  if (!text.ok()) return std::nullopt;
  return *text;
}

void SetStoreError(HttpResponse* res, StoreError why, const Status& status) {
  switch (why) {
    case StoreError::kRepoNotFound:
      return SetError(res, 404, "RepoNotFound", "Repository not found");
    case StoreError::kRevisionNotFound:
      return SetError(res, 404, "RevisionNotFound", status.message());
    case StoreError::kEntryNotFound:
      return SetError(res, 404, "EntryNotFound", status.message());
    case StoreError::kParentMismatch:
      return SetError(res, 412, "", status.message());
    case StoreError::kConflict:
      return SetError(res, 409, "", status.message());
    case StoreError::kBadRequest:
      return SetError(res, 400, "", status.message());
    case StoreError::kNone:
    case StoreError::kInternal:
      break;
  }
  SetError(res, 500, "", status.message());
}

// ---- read routes ----

void HubApi::WhoAmI(const HttpRequest& req, HttpResponse* res) {
  Caller caller = policy_->Identify(req.header("Authorization"));
  if (!caller.authenticated()) {
    SetError(res, 401, "", "Invalid credentials in Authorization header");
    return;
  }
  bool write = policy_->open() || (caller.grant != nullptr && caller.grant->write);
  OrderedJson j;
  j["type"] = "user";
  j["id"] = Sha1Hex("user " + caller.user()).substr(0, 24);
  j["name"] = caller.user();
  j["fullname"] = caller.user();
  j["isPro"] = false;
  j["orgs"] = OrderedJson::array();
  j["auth"] = OrderedJson{{"type", "access_token"},
                          {"accessToken", OrderedJson{{"displayName", "faceberg-hub"},
                                                      {"role", write ? "write" : "read"}}}};
  SetJson(res, 200, j);
}

void HubApi::ListDatasets(const HttpRequest& req, HttpResponse* res) {
  Caller caller = policy_->Identify(req.header("Authorization"));
  if (caller.kind == Caller::Kind::kInvalidToken) {
    SetError(res, 401, "", "Invalid credentials in Authorization header");
    return;
  }
  std::string author = req.Query("author");
  std::string search = req.Query("search");
  auto limit = ParseInt64(req.Query("limit"));
  OrderedJson out = OrderedJson::array();
  for (const auto& id : store_->ListRepos()) {
    if (limit && static_cast<int64_t>(out.size()) >= *limit) break;
    if (!author.empty() && !StartsWith(id, author + "/")) continue;
    if (!search.empty() && ToLower(id).find(ToLower(search)) == std::string::npos) continue;
    auto info = store_->GetRepo(id);
    if (!info) continue;
    bool is_private = info->is_private || policy_->ListedPrivate(id);
    if (is_private && !policy_->Covers(caller, id)) continue;
    std::string gated = info->gated.empty() ? policy_->ListedGated(id) : info->gated;
    auto main = info->refs.find("refs/heads/main");
    OrderedJson j;
    j["_id"] = RepoObjectId(id);
    j["id"] = id;
    j["author"] = id.substr(0, id.find('/'));
    if (main != info->refs.end()) {
      j["sha"] = main->second;
      if (auto c = store_->GetCommit(id, main->second); c.ok()) {
        j["lastModified"] = FormatMillisUtc((*c)->date_ms);
      }
    }
    j["private"] = is_private;
    j["gated"] = gated.empty() ? OrderedJson(false) : OrderedJson(gated);
    j["disabled"] = false;
    j["downloads"] = 0;
    j["likes"] = 0;
    j["tags"] = OrderedJson::array();
    j["createdAt"] = FormatMillisUtc(info->created_ms);
    out.push_back(std::move(j));
  }
  SetJson(res, 200, out);
}

void HubApi::Info(const HttpRequest& req, HttpResponse* res, const std::string& repo_id,
                  const std::string& revision) {
  auto access = Authorize(req, repo_id, Need::kRead, res);
  if (!access) return;
  CommitPtr commit = ResolveCommit(*access, revision, res);
  if (!commit) return;
  bool blobs = req.QueryFlag("blobs");
  std::vector<std::string> expand;
  for (const auto& e : req.QueryAll("expand")) {
    for (const auto& part : Split(e, ',')) {
      if (!part.empty()) expand.push_back(part);
    }
  }
  if (!expand.empty() && blobs) {
    SetError(res, 400, "", "The 'blobs' and 'expand' parameters cannot be combined");
    return;
  }
  std::optional<Json> card;
  if (auto readme = ReadSmallFile(commit, "README.md")) {
    if (auto yaml = ReadmeFrontMatter(*readme)) {
      if (auto parsed = YamlToJson(*yaml); parsed.ok() && parsed->is_object()) card = *parsed;
    }
  }
  OrderedJson siblings = OrderedJson::array();
  uint64_t used = 0;
  for (const auto& [path, e] : commit->files) {
    OrderedJson s;
    s["rfilename"] = path;
    if (blobs) {
      s["size"] = e.size;
      s["blobId"] = e.oid;
      if (e.lfs) {
        s["lfs"] =
            OrderedJson{{"sha256", e.sha256}, {"size", e.size}, {"pointerSize", e.pointer_size()}};
      }
    }
    used += e.size;
    siblings.push_back(std::move(s));
  }
  OrderedJson tags = OrderedJson::array();
  if (card && card->contains("tags") && (*card)["tags"].is_array()) {
    for (const auto& t : (*card)["tags"]) {
      if (t.is_string()) tags.push_back(t.get<std::string>());
    }
  }
  OrderedJson j;
  j["_id"] = RepoObjectId(repo_id);
  j["id"] = repo_id;
  j["author"] = repo_id.substr(0, repo_id.find('/'));
  j["sha"] = commit->id;
  j["lastModified"] = FormatMillisUtc(commit->date_ms);
  j["private"] = access->is_private;
  j["gated"] = access->gated.empty() ? OrderedJson(false) : OrderedJson(access->gated);
  j["disabled"] = false;
  j["downloads"] = 0;
  j["likes"] = 0;
  j["tags"] = std::move(tags);
  if (card) j["cardData"] = ToOrdered(*card);
  j["siblings"] = std::move(siblings);
  j["createdAt"] = FormatMillisUtc(access->info.created_ms);
  j["usedStorage"] = used;
  if (!expand.empty()) {
    OrderedJson limited;
    limited["_id"] = j["_id"];
    limited["id"] = j["id"];
    for (const auto& key : expand) {
      if (j.contains(key)) limited[key] = j[key];
    }
    j = std::move(limited);
  }
  SetJson(res, 200, j);
}

void HubApi::Tree(const HttpRequest& req, HttpResponse* res, const std::string& repo_id,
                  const std::string& revision, const std::string& path) {
  auto access = Authorize(req, repo_id, Need::kRead, res);
  if (!access) return;
  CommitPtr commit = ResolveCommit(*access, revision, res);
  if (!commit) return;
  bool recursive = req.QueryFlag("recursive");
  bool expand = req.QueryFlag("expand");
  size_t offset = 0;
  if (req.HasQuery("cursor")) {
    auto cursor = ParseCursor(req.Query("cursor"));
    if (!cursor) {
      SetError(res, 400, "", "Invalid cursor");
      return;
    }
    // Keep listing the commit the first page listed, even if the branch moved since.
    if (cursor->first != commit->id) {
      auto pinned = store_->GetCommit(repo_id, cursor->first);
      if (!pinned.ok()) {
        SetError(res, 400, "", "Invalid cursor");
        return;
      }
      commit = *pinned;
    }
    offset = cursor->second;
  }
  auto tree_or = store_->GetTreeIndex(repo_id, commit);
  if (!tree_or.ok()) {
    SetError(res, 500, "", tree_or.status().message());
    return;
  }
  const TreeIndex& tree = **tree_or;
  if (!tree.IsDir(path)) {
    res->SetHeader("X-Repo-Commit", commit->id);
    SetError(
        res, 404, "EntryNotFound",
        commit->files.count(path) ? path + " is a file, not a folder" : "Entry not found: " + path);
    return;
  }
  // The listing: children of `path`, or all its descendants depth-first (folders first).
  std::vector<TreeIndex::Child> entries;
  std::vector<std::string> stack{path};
  while (!stack.empty()) {
    std::string dir = std::move(stack.back());
    stack.pop_back();
    const auto& kids = tree.children.at(dir);
    std::vector<std::string> subdirs;
    for (const auto& kid : kids) {
      entries.push_back(kid);
      if (kid.is_dir && recursive) subdirs.push_back(kid.path);
    }
    for (auto it = subdirs.rbegin(); it != subdirs.rend(); ++it) stack.push_back(*it);
    if (!recursive) break;
  }
  int page = expand ? std::min(50, options_.tree_page_size) : options_.tree_page_size;
  if (req.HasQuery("limit")) {
    auto limit = ParseInt64(req.Query("limit"));
    if (!limit || *limit < 1) {
      SetError(res, 400, "", "limit must be a positive integer");
      return;
    }
    page = static_cast<int>(std::min<int64_t>(*limit, kMaxPageSize));
  }
  page = std::max(page, 1);
  OrderedJson out = OrderedJson::array();
  size_t end = std::min(entries.size(), offset + static_cast<size_t>(page));
  for (size_t i = offset; i < end; ++i) {
    const auto& kid = entries[i];
    OrderedJson j = kid.is_dir ? DirJson(kid.path, tree.dir_oids.at(kid.path))
                               : FileJson(kid.path, commit->files.at(kid.path));
    if (expand) {
      auto last = store_->LastCommitTouching(repo_id, commit, kid.path);
      if (last.ok()) j["lastCommit"] = LastCommitJson(**last);
      if (!kid.is_dir) j["securityFileStatus"] = SecurityJson();
    }
    out.push_back(std::move(j));
  }
  if (end < entries.size()) res->SetHeader("Link", NextLink(req, MakeCursor(commit->id, end)));
  SetJson(res, 200, out);
}

void HubApi::PathsInfo(const HttpRequest& req, HttpResponse* res, const std::string& repo_id,
                       const std::string& revision) {
  auto access = Authorize(req, repo_id, Need::kRead, res);
  if (!access) return;
  auto body = req.body->ReadAll(options_.max_body_bytes);
  if (!body.ok()) {
    SetError(res, req.body->too_large() ? 413 : 400, "", body.status().message());
    return;
  }
  std::vector<std::string> paths;
  bool expand = false;
  std::string type = ToLower(req.header("Content-Type"));
  std::string_view trimmed = Trim(*body);
  if (type.find("json") != std::string::npos || StartsWith(trimmed, "{")) {
    auto j = ParseJson(*body, "paths-info body");
    if (!j.ok() || !j->is_object()) {
      SetError(res, 400, "", "paths-info body must be a JSON object with 'paths'");
      return;
    }
    if (auto p = j->find("paths"); p != j->end()) {
      if (p->is_string()) paths.push_back(p->get<std::string>());
      if (p->is_array()) {
        for (const auto& v : *p) {
          if (v.is_string()) paths.push_back(v.get<std::string>());
        }
      }
    }
    if (auto e = j->find("expand"); e != j->end()) {
      expand =
          e->is_boolean() ? e->get<bool>() : (e->is_string() && e->get<std::string>() == "true");
    }
  } else {
    for (const auto& [k, v] : ParseForm(*body)) {
      if (k == "paths" || k == "paths[]") paths.push_back(v);
      if (k == "expand") expand = ToLower(v) == "true" || v == "1";
    }
  }
  if (paths.size() > 1000) {
    SetError(res, 413, "", "Too many paths: at most 1000 per request");
    return;
  }
  CommitPtr commit = ResolveCommit(*access, revision, res);
  if (!commit) return;
  auto tree_or = store_->GetTreeIndex(repo_id, commit);
  if (!tree_or.ok()) {
    SetError(res, 500, "", tree_or.status().message());
    return;
  }
  const TreeIndex& tree = **tree_or;
  OrderedJson out = OrderedJson::array();
  for (const auto& raw : paths) {
    std::string path = CleanPath(raw);
    OrderedJson j;
    if (auto f = commit->files.find(path); f != commit->files.end()) {
      j = FileJson(path, f->second);
    } else if (!path.empty() && tree.IsDir(path)) {
      j = DirJson(path, tree.dir_oids.at(path));
    } else {
      continue;  // missing paths are skipped silently
    }
    if (expand) {
      auto last = store_->LastCommitTouching(repo_id, commit, path);
      if (last.ok()) j["lastCommit"] = LastCommitJson(**last);
      if (j["type"] == "file") j["securityFileStatus"] = SecurityJson();
    }
    out.push_back(std::move(j));
  }
  res->SetHeader("X-Repo-Commit", commit->id);
  SetJson(res, 200, out);
}

void HubApi::Refs(const HttpRequest& req, HttpResponse* res, const std::string& repo_id) {
  auto access = Authorize(req, repo_id, Need::kRead, res);
  if (!access) return;
  bool include_prs = req.QueryFlag("include_prs");
  OrderedJson branches = OrderedJson::array();
  OrderedJson converts = OrderedJson::array();
  OrderedJson tags = OrderedJson::array();
  OrderedJson prs = OrderedJson::array();
  for (const auto& [ref, target] : access->info.refs) {
    // Explicit captures: clang 14 cannot capture structured bindings.
    auto entry = [&ref = ref, &target = target](const std::string& name) {
      OrderedJson j;
      j["name"] = name;
      j["ref"] = ref;
      j["targetCommit"] = target;
      return j;
    };
    if (StartsWith(ref, "refs/heads/")) {
      branches.push_back(entry(ref.substr(11)));
    } else if (StartsWith(ref, "refs/convert/")) {
      converts.push_back(entry(ref.substr(13)));
    } else if (StartsWith(ref, "refs/tags/")) {
      tags.push_back(entry(ref.substr(10)));
    } else if (StartsWith(ref, "refs/pr/")) {
      prs.push_back(entry(ref));
    }
  }
  OrderedJson j;
  j["branches"] = std::move(branches);
  j["converts"] = std::move(converts);
  j["tags"] = std::move(tags);
  if (include_prs) j["pullRequests"] = std::move(prs);
  SetJson(res, 200, j);
}

void HubApi::Commits(const HttpRequest& req, HttpResponse* res, const std::string& repo_id,
                     const std::string& revision) {
  auto access = Authorize(req, repo_id, Need::kRead, res);
  if (!access) return;
  CommitPtr commit = ResolveCommit(*access, revision, res);
  if (!commit) return;
  size_t offset = 0;
  if (req.HasQuery("cursor")) {
    auto cursor = ParseCursor(req.Query("cursor"));
    if (!cursor) {
      SetError(res, 400, "", "Invalid cursor");
      return;
    }
    auto pinned = store_->GetCommit(repo_id, cursor->first);
    if (!pinned.ok()) {
      SetError(res, 400, "", "Invalid cursor");
      return;
    }
    commit = *pinned;
    offset = cursor->second;
  }
  int page = 50;
  if (auto limit = ParseInt64(req.Query("limit")); limit && *limit > 0) {
    page = static_cast<int>(std::min<int64_t>(*limit, 1000));
  }
  // The first-parent history, newest first.
  OrderedJson out = OrderedJson::array();
  CommitPtr cur = commit;
  size_t index = 0;
  bool more = false;
  while (cur) {
    if (index >= offset + static_cast<size_t>(page)) {
      more = true;
      break;
    }
    if (index >= offset) {
      OrderedJson j;
      j["id"] = cur->id;
      j["title"] = cur->title;
      j["message"] = cur->message;
      j["date"] = FormatMillisUtc(cur->date_ms);
      j["authors"] = OrderedJson::array({OrderedJson{{"user", cur->author}}});
      out.push_back(std::move(j));
    }
    ++index;
    if (cur->parents.empty()) break;
    auto parent = store_->GetCommit(repo_id, cur->parents.front());
    cur = parent.ok() ? *parent : nullptr;
  }
  if (more) res->SetHeader("Link", NextLink(req, MakeCursor(commit->id, offset + page)));
  SetJson(res, 200, out);
}

void HubApi::Parquet(const HttpRequest& req, HttpResponse* res, const std::string& repo_id,
                     const std::vector<std::string>& parts) {
  auto access = Authorize(req, repo_id, Need::kRead, res);
  if (!access) return;
  auto ref = access->info.refs.find("refs/convert/parquet");
  if (ref == access->info.refs.end()) {
    SetError(res, 404, "", "No parquet export for " + repo_id);
    return;
  }
  auto commit = store_->GetCommit(repo_id, ref->second);
  if (!commit.ok()) {
    SetError(res, 500, "", commit.status().message());
    return;
  }
  // config -> split -> shard file paths (sorted)
  std::map<std::string, std::map<std::string, std::vector<std::string>>> layout;
  for (const auto& [path, e] : (*commit)->files) {
    auto segs = Split(path, '/');
    if (segs.size() != 3 || !EndsWith(segs[2], ".parquet")) continue;
    layout[segs[0]][segs[1]].push_back(path);
  }
  std::string base = req.base_url + "/api/datasets/" + repo_id + "/parquet/";
  auto urls = [&](const std::string& config, const std::string& split) {
    OrderedJson arr = OrderedJson::array();
    const auto& files = layout[config][split];
    for (size_t i = 0; i < files.size(); ++i) {
      arr.push_back(base + PercentEncode(config) + "/" + PercentEncode(split) + "/" +
                    std::to_string(i) + ".parquet");
    }
    return arr;
  };
  if (parts.size() == 4 || parts.size() > 4) {
    SetError(res, 404, "", "Not found");
    return;
  }
  if (parts.size() == 3) {  // one shard: redirect to the file on refs/convert/parquet
    std::string n = parts[2];
    auto idx = EndsWith(n, ".parquet") ? ParseInt64(n.substr(0, n.size() - 8)) : std::nullopt;
    auto c = layout.find(parts[0]);
    if (!idx || c == layout.end() || !c->second.count(parts[1]) || *idx < 0 ||
        static_cast<size_t>(*idx) >= c->second[parts[1]].size()) {
      SetError(res, 404, "EntryNotFound", "Entry not found");
      return;
    }
    std::string path = c->second[parts[1]][static_cast<size_t>(*idx)];
    res->status = 302;
    res->SetHeader("Location", req.base_url + "/datasets/" + repo_id +
                                   "/resolve/refs%2Fconvert%2Fparquet/" + PercentEncode(path, "/"));
    return;
  }
  if (!parts.empty() && !layout.count(parts[0])) {
    SetError(res, 404, "", "No config " + parts[0]);
    return;
  }
  if (parts.size() == 2) {
    if (!layout[parts[0]].count(parts[1])) {
      SetError(res, 404, "", "No split " + parts[1]);
      return;
    }
    SetJson(res, 200, urls(parts[0], parts[1]));
    return;
  }
  OrderedJson out;
  for (const auto& [config, splits] : layout) {
    if (!parts.empty() && config != parts[0]) continue;
    OrderedJson cj;
    for (const auto& [split, files] : splits) cj[split] = urls(config, split);
    if (parts.empty()) {
      out[config] = std::move(cj);
    } else {
      out = std::move(cj);
    }
  }
  if (out.is_null()) out = OrderedJson::object();
  SetJson(res, 200, out);
}

void HubApi::Resolve(const HttpRequest& req, HttpResponse* res, const std::string& repo_id,
                     const std::string& revision, const std::string& path, bool from_cache_route) {
  auto access = Authorize(req, repo_id, Need::kDownload, res);
  if (!access) return;
  CommitPtr commit = ResolveCommit(*access, revision, res);
  if (!commit) return;
  res->SetHeader("X-Repo-Commit", commit->id);
  auto it = commit->files.find(path);
  if (it == commit->files.end()) {
    SetError(res, 404, "EntryNotFound", "Entry not found");
    return;
  }
  const FileEntry& e = it->second;
  std::string etag = "\"" + (e.lfs ? e.sha256 : e.oid) + "\"";
  res->SetHeader("ETag", etag);
  res->SetHeader("Accept-Ranges", "bytes");
  res->SetHeader("X-Request-Id", "Root=1-" + RandomUuid());
  if (e.lfs && !from_cache_route) {
    // Large files live on the "CDN": a presigned URL on the storage origin.
    std::string filename =
        path.substr(path.rfind('/') == std::string::npos ? 0 : path.rfind('/') + 1);
    std::string location = StorageBase(req) + "/lfs/" + e.sha256 +
                           "?sig=" + Sign("download", e.sha256, 0) +
                           "&filename=" + PercentEncode(filename);
    res->status = 302;
    res->SetHeader("Location", location);
    res->SetHeader("X-Linked-Size", std::to_string(e.size));
    res->SetHeader("X-Linked-ETag", etag);
    res->content_type = "text/plain; charset=utf-8";
    res->body = req.method == "HEAD" ? "" : "Found. Redirecting to " + location;
    return;
  }
  if (!from_cache_route && options_.redirect_regular_files) {
    std::string location = "/api/resolve-cache/datasets/" + repo_id + "/" + commit->id + "/" +
                           PercentEncode(path, "/") + "?etag=" + PercentEncode(etag);
    res->status = 307;
    res->SetHeader("Location", location);
    res->content_type = "text/plain; charset=utf-8";
    res->body = req.method == "HEAD" ? "" : "Temporary Redirect. Redirecting to " + location;
    return;
  }
  auto blob = store_->BlobPath(e.sha256);
  if (!blob) {
    SetError(res, 500, "", "The content of " + path + " is missing from the blob store");
    return;
  }
  ServeFile(req, *blob, e.size, res);
}

void HubApi::StorageDownload(const HttpRequest& req, HttpResponse* res, const std::string& oid) {
  if (!IsHex(oid, 64) || req.Query("sig") != Sign("download", oid, 0)) {
    SetError(res, 403, "", "AccessDenied: the signature of this URL is invalid or expired");
    return;
  }
  auto blob = store_->BlobPath(oid);
  auto size = store_->BlobSize(oid);
  if (!blob || !size) {
    SetError(res, 404, "", "NoSuchKey: the object does not exist");
    return;
  }
  res->SetHeader("ETag", "\"" + ToLower(oid) + "\"");
  if (req.HasQuery("filename")) {
    res->SetHeader("Content-Disposition",
                   "inline; filename*=UTF-8''" + PercentEncode(req.Query("filename")));
  }
  ServeFile(req, *blob, *size, res);
}

}  // namespace faceberg::hub::internal
