#include "ops/common.h"

namespace kiln::ops {

void registerMiscOps(OpRegistry& r) { (void)r; }

}  // namespace kiln::ops
