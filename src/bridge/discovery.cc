#include "bridge/discovery.h"

namespace faceberg::bridge {}  // namespace faceberg::bridge
