// Running a server in the foreground of a CLI command until SIGINT or SIGTERM (serve, hub serve).
#pragma once

#include <pthread.h>

#include <csignal>
#include <functional>
#include <string_view>

namespace faceberg::cli {

/// Blocks SIGINT and SIGTERM from construction (so threads started afterwards inherit the
/// block and only Wait() sees the signals) until destruction.
class StopSignals {
 public:
  StopSignals() {
    sigemptyset(&signals_);
    sigaddset(&signals_, SIGINT);
    sigaddset(&signals_, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &signals_, nullptr);
  }
  ~StopSignals() { pthread_sigmask(SIG_UNBLOCK, &signals_, nullptr); }
  StopSignals(const StopSignals&) = delete;
  StopSignals& operator=(const StopSignals&) = delete;

  /// Returns when SIGINT or SIGTERM arrives.
  void Wait() {
    int signal_number = 0;
    sigwait(&signals_, &signal_number);
  }

 private:
  sigset_t signals_;
};

/// A thread-safe logger writing each line to stderr (for -v request logs).
std::function<void(std::string_view)> StderrLineLogger();

}  // namespace faceberg::cli
