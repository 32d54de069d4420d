#include "ops/common.h"

namespace kiln::ops {

void registerMatmulOps(OpRegistry& r) { (void)r; }

}  // namespace kiln::ops
