#include "util/progress.h"

#include <algorithm>
#include <cstdio>
#include <string>
#include <thread>
#include <vector>

#include "test_util.h"

namespace faceberg {
namespace {

// A FILE* over a temporary file, and what was written to it.
class CapturedStream {
 public:
  CapturedStream() : file_(std::tmpfile()) {}
  ~CapturedStream() {
    if (file_ != nullptr) std::fclose(file_);
  }
  std::FILE* get() const { return file_; }
  std::string Text() const {
    std::fflush(file_);
    std::rewind(file_);
    std::string out;
    char buffer[4096];
    size_t n;
    while ((n = std::fread(buffer, 1, sizeof buffer, file_)) > 0) out.append(buffer, n);
    return out;
  }

 private:
  std::FILE* file_;
};

TEST(ProgressBar, DrawsFractionAndEndsTheLine) {
  CapturedStream out;
  {
    ProgressOptions options;
    options.force = true;
    options.stream = out.get();
    options.min_interval = std::chrono::milliseconds(0);
    options.width = 10;
    ProgressBar bar("footers", 4, options);
    EXPECT_TRUE(bar.active());
    bar.Advance();
    bar.Advance(3);
    EXPECT_EQ(bar.done(), 4u);
  }
  const std::string text = out.Text();
  EXPECT_THAT(text, ::testing::HasSubstr("\rfooters [..........] 0/4"));
  EXPECT_THAT(text, ::testing::HasSubstr("\rfooters [##......."));
  EXPECT_THAT(text, ::testing::EndsWith("\rfooters [##########] 4/4\n"));
}

TEST(ProgressBar, SilentWhenDisabledOrNotATerminal) {
  CapturedStream out;
  {
    ProgressOptions options;
    options.stream = out.get();  // a regular file is not a terminal
    ProgressBar bar("x", 2, options);
    EXPECT_FALSE(bar.active());
    bar.Advance(2);
    EXPECT_EQ(bar.done(), 2u);
  }
  {
    ProgressOptions options;
    options.enabled = false;
    options.force = true;
    options.stream = out.get();
    ProgressBar bar("x", 2, options);
    EXPECT_FALSE(bar.active());
    bar.Advance();
  }
  EXPECT_EQ(out.Text(), "");
  EXPECT_FALSE(IsTerminal(out.get()));
}

TEST(ProgressBar, ConcurrentAdvanceCountsEveryStepAndFinishesOnce) {
  CapturedStream out;
  ProgressOptions options;
  options.force = true;
  options.stream = out.get();
  ProgressBar bar("files", 0, options);
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 250; ++i) bar.Advance();
    });
  }
  for (auto& t : threads) t.join();
  bar.Finish();
  bar.Finish();
  EXPECT_EQ(bar.done(), 1000u);
  const std::string text = out.Text();
  EXPECT_THAT(text, ::testing::EndsWith("] 1000\n"));
  EXPECT_EQ(std::count(text.begin(), text.end(), '\n'), 1);
}

}  // namespace
}  // namespace faceberg
