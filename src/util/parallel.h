// Running independent tasks on a few threads (footer decoding, chunked downloads).
#pragma once

#include <cstddef>
#include <functional>

#include "util/status.h"

namespace faceberg {

/// Runs task(i) for every i in [0, count) on up to `max_threads` threads (the calling thread is
/// one of them). After the first error no new task starts; that error is returned. Tasks must
/// be safe to run concurrently.
Status ParallelFor(size_t count, int max_threads, const std::function<Status(size_t)>& task);

}  // namespace faceberg
