#include "util/parallel.h"

#include <atomic>
#include <vector>

#include "test_util.h"

namespace faceberg {
namespace {

TEST(ParallelFor, RunsEveryTaskOnce) {
  std::vector<std::atomic<int>> runs(1000);
  ASSERT_OK(ParallelFor(runs.size(), 8, [&](size_t i) {
    ++runs[i];
    return Status::OK();
  }));
  for (const auto& r : runs) EXPECT_EQ(r.load(), 1);
  EXPECT_OK(ParallelFor(0, 8, [](size_t) { return Internal("never called"); }));
}

TEST(ParallelFor, StopsStartingTasksAfterAnError) {
  std::atomic<int> started{0};
  Status st = ParallelFor(10'000, 1, [&](size_t i) {
    ++started;
    return i == 3 ? InvalidArgument("task {} failed", i) : Status::OK();
  });
  EXPECT_ERROR(st, ErrorCode::kInvalidArgument, "task 3 failed");
  EXPECT_EQ(started.load(), 4);  // one thread: tasks 0..3, then nothing
}

}  // namespace
}  // namespace faceberg
