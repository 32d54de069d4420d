#include "runtime/plan_engine.h"

#include <algorithm>

#include "build/shapes.h"
#include "kiln/errors.h"

namespace kiln::runtime {

PlanEngine::PlanEngine(PlanContents plan, const std::string& displayName) : plan_(std::move(plan)) {
  const size_t layers = plan_.network.layers().size();
  if (plan_.tactics.size() != layers || plan_.tacticState.size() != layers) {
    throw Error(ErrorCode::kInvalidPlan, displayName + ": the plan has " + std::to_string(plan_.tactics.size()) +
                                             " tactics for " + std::to_string(layers) + " layers");
  }
  if (plan_.profiles.empty()) throw Error(ErrorCode::kInvalidPlan, displayName + ": the plan has no optimization profile");
  for (const auto& n : plan_.network.inputs()) {
    if (!plan_.network.tensor(n).data) inputs_.push_back(n);
  }
}

ShapeRange PlanEngine::profileShapes(const std::string& input, int32_t profile) const {
  if (profile < 0 || profile >= numProfiles()) throw Error(ErrorCode::kInvalidArgument, "no profile " + std::to_string(profile));
  const auto& inputs = plan_.profiles[size_t(profile)].inputs;
  auto it = inputs.find(input);
  if (it == inputs.end()) throw Error(ErrorCode::kInvalidArgument, "no input '" + input + "'");
  return it->second;
}

void PlanEngine::checkProfile(int32_t profile) const {
  if (profile < 0 || profile >= numProfiles()) {
    throw Error(ErrorCode::kInvalidArgument, "the engine has no profile " + std::to_string(profile));
  }
}

void PlanEngine::checkInputShape(const std::string& name, int32_t profile, const std::vector<int64_t>& shape) const {
  const ShapeRange range = profileShapes(name, profile);
  if (!build::fitsRange(range, shape)) {
    throw Error(ErrorCode::kShapeMismatch, "input '" + name + "' shape " + shapeString(shape) + " is outside profile " +
                                               std::to_string(profile) + " (" + shapeString(range.min) + " to " +
                                               shapeString(range.max) + ")");
  }
}

bool PlanEngine::isInput(const std::string& name) const {
  return std::find(inputs_.begin(), inputs_.end(), name) != inputs_.end();
}

bool PlanEngine::isOutput(const std::string& name) const {
  const auto& o = plan_.network.outputs();
  return std::find(o.begin(), o.end(), name) != o.end();
}

const Tensor& PlanEngine::ioTensor(const std::string& name) const {
  if (!isInput(name) && !isOutput(name)) {
    throw Error(ErrorCode::kInvalidArgument, "'" + name + "' is not an input or output of the engine");
  }
  return plan_.network.tensor(name);
}

}  // namespace kiln::runtime
