// The write routes of the local hub: repos, preupload, Git LFS batch/upload/verify, the NDJSON
// commit, branches, tags and settings.
#include <filesystem>

#include "hub/local_hub_api_internal.h"
#include "hub/local_hub_codec_internal.h"
#include "io/file_io.h"
#include "util/strings.h"

namespace faceberg::hub::internal {

namespace fs = std::filesystem;

namespace {

constexpr int kMaxPreuploadFiles = 10000;
constexpr int kMaxBatchObjects = 10000;

std::string OptString(const Json& j, std::string_view key) {
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

// A branch name: a valid path that is not itself a ref name.
bool IsValidBranch(const std::string& name) {
  return IsValidRepoPath(name) && !StartsWith(name, "refs/") && name.size() <= 255 &&
         name.find("..") == std::string::npos;
}

}  // namespace

std::optional<Json> HubApi::ReadJsonBody(const HttpRequest& req, HttpResponse* res) {
  auto body = req.body->ReadAll(options_.max_body_bytes);
  if (!body.ok()) {
    if (req.body->too_large()) {
      SetError(
          res, 413, "",
          "Request body too large: at most " + std::to_string(options_.max_body_bytes) + " bytes");
    } else {
      SetError(res, 400, "", body.status().message());
    }
    return std::nullopt;
  }
  if (Trim(*body).empty()) return Json::object();
  auto j = ParseJson(*body, "request body");
  if (!j.ok()) {
    SetError(res, 400, "", j.status().message());
    return std::nullopt;
  }
  return *j;
}

void HubApi::ValidateYaml(const HttpRequest& req, HttpResponse* res) {
  auto body = ReadJsonBody(req, res);
  if (!body) return;
  std::string content = OptString(*body, "content");
  OrderedJson out;
  out["errors"] = OrderedJson::array();
  out["warnings"] = OrderedJson::array();
  if (auto yaml = ReadmeFrontMatter(content)) {
    auto parsed = YamlToJson(*yaml);
    if (!parsed.ok()) {
      out["errors"].push_back(OrderedJson{{"message", parsed.status().message()}});
      out["error"] = parsed.status().message();
      SetJson(res, 400, out);
      return;
    }
    if (!parsed->is_object() && !parsed->is_null()) {
      std::string message = "the README metadata must be a YAML mapping";
      out["errors"].push_back(OrderedJson{{"message", message}});
      out["error"] = message;
      SetJson(res, 400, out);
      return;
    }
  } else {
    out["warnings"].push_back(
        OrderedJson{{"message", "empty or missing yaml metadata in repo card"}});
  }
  SetJson(res, 200, out);
}

void HubApi::CreateRepo(const HttpRequest& req, HttpResponse* res) {
  Caller caller = policy_->Identify(req.header("Authorization"));
  if (caller.kind == Caller::Kind::kInvalidToken) {
    SetError(res, 401, "", "Invalid credentials in Authorization header");
    return;
  }
  auto body = ReadJsonBody(req, res);
  if (!body) return;
  std::string type = OptString(*body, "type");
  if (type != "dataset") {
    SetError(res, 400, "",
             "this hub serves dataset repos only (\"type\": \"dataset\"), not '" +
                 (type.empty() ? std::string("model") : type) + "'");
    return;
  }
  std::string name = OptString(*body, "name");
  std::string organization = OptString(*body, "organization");
  if (organization.empty() && name.find('/') != std::string::npos) {
    organization = name.substr(0, name.find('/'));
    name = name.substr(name.find('/') + 1);
  }
  if (organization.empty()) organization = caller.user();
  std::string repo_id = organization + "/" + name;
  if (!IsValidRepoId(repo_id)) {
    SetError(res, 400, "",
             "Invalid repo name '" + repo_id +
                 "': use OWNER/NAME with letters, digits, '-', '_' and '.'");
    return;
  }
  if (!policy_->CanWrite(caller, repo_id)) {
    if (caller.authenticated()) {
      SetError(res, 403, "",
               "You don't have the rights to create a dataset under the namespace \"" +
                   organization + "\"");
    } else {
      SetError(res, 401, "", "You must be authenticated to create a repo");
    }
    return;
  }
  bool is_private = false;
  if (auto v = body->find("private"); v != body->end() && v->is_boolean()) is_private = *v;
  if (auto v = body->find("visibility"); v != body->end() && v->is_string()) {
    is_private = v->get<std::string>() == "private";
  }
  std::string url = req.base_url + "/datasets/" + repo_id;
  StoreError why = StoreError::kNone;
  auto created = store_->CreateRepo(repo_id, is_private, caller.user(), &why);
  if (!created.ok()) {
    if (why == StoreError::kConflict) {
      OrderedJson j;
      j["error"] = "You already created this dataset repo";
      j["url"] = url;
      res->SetHeader("X-Error-Message", "You already created this dataset repo");
      SetJson(res, 409, j);
      return;
    }
    SetStoreError(res, why, created.status());
    return;
  }
  OrderedJson j;
  j["url"] = url;
  j["name"] = repo_id;
  j["id"] = Sha1Hex("repo " + repo_id).substr(0, 24);
  SetJson(res, 200, j);
}

void HubApi::DeleteRepo(const HttpRequest& req, HttpResponse* res) {
  auto body = ReadJsonBody(req, res);
  if (!body) return;
  std::string name = OptString(*body, "name");
  std::string organization = OptString(*body, "organization");
  if (organization.empty() && name.find('/') != std::string::npos) {
    organization = name.substr(0, name.find('/'));
    name = name.substr(name.find('/') + 1);
  }
  if (organization.empty()) {
    organization = policy_->Identify(req.header("Authorization")).user();
  }
  std::string repo_id = organization + "/" + name;
  if (OptString(*body, "type") != "dataset") {
    SetError(res, 400, "", "this hub serves dataset repos only (\"type\": \"dataset\")");
    return;
  }
  auto access = Authorize(req, repo_id, Need::kWrite, res);
  if (!access) return;
  StoreError why = StoreError::kNone;
  Status st = store_->DeleteRepo(repo_id, &why);
  if (!st.ok()) {
    SetStoreError(res, why, st);
    return;
  }
  SetJson(res, 200, OrderedJson::object());
}

void HubApi::Preupload(const HttpRequest& req, HttpResponse* res, const std::string& repo_id,
                       const std::string& revision) {
  auto access = Authorize(req, repo_id, Need::kWrite, res);
  if (!access) return;
  auto body = ReadJsonBody(req, res);
  if (!body) return;
  auto files = body->find("files");
  if (files == body->end() || !files->is_array()) {
    SetError(res, 400, "", "preupload body must have a 'files' list");
    return;
  }
  if (files->size() > static_cast<size_t>(kMaxPreuploadFiles)) {
    SetError(res, 413, "", "Too many files in one preupload request");
    return;
  }
  CommitPtr commit = ResolveCommit(*access, revision, res);
  if (!commit) return;
  LfsRules rules = LfsRules::Parse(ReadSmallFile(commit, ".gitattributes").value_or(""));
  OrderedJson out_files = OrderedJson::array();
  for (const auto& f : *files) {
    std::string path = OptString(f, "path");
    auto size_it = f.find("size");
    if (path.empty() || size_it == f.end() || !size_it->is_number_unsigned()) {
      SetError(res, 400, "", "each preupload file needs 'path' and 'size'");
      return;
    }
    uint64_t size = size_it->get<uint64_t>();
    auto sample = Base64Decode(OptString(f, "sample"));
    bool binary = sample.ok() && sample->find('\0') != std::string::npos;
    bool lfs = size > 0 && (size > kLfsSizeThreshold || rules.Matches(path) || binary);
    OrderedJson j;
    j["path"] = path;
    j["uploadMode"] = lfs ? "lfs" : "regular";
    j["shouldIgnore"] = false;
    if (auto existing = commit->files.find(path); existing != commit->files.end()) {
      j["oid"] = existing->second.lfs ? existing->second.sha256 : existing->second.oid;
    }
    out_files.push_back(std::move(j));
  }
  OrderedJson out;
  out["files"] = std::move(out_files);
  out["commitOid"] = commit->id;
  SetJson(res, 200, out);
}

void HubApi::LfsBatch(const HttpRequest& req, HttpResponse* res, const std::string& repo_id) {
  auto body = ReadJsonBody(req, res);
  if (!body) return;
  std::string operation = OptString(*body, "operation");
  if (operation != "upload" && operation != "download") {
    SetError(res, 422, "", "operation must be 'upload' or 'download'");
    return;
  }
  auto access =
      Authorize(req, repo_id, operation == "upload" ? Need::kWrite : Need::kDownload, res);
  if (!access) return;
  std::string algo = OptString(*body, "hash_algo");
  if (!algo.empty() && algo != "sha256" && algo != "sha_256") {
    SetError(res, 422, "", "unsupported hash_algo '" + algo + "': use sha256");
    return;
  }
  bool multipart_offered = false;
  if (auto t = body->find("transfers"); t != body->end() && t->is_array()) {
    for (const auto& v : *t) multipart_offered |= v.is_string() && v == "multipart";
  }
  auto objects = body->find("objects");
  if (objects == body->end() || !objects->is_array()) {
    SetError(res, 422, "", "the batch request needs an 'objects' list");
    return;
  }
  if (objects->size() > static_cast<size_t>(kMaxBatchObjects)) {
    SetError(res, 413, "", "Too many objects in one batch request");
    return;
  }
  std::string hub = req.base_url;
  std::string storage = StorageBase(req);
  bool any_multipart = false;
  OrderedJson out_objects = OrderedJson::array();
  for (const auto& o : *objects) {
    std::string oid = ToLower(OptString(o, "oid"));
    auto size_it = o.find("size");
    OrderedJson j;
    j["oid"] = oid;
    j["size"] = size_it != o.end() && size_it->is_number_integer() ? size_it->get<int64_t>() : 0;
    auto fail = [&](int code, std::string message) {
      j["error"] = OrderedJson{{"code", code}, {"message", std::move(message)}};
      out_objects.push_back(j);
    };
    if (!IsHex(oid, 64) || size_it == o.end() || !size_it->is_number_unsigned()) {
      fail(422, "each object needs a sha256 'oid' and a non-negative 'size'");
      continue;
    }
    uint64_t size = size_it->get<uint64_t>();
    auto stored = store_->BlobSize(oid);
    if (operation == "download") {
      if (!stored || *stored != size) {
        fail(404, "Object does not exist");
        continue;
      }
      j["actions"] = OrderedJson{
          {"download",
           OrderedJson{{"href", storage + "/lfs/" + oid + "?sig=" + Sign("download", oid, 0)},
                       {"header", OrderedJson::object()}}}};
      out_objects.push_back(std::move(j));
      continue;
    }
    if (stored) {
      if (*stored != size) {
        fail(422, "an object with this oid is stored with a different size");
      } else {
        out_objects.push_back(std::move(j));  // already uploaded: no actions
      }
      continue;
    }
    OrderedJson upload;
    if (multipart_offered && size > options_.lfs_chunk_size) {
      any_multipart = true;
      uint64_t chunk = options_.lfs_chunk_size;
      uint64_t parts = (size + chunk - 1) / chunk;
      OrderedJson header;
      header["chunk_size"] = std::to_string(chunk);
      for (uint64_t p = 1; p <= parts; ++p) {
        uint64_t part_size = p < parts ? chunk : size - chunk * (parts - 1);
        std::string key = std::to_string(p);
        key.insert(0, key.size() < 5 ? 5 - key.size() : 0, '0');
        header[key] = storage + "/upload/" + oid + "/part/" + std::to_string(p) +
                      "?size=" + std::to_string(part_size) +
                      "&sig=" + Sign("part" + std::to_string(p), oid, part_size);
      }
      upload["href"] = hub + "/api/complete_multipart?oid=" + oid +
                       "&size=" + std::to_string(size) + "&chunk=" + std::to_string(chunk) +
                       "&sig=" + Sign("complete" + std::to_string(chunk), oid, size);
      upload["header"] = std::move(header);
    } else {
      if (size > options_.max_body_bytes) {
        fail(422,
             "object is larger than this hub accepts in one request; offer the multipart "
             "transfer");
        continue;
      }
      upload["href"] = storage + "/upload/" + oid + "?size=" + std::to_string(size) +
                       "&sig=" + Sign("upload", oid, size);
    }
    OrderedJson verify;
    verify["href"] = hub + "/datasets/" + repo_id + ".git/info/lfs/objects/verify";
    verify["header"] = OrderedJson::object();
    j["actions"] = OrderedJson{{"upload", std::move(upload)}, {"verify", std::move(verify)}};
    out_objects.push_back(std::move(j));
  }
  OrderedJson out;
  out["transfer"] = any_multipart ? "multipart" : "basic";
  out["objects"] = std::move(out_objects);
  out["hash_algo"] = "sha256";
  SetJson(res, 200, out);
  res->content_type = "application/vnd.git-lfs+json";
}

void HubApi::LfsVerify(const HttpRequest& req, HttpResponse* res, const std::string& repo_id) {
  auto access = Authorize(req, repo_id, Need::kWrite, res);
  if (!access) return;
  auto body = ReadJsonBody(req, res);
  if (!body) return;
  std::string oid = ToLower(OptString(*body, "oid"));
  auto size_it = body->find("size");
  auto stored = store_->BlobSize(oid);
  if (!stored || size_it == body->end() || !size_it->is_number_unsigned() ||
      *stored != size_it->get<uint64_t>()) {
    SetError(res, 404, "", "Object " + oid + " was not uploaded (or has another size)");
    return;
  }
  SetJson(res, 200, OrderedJson::object());
  res->content_type = "application/vnd.git-lfs+json";
}

void HubApi::StorageUpload(const HttpRequest& req, HttpResponse* res, const std::string& oid,
                           int part) {
  auto size = ParseInt64(req.Query("size"));
  std::string purpose = part == 0 ? "upload" : "part" + std::to_string(part);
  if (part < 0 || !IsHex(oid, 64) || !size || *size < 0 ||
      req.Query("sig") != Sign(purpose, oid, static_cast<uint64_t>(*size))) {
    SetError(res, 403, "", "AccessDenied: the signature of this URL is invalid or expired");
    return;
  }
  uint64_t expected = static_cast<uint64_t>(*size);
  if (part == 0) {
    auto writer = store_->NewBlobWriter();
    if (!writer.ok()) {
      SetError(res, 500, "", writer.status().message());
      return;
    }
    Status st = req.body->Stream([&](std::string_view chunk) -> Status {
      if ((*writer)->size() + chunk.size() > expected) {
        return InvalidArgument("more than the announced {} bytes", expected);
      }
      return (*writer)->Append(chunk);
    });
    if (!st.ok() || (*writer)->size() != expected) {
      SetError(res, req.body->too_large() ? 413 : 400, "",
               st.ok() ? "upload has " + std::to_string((*writer)->size()) + " bytes, not " +
                             std::to_string(expected)
                       : st.message());
      return;
    }
    auto sha = (*writer)->Finish(oid);
    if (!sha.ok()) {
      SetError(res, sha.status().code() == ErrorCode::kInvalidArgument ? 400 : 500, "",
               sha.status().message());
      return;
    }
    res->SetHeader("ETag", "\"" + *sha + "\"");
    res->status = 200;
    return;
  }
  // One part of a multipart upload: kept until the completion call.
  std::error_code ec;
  fs::path dir = store_->UploadDir(oid);
  fs::create_directories(dir, ec);
  std::string data;
  Status st = req.body->Stream([&](std::string_view chunk) -> Status {
    if (data.size() + chunk.size() > expected) {
      return InvalidArgument("more than the announced {} bytes", expected);
    }
    data.append(chunk);
    return Status::OK();
  });
  if (!st.ok() || data.size() != expected) {
    SetError(res, req.body->too_large() ? 413 : 400, "",
             st.ok() ? "part has " + std::to_string(data.size()) + " bytes, not " +
                           std::to_string(expected)
                     : st.message());
    return;
  }
  io::LocalFileIO io;
  st = io.WriteFile((dir / ("part-" + std::to_string(part))).string(), data,
                    io::WriteMode::kOverwrite);
  if (!st.ok()) {
    SetError(res, 500, "", st.message());
    return;
  }
  res->SetHeader("ETag", "\"" + Sha256Hex(data).substr(0, 32) + "\"");
  res->status = 200;
}

void HubApi::LfsComplete(const HttpRequest& req, HttpResponse* res) {
  std::string oid = ToLower(req.Query("oid"));
  auto size = ParseInt64(req.Query("size"));
  auto chunk = ParseInt64(req.Query("chunk"));
  if (!IsHex(oid, 64) || !size || *size < 0 || !chunk || *chunk <= 0 ||
      req.Query("sig") !=
          Sign("complete" + std::to_string(*chunk), oid, static_cast<uint64_t>(*size))) {
    SetError(res, 403, "", "the signature of this completion URL is invalid or expired");
    return;
  }
  auto body = ReadJsonBody(req, res);
  if (!body) return;
  auto parts = body->find("parts");
  if (OptString(*body, "oid") != oid || parts == body->end() || !parts->is_array()) {
    SetError(res, 400, "", "completion body must be {\"oid\": ..., \"parts\": [...]}");
    return;
  }
  uint64_t total = static_cast<uint64_t>(*size);
  uint64_t chunk_size = static_cast<uint64_t>(*chunk);
  size_t expected_parts = static_cast<size_t>((total + chunk_size - 1) / chunk_size);
  if (parts->size() != expected_parts) {
    SetError(res, 400, "",
             "expected " + std::to_string(expected_parts) + " parts, got " +
                 std::to_string(parts->size()));
    return;
  }
  if (store_->BlobSize(oid) == total) {  // completed before (a retried completion call)
    SetJson(res, 200, OrderedJson::object());
    return;
  }
  auto writer = store_->NewBlobWriter();
  if (!writer.ok()) {
    SetError(res, 500, "", writer.status().message());
    return;
  }
  fs::path dir = store_->UploadDir(oid);
  io::LocalFileIO io;
  for (size_t i = 0; i < parts->size(); ++i) {
    const Json& p = (*parts)[i];
    auto number = p.find("partNumber");
    std::string etag = OptString(p, "etag");
    if (number == p.end() || !number->is_number_integer() ||
        number->get<int64_t>() != static_cast<int64_t>(i + 1)) {
      SetError(res, 400, "", "parts must be listed in order with partNumber 1..N");
      return;
    }
    auto file = io.NewInputFile((dir / ("part-" + std::to_string(i + 1))).string());
    if (!file.ok()) {
      SetError(res, 400, "", "part " + std::to_string(i + 1) + " was not uploaded");
      return;
    }
    auto data = (*file)->ReadAll(chunk_size);
    if (!data.ok()) {
      SetError(res, 400, "", data.status().message());
      return;
    }
    std::string want = Sha256Hex(*data).substr(0, 32);
    std::string got = etag;
    if (got.size() >= 2 && got.front() == '"' && got.back() == '"')
      got = got.substr(1, got.size() - 2);
    if (got != want) {
      SetError(res, 400, "", "etag of part " + std::to_string(i + 1) + " does not match");
      return;
    }
    Status st = (*writer)->Append(*data);
    if (!st.ok()) {
      SetError(res, 500, "", st.message());
      return;
    }
  }
  if ((*writer)->size() != total) {
    SetError(res, 400, "",
             "the parts add up to " + std::to_string((*writer)->size()) + " bytes, not " +
                 std::to_string(total));
    return;
  }
  auto sha = (*writer)->Finish(oid);
  if (!sha.ok()) {
    SetError(res, 400, "", sha.status().message());
    return;
  }
  std::error_code ec;
  fs::remove_all(dir, ec);
  SetJson(res, 200, OrderedJson::object());
}

void HubApi::Commit(const HttpRequest& req, HttpResponse* res, const std::string& repo_id,
                    const std::string& revision) {
  auto access = Authorize(req, repo_id, Need::kWrite, res);
  if (!access) return;
  auto body = req.body->ReadAll(options_.max_body_bytes);
  if (!body.ok()) {
    SetError(res, req.body->too_large() ? 413 : 400, "",
             req.body->too_large() ? "Request body too large: at most " +
                                         std::to_string(options_.max_body_bytes) + " bytes"
                                   : body.status().message());
    return;
  }
  CommitRequest request;
  request.revision = revision;
  request.create_pr = req.QueryFlag("create_pr");
  request.author = access->caller.user();
  bool has_header = false;
  size_t line_no = 0;
  for (const auto& raw_line : Split(*body, '\n')) {
    ++line_no;
    std::string_view line = Trim(raw_line);
    if (line.empty()) continue;
    auto bad = [&](const std::string& message) {
      SetError(res, 400, "", "commit line " + std::to_string(line_no) + ": " + message);
    };
    auto j = ParseJson(line, "commit line");
    if (!j.ok() || !j->is_object()) return bad("not a JSON object");
    std::string key = OptString(*j, "key");
    auto value_it = j->find("value");
    if (value_it == j->end() || !value_it->is_object()) return bad("missing 'value' object");
    const Json& v = *value_it;
    if (key == "header") {
      has_header = true;
      request.title = OptString(v, "summary");
      request.message = OptString(v, "description");
      request.parent_commit = OptString(v, "parentCommit");
      if (!request.parent_commit.empty() &&
          (!IsHex(request.parent_commit) || request.parent_commit.size() < 5 ||
           request.parent_commit.size() > 40)) {
        return bad("parentCommit must be 5 to 40 hex digits");
      }
      continue;
    }
    std::string path = OptString(v, "path");
    if (key == "deletedFolder") {
      while (!path.empty() && path.back() == '/') path.pop_back();
      if (!path.empty() && !IsValidRepoPath(path)) return bad("invalid path '" + path + "'");
      request.operations.push_back({CommitOperation::Kind::kDeleteFolder, path, {}});
      continue;
    }
    if (!IsValidRepoPath(path)) return bad("invalid path '" + path + "'");
    if (key == "deletedFile") {
      request.operations.push_back({CommitOperation::Kind::kDeleteFile, path, {}});
    } else if (key == "file") {
      std::string encoding = OptString(v, "encoding");
      std::string content = OptString(v, "content");
      std::string bytes;
      if (encoding == "base64") {
        auto decoded = Base64Decode(content);
        if (!decoded.ok()) return bad(decoded.status().message());
        bytes = std::move(*decoded);
      } else if (encoding.empty() || encoding == "utf-8") {
        bytes = std::move(content);
      } else {
        return bad("unsupported encoding '" + encoding + "'");
      }
      auto sha = store_->PutBlob(bytes);
      if (!sha.ok()) {
        SetError(res, 500, "", sha.status().message());
        return;
      }
      request.operations.push_back({CommitOperation::Kind::kAdd, path,
                                    MakeFileEntry(bytes.size(), *sha, GitBlobOid(bytes), false)});
    } else if (key == "lfsFile") {
      std::string algo = OptString(v, "algo");
      std::string oid = ToLower(OptString(v, "oid"));
      if ((!algo.empty() && algo != "sha256") || !IsHex(oid, 64)) {
        return bad("lfsFile needs a sha256 'oid'");
      }
      auto stored = store_->BlobSize(oid);
      if (!stored) {
        return bad("LFS object " + oid + " for " + path +
                   " was not uploaded; upload it through the LFS batch API first");
      }
      if (auto size_it = v.find("size"); size_it != v.end()) {
        if (!size_it->is_number_unsigned() || size_it->get<uint64_t>() != *stored) {
          return bad("LFS object " + oid + " has " + std::to_string(*stored) + " bytes, not the " +
                     "size given for " + path);
        }
      }
      std::string old_path = OptString(v, "oldPath");
      if (!old_path.empty()) {
        if (!IsValidRepoPath(old_path)) return bad("invalid oldPath '" + old_path + "'");
        request.operations.push_back({CommitOperation::Kind::kDeleteFile, old_path, {}});
      }
      request.operations.push_back(
          {CommitOperation::Kind::kAdd, path, MakeFileEntry(*stored, oid, "", true)});
    } else {
      return bad("unknown key '" + key + "'");
    }
  }
  if (!has_header) {
    SetError(res, 400, "", "the commit needs a header line ({\"key\": \"header\", ...})");
    return;
  }
  if (request.title.empty()) request.title = "Upload files";
  StoreError why = StoreError::kNone;
  auto outcome = store_->ApplyCommit(repo_id, request, &why);
  if (!outcome.ok()) {
    SetStoreError(res, why, outcome.status());
    return;
  }
  std::string repo_url = req.base_url + "/datasets/" + repo_id;
  OrderedJson out;
  out["success"] = true;
  out["commitOid"] = outcome->commit_id;
  out["commitUrl"] = repo_url + "/commit/" + outcome->commit_id;
  out["hookOutput"] = "";
  if (outcome->pr_number > 0) {
    out["pullRequestUrl"] = repo_url + "/discussions/" + std::to_string(outcome->pr_number);
  }
  SetJson(res, 200, out);
}

void HubApi::Branch(const HttpRequest& req, HttpResponse* res, const std::string& repo_id,
                    const std::string& branch) {
  auto access = Authorize(req, repo_id, Need::kWrite, res);
  if (!access) return;
  StoreError why = StoreError::kNone;
  if (req.method == "DELETE") {
    Status st = store_->DeleteRef(repo_id, "refs/heads/" + branch, &why);
    if (!st.ok()) return SetStoreError(res, why, st);
    SetJson(res, 200, OrderedJson::object());
    return;
  }
  auto body = ReadJsonBody(req, res);
  if (!body) return;
  if (!IsValidBranch(branch)) {
    SetError(res, 400, "", "Invalid branch name '" + branch + "'");
    return;
  }
  std::string start = OptString(*body, "startingPoint");
  CommitPtr commit = ResolveCommit(*access, start.empty() ? "main" : start, res);
  if (!commit) return;
  Status st = store_->CreateRef(repo_id, "refs/heads/" + branch, commit->id, &why);
  if (!st.ok()) return SetStoreError(res, why, st);
  SetJson(res, 200, OrderedJson::object());
}

void HubApi::Tag(const HttpRequest& req, HttpResponse* res, const std::string& repo_id,
                 const std::string& name) {
  auto access = Authorize(req, repo_id, Need::kWrite, res);
  if (!access) return;
  StoreError why = StoreError::kNone;
  if (req.method == "DELETE") {
    Status st = store_->DeleteRef(repo_id, "refs/tags/" + name, &why);
    if (!st.ok()) return SetStoreError(res, why, st);
    SetJson(res, 200, OrderedJson::object());
    return;
  }
  // POST /tag/{revision} with {"tag": name, "message": ...}.
  auto body = ReadJsonBody(req, res);
  if (!body) return;
  std::string tag = OptString(*body, "tag");
  if (!IsValidBranch(tag)) {
    SetError(res, 400, "", "Invalid tag name '" + tag + "'");
    return;
  }
  CommitPtr commit = ResolveCommit(*access, name, res);
  if (!commit) return;
  Status st = store_->CreateRef(repo_id, "refs/tags/" + tag, commit->id, &why);
  if (!st.ok()) return SetStoreError(res, why, st);
  SetJson(res, 200, OrderedJson::object());
}

void HubApi::Settings(const HttpRequest& req, HttpResponse* res, const std::string& repo_id) {
  auto access = Authorize(req, repo_id, Need::kWrite, res);
  if (!access) return;
  auto body = ReadJsonBody(req, res);
  if (!body) return;
  std::optional<bool> is_private;
  std::optional<std::string> gated;
  if (auto v = body->find("private"); v != body->end() && v->is_boolean()) is_private = *v;
  if (auto v = body->find("visibility"); v != body->end() && v->is_string()) {
    is_private = v->get<std::string>() == "private";
  }
  if (auto v = body->find("gated"); v != body->end()) {
    if (v->is_boolean() && !v->get<bool>()) {
      gated = "";
    } else if (v->is_string() && (*v == "auto" || *v == "manual")) {
      gated = v->get<std::string>();
    } else {
      SetError(res, 400, "", "gated must be false, \"auto\" or \"manual\"");
      return;
    }
  }
  StoreError why = StoreError::kNone;
  Status st = store_->UpdateSettings(repo_id, is_private, gated, &why);
  if (!st.ok()) return SetStoreError(res, why, st);
  SetJson(res, 200, OrderedJson::object());
}

}  // namespace faceberg::hub::internal
