// Conv and kiln:ConvAct through cuDNN's graph API: the convolution, its bias,
// its residual and its activation as one operation graph, which cuDNN runs as
// one fused kernel where an engine can. cuDNN's heuristics rank the engine
// configurations for the graph; tactic "cuda.conv.cudnn.graph<k>" runs the
// k-th of those whose execution plan builds, so the builder times the top
// few. "cuda.conv.cudnn.graph-epilogue<k>" runs the convolution alone that
// way and the epilogue with Kiln's kernel. Execution plans are built once per graph, engine and cuDNN handle and
// kept for the process. FP16 only for now: the BF16 and TF32 forms of the
// same graphs have not run through the GPU tactic test yet.
#include <cudnn.h>

#include <map>
#include <memory>
#include <mutex>
#include <sstream>

#include "backend/cpu/conv_problem.h"
#include "backend/cuda/cuda_check.h"
#include "backend/cuda/cuda_tactic.h"
#include "backend/cuda/cudnn_conv.h"
#include "backend/cuda/fused_epilogue.h"
#include "backend/cuda/handles.h"

// The handle attributes of graphs and plans are marked deprecated in cuDNN 9
// but remain the way to tie them to a handle.
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"

namespace kiln::backend::cuda {

namespace {

constexpr int kGraphTactics = 6;  // how many of cuDNN's ranked engine configurations become tactics
constexpr int kSplitTactics = 3;  // and of those for the convolution alone

// One backend descriptor, destroyed with the object.
class Desc {
 public:
  explicit Desc(cudnnBackendDescriptorType_t type) { KILN_CUDNN_CHECK(cudnnBackendCreateDescriptor(type, &d_)); }
  ~Desc() {
    if (d_) cudnnBackendDestroyDescriptor(d_);
  }
  Desc(const Desc&) = delete;
  Desc& operator=(const Desc&) = delete;
  cudnnBackendDescriptor_t get() const { return d_; }
  template <typename T>
  Desc& set(cudnnBackendAttributeName_t name, cudnnBackendAttributeType_t type, const T* values, int64_t count = 1) {
    KILN_CUDNN_CHECK(cudnnBackendSetAttribute(d_, name, type, count, values));
    return *this;
  }
  Desc& ints(cudnnBackendAttributeName_t name, const std::vector<int64_t>& v) {
    return set(name, CUDNN_TYPE_INT64, v.data(), int64_t(v.size()));
  }
  Desc& desc(cudnnBackendAttributeName_t name, const Desc& other) {
    cudnnBackendDescriptor_t o = other.get();
    return set(name, CUDNN_TYPE_BACKEND_DESCRIPTOR, &o);
  }
  void finalize() { KILN_CUDNN_CHECK(cudnnBackendFinalize(d_)); }

 private:
  cudnnBackendDescriptor_t d_ = nullptr;
};

struct ConvGraphSpec {
  CudnnConvGeometry g;
  bool bias = false, residual = false;
  kernels::cpu::ActivationParams act;
  std::vector<int64_t> outShape;  // as the layer has it (NHWC when channels-last)

  std::string key() const {
    std::ostringstream s;
    auto list = [&](const std::vector<int>& v) {
      for (int e : v) s << e << ',';
      s << ';';
    };
    list(g.xDims);
    list(g.wDims);
    list(g.yDims);
    list(g.pads);
    list(g.strides);
    list(g.dilations);
    s << int(g.dataType) << ';' << g.channelsLast << bias << residual << ';' << int(act.kind) << ';' << act.alpha
      << ';' << act.beta;
    return s.str();
  }
};

// Strides of NCHW-ordered dims laid out NCHW or NHWC.
std::vector<int64_t> stridesFor(const std::vector<int64_t>& d, bool channelsLast) {
  std::vector<int64_t> s(d.size(), 1);
  if (!channelsLast) {
    for (size_t i = d.size() - 1; i-- > 0;) s[i] = s[i + 1] * d[i + 1];
    return s;
  }
  // C fastest, then the spatial dims from last to first, then N
  s[1] = 1;
  int64_t acc = d[1];
  for (size_t i = d.size() - 1; i >= 2; --i) {
    s[i] = acc;
    acc *= d[i];
  }
  s[0] = acc;
  return s;
}

// `byValue`: a scalar passed from host memory at execution (a constant operand).
std::unique_ptr<Desc> tensor(int64_t uid, const std::vector<int64_t>& dims, const std::vector<int64_t>& strides,
                             cudnnDataType_t type, bool isVirtual, bool byValue = false) {
  auto t = std::make_unique<Desc>(CUDNN_BACKEND_TENSOR_DESCRIPTOR);
  const int64_t alignment = 16;
  const bool v = isVirtual;
  t->set(CUDNN_ATTR_TENSOR_DATA_TYPE, CUDNN_TYPE_DATA_TYPE, &type)
      .ints(CUDNN_ATTR_TENSOR_DIMENSIONS, dims)
      .ints(CUDNN_ATTR_TENSOR_STRIDES, strides)
      .set(CUDNN_ATTR_TENSOR_UNIQUE_ID, CUDNN_TYPE_INT64, &uid)
      .set(CUDNN_ATTR_TENSOR_BYTE_ALIGNMENT, CUDNN_TYPE_INT64, &alignment)
      .set(CUDNN_ATTR_TENSOR_IS_VIRTUAL, CUDNN_TYPE_BOOLEAN, &v);
  if (byValue) {
    const bool b = true;
    t->set(CUDNN_ATTR_TENSOR_IS_BY_VALUE, CUDNN_TYPE_BOOLEAN, &b);
  }
  t->finalize();
  return t;
}

// The pointwise mode and clips of an activation, or false when cuDNN has none.
bool pointwiseOf(const kernels::cpu::ActivationParams& a, cudnnPointwiseMode_t* mode, double* lower, double* upper) {
  using kernels::cpu::Activation;
  *lower = 0;
  *upper = -1;  // none
  switch (a.kind) {
    case Activation::kRelu: *mode = CUDNN_POINTWISE_RELU_FWD; return true;
    case Activation::kClip:
      if (a.alpha != 0.f) return false;  // Relu with an upper clip: Relu6 and the like
      *mode = CUDNN_POINTWISE_RELU_FWD;
      *upper = a.beta;
      return true;
    case Activation::kSigmoid: *mode = CUDNN_POINTWISE_SIGMOID_FWD; return true;
    case Activation::kTanh: *mode = CUDNN_POINTWISE_TANH_FWD; return true;
    case Activation::kGelu: *mode = CUDNN_POINTWISE_GELU_FWD; return true;
    case Activation::kGeluTanh: *mode = CUDNN_POINTWISE_GELU_APPROX_TANH_FWD; return true;
    default: return false;
  }
}

enum Uid : int64_t { kX = 1, kW, kB, kZ, kY, kClipValue, kVirtual = 100 };

// How a Relu with an upper clip (Relu6) enters the graph; engines differ in
// what they take, so each form is tried in turn.
enum class ClipForm { kDoubleClips, kFloatClips, kReluThenMin };

// The execution plans cuDNN can build for one graph on one handle, in the
// order of its heuristics.
struct ConvGraphPlans {
  std::vector<std::unique_ptr<Desc>> owned;  // the graph and what it refers to, alive with the plans
  std::vector<std::unique_ptr<Desc>> plans;
  std::vector<int64_t> workspace;
  std::string refusal;  // why there are none
  bool clipByValue = false;  // kReluThenMin: the execution passes clipValue as kClipValue
  float clipValue = 0.f;
};

std::unique_ptr<ConvGraphPlans> buildPlans(cudnnHandle_t handle, const ConvGraphSpec& s, ClipForm clipForm) {
  auto out = std::make_unique<ConvGraphPlans>();
  const auto& g = s.g;
  auto dims = [](const std::vector<int>& v) { return std::vector<int64_t>(v.begin(), v.end()); };
  const auto xd = dims(g.xDims), wd = dims(g.wDims), yd = dims(g.yDims);
  const bool last = g.channelsLast;
  auto& keep = out->owned;
  auto x = tensor(kX, xd, stridesFor(xd, last), g.dataType, false);
  auto w = tensor(kW, wd, stridesFor(wd, last), g.dataType, false);
  const bool epilogue = s.bias || s.residual || s.act.kind != kernels::cpu::Activation::kNone;
  int64_t nextVirtual = kVirtual;
  auto y = tensor(epilogue ? nextVirtual++ : kY, yd, stridesFor(yd, last), epilogue ? CUDNN_DATA_FLOAT : g.dataType,
                  epilogue);

  auto convDesc = std::make_unique<Desc>(CUDNN_BACKEND_CONVOLUTION_DESCRIPTOR);
  Desc& conv = *convDesc;
  const cudnnDataType_t comp = CUDNN_DATA_FLOAT;
  const cudnnConvolutionMode_t mode = CUDNN_CROSS_CORRELATION;
  const int64_t spatial = int64_t(xd.size()) - 2;
  conv.set(CUDNN_ATTR_CONVOLUTION_COMP_TYPE, CUDNN_TYPE_DATA_TYPE, &comp)
      .set(CUDNN_ATTR_CONVOLUTION_CONV_MODE, CUDNN_TYPE_CONVOLUTION_MODE, &mode)
      .set(CUDNN_ATTR_CONVOLUTION_SPATIAL_DIMS, CUDNN_TYPE_INT64, &spatial)
      .ints(CUDNN_ATTR_CONVOLUTION_DILATIONS, dims(g.dilations))
      .ints(CUDNN_ATTR_CONVOLUTION_FILTER_STRIDES, dims(g.strides))
      .ints(CUDNN_ATTR_CONVOLUTION_PRE_PADDINGS, dims(g.pads))
      .ints(CUDNN_ATTR_CONVOLUTION_POST_PADDINGS, dims(g.pads));
  conv.finalize();
  keep.push_back(std::move(convDesc));

  std::vector<cudnnBackendDescriptor_t> opList;  // in graph order
  {
    auto op = std::make_unique<Desc>(CUDNN_BACKEND_OPERATION_CONVOLUTION_FORWARD_DESCRIPTOR);
    const float alpha = 1.f, beta = 0.f;
    op->set(CUDNN_ATTR_OPERATION_CONVOLUTION_FORWARD_ALPHA, CUDNN_TYPE_FLOAT, &alpha)
        .set(CUDNN_ATTR_OPERATION_CONVOLUTION_FORWARD_BETA, CUDNN_TYPE_FLOAT, &beta)
        .desc(CUDNN_ATTR_OPERATION_CONVOLUTION_FORWARD_CONV_DESC, *keep.back())
        .desc(CUDNN_ATTR_OPERATION_CONVOLUTION_FORWARD_W, *w)
        .desc(CUDNN_ATTR_OPERATION_CONVOLUTION_FORWARD_X, *x)
        .desc(CUDNN_ATTR_OPERATION_CONVOLUTION_FORWARD_Y, *y);
    op->finalize();
    opList.push_back(op->get());
    keep.push_back(std::move(op));
    keep.push_back(std::move(x));
    keep.push_back(std::move(w));
  }
  // Each epilogue step reads the running value and writes the next; the last writes Y.
  struct Step {
    cudnnPointwiseMode_t mode;
    std::unique_ptr<Desc> operand;
    double lower = 0, upper = -1;
  };
  std::vector<Step> steps;
  if (s.bias) {
    std::vector<int64_t> bd(yd.size(), 1);
    bd[1] = yd[1];
    steps.push_back({CUDNN_POINTWISE_ADD, tensor(kB, bd, stridesFor(bd, last), g.dataType, false)});
  }
  if (s.residual) steps.push_back({CUDNN_POINTWISE_ADD, tensor(kZ, yd, stridesFor(yd, last), g.dataType, false)});
  if (s.act.kind != kernels::cpu::Activation::kNone) {
    Step a{};
    if (!pointwiseOf(s.act, &a.mode, &a.lower, &a.upper)) {
      out->refusal = "cuDNN's graph has no pointwise form of this activation";
      return out;
    }
    const double upper = a.upper;
    if (upper >= 0 && clipForm == ClipForm::kReluThenMin) a.upper = -1;  // Relu, then min(., upper)
    steps.push_back(std::move(a));
    if (upper >= 0 && clipForm == ClipForm::kReluThenMin) {
      out->clipByValue = true;
      out->clipValue = float(upper);
      const std::vector<int64_t> one(yd.size(), 1);
      steps.push_back({CUDNN_POINTWISE_MIN, tensor(kClipValue, one, one, CUDNN_DATA_FLOAT, false, true)});
    }
  }
  std::unique_ptr<Desc> running = std::move(y);
  for (size_t i = 0; i < steps.size(); ++i) {
    const bool lastStep = i + 1 == steps.size();
    auto next = tensor(lastStep ? kY : nextVirtual++, yd, stridesFor(yd, last), lastStep ? g.dataType : CUDNN_DATA_FLOAT,
                       !lastStep);
    auto pwDesc = std::make_unique<Desc>(CUDNN_BACKEND_POINTWISE_DESCRIPTOR);
    Desc& pw = *pwDesc;
    const cudnnDataType_t prec = CUDNN_DATA_FLOAT;
    pw.set(CUDNN_ATTR_POINTWISE_MODE, CUDNN_TYPE_POINTWISE_MODE, &steps[i].mode)
        .set(CUDNN_ATTR_POINTWISE_MATH_PREC, CUDNN_TYPE_DATA_TYPE, &prec);
    if (steps[i].mode == CUDNN_POINTWISE_RELU_FWD && clipForm == ClipForm::kFloatClips) {
      const float lower = float(steps[i].lower), upper = float(steps[i].upper);
      pw.set(CUDNN_ATTR_POINTWISE_RELU_LOWER_CLIP, CUDNN_TYPE_FLOAT, &lower);
      if (upper >= 0) pw.set(CUDNN_ATTR_POINTWISE_RELU_UPPER_CLIP, CUDNN_TYPE_FLOAT, &upper);
    } else if (steps[i].mode == CUDNN_POINTWISE_RELU_FWD) {
      pw.set(CUDNN_ATTR_POINTWISE_RELU_LOWER_CLIP, CUDNN_TYPE_DOUBLE, &steps[i].lower);
      if (steps[i].upper >= 0) pw.set(CUDNN_ATTR_POINTWISE_RELU_UPPER_CLIP, CUDNN_TYPE_DOUBLE, &steps[i].upper);
    }
    pw.finalize();
    auto op = std::make_unique<Desc>(CUDNN_BACKEND_OPERATION_POINTWISE_DESCRIPTOR);
    op->desc(CUDNN_ATTR_OPERATION_POINTWISE_PW_DESCRIPTOR, pw).desc(CUDNN_ATTR_OPERATION_POINTWISE_XDESC, *running);
    if (steps[i].operand) op->desc(CUDNN_ATTR_OPERATION_POINTWISE_BDESC, *steps[i].operand);
    op->desc(CUDNN_ATTR_OPERATION_POINTWISE_YDESC, *next);
    op->finalize();
    opList.push_back(op->get());
    keep.push_back(std::move(op));
    keep.push_back(std::move(pwDesc));
    keep.push_back(std::move(running));
    if (steps[i].operand) keep.push_back(std::move(steps[i].operand));
    running = std::move(next);
  }

  keep.push_back(std::move(running));
  keep.push_back(std::make_unique<Desc>(CUDNN_BACKEND_OPERATIONGRAPH_DESCRIPTOR));
  Desc& graph = *keep.back();
  graph.set(CUDNN_ATTR_OPERATIONGRAPH_HANDLE, CUDNN_TYPE_HANDLE, &handle)
      .set(CUDNN_ATTR_OPERATIONGRAPH_OPS, CUDNN_TYPE_BACKEND_DESCRIPTOR, opList.data(), int64_t(opList.size()));
  if (cudnnBackendFinalize(graph.get()) != CUDNN_STATUS_SUCCESS) {
    out->refusal = "cuDNN's graph API does not take this convolution";
    return out;
  }
  keep.push_back(std::make_unique<Desc>(CUDNN_BACKEND_ENGINEHEUR_DESCRIPTOR));
  Desc& heur = *keep.back();
  const cudnnBackendHeurMode_t heurMode = CUDNN_HEUR_MODE_A;
  heur.desc(CUDNN_ATTR_ENGINEHEUR_OPERATION_GRAPH, graph).set(CUDNN_ATTR_ENGINEHEUR_MODE, CUDNN_TYPE_HEUR_MODE, &heurMode);
  if (cudnnBackendFinalize(heur.get()) != CUDNN_STATUS_SUCCESS) {
    out->refusal = "cuDNN has no heuristics for this convolution";
    return out;
  }
  int64_t count = 0;
  KILN_CUDNN_CHECK(cudnnBackendGetAttribute(heur.get(), CUDNN_ATTR_ENGINEHEUR_RESULTS, CUDNN_TYPE_BACKEND_DESCRIPTOR,
                                            0, &count, nullptr));
  std::vector<Desc*> configs;
  std::vector<cudnnBackendDescriptor_t> raw;
  for (int64_t i = 0; i < count; ++i) {
    keep.push_back(std::make_unique<Desc>(CUDNN_BACKEND_ENGINECFG_DESCRIPTOR));
    configs.push_back(keep.back().get());
    raw.push_back(keep.back()->get());
  }
  int64_t got = 0;
  if (count > 0) {
    KILN_CUDNN_CHECK(cudnnBackendGetAttribute(heur.get(), CUDNN_ATTR_ENGINEHEUR_RESULTS,
                                              CUDNN_TYPE_BACKEND_DESCRIPTOR, count, &got, raw.data()));
  }
  for (int64_t i = 0; i < got && int(out->plans.size()) < kGraphTactics; ++i) {
    auto plan = std::make_unique<Desc>(CUDNN_BACKEND_EXECUTION_PLAN_DESCRIPTOR);
    plan->set(CUDNN_ATTR_EXECUTION_PLAN_HANDLE, CUDNN_TYPE_HANDLE, &handle)
        .desc(CUDNN_ATTR_EXECUTION_PLAN_ENGINE_CONFIG, *configs[size_t(i)]);
    if (cudnnBackendFinalize(plan->get()) != CUDNN_STATUS_SUCCESS) continue;
    int64_t ws = 0, n = 0;
    KILN_CUDNN_CHECK(cudnnBackendGetAttribute(plan->get(), CUDNN_ATTR_EXECUTION_PLAN_WORKSPACE_SIZE, CUDNN_TYPE_INT64,
                                              1, &n, &ws));
    out->plans.push_back(std::move(plan));
    out->workspace.push_back(ws);
  }
  if (out->plans.empty()) out->refusal = "no cuDNN engine builds a plan for this convolution graph";
  return out;
}

// The plans of a spec on a handle, built on first use and kept.
const ConvGraphPlans& plansFor(cudnnHandle_t handle, const ConvGraphSpec& spec) {
  static std::mutex mutex;
  static std::map<std::pair<cudnnHandle_t, std::string>, std::unique_ptr<ConvGraphPlans>> cache;
  std::lock_guard<std::mutex> lock(mutex);
  auto& slot = cache[{handle, spec.key()}];
  if (!slot) {
    // A Relu with an upper clip: the next form when an engine takes none.
    const bool clipped = spec.act.kind == kernels::cpu::Activation::kClip;
    for (ClipForm form : {ClipForm::kDoubleClips, ClipForm::kFloatClips, ClipForm::kReluThenMin}) {
      slot = buildPlans(handle, spec, form);
      if (!slot->plans.empty() || !clipped) break;
    }
  }
  return *slot;
}

ConvGraphSpec specOf(const Layer& layer, int64_t opset, Precision precision, const std::vector<DeviceTensor>& inputs,
                     const std::vector<DeviceTensor>& outputs, std::string* reason) {
  const cpu::ConvProblem prob = readConvProblemOf(layer, opset, inputs, outputs);
  ConvGraphSpec s;
  s.bias = prob.hasBias;
  s.residual = prob.hasResidual;
  s.act = prob.activation;
  s.outShape = prob.outShape;
  s.g = cudnnConvGeometry(prob.params, outputs[0].type, precision, reason);
  s.g.channelsLast = prob.channelsLast;
  if (reason->empty() && outputs[0].type != DataType::kFloat16) {
    *reason = "the graph tactics run FP16 (BF16 and TF32 graphs await a GPU test)";
  }
  if (reason->empty() && s.g.xDims.size() != 4) *reason = "the graph tactics run 2-D convolutions";
  int64_t count = 1;
  for (int64_t d : prob.outShape) count *= d;
  if (reason->empty() && (count == 0 || prob.params.inChannels == 0)) *reason = "empty tensors";
  return s;
}

// The spec of the convolution alone, for a tactic that applies the epilogue
// with its own kernel.
ConvGraphSpec convOnly(ConvGraphSpec s) {
  s.bias = s.residual = false;
  s.act = {};
  return s;
}

class CudnnGraphConvTactic final : public CudaTactic {
 public:
  /// With `split`, cuDNN runs the convolution alone and Kiln's epilogue
  /// kernel the bias, residual and activation: for graphs whose fused
  /// engines are slow or missing (depthwise convolutions with a bias).
  CudnnGraphConvTactic(int index, bool split) : index_(index), split_(split) {}

  std::string name() const override {
    return std::string("cuda.conv.cudnn.graph") + (split_ ? "-epilogue" : "") + std::to_string(index_);
  }

  std::string supports(const CudaLayerInfo& info) const override {
    try {
      std::string reason;
      ConvGraphSpec spec = specOf(*info.layer, info.opset, info.precision, info.inputs, info.outputs, &reason);
      if (!reason.empty()) return reason;
      if (split_ && convOnly(spec).key() == spec.key()) return "the layer has no epilogue to split off";
      if (split_) spec = convOnly(spec);
      const ConvGraphPlans& p = plansFor(threadHandles().cudnn, spec);
      if (!p.refusal.empty()) return p.refusal;
      if (index_ >= int(p.plans.size())) {
        return "cuDNN ranks " + std::to_string(p.plans.size()) + " engine configurations for this graph";
      }
      return {};
    } catch (const Error& e) {
      return e.message();
    }
  }

  int64_t workspaceBytes(const CudaLayerInfo& info) const override {
    std::string reason;
    const ConvGraphSpec spec = specOf(*info.layer, info.opset, info.precision, info.inputs, info.outputs, &reason);
    if (!reason.empty()) return 0;
    const ConvGraphPlans& p = plansFor(threadHandles().cudnn, split_ ? convOnly(spec) : spec);
    return index_ < int(p.plans.size()) ? p.workspace[size_t(index_)] : 0;
  }

  void enqueue(const Launch& launch) const override {
    std::string reason;
    const ConvGraphSpec spec =
        specOf(*launch.layer, launch.opset, launch.precision, launch.inputs, launch.outputs, &reason);
    if (!reason.empty()) throw Error(ErrorCode::kInternal, name() + ": " + reason);
    cudnnHandle_t handle = launch.handles.cudnn;
    if (!handle) throw Error(ErrorCode::kInternal, name() + " has no cuDNN handle");
    const ConvGraphPlans& p = plansFor(handle, split_ ? convOnly(spec) : spec);
    if (index_ >= int(p.plans.size())) {
      throw Error(ErrorCode::kInternal, name() + ": cuDNN offers no such engine here" +
                                            (p.refusal.empty() ? "" : " (" + p.refusal + ")"));
    }
    const int64_t ws = p.workspace[size_t(index_)];
    if (ws > launch.workspaceBytes || (ws > 0 && !launch.workspace)) {
      throw Error(ErrorCode::kInternal, name() + " lacks workspace at these shapes");
    }
    KILN_CUDNN_CHECK(cudnnSetStream(handle, launch.stream));
    std::vector<int64_t> uids = {kX, kW, kY};
    std::vector<void*> ptrs = {launch.inputs[0].data, launch.inputs[1].data, launch.outputs[0].data};
    if (split_) {
      execute(handle, p, uids, ptrs, launch.workspace);
      const bool last = spec.g.channelsLast;
      std::vector<int64_t> biasShape = {spec.outShape[last ? 3 : 1]};
      if (!last) biasShape.insert(biasShape.end(), spec.outShape.size() - 2, 1);
      enqueueEpilogue(launch.outputs[0].type, launch.outputs[0].data, spec.outShape,
                      spec.bias ? launch.inputs[2].data : nullptr, biasShape, 1.f,
                      spec.residual ? launch.inputs[3].data : nullptr, spec.act, launch.stream);
      return;
    }
    if (spec.bias) {
      uids.push_back(kB);
      ptrs.push_back(launch.inputs[2].data);
    }
    if (spec.residual) {
      uids.push_back(kZ);
      ptrs.push_back(launch.inputs[3].data);
    }
    if (p.clipByValue) {  // read from host memory at execution; the plans keep it alive
      uids.push_back(kClipValue);
      ptrs.push_back(const_cast<float*>(&p.clipValue));
    }
    execute(handle, p, uids, ptrs, launch.workspace);
  }

 private:
  void execute(cudnnHandle_t handle, const ConvGraphPlans& p, std::vector<int64_t>& uids, std::vector<void*>& ptrs,
               void* workspace) const {
    Desc pack(CUDNN_BACKEND_VARIANT_PACK_DESCRIPTOR);
    pack.set(CUDNN_ATTR_VARIANT_PACK_UNIQUE_IDS, CUDNN_TYPE_INT64, uids.data(), int64_t(uids.size()))
        .set(CUDNN_ATTR_VARIANT_PACK_DATA_POINTERS, CUDNN_TYPE_VOID_PTR, ptrs.data(), int64_t(ptrs.size()))
        .set(CUDNN_ATTR_VARIANT_PACK_WORKSPACE, CUDNN_TYPE_VOID_PTR, &workspace);
    pack.finalize();
    KILN_CUDNN_CHECK(cudnnBackendExecute(handle, p.plans[size_t(index_)]->get(), pack.get()));
  }

  int index_;
  bool split_;
};

}  // namespace

void registerConvGraphTactics(CudaTacticRegistry& r) {
  for (int k = 0; k < kGraphTactics; ++k) r.add({"Conv", "kiln:ConvAct"}, std::make_unique<CudnnGraphConvTactic>(k, false));
  for (int k = 0; k < kSplitTactics; ++k) r.add({"Conv", "kiln:ConvAct"}, std::make_unique<CudnnGraphConvTactic>(k, true));
}

}  // namespace kiln::backend::cuda
