// Tactic selection on the GPU: every tactic that supports a layer prepares,
// then runs on random device inputs of the opt shapes, timed with CUDA events.
#include <algorithm>
#include <cstring>
#include <random>

#include "backend/cuda/cuda_check.h"
#include "backend/cuda/device.h"
#include "backend/cuda/device_tensors.h"
#include "backend/cuda/handles.h"
#include "build/host_values.h"
#include "build/selection.h"
#include "kiln/errors.h"
#include "kiln/reference.h"

namespace kiln::build {

namespace {

using backend::cuda::CudaLayerInfo;
using backend::cuda::CudaTactic;
using backend::cuda::DeviceBuffer;
using backend::cuda::DeviceTensor;
using backend::cuda::kHostFallbackTactic;

std::vector<std::string> shapesOf(const Network& net, const std::vector<std::string>& names) {
  std::vector<std::string> s;
  for (const auto& n : names) s.push_back(n.empty() ? "" : net.tensor(n).dims.str());
  return s;
}

// Random values in [-1, 1) (0 or 1 for other types): a block drawn once and
// repeated, since drawing every element of large activations costs seconds.
void fillRandom(HostTensor& h, uint64_t seed) {
  const int64_t block = std::min<int64_t>(h.numel(), 1 << 16);
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> uni(-1.0, 1.0);
  for (int64_t i = 0; i < block; ++i) h.setFromDouble(i, isFloat(h.type()) ? uni(rng) : double(rng() % 2));
  char* bytes = static_cast<char*>(h.raw());
  const size_t total = h.bytes();
  for (size_t done = h.numel() ? size_t(block) * (total / size_t(h.numel())) : total; done < total;) {
    const size_t n = std::min(done, total - done);
    std::memcpy(bytes + done, bytes, n);
    done += n;
  }
}

// Device copies of a layer's inputs (random data, or the host value where
// one is known) and room for its outputs, alive while the layer is timed.
struct TimingBuffers {
  std::vector<DeviceBuffer> owned;

  void bind(std::vector<DeviceTensor>& tensors, const std::vector<std::string>& names, bool random, uint64_t seed) {
    for (size_t i = 0; i < tensors.size(); ++i) {
      DeviceTensor& t = tensors[i];
      if (names[i].empty()) continue;  // an omitted optional input or output stays null
      if (!t.host && !random) {  // an output: room only
        int64_t count = 1;
        for (int64_t d : t.shape) count *= d;
        owned.emplace_back(std::max<size_t>(size_t(count) * elementSize(t.type), 1));
        KILN_CUDA_CHECK(cudaMemset(owned.back().get(), 0, owned.back().bytes()));
        t.data = owned.back().get();
        continue;
      }
      HostTensor h;
      if (t.host) {
        h = *t.host;
      } else {
        h = HostTensor(t.type, t.shape);
        fillRandom(h, seed++);
      }
      owned.emplace_back(std::max<size_t>(h.bytes(), 1));
      if (h.bytes()) KILN_CUDA_CHECK(cudaMemcpy(owned.back().get(), h.raw(), h.bytes(), cudaMemcpyHostToDevice));
      t.data = owned.back().get();
    }
  }
};

class EventPair {
 public:
  EventPair() {
    KILN_CUDA_CHECK(cudaEventCreate(&start_));
    KILN_CUDA_CHECK(cudaEventCreate(&stop_));
  }
  ~EventPair() {
    cudaEventDestroy(start_);
    cudaEventDestroy(stop_);
  }
  cudaEvent_t start_ = nullptr, stop_ = nullptr;
};

double timeOnDevice(const CudaTactic& tactic, const backend::cuda::Launch& launch, int repeats,
                    const std::function<void()>& checkCancel) {
  EventPair ev;
  tactic.enqueue(launch);  // warm-up
  KILN_CUDA_CHECK(cudaStreamSynchronize(launch.stream));
  std::vector<double> times;
  for (int r = 0; r < repeats; ++r) {
    checkCancel();
    KILN_CUDA_CHECK(cudaEventRecord(ev.start_, launch.stream));
    tactic.enqueue(launch);
    KILN_CUDA_CHECK(cudaEventRecord(ev.stop_, launch.stream));
    KILN_CUDA_CHECK(cudaEventSynchronize(ev.stop_));
    float ms = 0;
    KILN_CUDA_CHECK(cudaEventElapsedTime(&ms, ev.start_, ev.stop_));
    times.push_back(ms);
  }
  std::nth_element(times.begin(), times.begin() + times.size() / 2, times.end());
  return times[times.size() / 2];
}

}  // namespace

Selection selectCudaTactics(const Network& atOpt, const std::map<std::string, Precision>& precisions,
                            SelectionContext& ctx, const std::function<void(int32_t)>& step) {
  const auto& registry = backend::cuda::CudaTacticRegistry::instance();
  const HostEvaluation host = evaluateOnHost(atOpt);
  backend::cuda::Stream stream;
  const backend::cuda::Handles& handles = backend::cuda::threadHandles();
  KILN_CUDNN_CHECK(cudnnSetStream(handles.cudnn, stream.get()));
  const auto& layers = atOpt.layers();
  Selection sel;
  for (size_t li = 0; li < layers.size(); ++li) {
    const Layer& layer = layers[li];
    LayerReport lr;
    lr.name = layer.name;
    lr.type = backend::cuda::opKey(layer);
    lr.origin = layer.origin;
    auto p = precisions.find(layer.name);
    const Precision precision = p == precisions.end() ? Precision::kFP32 : p->second;
    lr.precision = toString(precision);
    lr.inputShapes = shapesOf(atOpt, layer.inputs);
    lr.outputShapes = shapesOf(atOpt, layer.outputs);
    if (host.layers.count(li)) {
      lr.tactic = backend::cuda::kHostValueTactic;
      lr.candidates.push_back(TacticCandidate{lr.tactic, -1, "", false});
      sel.tactics.push_back(lr.tactic);
      sel.states.emplace_back();
      ctx.report.layers.push_back(std::move(lr));
      step(int32_t(li + 1));
      continue;
    }
    CudaLayerInfo info;
    info.layer = &layer;
    info.opset = atOpt.opsetOf(layer.domain, 1);
    info.precision = precision;
    info.inputs = backend::cuda::describeTensors(atOpt, layer.inputs, host);
    info.outputs = backend::cuda::describeTensors(atOpt, layer.outputs, host);
    for (auto& o : info.outputs) o.host = nullptr;  // outputs are computed on the device

    std::vector<std::string> inputTypes;
    std::vector<std::vector<int64_t>> inputShapes;
    for (const auto& t : info.inputs) {
      inputTypes.push_back(toString(t.type));
      inputShapes.push_back(t.shape);
    }
    TimingBuffers buffers;
    std::vector<const CudaTactic*> tactics = registry.tacticsFor(layer);
    std::vector<std::string> states(tactics.size());
    std::vector<Candidate> candidates;
    bool bound = false;
    for (size_t ti = 0; ti < tactics.size(); ++ti) {
      const CudaTactic* tactic = tactics[ti];
      Candidate c;
      c.name = tactic->name();
      try {
        c.unsupported = tactic->supports(info);
        if (c.unsupported.empty()) c.workspace = tactic->workspaceBytes(info);
      } catch (const Error& e) {
        c.unsupported = e.message();
      }
      c.time = [&, tactic, ti]() {
        if (!bound) {
          buffers.bind(info.inputs, layer.inputs, true, 11 + li);
          buffers.bind(info.outputs, layer.outputs, false, 0);
          bound = true;
        }
        states[ti] = tactic->prepare(info);
        DeviceBuffer workspace(size_t(std::max<int64_t>(tactic->workspaceBytes(info), 0)));
        backend::cuda::Launch launch;
        launch.layer = &layer;
        launch.opset = info.opset;
        launch.precision = precision;
        launch.inputs = info.inputs;
        launch.outputs = info.outputs;
        launch.workspace = workspace.get();
        launch.workspaceBytes = int64_t(workspace.bytes());
        launch.stream = stream.get();
        launch.handles = handles;
        launch.state = &states[ti];
        return timeOnDevice(*tactic, launch, repeatsFor(ctx.config.optimizationLevel), ctx.checkCancel);
      };
      candidates.push_back(std::move(c));
    }
    // The host fallback is the last resort: timing it would cost seconds at
    // large shapes and it never wins against a GPU tactic.
    bool gpuCan = false;
    for (const auto& c : candidates) gpuCan = gpuCan || (c.unsupported.empty() && c.name != kHostFallbackTactic);
    for (auto& c : candidates) {
      if (gpuCan && c.name == kHostFallbackTactic && c.unsupported.empty()) c.unsupported = "a GPU tactic runs this layer";
    }
    const size_t chosen =
        chooseTactic(candidates, layerSignature(layer, inputTypes, inputShapes, precision), "", ctx, lr);
    // A tactic chosen without timing (level 0, a cache hit) prepares now.
    if (states[chosen].empty()) states[chosen] = tactics[chosen]->prepare(info);
    sel.tactics.push_back(lr.tactic);
    sel.states.push_back(states[chosen]);
    ctx.report.layers.push_back(std::move(lr));
    step(int32_t(li + 1));
  }
  return sel;
}

}  // namespace kiln::build
