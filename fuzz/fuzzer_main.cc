// The libFuzzer entry point of one <name>_fuzzer executable: FACEBERG_FUZZ_FUNCTION (set by
// fuzz/CMakeLists.txt) is the target function in fuzz_targets.h.
#include <cstddef>
#include <cstdint>

#include "fuzz_targets.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  return faceberg::fuzz::FACEBERG_FUZZ_FUNCTION(data, size);
}
