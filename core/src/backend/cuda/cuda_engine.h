// The CUDA engine and its execution contexts.
#pragma once

#include <memory>
#include <string>

#include "kiln/plan.h"
#include "kiln/runtime.h"

namespace kiln::backend::cuda {

/// Makes a CUDA engine from a checked plan: uploads the weights and resolves
/// every layer's tactic. Throws Error(kInvalidPlan) for a tactic this Kiln
/// lacks, Error on device failures.
std::shared_ptr<const Engine> makeCudaEngine(PlanContents plan, const std::string& displayName);

}  // namespace kiln::backend::cuda
