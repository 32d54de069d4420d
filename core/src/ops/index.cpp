#include "ops/common.h"

namespace kiln::ops {

void registerIndexOps(OpRegistry& r) { (void)r; }

}  // namespace kiln::ops
