// Reductions (ReduceSum, ReduceMean, ReduceMax, ...) and ArgMax/ArgMin.
#include <algorithm>
#include <cstring>
#include <optional>

#include "cpu/reduce.h"
#include "ops/common.h"

namespace kiln::ops {

namespace {

using kernels::cpu::ReduceOp;

// ReduceSum takes its axes as an input from opset 13, the others from 18.
int64_t axesInputSince(ReduceOp op) { return op == ReduceOp::kSum ? 13 : 18; }

// The axes to reduce, normalized: nullopt when they come from an input whose
// value is unknown; empty when none are given.
std::optional<std::vector<int64_t>> reduceAxes(const InferContext& ctx, ReduceOp op, int64_t rank) {
  std::vector<int64_t> axes;
  if (ctx.opset() >= axesInputSince(op)) {
    if (ctx.hasAttr("axes")) ctx.fail("axes is an input from opset " + std::to_string(axesInputSince(op)));
    if (ctx.hasInput(1)) {
      const HostTensor* v = ctx.value(1);
      if (!v) return std::nullopt;
      axes = v->toInt64Vector();
    }
  } else {
    if (ctx.numInputs() > 1) ctx.fail("axes is an attribute before opset " + std::to_string(axesInputSince(op)));
    axes = ctx.attrInts("axes");
  }
  return normalizeAxes(ctx, axes, rank);
}

bool noopWithEmptyAxes(const NodeContext& ctx, ReduceOp op) {
  return ctx.opset() >= axesInputSince(op) && ctx.attrInt("noop_with_empty_axes", 0) != 0;
}

template <ReduceOp Op>
void inferReduce(InferContext& ctx) {
  const ValueInfo& x = ctx.input(0);
  const bool minMax = Op == ReduceOp::kMax || Op == ReduceOp::kMin;
  if (x.type == DataType::kBool && !minMax) ctx.fail("bool input is not supported", ErrorCode::kUnsupportedType);
  if (x.type == DataType::kFloat8E4M3 || x.type == DataType::kFloat8E5M2) {
    ctx.fail("float8 input is not supported", ErrorCode::kUnsupportedType);
  }
  const bool keepdims = ctx.attrInt("keepdims", 1) != 0;
  if (!x.dims.rankKnown) {
    ctx.setOutput(0, x.type, Dims::unknownRank());
    return;
  }
  const int64_t rank = int64_t(x.dims.rank());
  auto axes = reduceAxes(ctx, Op, rank);
  if (!axes) {
    ctx.setOutput(0, x.type, keepdims ? Dims::unknownOfRank(size_t(rank)) : Dims::unknownRank());
    return;
  }
  if (axes->empty()) {
    if (noopWithEmptyAxes(ctx, Op)) {
      ctx.setOutput(0, x.type, x.dims);
      return;
    }
    for (int64_t a = 0; a < rank; ++a) axes->push_back(a);
  }
  Dims out;
  for (int64_t a = 0; a < rank; ++a) {
    const bool reduced = std::find(axes->begin(), axes->end(), a) != axes->end();
    if (!reduced) out.d.push_back(x.dims[size_t(a)]);
    else if (keepdims) out.d.push_back(Dim(1));
  }
  ctx.setOutput(0, x.type, out);
}

template <ReduceOp Op>
void computeReduce(ComputeContext& ctx) {
  const HostTensor& x = ctx.input(0);
  HostTensor& y = ctx.output(0);
  kernels::cpu::ReduceParams p;
  p.shape = x.shape();
  p.op = Op;
  // Inference already accepted the axes; here they only need reading.
  std::vector<int64_t> axes;
  if (ctx.opset() >= axesInputSince(Op)) {
    if (const HostTensor* a = ctx.inputOrNull(1)) axes = a->toInt64Vector();
  } else {
    axes = ctx.attrInts("axes");
  }
  axes = normalizeAxes(ctx, axes, int64_t(x.rank()));
  if (axes.empty() && noopWithEmptyAxes(ctx, Op)) {
    std::memcpy(y.raw(), x.raw(), x.bytes());
    return;
  }
  p.reduced.assign(x.rank(), axes.empty());
  for (int64_t a : axes) p.reduced[size_t(a)] = true;
  auto run = [&](auto tag) {
    using T = decltype(tag);
    kernels::cpu::reduce(p, x.data<T>(), y.data<T>());
  };
  if (x.type() == DataType::kBool) run(bool{});
  else dispatchNumeric(ctx, x.type(), run);
}

// ---- ArgMax / ArgMin --------------------------------------------------------------

void inferArg(InferContext& ctx) {
  const ValueInfo& x = ctx.input(0);
  if (x.type == DataType::kBool) ctx.fail("bool input is not supported", ErrorCode::kUnsupportedType);
  if (!x.dims.rankKnown) {
    ctx.setOutput(0, DataType::kInt64, Dims::unknownRank());
    return;
  }
  const int64_t axis = normalizeAxis(ctx, ctx.attrInt("axis", 0), int64_t(x.dims.rank()));
  if (x.dims[size_t(axis)].known() && x.dims[size_t(axis)].value == 0) ctx.fail("the reduced axis is empty");
  Dims out = x.dims;
  if (ctx.attrInt("keepdims", 1) != 0) out[size_t(axis)] = Dim(1);
  else out.d.erase(out.d.begin() + axis);
  ctx.setOutput(0, DataType::kInt64, out);
}

template <bool Max>
void computeArg(ComputeContext& ctx) {
  const HostTensor& x = ctx.input(0);
  const int64_t axis = normalizeAxis(ctx, ctx.attrInt("axis", 0), int64_t(x.rank()));
  kernels::cpu::ArgReduceParams p;
  for (int64_t i = 0; i < int64_t(x.rank()); ++i) {
    const int64_t d = x.shape()[size_t(i)];
    if (i < axis) p.outer *= d;
    else if (i == axis) p.axis = d;
    else p.inner *= d;
  }
  p.max = Max;
  p.selectLast = ctx.attrInt("select_last_index", 0) != 0;
  int64_t* out = ctx.output(0).data<int64_t>();
  dispatchNumeric(ctx, x.type(), [&](auto tag) {
    using T = decltype(tag);
    kernels::cpu::argReduce(p, x.data<T>(), out);
  });
}

template <ReduceOp Op>
OpSchema reduction(std::string_view name) {
  return OpSchema{name, "", 1, 1, 2, 1, 1, inferReduce<Op>, computeReduce<Op>};
}

}  // namespace

void registerReduceOps(OpRegistry& r) {
  r.add(reduction<ReduceOp::kSum>("ReduceSum"));
  r.add(reduction<ReduceOp::kMean>("ReduceMean"));
  r.add(reduction<ReduceOp::kMax>("ReduceMax"));
  r.add(reduction<ReduceOp::kMin>("ReduceMin"));
  r.add(reduction<ReduceOp::kProd>("ReduceProd"));
  r.add(reduction<ReduceOp::kL1>("ReduceL1"));
  r.add(reduction<ReduceOp::kL2>("ReduceL2"));
  r.add(reduction<ReduceOp::kLogSum>("ReduceLogSum"));
  r.add(reduction<ReduceOp::kLogSumExp>("ReduceLogSumExp"));
  r.add(reduction<ReduceOp::kSumSquare>("ReduceSumSquare"));
  r.add({"ArgMax", "", 1, 1, 1, 1, 1, inferArg, computeArg<true>});
  r.add({"ArgMin", "", 1, 1, 1, 1, 1, inferArg, computeArg<false>});
}

}  // namespace kiln::ops
