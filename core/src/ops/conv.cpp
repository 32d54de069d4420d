#include "ops/common.h"

namespace kiln::ops {

void registerConvOps(OpRegistry& r) { (void)r; }

}  // namespace kiln::ops
