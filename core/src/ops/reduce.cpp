#include "ops/common.h"

namespace kiln::ops {

void registerReduceOps(OpRegistry& r) { (void)r; }

}  // namespace kiln::ops
