#include "bridge/mirror.h"

namespace faceberg::bridge {}  // namespace faceberg::bridge
