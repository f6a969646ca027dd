// Failure points for crash-safety tests: named places in the commit path where the process can
// be made to die at once, as if the machine lost power there. The environment variable
// FACEBERG_FAILPOINT names the point; unset (the normal case) costs one getenv per point.
//
// Points used by the table layer and the engine (each names what has happened just before):
//   after-data-files     new data files are written, nothing refers to them yet
//   after-manifest       new manifests are written
//   after-manifest-list  the new manifest list is written, the metadata is not committed
//   before-commit        a metadata change is built, not yet committed
//   after-commit         new metadata is committed, clean-up after it has not run
//   during-file-deletion expire or orphans deleted one file of several
//   after-metadata-file  the catalog wrote the new metadata file, its pointer is not updated
// Points of other layers are listed where they are: bridge/mirror.h, bridge/hf_insert.h,
// bridge/dataset_table.h, server/rest_service.h.
#pragma once

#include <cstdio>
#include <cstdlib>
#include <string_view>

namespace faceberg {

inline constexpr const char* kFailPointVariable = "FACEBERG_FAILPOINT";
/// The exit code of a process ended by a failure point.
inline constexpr int kFailPointExitCode = 86;

/// Ends the process immediately (std::_Exit: no destructors, no clean-up, no flushing of
/// buffered files) when FACEBERG_FAILPOINT equals `point`. Does nothing otherwise.
inline void FailPoint(std::string_view point) {
  const char* armed = std::getenv(kFailPointVariable);
  if (armed == nullptr || point != armed) return;
  std::fprintf(stderr, "faceberg: failure point '%s' reached, exiting\n", armed);
  std::_Exit(kFailPointExitCode);
}

}  // namespace faceberg
