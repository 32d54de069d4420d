#include "kiln/runtime.h"

#include "kiln/errors.h"
#include "kiln/plan.h"
#include "runtime/cpu_engine.h"
#ifdef KILN_HAVE_CUDA
#include "backend/cuda/cuda_engine.h"
#endif
#include "tools/file_bytes.h"

namespace kiln {

std::shared_ptr<const Engine> Runtime::load(const std::string& planBytes, const std::string& displayName) {
  PlanContents plan = deserializePlan(planBytes, displayName);
  PlanTarget here;
  try {
    here = currentTarget(plan.target.target);
  } catch (const Error& e) {
    throw Error(ErrorCode::kInvalidPlan, displayName + ": the plan was built for " + toString(plan.target.target) + " '" +
                                             plan.target.device + "', which this machine or build lacks (" + e.message() + ")");
  }
  // Re-checks the target against this machine's, with the format's own message.
  if (here.device != plan.target.device || here.computeMajor != plan.target.computeMajor ||
      here.computeMinor != plan.target.computeMinor) {
    deserializePlan(planBytes, displayName, &here);
  }
  if (plan.target.target == Target::kCpu) return runtime::makeCpuEngine(std::move(plan), displayName);
#ifdef KILN_HAVE_CUDA
  if (plan.target.target == Target::kCuda) return backend::cuda::makeCudaEngine(std::move(plan), displayName);
#endif
  throw Error(ErrorCode::kInvalidPlan, displayName + ": this build of Kiln cannot run " +
                                           std::string(toString(plan.target.target)) + " plans");
}

std::shared_ptr<const Engine> Runtime::loadFile(const std::string& path) {
  return load(tools::readFileBytes(path), path);
}

}  // namespace kiln
