#include "runtime/cpu_engine.h"

#include "runtime/plan_engine.h"

#include <algorithm>
#include <chrono>
#include <cstring>
#include <map>
#include <unordered_map>

#include "backend/backend.h"
#include "build/shapes.h"
#include "kiln/errors.h"
#include "ops/evaluate.h"
#include "ops/op.h"

namespace kiln::runtime {

namespace {

struct Step {
  const Layer* layer;
  int64_t opset;
  const ops::OpSchema* schema;
  const backend::Tactic* tactic;
  std::vector<std::string> freeAfter;  // tensors last read by this step
};

class CpuEngine;

class CpuContext final : public ExecutionContext {
 public:
  explicit CpuContext(std::shared_ptr<const CpuEngine> engine) : engine_(std::move(engine)) {}

  void setOptimizationProfile(int32_t profile) override;
  void setInputShape(const std::string& name, const std::vector<int64_t>& shape) override;
  std::vector<int64_t> outputShape(const std::string& name) override;
  void setInputValues(const std::string& name, const HostTensor& values) override { values_[name] = values; }
  void setTensorAddress(const std::string& name, void* address) override;
  void enqueue(void* stream) override;
  void setProfiler(Profiler* profiler) override { profiler_ = profiler; }
  TensorMap execute(const TensorMap& inputs) override;
  void executeResident() override {
    if (lastInputs_.empty()) throw Error(ErrorCode::kInvalidArgument, "executeResident needs an execute() first");
    run(lastInputs_);
  }
  void setCudaGraph(bool) override {}
  ExecuteTimings lastTimings() const override { return timings_; }

 private:
  TensorMap run(const TensorMap& inputs);

  std::shared_ptr<const CpuEngine> engine_;
  int32_t profile_ = 0;
  std::map<std::string, std::vector<int64_t>> shapes_;
  std::map<std::string, void*> addresses_;
  build::InputValues values_;
  std::map<std::string, std::vector<int64_t>> lastOutputShapes_;
  Profiler* profiler_ = nullptr;
  TensorMap lastInputs_;
  ExecuteTimings timings_;
};

class CpuEngine final : public PlanEngine {
 public:
  CpuEngine(PlanContents plan, const std::string& displayName) : PlanEngine(std::move(plan), displayName) {
    const auto& registry = ops::OpRegistry::instance();
    const auto& be = backend::cpuBackend();
    const auto& layers = plan_.network.layers();
    std::unordered_map<std::string, size_t> lastUse;
    for (size_t i = 0; i < layers.size(); ++i) {
      const Layer& l = layers[i];
      const ops::OpSchema* schema = registry.find(l.op, l.domain);
      const backend::Tactic* tactic = be.findTactic(plan_.tactics[i]);
      if (!schema || !tactic) {
        throw Error(ErrorCode::kInvalidPlan, displayName + ": layer '" + l.name + "' needs " +
                                                 (schema ? "tactic '" + plan_.tactics[i] + "'" : "op " + l.op) +
                                                 ", which this Kiln does not have");
      }
      steps_.push_back(Step{&l, plan_.network.opsetOf(l.domain, 1), schema, tactic, {}});
      for (const auto& in : l.inputs) {
        if (!in.empty()) lastUse[in] = i;
      }
    }
    for (const auto& [name, at] : lastUse) {
      const Tensor* t = plan_.network.findTensor(name);
      if ((t && t->data) || isOutput(name)) continue;
      steps_[at].freeAfter.push_back(name);
    }
  }

  Target target() const override { return Target::kCpu; }
  std::unique_ptr<ExecutionContext> createExecutionContext() const override {
    return std::make_unique<CpuContext>(std::static_pointer_cast<const CpuEngine>(shared_from_this()));
  }

  const std::vector<Step>& steps() const { return steps_; }

 private:
  std::vector<Step> steps_;
};

void CpuContext::setOptimizationProfile(int32_t profile) {
  engine_->checkProfile(profile);
  profile_ = profile;
}

void CpuContext::setInputShape(const std::string& name, const std::vector<int64_t>& shape) {
  engine_->checkInputShape(name, profile_, shape);
  shapes_[name] = shape;
}

std::vector<int64_t> CpuContext::outputShape(const std::string& name) {
  const auto& outs = engine_->outputNames();
  if (std::find(outs.begin(), outs.end(), name) == outs.end()) {
    throw Error(ErrorCode::kInvalidArgument, "'" + name + "' is not an output of the engine");
  }
  Network at = build::inferAt(engine_->network(), shapes_, values_);
  auto sizes = at.tensor(name).dims.sizes();
  if (!sizes) throw Error(ErrorCode::kShapeMismatch, "the shape of '" + name + "' depends on the input data");
  return *sizes;
}

void CpuContext::setTensorAddress(const std::string& name, void* address) {
  engine_->tensorType(name);  // throws for a name that is not an I/O tensor
  addresses_[name] = address;
}

void CpuContext::enqueue(void* /*stream*/) {
  TensorMap inputs;
  for (const auto& name : engine_->inputNames()) {
    auto shape = shapes_.find(name);
    auto addr = addresses_.find(name);
    if (shape == shapes_.end() || addr == addresses_.end() || !addr->second) {
      throw Error(ErrorCode::kInvalidArgument, "input '" + name + "' needs a shape and an address before enqueue");
    }
    HostTensor t(engine_->tensorType(name), shape->second);
    std::memcpy(t.raw(), addr->second, t.bytes());
    inputs[name] = std::move(t);
  }
  TensorMap outputs = run(inputs);
  for (const auto& name : engine_->outputNames()) {
    auto addr = addresses_.find(name);
    if (addr == addresses_.end() || !addr->second) {
      throw Error(ErrorCode::kInvalidArgument, "output '" + name + "' needs an address before enqueue");
    }
    const HostTensor& t = outputs.at(name);
    std::memcpy(addr->second, t.raw(), t.bytes());
  }
}

TensorMap CpuContext::execute(const TensorMap& inputs) {
  for (const auto& name : engine_->inputNames()) {
    auto it = inputs.find(name);
    if (it == inputs.end()) throw Error(ErrorCode::kInvalidArgument, "input '" + name + "' was not given");
    if (it->second.type() != engine_->tensorType(name)) {
      throw Error(ErrorCode::kInvalidArgument, "input '" + name + "' has type " + toString(it->second.type()) +
                                                   "; the engine expects " + toString(engine_->tensorType(name)));
    }
    setInputShape(name, it->second.shape());
  }
  lastInputs_ = inputs;
  return run(inputs);
}

TensorMap CpuContext::run(const TensorMap& inputs) {
  using Clock = std::chrono::steady_clock;
  const auto start = Clock::now();
  const Network& net = engine_->network();
  std::unordered_map<std::string, HostTensor> owned;
  std::unordered_map<std::string, const HostTensor*> values;
  for (const auto& [name, t] : inputs) values[name] = &t;
  for (const auto& [name, t] : net.tensors()) {
    if (t.data) values[name] = t.data.get();
  }
  for (const Step& step : engine_->steps()) {
    const Layer& layer = *step.layer;
    std::vector<const HostTensor*> args;
    for (const auto& in : layer.inputs) {
      if (in.empty()) {
        args.push_back(nullptr);
        continue;
      }
      auto it = values.find(in);
      if (it == values.end()) {
        throw Error(ErrorCode::kInternal, "input '" + in + "' has no value", ErrorLocation{{}, layer.name, layer.op, step.opset});
      }
      args.push_back(it->second);
    }
    const auto t0 = Clock::now();
    std::vector<HostTensor> outs = ops::allocateOutputs(*step.schema, layer, step.opset, args);
    step.tactic->run(layer, step.opset, args, outs);
    if (profiler_) {
      profiler_->reportLayerTime(layer.name, layer.domain.empty() ? layer.op : layer.domain + ":" + layer.op,
                                 std::chrono::duration<double, std::milli>(Clock::now() - t0).count());
    }
    for (size_t i = 0; i < outs.size(); ++i) {
      if (layer.outputs[i].empty()) continue;
      HostTensor& slot = owned[layer.outputs[i]] = std::move(outs[i]);
      values[layer.outputs[i]] = &slot;
    }
    for (const auto& name : step.freeAfter) {
      values.erase(name);
      owned.erase(name);
    }
  }
  timings_.computeMs = timings_.enqueueMs = std::chrono::duration<double, std::milli>(Clock::now() - start).count();
  TensorMap result;
  for (const auto& name : net.outputs()) {
    auto it = owned.find(name);
    if (it != owned.end()) result[name] = std::move(it->second);
    else result[name] = *values.at(name);
  }
  return result;
}

}  // namespace

std::shared_ptr<const Engine> makeCpuEngine(PlanContents plan, const std::string& displayName) {
  return std::make_shared<CpuEngine>(std::move(plan), displayName);
}

}  // namespace kiln::runtime
