// What every engine answers straight from its plan: I/O names, types and
// shapes, optimization profiles and the report. Targets add execution.
#pragma once

#include <string>
#include <vector>

#include "kiln/plan.h"
#include "kiln/runtime.h"

namespace kiln::runtime {

/// The plan-backed half of an Engine.
class PlanEngine : public Engine {
 public:
  const std::vector<std::string>& inputNames() const override { return inputs_; }
  const std::vector<std::string>& outputNames() const override { return plan_.network.outputs(); }
  DataType tensorType(const std::string& name) const override { return ioTensor(name).type; }
  Dims tensorShape(const std::string& name) const override { return ioTensor(name).dims; }
  int32_t numProfiles() const override { return int32_t(plan_.profiles.size()); }
  ShapeRange profileShapes(const std::string& input, int32_t profile) const override;
  const BuildReport& report() const override { return plan_.report; }

  /// The built network.
  const Network& network() const { return plan_.network; }
  bool isInput(const std::string& name) const;
  bool isOutput(const std::string& name) const;
  /// Throws Error(kInvalidArgument) unless the engine has `profile`.
  void checkProfile(int32_t profile) const;
  /// Throws Error(kShapeMismatch) unless `shape` fits input `name`'s range in `profile`.
  void checkInputShape(const std::string& name, int32_t profile, const std::vector<int64_t>& shape) const;

 protected:
  /// Takes the plan. Throws Error(kInvalidPlan) naming `displayName` when its
  /// tactics do not match its layers or it has no profile.
  PlanEngine(PlanContents plan, const std::string& displayName);

  PlanContents plan_;

 private:
  const Tensor& ioTensor(const std::string& name) const;

  std::vector<std::string> inputs_;
};

}  // namespace kiln::runtime
