#include "ops/common.h"

namespace kiln::ops {

void registerShapeOps(OpRegistry& r) { (void)r; }

}  // namespace kiln::ops
