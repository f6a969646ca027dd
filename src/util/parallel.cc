#include "util/parallel.h"

#include <algorithm>
#include <atomic>
#include <mutex>
#include <thread>
#include <vector>

namespace faceberg {

Status ParallelFor(size_t count, int max_threads, const std::function<Status(size_t)>& task) {
  std::atomic<size_t> next{0};
  std::atomic<bool> failed{false};
  std::mutex mutex;
  Status first_error;  // guarded by mutex
  auto work = [&] {
    for (size_t i = next++; i < count && !failed; i = next++) {
      Status st = task(i);
      if (!st.ok()) {
        std::lock_guard<std::mutex> lock(mutex);
        if (first_error.ok()) first_error = st;
        failed = true;
      }
    }
  };
  const size_t thread_count =
      std::min<size_t>(static_cast<size_t>(std::max(max_threads, 1)), count);
  std::vector<std::thread> pool;
  for (size_t t = 1; t < thread_count; ++t) pool.emplace_back(work);
  work();
  for (auto& t : pool) t.join();
  return first_error;
}

}  // namespace faceberg
