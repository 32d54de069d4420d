#include "backend/cuda/layer_view.h"

#include "backend/cuda/operands.h"

namespace kiln::backend::cuda {

namespace kc = kernels::cuda;

const DeviceTensor& LayerView::in(size_t i) const {
  if (!hasInput(i)) unsupported("input " + std::to_string(i) + " is missing");
  return inputs[i];
}

const DeviceTensor& LayerView::out(size_t i) const {
  if (i >= outputs.size()) unsupported("output " + std::to_string(i) + " is missing");
  return outputs[i];
}

const HostTensor& LayerView::hostValue(size_t i, const char* what) const {
  const DeviceTensor& t = in(i);
  if (!t.host || !t.host->hasData() || (t.host->numel() > 0 && !t.host->raw())) {
    unsupported(std::string("needs the value of ") + what + " on the host");
  }
  return *t.host;
}

std::vector<int64_t> LayerView::hostInts(size_t i, const char* what) const {
  if (!hasInput(i)) return {};
  return hostValue(i, what).toInt64Vector();
}

void unsupported(const std::string& why) { throw Error(ErrorCode::kUnsupportedOp, why); }

kc::ElemType kernelElemType(DataType t) {
  if (auto e = elemTypeOf(t)) return *e;
  unsupported(std::string("no kernel for element type ") + toString(t));
}

kc::ElemType floatElemTypeOf(DataType t) {
  switch (t) {
    case DataType::kFloat32: return kc::ElemType::kF32;
    case DataType::kFloat16: return kc::ElemType::kF16;
    case DataType::kBFloat16: return kc::ElemType::kBF16;
    default: break;
  }
  unsupported(std::string("element type ") + toString(t) + " (the kernel takes f32, f16 and bf16)");
}

std::vector<int64_t> rowMajorStrides(const std::vector<int64_t>& shape) {
  std::vector<int64_t> s(shape.size(), 1);
  for (size_t d = shape.size(); d-- > 1;) s[d - 1] = s[d] * shape[d];
  return s;
}

int64_t productOf(const std::vector<int64_t>& shape, size_t from, size_t to) {
  int64_t n = 1;
  for (size_t i = from; i < to && i < shape.size(); ++i) n *= shape[i];
  return n;
}

void checkLaunch(cudaError_t status, const char* launcher) {
  if (status != cudaSuccess) throwCallError(launcher, cudaGetErrorString(status));
}

std::string FnTactic::supports(const CudaLayerInfo& info) const {
  try {
    fn_(LayerView{*info.layer, info.opset, info.inputs, info.outputs}, nullptr);
  } catch (const Error& e) {
    return e.message();
  } catch (const std::exception& e) {
    return e.what();
  }
  return {};
}

void FnTactic::enqueue(const Launch& launch) const {
  fn_(LayerView{*launch.layer, launch.opset, launch.inputs, launch.outputs}, &launch);
}

}  // namespace kiln::backend::cuda
