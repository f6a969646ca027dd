#include "bridge/config.h"

namespace faceberg::bridge {}  // namespace faceberg::bridge
