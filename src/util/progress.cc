#include "util/progress.h"

#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>

namespace faceberg {

bool IsTerminal(std::FILE* stream) { return stream != nullptr && isatty(fileno(stream)) == 1; }

ProgressBar::ProgressBar(std::string label, uint64_t total, ProgressOptions options)
    : label_(std::move(label)),
      total_(total),
      options_(options),
      stream_(options.stream != nullptr ? options.stream : stderr),
      active_(options.enabled && (options.force || IsTerminal(stream_))) {
  if (!active_) return;
  std::lock_guard<std::mutex> lock(mutex_);
  DrawLocked();
}

ProgressBar::~ProgressBar() { Finish(); }

void ProgressBar::Advance(uint64_t steps) {
  std::lock_guard<std::mutex> lock(mutex_);
  done_ += steps;
  if (!active_ || finished_) return;
  if (std::chrono::steady_clock::now() - last_draw_ < options_.min_interval) return;
  DrawLocked();
}

void ProgressBar::Finish() {
  std::lock_guard<std::mutex> lock(mutex_);
  if (finished_) return;
  finished_ = true;
  if (!active_) return;
  DrawLocked();
  std::fputc('\n', stream_);
  std::fflush(stream_);
}

uint64_t ProgressBar::done() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return done_;
}

void ProgressBar::DrawLocked() {
  last_draw_ = std::chrono::steady_clock::now();
  const int width = std::max(1, options_.width);
  std::string line = fmt::format("\r{} [", label_);
  if (total_ == 0) {
    line += std::string(width, '.');
    line += fmt::format("] {}", done_);
  } else {
    const uint64_t shown = std::min(done_, total_);
    const auto filled = static_cast<int>(shown * static_cast<uint64_t>(width) / total_);
    line += std::string(filled, '#');
    line += std::string(width - filled, '.');
    line += fmt::format("] {}/{}", shown, total_);
  }
  std::fputs(line.c_str(), stream_);
  std::fflush(stream_);
}

}  // namespace faceberg
