// A progress bar on stderr for long work (reading thousands of footers, downloading files).
// It draws only when it is enabled (the CLI passes !quiet && !json) and the stream is a terminal,
// so logs, pipes and --json output never see it.
#pragma once

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <mutex>
#include <string>

namespace faceberg {

struct ProgressOptions {
  /// False: never draw (quiet or JSON output).
  bool enabled = true;
  /// Draw even when `stream` is not a terminal (tests).
  bool force = false;
  /// Where to draw; not owned. stderr by default.
  std::FILE* stream = nullptr;
  /// Redraws at most this often (the final state is always drawn).
  std::chrono::milliseconds min_interval{100};
  /// Width of the bar in characters.
  int width = 30;
};

/// "LABEL [#########.....................]  123/456" redrawn in place with '\r'; Finish ends
/// the line. Thread-safe: workers may call Advance concurrently.
class ProgressBar {
 public:
  /// `total` is the number of steps (0 draws a bar without a fraction).
  ProgressBar(std::string label, uint64_t total, ProgressOptions options = {});
  /// Finishes the bar.
  ~ProgressBar();
  ProgressBar(const ProgressBar&) = delete;
  ProgressBar& operator=(const ProgressBar&) = delete;

  /// Records `steps` more steps done and redraws when the interval has passed.
  void Advance(uint64_t steps = 1);
  /// Draws the final state and ends the line; later calls do nothing.
  void Finish();

  /// True when the bar draws (enabled, and the stream is a terminal or forced).
  bool active() const { return active_; }
  uint64_t done() const;

 private:
  // REQUIRES: mutex_ held.
  void DrawLocked();

  const std::string label_;
  const uint64_t total_;
  const ProgressOptions options_;
  std::FILE* const stream_;
  const bool active_;
  mutable std::mutex mutex_;
  uint64_t done_ = 0;                                  // guarded by mutex_
  bool finished_ = false;                              // guarded by mutex_
  std::chrono::steady_clock::time_point last_draw_{};  // guarded by mutex_
};

/// True when `stream` is a terminal.
bool IsTerminal(std::FILE* stream);

}  // namespace faceberg
