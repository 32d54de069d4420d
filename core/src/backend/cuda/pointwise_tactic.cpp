// The CUDA tactic for kiln:Pointwise: a kernel generated for the layer's chain
// of steps (nvrtc_pointwise.h), compiled with NVRTC at build time for the
// current device. Its state is the CUBIN; enqueue loads it once per process
// (runtime API libraries, no driver API) and launches it.
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>

#include "backend/cuda/cuda_check.h"
#include "backend/cuda/cuda_tactic.h"
#include "backend/cuda/nvrtc_pointwise.h"
#include "backend/cuda/operands.h"

namespace kiln::backend::cuda {

namespace {

namespace kc = kernels::cuda;

PointwiseSpec specOf(const Layer& l, const std::vector<DeviceTensor>& inputs, const DeviceTensor& output) {
  PointwiseSpec spec;
  const auto steps = l.attrs.find("steps");
  if (steps == l.attrs.end() || steps->second.kind != Attribute::Kind::kStrings) {
    throw Error(ErrorCode::kInvalidModel, "attribute 'steps' must be a non-empty list of strings",
                ErrorLocation{{}, l.name, l.op, -1});
  }
  spec.steps = steps->second.strings;
  if (const auto a = l.attrs.find("step_alpha"); a != l.attrs.end()) spec.alphas = a->second.floats;
  if (const auto b = l.attrs.find("step_beta"); b != l.attrs.end()) spec.betas = b->second.floats;
  for (const DeviceTensor& t : inputs) spec.inputs.push_back(t.type);
  spec.output = output.type;
  return spec;
}

// The kernel in a CUBIN, loaded once per process. Libraries stay loaded
// until the process ends; plans hold few distinct chains.
cudaKernel_t kernelFor(const std::string& cubin) {
  static std::mutex mutex;
  static std::unordered_map<std::string, cudaKernel_t> kernels;
  std::lock_guard<std::mutex> lock(mutex);
  if (const auto it = kernels.find(cubin); it != kernels.end()) return it->second;
  cudaLibrary_t library = nullptr;
  KILN_CUDA_CHECK(cudaLibraryLoadData(&library, cubin.data(), nullptr, nullptr, 0, nullptr, nullptr, 0));
  cudaKernel_t kernel = nullptr;
  const cudaError_t err = cudaLibraryGetKernel(&kernel, library, kPointwiseKernelName);
  if (err != cudaSuccess) {
    cudaLibraryUnload(library);
    throwCallError("cudaLibraryGetKernel", cudaGetErrorString(err));
  }
  kernels.emplace(cubin, kernel);
  return kernel;
}

class PointwiseTactic final : public CudaTactic {
 public:
  std::string name() const override { return "cuda.pointwise.nvrtc"; }

  std::string supports(const CudaLayerInfo& info) const override {
    if (info.inputs.empty() || info.outputs.empty()) return "expects inputs";
    if (info.inputs.size() > kPointwiseMaxInputs) {
      return "the generated kernel takes at most " + std::to_string(kPointwiseMaxInputs) + " inputs";
    }
    std::vector<std::vector<int64_t>> shapes;
    for (const DeviceTensor& t : info.inputs) shapes.push_back(t.shape);
    try {
      pointwiseSource(specOf(*info.layer, info.inputs, info.outputs[0]));
      broadcastOperands(info.outputs[0].shape, shapes);
    } catch (const Error& e) {
      return e.what();
    }
    return {};
  }

  std::string prepare(const CudaLayerInfo& info) const override {
    const std::string source = pointwiseSource(specOf(*info.layer, info.inputs, info.outputs.at(0)));
    int device = 0, major = 0, minor = 0;
    KILN_CUDA_CHECK(cudaGetDevice(&device));
    KILN_CUDA_CHECK(cudaDeviceGetAttribute(&major, cudaDevAttrComputeCapabilityMajor, device));
    KILN_CUDA_CHECK(cudaDeviceGetAttribute(&minor, cudaDevAttrComputeCapabilityMinor, device));
    return compilePointwise(source, major, minor);
  }

  void enqueue(const Launch& launch) const override {
    const DeviceTensor& y = launch.outputs.at(0);
    const int64_t n = numelOf(y.shape);
    const cudaKernel_t kernel = kernelFor(*launch.state);
    if (n == 0) return;
    std::vector<const DeviceTensor*> inputs;
    for (const DeviceTensor& t : launch.inputs) inputs.push_back(&t);
    std::vector<int64_t> args = pointwiseArgs(n, y.data, broadcastOperands(y.shape, inputs));
    constexpr unsigned kThreads = 256;
    cudaLaunchConfig_t config = {};
    config.gridDim = dim3(kc::blocksFor(n, int(kThreads)));
    config.blockDim = dim3(kThreads);
    config.stream = launch.stream;
    void* params[] = {args.data()};
    KILN_CUDA_CHECK(cudaLaunchKernelExC(&config, reinterpret_cast<const void*>(kernel), params));
    KILN_CUDA_CHECK_LAUNCH("kiln_pointwise");
  }
};

}  // namespace

void registerPointwiseTactic(CudaTacticRegistry& r) { r.add({"kiln:Pointwise"}, std::make_unique<PointwiseTactic>()); }

}  // namespace kiln::backend::cuda
