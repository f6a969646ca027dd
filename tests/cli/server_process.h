// Servers of the faceberg binary (`faceberg serve`, `faceberg hub serve`) run as child processes
// for end-to-end tests.
#pragma once

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

extern char** environ;

namespace faceberg::testing {

// `faceberg ARGS` as a child process whose first stdout line is "serving URL"; stderr goes to a
// file. Stopped with SIGTERM (see Stop()) and reaped on destruction.
class ServeProcess {
 public:
  ServeProcess(const std::vector<std::string>& args, std::string stderr_path)
      : stderr_path_(std::move(stderr_path)) {
    int fds[2];
    if (::pipe(fds) != 0) return;
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, fds[1], STDOUT_FILENO);
    posix_spawn_file_actions_addclose(&actions, fds[0]);
    posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, stderr_path_.c_str(),
                                     O_WRONLY | O_CREAT | O_TRUNC, 0644);
    std::vector<std::string> argv_strings = {FACEBERG_BIN};
    argv_strings.insert(argv_strings.end(), args.begin(), args.end());
    std::vector<char*> argv;
    for (auto& a : argv_strings) argv.push_back(a.data());
    argv.push_back(nullptr);
    if (posix_spawn(&pid_, FACEBERG_BIN, &actions, nullptr, argv.data(), environ) != 0) pid_ = -1;
    posix_spawn_file_actions_destroy(&actions);
    ::close(fds[1]);
    std::string line;
    char c;
    while (::read(fds[0], &c, 1) == 1 && c != '\n') line += c;
    ::close(fds[0]);
    first_line_ = line;
    const std::string prefix = "serving ";
    if (line.rfind(prefix, 0) == 0) endpoint_ = line.substr(prefix.size());
  }
  ~ServeProcess() { Stop(); }
  ServeProcess(const ServeProcess&) = delete;
  ServeProcess& operator=(const ServeProcess&) = delete;

  /// Sends SIGTERM and waits; returns the exit code (-1 when it did not exit normally).
  int Stop() {
    if (pid_ <= 0) return exit_code_;
    ::kill(pid_, SIGTERM);
    int status = 0;
    ::waitpid(pid_, &status, 0);
    pid_ = -1;
    exit_code_ = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    return exit_code_;
  }
  const std::string& endpoint() const { return endpoint_; }
  const std::string& first_line() const { return first_line_; }
  std::string Stderr() const {
    std::ifstream in(stderr_path_);
    return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  }

 private:
  std::string stderr_path_;
  pid_t pid_ = -1;
  int exit_code_ = -1;
  std::string first_line_;
  std::string endpoint_;
};

/// `faceberg hub serve --root ROOT --port 0 -q`; endpoint() is empty when it did not start.
class HubProcess : public ServeProcess {
 public:
  explicit HubProcess(const std::string& root)
      : ServeProcess({"hub", "serve", "--root", root, "--port", "0", "-q"}, "/dev/null") {}
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
