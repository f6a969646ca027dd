// Runs the real faceberg binary (FACEBERG_BIN) for end-to-end tests: exit code, stdout, stderr.
#pragma once

#include <gtest/gtest.h>
#include <sys/wait.h>

#include <algorithm>
#include <array>
#include <cstdio>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "util/json.h"

namespace faceberg::testing {

struct CliRun {
  int exit_code = -1;
  std::string out;  // stdout
  std::string err;  // stderr
};

/// `s` quoted for /bin/sh.
inline std::string ShellQuote(const std::string& s) {
  std::string q = "'";
  for (char c : s) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return q + "'";
}

/// Runs FACEBERG_BIN with `args` (and the environment assignments `env`, "NAME=VALUE", for this
/// run only). stderr goes through a file in `scratch_dir`.
inline CliRun RunFaceberg(const std::vector<std::string>& args, const std::string& scratch_dir,
                          const std::vector<std::string>& env = {}) {
  std::string cmd;
  for (const auto& assignment : env) {
    const auto eq = assignment.find('=');
    cmd += assignment.substr(0, eq + 1) + ShellQuote(assignment.substr(eq + 1)) + " ";
  }
  cmd += ShellQuote(FACEBERG_BIN);
  for (const auto& a : args) cmd += " " + ShellQuote(a);
  const std::string err_path = scratch_dir + "/faceberg-stderr.txt";
  cmd += " 2>" + ShellQuote(err_path);
  CliRun r;
  FILE* pipe = ::popen(cmd.c_str(), "r");
  if (pipe == nullptr) return r;
  std::array<char, 4096> buf;
  size_t n;
  while ((n = std::fread(buf.data(), 1, buf.size(), pipe)) > 0) r.out.append(buf.data(), n);
  const int status = ::pclose(pipe);
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  std::ifstream in(err_path);
  r.err.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  return r;
}

/// What `run` printed as JSON, after expecting that it exited 0 and printed valid JSON; null when
/// either failed.
inline Json ExpectJsonOutput(const CliRun& run) {
  EXPECT_EQ(run.exit_code, 0) << run.err;
  auto json = ParseJson(run.out, "stdout");
  EXPECT_TRUE(json.ok()) << run.out;
  return json.ok() ? *json : Json();
}

/// Number of lines (newlines) in `s`.
inline int Lines(const std::string& s) {
  return static_cast<int>(std::count(s.begin(), s.end(), '\n'));
}

}  // namespace faceberg::testing
