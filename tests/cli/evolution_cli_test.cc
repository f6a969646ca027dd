// The real binary on both catalogs: schema, alter, rollback, tag/branch retention, expire,
// orphans, diff, delete and overwrite; and crash safety: each failure point of insert, delete,
// expire and alter kills the process mid-commit, after which the table loads, every committed
// snapshot reads as before, and only unreferenced files are left (which orphans removes).
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>

#include "cli_runner.h"
#include "test_util.h"
#include "util/json.h"
#include "util/time.h"

namespace faceberg {
namespace {

namespace fs = std::filesystem;
using faceberg::testing::CliRun;
using faceberg::testing::Lines;
using faceberg::testing::TempDir;
using ::testing::HasSubstr;

class EvolutionCliTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    catalog_ = GetParam() == "file" ? dir_.Join("cat") : "sqlite:" + dir_.Join("cat.db");
    ASSERT_EQ(Fb({"init"}).exit_code, 0);
  }

  // Runs faceberg with `args`, the environment variable FACEBERG_FAILPOINT set to `failpoint`
  // when it is not empty.
  CliRun Run(std::vector<std::string> args, const std::string& failpoint = "") {
    args.insert(args.begin(), {"--catalog", catalog_});
    std::vector<std::string> env;
    if (!failpoint.empty()) env.push_back("FACEBERG_FAILPOINT=" + failpoint);
    return testing::RunFaceberg(args, dir_.path().string(), env);
  }
  CliRun Fb(std::vector<std::string> args) { return Run(std::move(args)); }
  Json FbJson(std::vector<std::string> args) {
    args.push_back("--json");
    return testing::ExpectJsonOutput(Fb(args));
  }
  // An error: exit code 1 and one line that says `message`.
  void ExpectError(std::vector<std::string> args, const std::string& message) {
    CliRun r = Fb(args);
    EXPECT_EQ(r.exit_code, 1) << r.out;
    EXPECT_THAT(r.err, ::testing::StartsWith("error: "));
    EXPECT_THAT(r.err, HasSubstr(message));
    EXPECT_EQ(Lines(r.err), 1) << r.err;
  }
  std::vector<int64_t> SnapshotIds(const std::string& table) {
    std::vector<int64_t> ids;
    const Json listed = FbJson({"snapshots", table});
    for (const auto& s : listed["snapshots"]) ids.push_back(s["snapshot-id"]);
    return ids;
  }
  int64_t Current(const std::string& table) {
    Json info = FbJson({"info", table});
    return info["current-snapshot-id"].is_null() ? 0 : info["current-snapshot-id"].get<int64_t>();
  }
  // The rows of a snapshot as sorted CSV lines (header first).
  std::string Rows(const std::string& table, std::vector<std::string> extra = {}) {
    std::vector<std::string> args = {"scan", table, "--format", "csv"};
    args.insert(args.end(), extra.begin(), extra.end());
    CliRun r = Fb(args);
    EXPECT_EQ(r.exit_code, 0) << r.err;
    std::vector<std::string> lines;
    size_t start = 0;
    while (start < r.out.size()) {
      size_t end = r.out.find('\n', start);
      if (end == std::string::npos) end = r.out.size();
      lines.push_back(r.out.substr(start, end - start));
      start = end + 1;
    }
    if (lines.size() > 1) std::sort(lines.begin() + 1, lines.end());
    std::string out;
    for (const auto& l : lines) out += l + "\n";
    return out;
  }
  // Every regular file under the location of `table`.
  std::set<std::string> Files(const std::string& table = "db.t") {
    std::set<std::string> out;
    const std::string location = FbJson({"info", table})["location"];
    for (const auto& e : fs::recursive_directory_iterator(location)) {
      if (e.is_regular_file()) out.insert(e.path().string());
    }
    return out;
  }

  TempDir dir_;
  std::string catalog_;
};

TEST_P(EvolutionCliTest, SchemaAndAlter) {
  ASSERT_EQ(Fb({"create", "db.t", "--schema", "id int not null, name string, p struct<x: double>",
                "--partition-by", "bucket(4, id)"})
                .exit_code,
            0);
  ASSERT_EQ(Fb({"insert", "db.t", "--values", "(1, 'a', {'x': 1.5}), (2, 'b', NULL)"}).exit_code,
            0);
  int64_t s1 = Current("db.t");
  Json added = FbJson({"alter", "db.t", "add-column", "email", "string", "--after", "id"});
  EXPECT_EQ(added["schema-id"], 1);
  EXPECT_EQ(added["last-column-id"], 5);
  EXPECT_EQ(Fb({"alter", "db.t", "rename-column", "name", "full_name"}).exit_code, 0);
  EXPECT_EQ(Fb({"alter", "db.t", "update-column", "id", "--type", "long"}).exit_code, 0);
  EXPECT_EQ(Fb({"alter", "db.t", "add-column", "p.y", "double", "--first"}).exit_code, 0);
  CliRun dropped = Fb({"alter", "db.t", "drop-column", "email"});
  EXPECT_EQ(dropped.exit_code, 0) << dropped.err;
  EXPECT_THAT(dropped.out, HasSubstr("dropped column email"));
  EXPECT_EQ(Fb({"alter", "db.t", "update-column", "full_name", "--after", "p"}).exit_code, 0);

  Json schema = FbJson({"schema", "db.t"});
  EXPECT_EQ(schema["schema-id"], 6);
  EXPECT_TRUE(schema["current"].get<bool>());
  std::vector<std::string> names;
  for (const auto& f : schema["schema"]["fields"]) names.push_back(f["name"]);
  EXPECT_EQ(names, (std::vector<std::string>{"id", "p", "full_name"}));
  EXPECT_EQ(schema["schema"]["fields"][0]["type"], "long");
  EXPECT_EQ(schema["schema"]["fields"][1]["type"]["fields"][0]["name"], "y");
  // Regression: a scan of the table's state uses the current schema even before the next
  // write (the renamed column under its new name, the dropped one gone); time travel to the
  // snapshot uses the snapshot's schema.
  CliRun now = Fb({"scan", "db.t", "--format", "csv"});
  ASSERT_EQ(now.exit_code, 0) << now.err;
  EXPECT_THAT(now.out, ::testing::StartsWith("id,p,full_name\n"));
  CliRun then = Fb({"scan", "db.t", "--snapshot", std::to_string(s1), "--format", "csv"});
  ASSERT_EQ(then.exit_code, 0) << then.err;
  EXPECT_THAT(then.out, ::testing::StartsWith("id,name,p\n"));
  Json old = FbJson({"schema", "db.t", "--snapshot", std::to_string(s1)});
  EXPECT_EQ(old["schema-id"], 0);
  EXPECT_FALSE(old["current"].get<bool>());
  CliRun readable = Fb({"schema", "db.t"});
  EXPECT_THAT(readable.out, HasSubstr("schema 6 (current):"));
  EXPECT_THAT(readable.out, HasSubstr("1: id: required long"));

  // Old snapshots read in their schema; the current one in the new schema.
  EXPECT_EQ(Rows("db.t", {"--snapshot", std::to_string(s1)}), "id,name,p\n1,a,{'x': 1.5}\n2,b,\n");
  ASSERT_EQ(Fb({"insert", "db.t", "--values", "(3, {'y': 2.0, 'x': 3.0}, 'c')"}).exit_code, 0);
  EXPECT_EQ(Rows("db.t"),
            "id,p,full_name\n1,\"{'y': NULL, 'x': 1.5}\",a\n2,,b\n3,\"{'y': 2.0, 'x': 3.0}\",c\n");

  Json relaxed = FbJson({"alter", "db.t", "update-column", "id", "--optional"});
  EXPECT_EQ(relaxed["schema"]["fields"][0]["required"], false);
  ExpectError({"alter", "db.t", "update-column", "id", "--optional"}, "already optional");
  ExpectError({"alter", "db.t", "drop-column", "id"}, "partition field 'id_bucket'");
  ExpectError({"alter", "db.t", "add-column", "full_name", "int"}, "already exists");
  ExpectError({"alter", "db.t", "update-column", "id", "--type", "int"}, "cannot change");
  ExpectError({"alter", "db.t", "update-column", "full_name", "--type", "long"}, "cannot change");
  ExpectError({"alter", "db.t", "rename-column", "nope", "x"}, "does not exist");
  ExpectError({"alter", "db.t", "add-column", "r", "int", "--required"}, "existing rows");
  ExpectError({"alter", "db.t", "add-column", "r", "int", "--default", "1"}, "format v3");
  ExpectError({"alter", "db.t", "add-column", "r", "lung"}, "lung");
  ExpectError({"schema", "db.t", "--snapshot", "42"}, "snapshot 42 does not exist");
  CliRun usage = Fb({"alter", "db.t", "frobnicate", "x"});
  EXPECT_EQ(usage.exit_code, 2);
  EXPECT_THAT(usage.err, HasSubstr("frobnicate"));
  EXPECT_EQ(FbJson({"schema", "db.t"})["schema-id"], 7);  // nothing else changed
}

TEST_P(EvolutionCliTest, RollbackRefsDiffExpireOrphans) {
  ASSERT_EQ(Fb({"create", "db.t", "--schema", "id long not null, split string", "--partition-by",
                "split"})
                .exit_code,
            0);
  ASSERT_EQ(Fb({"insert", "db.t", "--values", "(1, 'a'), (2, 'b')"}).exit_code, 0);
  int64_t s1 = Current("db.t");
  ASSERT_EQ(Fb({"insert", "db.t", "--values", "(3, 'a')"}).exit_code, 0);
  int64_t s2 = Current("db.t");

  // Tags and branches with retention.
  Json tag = FbJson({"tag", "db.t", "v1", "--snapshot", std::to_string(s1), "--max-ref-age", "7d"});
  EXPECT_EQ(tag["max-ref-age-ms"], 604800000);
  Json branch = FbJson(
      {"branch", "db.t", "dev", "--min-snapshots-to-keep", "2", "--max-snapshot-age", "12h"});
  EXPECT_EQ(branch["min-snapshots-to-keep"], 2);
  EXPECT_EQ(branch["max-snapshot-age-ms"], 43200000);
  Json retention = FbJson({"tag", "db.t", "v1", "--max-ref-age", "1d"});  // no --replace needed
  EXPECT_EQ(retention["snapshot-id"], s1);
  EXPECT_EQ(Fb({"tag", "db.t", "v2", "--min-snapshots-to-keep", "3"}).exit_code,
            2);  // branches only
  ExpectError({"tag", "db.t", "v1", "--snapshot", std::to_string(s2)}, "--replace");
  Json refs = FbJson({"refs", "db.t"});
  for (const auto& r : refs["refs"]) {
    if (r["name"] == "v1") {
      EXPECT_EQ(r["max-ref-age-ms"], 86400000);
    }
  }

  // diff by ref, id and time.
  Json diff = FbJson({"diff", "db.t", "v1", "main"});
  EXPECT_EQ(diff["from"]["snapshot-id"], s1);
  EXPECT_EQ(diff["to"]["snapshot-id"], s2);
  EXPECT_EQ(diff["relation"], "forward");
  EXPECT_EQ(diff["added-files"].size(), 1u);
  EXPECT_EQ(diff["rows-added"], 1);
  EXPECT_EQ(diff["rows-removed"], 0);
  CliRun readable = Fb({"diff", "db.t", std::to_string(s2), std::to_string(s1)});
  EXPECT_EQ(readable.exit_code, 0) << readable.err;
  EXPECT_THAT(readable.out, HasSubstr("files: +0 -1"));
  Json by_time = FbJson({"diff", "db.t", std::to_string(s1), FormatMillisUtc(NowMillis())});
  EXPECT_EQ(by_time["to"]["snapshot-id"], s2);
  ExpectError({"diff", "db.t", "nope", "main"}, "nope");

  // rollback, refused and forced.
  Json back = FbJson({"rollback", "db.t", "--to-snapshot", std::to_string(s1)});
  EXPECT_EQ(back["to-snapshot-id"], s1);
  EXPECT_EQ(Current("db.t"), s1);
  ExpectError({"rollback", "db.t", "--to-snapshot", std::to_string(s2)}, "not an ancestor");
  EXPECT_EQ(Fb({"rollback", "db.t", "--to-snapshot", std::to_string(s2), "--force"}).exit_code, 0);
  EXPECT_EQ(Current("db.t"), s2);
  Json by_clock = FbJson({"rollback", "db.t", "--to-time", std::to_string(NowMillis())});
  EXPECT_EQ(by_clock["to-snapshot-id"], s2);
  ExpectError({"rollback", "db.t"}, "--to-snapshot");

  // expire: nothing is old enough by default; with --older-than the tag keeps s1.
  ASSERT_EQ(Fb({"branch", "db.t", "dev", "--drop"}).exit_code, 0);
  ASSERT_EQ(Fb({"delete", "db.t", "--where", "split = 'a'"}).exit_code, 0);
  EXPECT_TRUE(FbJson({"expire", "db.t"})["expired-snapshots"].empty());
  auto before = Files();
  Json dry = FbJson({"expire", "db.t", "--older-than", "0s", "--dry-run"});
  EXPECT_EQ(dry["expired-snapshots"].size(), 1u);  // s2; s1 is tagged, the delete is current
  EXPECT_EQ(dry["expired-snapshots"][0], s2);
  EXPECT_EQ(dry["deleted-data-files"].size(), 1u);  // the file of row 3, only s2 read it
  EXPECT_EQ(Files(), before);
  CliRun done = Fb({"expire", "db.t", "--older-than", "0s"});
  EXPECT_EQ(done.exit_code, 0) << done.err;
  EXPECT_THAT(done.out, HasSubstr("expired 1 snapshots"));
  EXPECT_FALSE(fs::exists(dry["deleted-data-files"][0].get<std::string>()));
  EXPECT_EQ(SnapshotIds("db.t").size(), 2u);
  EXPECT_EQ(Rows("db.t", {"--ref", "v1"}), "id,split\n1,a\n2,b\n");
  EXPECT_EQ(Rows("db.t"), "id,split\n2,b\n");
  ExpectError({"expire", "db.t", "--retain-last", "0", "--older-than", "0s"}, "at least 1");
  ExpectError({"expire", "db.t", "--older-than", "yesterday-ish"}, "duration");

  // orphans: a stray file is protected while young, then removed.
  Json info = FbJson({"info", "db.t"});
  const std::string stray = info["location"].get<std::string>() + "/data/stray.parquet";
  { std::ofstream(stray) << "x"; }
  Json young = FbJson({"orphans", "db.t", "--dry-run"});
  EXPECT_TRUE(young["orphans"].empty());
  EXPECT_EQ(young["too-young"], 1);
  Json found =
      FbJson({"orphans", "db.t", "--older-than", std::to_string(NowMillis() + 1000), "--dry-run"});
  ASSERT_EQ(found["orphans"].size(), 1u);
  EXPECT_EQ(found["orphans"][0], stray);
  EXPECT_TRUE(fs::exists(stray));
  CliRun removed = Fb({"orphans", "db.t", "--older-than", std::to_string(NowMillis() + 1000)});
  EXPECT_EQ(removed.exit_code, 0) << removed.err;
  EXPECT_FALSE(fs::exists(stray));
  EXPECT_EQ(Rows("db.t", {"--ref", "v1"}), "id,split\n1,a\n2,b\n");
}

TEST_P(EvolutionCliTest, DeleteAndOverwrite) {
  ASSERT_EQ(Fb({"create", "db.t", "--schema", "id long not null, split string, v double",
                "--partition-by", "split"})
                .exit_code,
            0);
  ASSERT_EQ(
      Fb({"insert", "db.t", "--values", "(1, 'a', 0.5), (2, 'a', 1.5), (3, 'b', 2.5)"}).exit_code,
      0);
  ASSERT_EQ(Fb({"insert", "db.t", "--values", "(4, 'c', 3.5)"}).exit_code, 0);
  int64_t before = Current("db.t");

  Json rewrite = FbJson({"delete", "db.t", "--where", "id = 2"});
  EXPECT_EQ(rewrite["operation"], "overwrite");
  EXPECT_EQ(rewrite["rows-deleted"], 1);
  EXPECT_EQ(rewrite["files-rewritten"], 1);
  EXPECT_EQ(rewrite["files-dropped"], 0);
  EXPECT_EQ(rewrite["files-untouched"], 2);
  Json summary = FbJson({"snapshots", "db.t"})["snapshots"].back();
  EXPECT_EQ(summary["operation"], "overwrite");

  Json drop = FbJson({"delete", "db.t", "--where", "split = 'b' OR split = 'c'"});
  EXPECT_EQ(drop["operation"], "delete");
  EXPECT_EQ(drop["files-dropped"], 2);
  EXPECT_EQ(drop["files-rewritten"], 0);
  EXPECT_EQ(drop["rows-deleted"], 2);
  EXPECT_EQ(Rows("db.t"), "id,split,v\n1,a,0.5\n");

  Json none = FbJson({"delete", "db.t", "--where", "id > 100"});
  EXPECT_TRUE(none["snapshot-id"].is_null());
  EXPECT_EQ(none["rows-deleted"], 0);

  std::string csv = dir_.Join("new.csv");
  { std::ofstream(csv) << "id,split,v\n10,a,9.5\n11,d,1.0\n"; }
  Json over = FbJson({"overwrite", "db.t", csv, "--where", "split = 'a'"});
  EXPECT_EQ(over["operation"], "overwrite");
  EXPECT_EQ(over["rows-deleted"], 1);
  EXPECT_EQ(over["rows-inserted"], 2);
  EXPECT_EQ(Rows("db.t"), "id,split,v\n10,a,9.5\n11,d,1.0\n");
  Json last = FbJson({"snapshots", "db.t"})["snapshots"].back();
  EXPECT_EQ(last["operation"], "overwrite");
  // The snapshot before the changes still reads as it did.
  EXPECT_EQ(Rows("db.t", {"--snapshot", std::to_string(before)}),
            "id,split,v\n1,a,0.5\n2,a,1.5\n3,b,2.5\n4,c,3.5\n");

  CliRun text = Fb({"delete", "db.t", "--where", "id = 11"});
  EXPECT_EQ(text.exit_code, 0);
  EXPECT_THAT(text.out, HasSubstr("deleted 1 rows"));
  ExpectError({"delete", "db.t", "--where", "nope = 1"}, "nope");
  ExpectError({"delete", "db.t", "--where", "id >"}, "id >");
  ExpectError({"overwrite", "db.t", "--where", "id = 1"}, "input files or --values");
  EXPECT_EQ(Fb({"delete", "db.t"}).exit_code, 2);  // --where is required
}

INSTANTIATE_TEST_SUITE_P(BothCatalogs, EvolutionCliTest, ::testing::Values("file", "sqlite"));

// ---- crash safety ----

struct CrashCase {
  std::string command;  // insert, delete, expire, alter
  std::string failpoint;
  bool commits;  // whether the change is committed when the process dies
};

class CrashTest : public EvolutionCliTest {
 protected:
  // A table with history: three inserts, a delete and a tag.
  void MakeHistory() {
    ASSERT_EQ(Fb({"create", "db.t", "--schema", "id long not null, split string", "--partition-by",
                  "split"})
                  .exit_code,
              0);
    ASSERT_EQ(
        Fb({"insert", "db.t", "--values", "(1, 'a'), (2, 'b'), (3, 'a'), (9, 'a')"}).exit_code, 0);
    ASSERT_EQ(Fb({"insert", "db.t", "--values", "(4, 'a'), (5, 'c')"}).exit_code, 0);
    ASSERT_EQ(Fb({"tag", "db.t", "v1"}).exit_code, 0);
    ASSERT_EQ(Fb({"delete", "db.t", "--where", "id = 1"}).exit_code, 0);
    ASSERT_EQ(Fb({"insert", "db.t", "--values", "(6, 'b')"}).exit_code, 0);
  }
  std::vector<std::string> CommandArgs(const std::string& command) {
    if (command == "insert") return {"insert", "db.t", "--values", "(7, 'a'), (8, 'd')"};
    if (command == "delete") return {"delete", "db.t", "--where", "id = 3 OR split = 'c'"};
    if (command == "expire") return {"expire", "db.t", "--older-than", "0s"};
    return {"alter", "db.t", "add-column", "extra", "string"};
  }
};

TEST_P(CrashTest, EveryFailurePointLeavesAConsistentTable) {
  const std::vector<CrashCase> cases = {
      {"insert", "after-data-files", false},    {"insert", "after-manifest", false},
      {"insert", "after-manifest-list", false}, {"insert", "after-commit", true},
      {"delete", "after-data-files", false},    {"delete", "after-manifest", false},
      {"delete", "after-manifest-list", false}, {"delete", "after-commit", true},
      {"expire", "before-commit", false},       {"expire", "after-commit", true},
      {"expire", "during-file-deletion", true}, {"alter", "before-commit", false},
      {"alter", "after-commit", true},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.command + " at " + c.failpoint);
    // A fresh catalog per case.
    for (const auto& e : fs::directory_iterator(dir_.path())) fs::remove_all(e.path());
    ASSERT_EQ(Fb({"init"}).exit_code, 0);
    MakeHistory();
    const std::vector<int64_t> snapshots = SnapshotIds("db.t");
    const int64_t current = Current("db.t");
    std::map<int64_t, std::string> rows;
    for (int64_t id : snapshots) rows[id] = Rows("db.t", {"--snapshot", std::to_string(id)});
    const auto files_before = Files();

    CliRun crashed = Run(CommandArgs(c.command), c.failpoint);
    ASSERT_EQ(crashed.exit_code, 86) << crashed.err;  // died at the failure point
    EXPECT_THAT(crashed.err, HasSubstr(c.failpoint));

    // The table loads; committed snapshots read as before.
    const std::vector<int64_t> after = SnapshotIds("db.t");
    const int64_t now_current = Current("db.t");
    if (!c.commits) {
      EXPECT_EQ(after, snapshots);
      EXPECT_EQ(now_current, current);
    } else if (c.command == "expire") {
      EXPECT_LT(after.size(), snapshots.size());
      EXPECT_EQ(now_current, current);
    } else if (c.command == "alter") {
      EXPECT_EQ(after, snapshots);
      EXPECT_EQ(FbJson({"schema", "db.t"})["schema"]["fields"].size(), 3u);
    } else {
      EXPECT_EQ(after.size(), snapshots.size() + 1);
      EXPECT_NE(now_current, current);
    }
    for (int64_t id : after) {
      if (rows.count(id)) {
        EXPECT_EQ(Rows("db.t", {"--snapshot", std::to_string(id)}), rows[id]) << id;
      }
    }
    EXPECT_EQ(Rows("db.t", {"--ref", "v1"}), rows[snapshots[1]]);

    // Whatever the crash left is unreferenced: orphans finds exactly the files that appeared
    // without being committed, plus (for expire) files only expired snapshots referenced.
    Json found = FbJson(
        {"orphans", "db.t", "--older-than", std::to_string(NowMillis() + 1000), "--dry-run"});
    std::set<std::string> orphans;
    for (const auto& o : found["orphans"]) orphans.insert(o.get<std::string>());
    for (const auto& o : orphans) {
      EXPECT_FALSE(o.ends_with(".metadata.json") && !c.commits) << "a metadata file: " << o;
    }
    if (!c.commits) {
      std::set<std::string> fresh;
      for (const auto& f : Files()) {
        if (!files_before.count(f)) fresh.insert(f);
      }
      // Staging leftovers of a crashed write are orphans too, and nothing else appeared.
      EXPECT_EQ(orphans, fresh);
    }
    if (c.command == "insert" || c.command == "delete") {
      EXPECT_FALSE(orphans.empty() && !c.commits);  // something was written before the crash
    }
    for (const auto& o : orphans) EXPECT_FALSE(files_before.count(o) && c.command != "expire") << o;

    ASSERT_EQ(Fb({"orphans", "db.t", "--older-than", std::to_string(NowMillis() + 1000)}).exit_code,
              0);
    Json again = FbJson(
        {"orphans", "db.t", "--older-than", std::to_string(NowMillis() + 1000), "--dry-run"});
    EXPECT_TRUE(again["orphans"].empty());
    for (int64_t id : after) {
      if (rows.count(id)) {
        EXPECT_EQ(Rows("db.t", {"--snapshot", std::to_string(id)}), rows[id]) << id;
      }
    }
    // The table still takes writes.
    EXPECT_EQ(Fb({"insert", "db.t", "--values", "(100, 'z')"}).exit_code, 0);
  }
}

INSTANTIATE_TEST_SUITE_P(BothCatalogs, CrashTest, ::testing::Values("file", "sqlite"));

}  // namespace
}  // namespace faceberg
