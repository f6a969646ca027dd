// `faceberg hub serve` run as a child process for end-to-end tests of the binary.
#pragma once

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <string>
#include <vector>

extern char** environ;

namespace faceberg::testing {

/// `faceberg hub serve --root ROOT --port 0` (FACEBERG_BIN), stopped (SIGTERM) and reaped on
/// destruction. endpoint() is empty when the server did not start.
class HubProcess {
 public:
  explicit HubProcess(const std::string& root) {
    int fds[2];
    if (::pipe(fds) != 0) return;
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, fds[1], STDOUT_FILENO);
    posix_spawn_file_actions_addclose(&actions, fds[0]);
    posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, "/dev/null", O_WRONLY, 0);
    std::vector<std::string> args = {FACEBERG_BIN, "hub",    "serve", "--root",
                                     root,         "--port", "0",     "-q"};
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    if (posix_spawn(&pid_, FACEBERG_BIN, &actions, nullptr, argv.data(), environ) != 0) pid_ = -1;
    posix_spawn_file_actions_destroy(&actions);
    ::close(fds[1]);
    // The first stdout line is "serving http://127.0.0.1:PORT".
    std::string line;
    char c;
    while (::read(fds[0], &c, 1) == 1 && c != '\n') line += c;
    ::close(fds[0]);
    const std::string prefix = "serving ";
    if (line.rfind(prefix, 0) == 0) endpoint_ = line.substr(prefix.size());
  }
  ~HubProcess() {
    if (pid_ <= 0) return;
    ::kill(pid_, SIGTERM);
    int status = 0;
    ::waitpid(pid_, &status, 0);
  }
  HubProcess(const HubProcess&) = delete;
  HubProcess& operator=(const HubProcess&) = delete;

  const std::string& endpoint() const { return endpoint_; }

 private:
  pid_t pid_ = -1;
  std::string endpoint_;
};

/// Makes the processes this test starts talk to `hub`, anonymously, whatever this machine has
/// configured: sets HF_ENDPOINT and HF_HUB_DISABLE_IMPLICIT_TOKEN, and unsets the HF tokens,
/// HF_HUB_OFFLINE, FACEBERG_CATALOG, FACEBERG_MIRROR and FACEBERG_FAILPOINT.
inline void UseHubInChildren(const HubProcess& hub) {
  ::setenv("HF_ENDPOINT", hub.endpoint().c_str(), 1);
  ::setenv("HF_HUB_DISABLE_IMPLICIT_TOKEN", "1", 1);
  for (const char* name : {"HF_TOKEN", "HUGGING_FACE_HUB_TOKEN", "HF_HUB_OFFLINE",
                           "FACEBERG_CATALOG", "FACEBERG_MIRROR", "FACEBERG_FAILPOINT"}) {
    ::unsetenv(name);
  }
}

}  // namespace faceberg::testing
