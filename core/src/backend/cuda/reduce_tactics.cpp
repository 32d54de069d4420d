// Reductions on the GPU: ReduceSum, ReduceMean, ReduceMax, ReduceMin,
// ReduceProd, ReduceL1, ReduceL2, ReduceLogSum, ReduceLogSumExp and
// ReduceSumSquare over any axes (f32, f16, bf16; float accumulation),
// ArgMax/ArgMin, and Softmax, LogSoftmax, Hardmax and kiln:Softmax.
#include <algorithm>

#include "backend/cuda/layer_view.h"
#include "cuda/reduce.cuh"
#include "cuda/softmax.cuh"
#include "ops/common.h"

namespace kiln::backend::cuda {

namespace {

namespace kc = kernels::cuda;

// ---- ReduceX ----------------------------------------------------------------------------

// ReduceSum takes its axes as an input from opset 13, the others from 18.
int64_t axesInputSince(kc::ReduceKind k) { return k == kc::ReduceKind::kSum ? 13 : 18; }

template <kc::ReduceKind K>
void reduceOp(const LayerView& v, const Launch* launch) {
  const ops::NodeContext ctx(v.layer, v.opset);
  const DeviceTensor& x = v.in(0);
  const DeviceTensor& y = v.out(0);
  const int64_t rank = int64_t(x.shape.size());
  if (rank > kc::kMaxRank) unsupported("rank exceeds the kernel's");
  kc::ReduceParams p;
  p.kind = K;
  p.type = floatElemTypeOf(x.type);
  std::vector<int64_t> axes;
  if (v.opset >= axesInputSince(K)) {
    axes = v.hostInts(1, "axes");
  } else {
    axes = ctx.attrInts("axes");
  }
  axes = ops::normalizeAxes(ctx, axes, rank);
  const bool noop = v.opset >= axesInputSince(K) && ctx.attrInt("noop_with_empty_axes", 0) != 0;
  if (axes.empty() && noop) {
    if (numelOf(y.shape) != numelOf(x.shape) || y.type != x.type) unsupported("the output does not match the input");
    if (!launch) return;
    const size_t bytes = size_t(numelOf(x.shape)) * elementSize(x.type);
    if (bytes > 0 && x.data != y.data) {
      KILN_CUDA_CHECK(cudaMemcpyAsync(y.data, x.data, bytes, cudaMemcpyDeviceToDevice, launch->stream));
    }
    return;
  }
  std::vector<bool> reduced(size_t(rank), axes.empty());
  for (int64_t a : axes) reduced[size_t(a)] = true;
  const auto s = rowMajorStrides(x.shape);
  p.numOutputs = 1;
  p.count = 1;
  for (int64_t d = 0; d < rank; ++d) {
    kc::Indexer& ix = reduced[size_t(d)] ? p.reduced : p.kept;
    ix.dims[ix.rank] = x.shape[size_t(d)];
    ix.strides[ix.rank] = s[size_t(d)];
    ++ix.rank;
    (reduced[size_t(d)] ? p.count : p.numOutputs) *= x.shape[size_t(d)];
  }
  if (numelOf(y.shape) != p.numOutputs || y.type != x.type) unsupported("the output does not match the reduction");
  if (!launch) return;
  checkLaunch(kc::reduce(p, x.data, y.data, launch->stream), "kernels::cuda::reduce");
}

// ---- ArgMax / ArgMin --------------------------------------------------------------------

template <bool Max>
void argOp(const LayerView& v, const Launch* launch) {
  const ops::NodeContext ctx(v.layer, v.opset);
  const DeviceTensor& x = v.in(0);
  const size_t axis = size_t(ops::normalizeAxis(ctx, ctx.attrInt("axis", 0), int64_t(x.shape.size())));
  kc::ArgReduceParams p;
  p.outer = productOf(x.shape, 0, axis);
  p.axis = x.shape[axis];
  p.inner = productOf(x.shape, axis + 1, x.shape.size());
  p.max = Max;
  p.selectLast = ctx.attrInt("select_last_index", 0) != 0;
  p.type = kernelElemType(x.type);
  if (p.type == kc::ElemType::kBool) unsupported("bool input");
  if (p.axis <= 0) unsupported("the reduced axis is empty");
  if (v.out(0).type != DataType::kInt64) unsupported("the output must be int64");
  if (!launch) return;
  checkLaunch(kc::argReduce(p, x.data, static_cast<int64_t*>(v.out(0).data), launch->stream),
              "kernels::cuda::argReduce");
}

// ---- Softmax family ---------------------------------------------------------------------

// Before opset 13 the input is coerced to 2-D at `axis` (default 1); from 13
// (and for kiln:Softmax) the op normalizes along one axis (default -1).
template <kc::SoftmaxKind K>
void softmaxOp(const LayerView& v, const Launch* launch) {
  const ops::NodeContext ctx(v.layer, v.opset);
  const DeviceTensor& x = v.in(0);
  const int64_t rank = int64_t(x.shape.size());
  const bool legacy = (v.layer.domain.empty() || v.layer.domain == "ai.onnx") && v.opset < 13;
  const int64_t axis = rank == 0 ? 0 : ops::normalizeAxis(ctx, ctx.attrInt("axis", legacy ? 1 : -1), rank);
  kc::SoftmaxParams p;
  p.kind = K;
  p.type = floatElemTypeOf(x.type);
  for (int64_t i = 0; i < rank; ++i) {
    const int64_t d = x.shape[size_t(i)];
    if (i < axis) p.outer *= d;
    else if (i == axis || legacy) p.axis *= d;
    else p.inner *= d;
  }
  if (v.out(0).type != x.type || numelOf(v.out(0).shape) != numelOf(x.shape)) unsupported("the output does not match");
  if (!launch) return;
  checkLaunch(kc::softmax(p, x.data, v.out(0).data, launch->stream), "kernels::cuda::softmax");
}

}  // namespace

void registerReduceTactics(CudaTacticRegistry& r) {
  using K = kc::ReduceKind;
  addFn(r, {"ReduceSum"}, "cuda.reduce.sum", reduceOp<K::kSum>);
  addFn(r, {"ReduceMean"}, "cuda.reduce.mean", reduceOp<K::kMean>);
  addFn(r, {"ReduceMax"}, "cuda.reduce.max", reduceOp<K::kMax>);
  addFn(r, {"ReduceMin"}, "cuda.reduce.min", reduceOp<K::kMin>);
  addFn(r, {"ReduceProd"}, "cuda.reduce.prod", reduceOp<K::kProd>);
  addFn(r, {"ReduceL1"}, "cuda.reduce.l1", reduceOp<K::kL1>);
  addFn(r, {"ReduceL2"}, "cuda.reduce.l2", reduceOp<K::kL2>);
  addFn(r, {"ReduceLogSum"}, "cuda.reduce.log-sum", reduceOp<K::kLogSum>);
  addFn(r, {"ReduceLogSumExp"}, "cuda.reduce.log-sum-exp", reduceOp<K::kLogSumExp>);
  addFn(r, {"ReduceSumSquare"}, "cuda.reduce.sum-square", reduceOp<K::kSumSquare>);
  addFn(r, {"ArgMax"}, "cuda.reduce.argmax", argOp<true>);
  addFn(r, {"ArgMin"}, "cuda.reduce.argmin", argOp<false>);
  addFn(r, {"Softmax", "kiln:Softmax"}, "cuda.softmax", softmaxOp<kc::SoftmaxKind::kSoftmax>);
  addFn(r, {"LogSoftmax"}, "cuda.softmax.log", softmaxOp<kc::SoftmaxKind::kLogSoftmax>);
  addFn(r, {"Hardmax"}, "cuda.softmax.hard", softmaxOp<kc::SoftmaxKind::kHardmax>);
}

}  // namespace kiln::backend::cuda
