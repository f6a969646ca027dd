#include <chrono>

#include "engine/scan.h"
#include "engine/writer.h"
#include "engine_test_util.h"
#include "util/strings.h"

namespace faceberg::engine {
namespace {

class BenchTmp : public EngineTest {};

double Time(Connection& con, const std::string& sql, int reps = 3) {
  double best = 1e9;
  for (int i = 0; i < reps; ++i) {
    auto t0 = std::chrono::steady_clock::now();
    auto r = con.Query(sql);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    best = std::min(best, s);
  }
  return best;
}

TEST_F(BenchTmp, Fixed) {
  auto md = MakeTable("id long, f fixed[4], t time, u uuid");
  auto files = WriteDataFiles(*con_, io_, md, InsertSource::Values("(1, '\\x00\\x01\\x02\\x03'::BLOB, TIME '12:00:00', uuid())"));
  printf("fixed: %s\n", files.status().ToString().c_str());
  if (files.ok()) { auto r = ScanRelationSql(io_, md, *md.CurrentSchema(), *files, {}); printf("%s\n", r->c_str()); for (auto& row : Rows("SELECT * FROM " + *r)) printf("%s %s\n", row[1]->c_str(), row[2]->c_str()); 
  for (auto& row : Rows("SELECT name, type, logical_type::VARCHAR, type_length FROM parquet_schema('" + (*files)[0].file_path + "')")) printf("%s %s %s %s\n", row[0]->c_str(), row[1].value_or("-").c_str(), row[2].value_or("-").c_str(), row[3].value_or("-").c_str()); }
}
TEST_F(BenchTmp, Dbg) {
  for (int k = 0; k < 5; k++) {
  auto st = con_->Stream("SELECT CASE WHEN range = 250000 THEN error('bad row') ELSE range END AS i FROM range(300000)");
  if (!st.ok()) { printf("stream err: %s\n", st.status().ToString().c_str()); continue; }
  std::vector<Row> rows; int n = 0;
  while (true) { auto m = (*st)->Next(&rows); if (!m.ok()) { printf("next err after %d: %s\n", n, m.status().ToString().c_str()); break; } if (!*m) { printf("end %d\n", n); break; } n += rows.size(); }
  }
}
TEST_F(BenchTmp, ScanVsDirect) {
  auto md = MakeTable("id long not null, name string, v double, d date, cat string", "cat");
  std::string src = dir_.Join("src.parquet");
  ASSERT_OK(con_->Execute("COPY (SELECT range AS id, 'name' || (range % 1000) AS name, random() AS v, DATE '2020-01-01' + (range % 1000)::INT AS d, 'c' || (range % 4) AS cat FROM range(10000000)) TO '" + src + "' (FORMAT parquet)"));
  auto t0 = std::chrono::steady_clock::now();
  auto files = WriteDataFiles(*con_, io_, md, InsertSource::Files({src}));
  ASSERT_OK(files);
  printf("write: %.3fs, %zu files\n", std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count(), files->size());
  std::vector<std::string> paths;
  for (auto& f : *files) paths.push_back("'" + f.file_path + "'");
  std::string direct = "read_parquet([" + Join(paths, ",") + "], hive_partitioning=false)";
  t0 = std::chrono::steady_clock::now();
  auto rel = ScanRelationSql(io_, md, *md.CurrentSchema(), *files, {});
  ASSERT_OK(rel);
  printf("plan: %.4fs\n", std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
  for (std::string q : {"SELECT count(*) FROM {}", "SELECT sum(id), sum(v), max(name), min(d), count(DISTINCT cat) FROM {}", "SELECT * FROM {} WHERE id % 1000000 = 7", "SELECT count(*) FROM {} WHERE cat = 'c1'"}) {
    auto replace = [&](const std::string& rel) { std::string s = q; s.replace(s.find("{}"), 2, rel); return s; };
    double a = 1e9, b = 1e9;
    for (int k = 0; k < 5; ++k) { a = std::min(a, Time(*con_, replace(direct), 1)); b = std::min(b, Time(*con_, replace(*rel), 1)); }
    printf("%-80s direct %.3fs  scan %.3fs  ratio %.2f\n", q.c_str(), a, b, b / a);
  }
  {
    // Renamed column: schema mode.
    std::vector<iceberg::NestedField> fields = md.CurrentSchema()->fields();
    fields[1].name = "label";
    iceberg::Schema renamed(1, fields);
    auto rel2 = ScanRelationSql(io_, md, renamed, *files, {});
    ASSERT_OK(rel2);
    // Added column and two groups (one extra file written with the new schema).
    fields.push_back({99, "extra", false, iceberg::Type::Long()});
    iceberg::Schema added(2, fields);
    auto more = *files;
    std::string extra = dir_.Join("extra.parquet");
    ASSERT_OK(con_->Execute("COPY (SELECT 1::BIGINT AS id, 'x' AS label, 0.5::DOUBLE AS v, DATE '2020-01-01' AS d, 'c9' AS cat, 5::BIGINT AS extra) TO '" + extra + "' (FORMAT parquet, FIELD_IDS {id: 1, label: 2, v: 3, d: 4, cat: 5, extra: 99})"));
    iceberg::DataFile ef; ef.file_path = extra; ef.partition = {iceberg::Value(std::string("c9"))};
    more.push_back(ef);
    auto rel3 = ScanRelationSql(io_, md, added, more, {});
    ASSERT_OK(rel3);
    printf("rel3: %.300s\n", rel3->c_str());
    for (std::string q : {"SELECT sum(id), sum(v), max(label), min(d), count(DISTINCT cat) FROM {}", "SELECT * FROM {} WHERE id % 1000000 = 7", "SELECT count(*) FROM {} WHERE id < 1000"}) {
      auto replace = [&](const std::string& rel) { std::string s = q; s.replace(s.find("{}"), 2, rel); return s; };
      std::string d = direct; 
      double a = 1e9, b = 1e9, c = 1e9;
      std::string dq = q; dq.replace(dq.find("{}"), 2, "(SELECT id, name AS label, v, d, cat FROM " + direct + ")");
      for (int k = 0; k < 5; ++k) { a = std::min(a, Time(*con_, dq, 1)); b = std::min(b, Time(*con_, replace(*rel2), 1)); c = std::min(c, Time(*con_, replace(*rel3), 1)); }
      printf("%-70s direct %.3fs  schema-mode %.3fs (%.2f)  two groups %.3fs (%.2f)\n", q.c_str(), a, b, b / a, c, c / a);
    }
  }
  // Unpartitioned (one group).
  auto flat = MakeTable("id long not null, name string, v double, d date, cat string", "", "flat");
  files = WriteDataFiles(*con_, io_, flat, InsertSource::Files({src}));
  ASSERT_OK(files);
  paths.clear();
  for (auto& f : *files) paths.push_back("'" + f.file_path + "'");
  direct = "read_parquet([" + Join(paths, ",") + "], hive_partitioning=false)";
  rel = ScanRelationSql(io_, flat, *flat.CurrentSchema(), *files, {});
  for (std::string q : {"SELECT count(*) FROM {}", "SELECT sum(id), sum(v), max(name), min(d), count(DISTINCT cat) FROM {}", "SELECT * FROM {} WHERE id % 1000000 = 7"}) {
    auto replace = [&](const std::string& rel) { std::string s = q; s.replace(s.find("{}"), 2, rel); return s; };
    double a = 1e9, b = 1e9;
    for (int k = 0; k < 5; ++k) { a = std::min(a, Time(*con_, replace(direct), 1)); b = std::min(b, Time(*con_, replace(*rel), 1)); }
    printf("flat %-75s direct %.3fs  scan %.3fs  ratio %.2f\n", q.c_str(), a, b, b / a);
  }
}

}  // namespace
}  // namespace faceberg::engine
