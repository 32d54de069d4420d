// Weights live on the device per engine; each context owns an activation
// arena laid out by the plan's memory plan, a workspace, a stream and
// library handles. Shapes are planned on the host when input shapes change;
// enqueue then only launches.
#include "backend/cuda/cuda_engine.h"

#include <nvtx3/nvToolsExt.h>

#include <algorithm>
#include <chrono>
#include <map>
#include <unordered_map>

#include "backend/cuda/cuda_check.h"
#include "backend/cuda/device.h"
#include "backend/cuda/device_tensors.h"
#include "backend/cuda/handles.h"
#include "build/host_values.h"
#include "build/shapes.h"
#include "kiln/errors.h"
#include "runtime/plan_engine.h"

namespace kiln::backend::cuda {

namespace {

// Where a tensor's bytes live during a run.
enum class Home { kNone, kWeight, kArena, kBoundIO, kHostUpload };

struct Step {
  const Layer* layer = nullptr;
  int64_t opset = 0;
  Precision precision = Precision::kFP32;
  const CudaTactic* tactic = nullptr;  // null for host-value layers
  const std::string* state = nullptr;
};

class CudaEngine;

class CudaContext final : public ExecutionContext {
 public:
  explicit CudaContext(std::shared_ptr<const CudaEngine> engine);
  ~CudaContext() override;

  void setOptimizationProfile(int32_t profile) override;
  void setInputShape(const std::string& name, const std::vector<int64_t>& shape) override;
  std::vector<int64_t> outputShape(const std::string& name) override;
  void setInputValues(const std::string& name, const HostTensor& values) override;
  void setTensorAddress(const std::string& name, void* address) override;
  void enqueue(void* stream) override;
  void setProfiler(Profiler* profiler) override { profiler_ = profiler; }
  TensorMap execute(const TensorMap& inputs) override;
  void executeResident() override;
  void setCudaGraph(bool enabled) override {
    useGraph_ = enabled;
    dropGraph();
  }
  ExecuteTimings lastTimings() const override { return timings_; }

 private:
  void planShapes();
  void launchLayers(cudaStream_t stream);
  void dropGraph();
  void* addressOf(const std::string& name) const;

  std::shared_ptr<const CudaEngine> engine_;
  Stream stream_;
  DeviceBuffer arena_;
  DeviceBuffer workspace_;
  int32_t profile_ = 0;
  std::map<std::string, std::vector<int64_t>> shapes_;
  std::map<std::string, void*> addresses_;
  build::InputValues values_;
  Profiler* profiler_ = nullptr;
  bool useGraph_ = false;
  cudaGraphExec_t graph_ = nullptr;
  cudaStream_t graphStream_ = nullptr;

  // Planned at the current input shapes.
  bool planned_ = false;
  Network at_;
  build::HostEvaluation host_;
  std::vector<Launch> launches_;                            // per step; data pointers resolved per enqueue
  std::vector<std::vector<std::string>> inputNames_, outputNames_;
  std::unordered_map<std::string, DeviceBuffer> uploads_;  // host values that device layers read
  std::map<std::string, DeviceBuffer> ioBuffers_;         // execute()'s own I/O memory
  std::vector<cudaEvent_t> events_;
  ExecuteTimings timings_;
};

class CudaEngine final : public runtime::PlanEngine {
 public:
  CudaEngine(PlanContents plan, const std::string& displayName) : PlanEngine(std::move(plan), displayName) {
    const auto& registry = CudaTacticRegistry::instance();
    const auto& layers = plan_.network.layers();
    std::map<std::string, Precision> precisions;
    for (const auto& l : plan_.report.layers) {
      if (auto p = precisionFromString(l.precision)) precisions[l.name] = *p;
    }
    for (size_t i = 0; i < layers.size(); ++i) {
      Step s;
      s.layer = &layers[i];
      s.opset = plan_.network.opsetOf(layers[i].domain, 1);
      s.state = &plan_.tacticState[i];
      if (auto p = precisions.find(layers[i].name); p != precisions.end()) s.precision = p->second;
      if (plan_.tactics[i] != kHostValueTactic) {
        s.tactic = registry.find(plan_.tactics[i]);
        if (!s.tactic) {
          throw Error(ErrorCode::kInvalidPlan, displayName + ": layer '" + layers[i].name + "' needs tactic '" +
                                                   plan_.tactics[i] + "', which this Kiln does not have");
        }
      }
      hostFallback_ = hostFallback_ || plan_.tactics[i] == kHostFallbackTactic;
      steps_.push_back(s);
    }
    size_t total = 0;
    for (const auto& [name, t] : plan_.network.tensors()) {
      if (t.data) total += (t.data->bytes() + 255) / 256 * 256;
    }
    weights_ = DeviceBuffer(total);
    size_t offset = 0;
    for (const auto& [name, t] : plan_.network.tensors()) {
      if (!t.data) continue;
      char* dst = static_cast<char*>(weights_.get()) + offset;
      if (t.data->bytes()) KILN_CUDA_CHECK(cudaMemcpy(dst, t.data->raw(), t.data->bytes(), cudaMemcpyHostToDevice));
      weightAt_[name] = dst;
      offset += (t.data->bytes() + 255) / 256 * 256;
    }
    for (const auto& b : plan_.report.memory.buffers) arenaOffset_[b.tensor] = b.offset;
    for (const auto& [n, v] : plan_.profiles[0].shapeValues) shapeValueInputs_.push_back(n);
    for (size_t i = 0; i < layers.size(); ++i) {
      for (const auto& o : layers[i].outputs) {
        if (steps_[i].tactic == nullptr && isOutput(o)) hostOutputs_ = true;
      }
    }
    workspaceBytes_ = maxWorkspace();
  }

  Target target() const override { return Target::kCuda; }
  std::unique_ptr<ExecutionContext> createExecutionContext() const override {
    return std::make_unique<CudaContext>(std::static_pointer_cast<const CudaEngine>(shared_from_this()));
  }

  const std::vector<Step>& steps() const { return steps_; }
  /// Host layers or host copies make a run uncapturable.
  bool runsOnHost() const { return hostFallback_ || hostOutputs_; }
  bool hasWeight(const std::string& name) const { return weightAt_.count(name) > 0; }
  void* weight(const std::string& name) const {
    auto it = weightAt_.find(name);
    return it == weightAt_.end() ? nullptr : it->second;
  }
  const std::unordered_map<std::string, int64_t>& arenaOffsets() const { return arenaOffset_; }
  int64_t arenaBytes() const { return plan_.report.memory.activationPeakBytes; }
  int64_t workspaceBytes() const { return workspaceBytes_; }
  const std::vector<std::string>& shapeValueInputs() const { return shapeValueInputs_; }

 private:
  std::vector<Step> steps_;
  DeviceBuffer weights_;
  std::unordered_map<std::string, void*> weightAt_;
  std::unordered_map<std::string, int64_t> arenaOffset_;
  bool hostFallback_ = false;
  bool hostOutputs_ = false;  // a graph output computed on the host (Shape of an input)
  int64_t workspaceBytes_ = 0;
  std::vector<std::string> shapeValueInputs_;

  // Tactics size their scratch at the build's opt shapes; the largest shapes
  // of every profile may need more.
  int64_t maxWorkspace() const {
    int64_t ws = plan_.report.memory.workspaceBytes;
    const Network atMax = build::inferAt(plan_.network, build::maxShapes(plan_.profiles),
                                         build::shapeValuesOf(plan_.network, plan_.profiles[0]));
    const build::HostEvaluation host = build::evaluateOnHost(atMax);
    for (const Step& s : steps_) {
      if (!s.tactic) continue;
      CudaLayerInfo info;
      info.layer = s.layer;
      info.opset = s.opset;
      info.precision = s.precision;
      try {
        info.inputs = describeTensors(atMax, s.layer->inputs, host);
        info.outputs = describeTensors(atMax, s.layer->outputs, host);
        ws = std::max(ws, s.tactic->workspaceBytes(info));
      } catch (const Error&) {
        // a tactic that cannot size itself at the max shapes keeps its build-time size
      }
    }
    return ws;
  }
};

CudaContext::CudaContext(std::shared_ptr<const CudaEngine> engine)
    : engine_(std::move(engine)),
      arena_(size_t(std::max<int64_t>(engine_->arenaBytes(), 0))),
      workspace_(size_t(std::max<int64_t>(engine_->workspaceBytes(), 0))) {}

CudaContext::~CudaContext() {
  if (stream_.get()) cudaStreamSynchronize(stream_.get());
  dropGraph();
  for (cudaEvent_t e : events_) cudaEventDestroy(e);
}

void CudaContext::dropGraph() {
  if (graph_) cudaGraphExecDestroy(graph_);
  graph_ = nullptr;
}

void CudaContext::setOptimizationProfile(int32_t profile) {
  engine_->checkProfile(profile);
  profile_ = profile;
  planned_ = false;
}

void CudaContext::setInputShape(const std::string& name, const std::vector<int64_t>& shape) {
  engine_->checkInputShape(name, profile_, shape);
  auto it = shapes_.find(name);
  if (it != shapes_.end() && it->second == shape) return;
  shapes_[name] = shape;
  planned_ = false;
  dropGraph();
}

std::vector<int64_t> CudaContext::outputShape(const std::string& name) {
  if (!engine_->isOutput(name)) throw Error(ErrorCode::kInvalidArgument, "'" + name + "' is not an output of the engine");
  planShapes();
  auto sizes = at_.tensor(name).dims.sizes();
  if (!sizes) throw Error(ErrorCode::kShapeMismatch, "the shape of '" + name + "' depends on data the engine does not have");
  return *sizes;
}

void CudaContext::setInputValues(const std::string& name, const HostTensor& values) {
  auto it = values_.find(name);
  if (it != values_.end() && it->second.toDoubleVector() == values.toDoubleVector() && it->second.shape() == values.shape()) {
    return;
  }
  values_[name] = values;
  planned_ = false;
  dropGraph();
}

void CudaContext::setTensorAddress(const std::string& name, void* address) {
  if (!engine_->isInput(name) && !engine_->isOutput(name)) {
    throw Error(ErrorCode::kInvalidArgument, "'" + name + "' is not an input or output of the engine");
  }
  if (addresses_[name] != address) dropGraph();
  addresses_[name] = address;
}

void CudaContext::planShapes() {
  if (planned_) return;
  for (const auto& n : engine_->inputNames()) {
    if (!shapes_.count(n)) throw Error(ErrorCode::kInvalidArgument, "input '" + n + "' has no shape; call setInputShape");
  }
  for (const auto& n : engine_->shapeValueInputs()) {
    if (!values_.count(n)) throw Error(ErrorCode::kInvalidArgument, "input '" + n + "' decides shapes: set its values first");
  }
  at_ = build::inferAt(engine_->network(), shapes_, values_);
  host_ = build::evaluateOnHost(at_);
  uploads_.clear();
  launches_.clear();
  inputNames_.clear();
  outputNames_.clear();
  for (const Step& s : engine_->steps()) {
    Launch l;
    l.layer = s.layer;
    l.opset = s.opset;
    l.precision = s.precision;
    l.state = s.state;
    if (s.tactic) {
      l.inputs = describeTensors(at_, s.layer->inputs, host_);
      l.outputs = describeTensors(at_, s.layer->outputs, host_);
      for (auto& o : l.outputs) o.host = nullptr;
      // host values that a device layer reads as data travel to the device now, not in enqueue
      for (size_t i = 0; i < l.inputs.size(); ++i) {
        const std::string& n = s.layer->inputs[i];
        if (n.empty() || !host_.values.count(n) || uploads_.count(n)) continue;
        const HostTensor& v = host_.values.at(n);
        DeviceBuffer b(std::max<size_t>(v.bytes(), 1));
        if (v.bytes()) KILN_CUDA_CHECK(cudaMemcpy(b.get(), v.raw(), v.bytes(), cudaMemcpyHostToDevice));
        uploads_.emplace(n, std::move(b));
      }
    }
    launches_.push_back(std::move(l));
    inputNames_.push_back(s.layer->inputs);
    outputNames_.push_back(s.layer->outputs);
  }
  if (events_.size() < 2 * engine_->steps().size() + 2) {
    for (cudaEvent_t e : events_) cudaEventDestroy(e);
    events_.assign(2 * engine_->steps().size() + 2, nullptr);
    for (auto& e : events_) KILN_CUDA_CHECK(cudaEventCreate(&e));
  }
  planned_ = true;
}

void* CudaContext::addressOf(const std::string& name) const {
  if (name.empty()) return nullptr;
  if (engine_->hasWeight(name)) return engine_->weight(name);
  if (auto it = uploads_.find(name); it != uploads_.end()) return it->second.get();
  if (engine_->isInput(name) || engine_->isOutput(name)) {
    auto it = addresses_.find(name);
    if (it == addresses_.end() || !it->second) {
      throw Error(ErrorCode::kInvalidArgument, "'" + name + "' needs an address before enqueue");
    }
    return it->second;
  }
  auto off = engine_->arenaOffsets().find(name);
  if (off == engine_->arenaOffsets().end()) {
    throw Error(ErrorCode::kInternal, "tensor '" + name + "' has no place in the memory plan");
  }
  return static_cast<char*>(arena_.get()) + off->second;
}

void CudaContext::launchLayers(cudaStream_t stream) {
  const auto& steps = engine_->steps();
  const Handles& handles = threadHandles();
  for (size_t i = 0; i < steps.size(); ++i) {
    const Step& s = steps[i];
    if (!s.tactic) {
      // a graph output computed on the host (e.g. Shape of an input) travels now
      for (const auto& o : s.layer->outputs) {
        if (o.empty() || !engine_->isOutput(o)) continue;
        const HostTensor& v = host_.values.at(o);
        if (v.bytes()) KILN_CUDA_CHECK(cudaMemcpyAsync(addressOf(o), v.raw(), v.bytes(), cudaMemcpyHostToDevice, stream));
      }
      continue;
    }
    Launch& l = launches_[i];
    for (size_t k = 0; k < l.inputs.size(); ++k) l.inputs[k].data = addressOf(inputNames_[i][k]);
    for (size_t k = 0; k < l.outputs.size(); ++k) l.outputs[k].data = addressOf(outputNames_[i][k]);
    l.workspace = workspace_.get();
    l.workspaceBytes = int64_t(workspace_.bytes());
    l.stream = stream;
    l.handles = handles;
    nvtxRangePushA(s.layer->name.c_str());
    if (profiler_) KILN_CUDA_CHECK(cudaEventRecord(events_[2 * i], stream));
    s.tactic->enqueue(l);
    if (profiler_) KILN_CUDA_CHECK(cudaEventRecord(events_[2 * i + 1], stream));
    nvtxRangePop();
  }
}

void CudaContext::enqueue(void* streamArg) {
  planShapes();
  cudaStream_t stream = streamArg ? static_cast<cudaStream_t>(streamArg) : stream_.get();
  KILN_CUDNN_CHECK(cudnnSetStream(threadHandles().cudnn, stream));
  const auto t0 = std::chrono::steady_clock::now();
  const bool graph = useGraph_ && !profiler_ && !engine_->runsOnHost();
  if (graph) {
    if (!graph_ || graphStream_ != stream) {
      dropGraph();
      cudaGraph_t g = nullptr;
      KILN_CUDA_CHECK(cudaStreamBeginCapture(stream, cudaStreamCaptureModeThreadLocal));
      try {
        launchLayers(stream);
      } catch (...) {
        cudaStreamEndCapture(stream, &g);
        if (g) cudaGraphDestroy(g);
        throw;
      }
      KILN_CUDA_CHECK(cudaStreamEndCapture(stream, &g));
      cudaError_t inst = cudaGraphInstantiate(&graph_, g, 0);
      cudaGraphDestroy(g);
      KILN_CUDA_CHECK(inst);
      graphStream_ = stream;
    }
    KILN_CUDA_CHECK(cudaGraphLaunch(graph_, stream));
  } else {
    launchLayers(stream);
  }
  timings_.enqueueMs = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
  if (profiler_) {
    KILN_CUDA_CHECK(cudaStreamSynchronize(stream));
    const auto& steps = engine_->steps();
    for (size_t i = 0; i < steps.size(); ++i) {
      if (!steps[i].tactic) continue;
      float ms = 0;
      KILN_CUDA_CHECK(cudaEventElapsedTime(&ms, events_[2 * i], events_[2 * i + 1]));
      profiler_->reportLayerTime(steps[i].layer->name, opKey(*steps[i].layer), ms);
    }
  }
}

TensorMap CudaContext::execute(const TensorMap& inputs) {
  for (const auto& name : engine_->inputNames()) {
    auto it = inputs.find(name);
    if (it == inputs.end()) throw Error(ErrorCode::kInvalidArgument, "input '" + name + "' was not given");
    if (it->second.type() != engine_->tensorType(name)) {
      throw Error(ErrorCode::kInvalidArgument, "input '" + name + "' has type " + toString(it->second.type()) +
                                                   "; the engine expects " + toString(engine_->tensorType(name)));
    }
    setInputShape(name, it->second.shape());
    const auto& sv = engine_->shapeValueInputs();
    if (std::find(sv.begin(), sv.end(), name) != sv.end()) setInputValues(name, it->second);
  }
  planShapes();
  cudaStream_t s = stream_.get();
  cudaEvent_t* ev = &events_[events_.size() - 2];
  auto ensure = [&](const std::string& name, size_t bytes) {
    DeviceBuffer& b = ioBuffers_[name];
    if (!b.get() || b.bytes() < bytes) {
      b = DeviceBuffer(std::max<size_t>(bytes, 1));
      dropGraph();
    }
    setTensorAddress(name, b.get());
  };
  cudaEvent_t startCopy = ev[0], endCopy = ev[1];
  KILN_CUDA_CHECK(cudaEventRecord(startCopy, s));
  for (const auto& name : engine_->inputNames()) {
    const HostTensor& t = inputs.at(name);
    ensure(name, t.bytes());
    if (t.bytes()) KILN_CUDA_CHECK(cudaMemcpyAsync(addresses_[name], t.raw(), t.bytes(), cudaMemcpyHostToDevice, s));
  }
  KILN_CUDA_CHECK(cudaEventRecord(endCopy, s));
  TensorMap outputs;
  for (const auto& name : engine_->outputNames()) {
    HostTensor t(engine_->tensorType(name), outputShape(name));
    ensure(name, t.bytes());
    outputs[name] = std::move(t);
  }
  KILN_CUDA_CHECK(cudaStreamSynchronize(s));
  float h2d = 0;
  KILN_CUDA_CHECK(cudaEventElapsedTime(&h2d, startCopy, endCopy));
  executeResident();
  const ExecuteTimings compute = timings_;
  KILN_CUDA_CHECK(cudaEventRecord(startCopy, s));
  for (auto& [name, t] : outputs) {
    if (t.bytes()) KILN_CUDA_CHECK(cudaMemcpyAsync(t.raw(), addresses_[name], t.bytes(), cudaMemcpyDeviceToHost, s));
  }
  KILN_CUDA_CHECK(cudaEventRecord(endCopy, s));
  KILN_CUDA_CHECK(cudaStreamSynchronize(s));
  float d2h = 0;
  KILN_CUDA_CHECK(cudaEventElapsedTime(&d2h, startCopy, endCopy));
  timings_ = compute;
  timings_.hostToDeviceMs = h2d;
  timings_.deviceToHostMs = d2h;
  return outputs;
}

void CudaContext::executeResident() {
  for (const auto& name : engine_->inputNames()) {
    if (!ioBuffers_.count(name)) throw Error(ErrorCode::kInvalidArgument, "executeResident needs an execute() first");
  }
  cudaStream_t s = stream_.get();
  cudaEvent_t* ev = &events_[events_.size() - 2];
  KILN_CUDA_CHECK(cudaEventRecord(ev[0], s));
  enqueue(s);
  KILN_CUDA_CHECK(cudaEventRecord(ev[1], s));
  KILN_CUDA_CHECK(cudaStreamSynchronize(s));
  float ms = 0;
  KILN_CUDA_CHECK(cudaEventElapsedTime(&ms, ev[0], ev[1]));
  timings_.computeMs = ms;
  timings_.hostToDeviceMs = timings_.deviceToHostMs = 0;
}

}  // namespace

std::shared_ptr<const Engine> makeCudaEngine(PlanContents plan, const std::string& displayName) {
  if (!deviceAvailable()) {
    throw Error(ErrorCode::kInvalidPlan, displayName + ": the plan needs a CUDA device, and this machine has none");
  }
  return std::make_shared<CudaEngine>(std::move(plan), displayName);
}

}  // namespace kiln::backend::cuda
