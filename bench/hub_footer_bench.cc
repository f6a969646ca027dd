// Footers of many small Parquet files read from the local hub through the hf:// FileIO.
//
//   hub_footer_bench [--files 2000] [--latency-ms 20] [--threads 32] [--sequential-files N]
//                    [--modes sequential,threads,batch] [--hub-threads 128] [--source FILE.parquet]
//
// Starts a LocalHub (in process, latency injected on every request) over FILES copies of a small
// Parquet file, then reads every footer three ways and prints wall time and requests per file
// from the hub's own counters:
//   sequential  one file at a time: NewInputFile + ReadFooter (the baseline)
//   threads     the same calls from --threads threads sharing one HfFileIO
//   batch       HfFileIO::ReadTails (one suffix request per file, many in flight on one curl
//               multi handle), then ReadFooter over the fetched tails
// "hub req/file" counts requests to the hub origin; "all req/file" adds the CDN hop that every
// LFS file (all *.parquet) takes after the hub's 302, as on huggingface.co.
// The hub serves one connection per worker thread and keeps idle keep-alive connections for 5 s,
// so it gets more workers (--hub-threads) than the client opens connections.
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <thread>
#include <vector>

#include "format/parquet/footer.h"
#include "hub/hf_api.h"
#include "hub/hf_file_io.h"
#include "hub/local_hub.h"
#include "util/uuid.h"

namespace {

using faceberg::Result;
using faceberg::Status;
using Clock = std::chrono::steady_clock;
namespace fs = std::filesystem;
namespace hub = faceberg::hub;
namespace io = faceberg::io;
namespace parquet = faceberg::parquet;

struct Args {
  int files = 2000;
  int latency_ms = 20;
  int threads = 32;
  int sequential_files = -1;  // all
  std::string source;
  std::string modes = "sequential,threads,batch";
  int hub_threads = 128;
};

bool ParseArgs(int argc, char** argv, Args* args) {
  for (int i = 1; i < argc; ++i) {
    std::string flag = argv[i];
    if (i + 1 >= argc) return false;
    std::string value = argv[++i];
    if (flag == "--files") {
      args->files = std::atoi(value.c_str());
    } else if (flag == "--latency-ms") {
      args->latency_ms = std::atoi(value.c_str());
    } else if (flag == "--threads") {
      args->threads = std::atoi(value.c_str());
    } else if (flag == "--sequential-files") {
      args->sequential_files = std::atoi(value.c_str());
    } else if (flag == "--source") {
      args->source = value;
    } else if (flag == "--hub-threads") {
      args->hub_threads = std::atoi(value.c_str());
    } else if (flag == "--modes") {
      args->modes = value;
    } else {
      return false;
    }
  }
  return args->files > 0 && args->threads > 0;
}

// An InputFile over a fetched tail of a file whose size is known.
class TailFile final : public io::InputFile {
 public:
  TailFile(std::string location, uint64_t size, std::string tail)
      : location_(std::move(location)), size_(size), tail_(std::move(tail)) {}
  const std::string& location() const override { return location_; }
  Result<uint64_t> Size() override { return size_; }
  Result<std::string> ReadAt(uint64_t offset, uint64_t length) override {
    uint64_t tail_start = size_ - tail_.size();
    if (offset < tail_start || offset + length > size_) {
      return faceberg::NotSupported("{}: bytes {}+{} are outside the fetched tail", location_,
                                    offset, length);
    }
    return tail_.substr(offset - tail_start, length);
  }

 private:
  std::string location_;
  uint64_t size_;
  std::string tail_;
};

struct Counts {
  int64_t hub = 0;
  int64_t all = 0;
};

Counts Requests(const hub::LocalHub& local_hub) {
  hub::LocalHubStats stats = local_hub.stats();
  Counts counts;
  counts.all = stats.total;
  int64_t storage = 0;
  for (const char* route : {"cdn", "lfs-upload", "lfs-part"}) {
    auto it = stats.routes.find(route);
    if (it != stats.routes.end()) storage += it->second;
  }
  counts.hub = stats.total - storage;
  return counts;
}

struct RunResult {
  std::string mode;
  int files = 0;
  double seconds = 0;
  Counts requests;
  int failures = 0;
  std::string note;
};

void Print(const RunResult& r, double baseline_per_file) {
  double per_file = r.seconds / r.files;
  std::printf("%-11s %6d %9.2f %10.1f %13.3f %13.3f %9.1fx %6d %s\n", r.mode.c_str(), r.files,
              r.seconds, r.files / r.seconds, static_cast<double>(r.requests.hub) / r.files,
              static_cast<double>(r.requests.all) / r.files,
              baseline_per_file > 0 ? baseline_per_file / per_file : 1.0, r.failures,
              r.note.c_str());
}

int Main(int argc, char** argv) {
  Args args;
  if (!ParseArgs(argc, argv, &args)) {
    std::fprintf(stderr,
                 "usage: hub_footer_bench [--files N] [--latency-ms MS] [--threads T] "
                 "[--sequential-files N] [--modes M,...] [--hub-threads N] "
                 "[--source FILE.parquet]\n");
    return 2;
  }
  if (args.source.empty()) {
    const char* data = std::getenv("FACEBERG_TEST_DATA");
    args.source = std::string(data ? data : "tests/data") + "/parquet/pyarrow_ids.parquet";
  }
  std::ifstream in(args.source, std::ios::binary);
  std::string content((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (content.size() < 12) {
    std::fprintf(stderr, "cannot read the source Parquet file %s\n", args.source.c_str());
    return 1;
  }
  io::MemoryInputFile local("source", content);
  auto expected = parquet::ReadFooter(local);
  if (!expected.ok()) {
    std::fprintf(stderr, "%s\n", expected.status().ToString().c_str());
    return 1;
  }
  const int64_t expected_rows = expected->metadata.num_rows;

  fs::path root =
      fs::temp_directory_path() / ("faceberg-hub-footer-bench-" + faceberg::RandomUuid());
  fs::path repo = root / "datasets" / "bench" / "footers" / "data";
  fs::create_directories(repo);
  std::vector<std::string> locations;
  for (int i = 0; i < args.files; ++i) {
    std::string name = fmt::format("train-{:05d}-of-{:05d}.parquet", i, args.files);
    std::ofstream(repo / name, std::ios::binary) << content;
    locations.push_back("hf://datasets/bench/footers/data/" + name);
  }

  hub::LocalHubOptions hub_options;
  hub_options.root = root.string();
  hub_options.port = 0;
  hub_options.cdn_port = 0;
  hub_options.latency_ms = args.latency_ms;
  hub_options.threads = args.hub_threads;
  auto local_hub = hub::LocalHub::Start(hub_options);
  if (!local_hub.ok()) {
    std::fprintf(stderr, "%s\n", local_hub.status().ToString().c_str());
    return 1;
  }
  hub::HfApiOptions api_options;
  api_options.endpoint = (*local_hub)->endpoint();
  api_options.token = hub::HfToken();
  api_options.offline = false;
  api_options.http.max_connections = args.threads;
  auto api_or = hub::HfApi::Make(api_options);
  if (!api_or.ok()) {
    std::fprintf(stderr, "%s\n", api_or.status().ToString().c_str());
    return 1;
  }
  std::shared_ptr<const hub::HfApi> api = std::move(api_or).value();

  auto check = [&](const Result<parquet::ParquetFooter>& footer) {
    return footer.ok() && footer->metadata.num_rows == expected_rows;
  };
  std::vector<RunResult> results;

  auto wanted = [&](std::string_view mode) {
    return ("," + args.modes + ",").find("," + std::string(mode) + ",") != std::string::npos;
  };

  // 1. Sequential baseline.
  if (wanted("sequential")) {
    int n = args.sequential_files > 0 ? std::min(args.sequential_files, args.files) : args.files;
    hub::HfFileIO file_io(api);
    (*local_hub)->ResetStats();
    RunResult r{"sequential", n};
    auto start = Clock::now();
    for (int i = 0; i < n; ++i) {
      auto file = file_io.NewInputFile(locations[i]);
      if (!file.ok() || !check(parquet::ReadFooter(**file))) ++r.failures;
    }
    r.seconds = std::chrono::duration<double>(Clock::now() - start).count();
    r.requests = Requests(**local_hub);
    results.push_back(r);
  }

  // 2. Threads calling ReadFooter on one shared HfFileIO.
  if (wanted("threads")) {
    hub::HfFileIO file_io(api);
    (*local_hub)->ResetStats();
    RunResult r{"threads", args.files};
    std::atomic<int> next{0}, failures{0};
    auto start = Clock::now();
    std::vector<std::thread> workers;
    for (int t = 0; t < args.threads; ++t) {
      workers.emplace_back([&] {
        for (int i = next++; i < args.files; i = next++) {
          auto file = file_io.NewInputFile(locations[i]);
          if (!file.ok() || !check(parquet::ReadFooter(**file))) ++failures;
        }
      });
    }
    for (auto& worker : workers) worker.join();
    r.seconds = std::chrono::duration<double>(Clock::now() - start).count();
    r.requests = Requests(**local_hub);
    r.failures = failures;
    results.push_back(r);
  }

  // 3. One batch of suffix reads, then the footers are decoded from the tails.
  if (wanted("batch")) {
    hub::HfFileIO file_io(api);
    (*local_hub)->ResetStats();
    RunResult r{"batch", args.files};
    auto start = Clock::now();
    auto tails = file_io.ReadTails(locations, parquet::kDefaultFooterReadSize);
    double fetch_seconds = std::chrono::duration<double>(Clock::now() - start).count();
    for (int i = 0; i < args.files; ++i) {
      auto size = file_io.CachedSize(locations[i]);
      if (!tails[i].ok() || !size) {
        ++r.failures;
        continue;
      }
      TailFile tail(locations[i], *size, std::move(tails[i]).value());
      if (!check(parquet::ReadFooter(tail))) ++r.failures;
    }
    r.seconds = std::chrono::duration<double>(Clock::now() - start).count();
    r.requests = Requests(**local_hub);
    r.note =
        fmt::format("(fetch {:.2f} s, decode {:.2f} s)", fetch_seconds, r.seconds - fetch_seconds);
    results.push_back(r);
  }

  std::printf(
      "hub_footer_bench: %d Parquet files of %zu bytes, hub latency %d ms per request, "
      "%d threads / %d connections\n",
      args.files, content.size(), args.latency_ms, args.threads, args.threads);
  std::printf("%-11s %6s %9s %10s %13s %13s %10s %6s\n", "mode", "files", "wall s", "files/s",
              "hub req/file", "all req/file", "speedup", "fails");
  double baseline = results.empty() || results[0].mode != "sequential"
                        ? 0
                        : results[0].seconds / results[0].files;
  for (const RunResult& r : results) Print(r, baseline);

  (*local_hub)->Stop();
  std::error_code ec;
  fs::remove_all(root, ec);
  for (const RunResult& r : results) {
    if (r.failures > 0) return 1;
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) { return Main(argc, argv); }
