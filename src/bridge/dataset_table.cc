#include "bridge/dataset_table.h"

namespace faceberg::bridge {}  // namespace faceberg::bridge
