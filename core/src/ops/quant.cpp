#include "ops/common.h"

namespace kiln::ops {

void registerQuantOps(OpRegistry& r) { (void)r; }

}  // namespace kiln::ops
