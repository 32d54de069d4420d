// The CPU engine and its execution contexts.
#pragma once

#include <memory>

#include "kiln/plan.h"
#include "kiln/runtime.h"

namespace kiln::runtime {

/// Makes a CPU engine from a checked plan. Throws Error(kInvalidPlan) when the
/// plan names a tactic or op this Kiln does not have.
std::shared_ptr<const Engine> makeCpuEngine(PlanContents plan, const std::string& displayName);

}  // namespace kiln::runtime
