// Convolutions: Conv and ConvTranspose over 1-D, 2-D and 3-D (any rank)
// NC<spatial> tensors, grouped, dilated, with optional bias.
#include <algorithm>

#include "cpu/conv.h"
#include "ops/common.h"
#include "ops/window.h"

namespace kiln::ops {

namespace {

// The spatial dims of W when all are known; empty otherwise.
std::vector<int64_t> kernelFromWeights(const Dims& w) {
  if (!w.rankKnown || w.rank() < 3) return {};
  std::vector<int64_t> k;
  for (size_t i = 2; i < w.rank(); ++i) {
    if (!w[i].known()) return {};
    k.push_back(w[i].value);
  }
  return k;
}

// ConvTranspose: output size of spatial dim d and its begin padding. The
// padding may come out negative when output_shape asks for more than the
// natural size; the extra positions then hold only the bias.
int64_t transposedOutput(const NodeContext& ctx, const Window& w, size_t d, int64_t in,
                         int64_t* padBegin) {
  const size_t r = w.kernel.size();
  const auto outputPadding = ctx.attrInts("output_padding", std::vector<int64_t>(r, 0));
  auto outputShape = ctx.attrInts("output_shape");
  ctx.check(outputPadding.size() == r, "output_padding must have " + std::to_string(r) + " values");
  // output_shape may list N and C too.
  if (outputShape.size() == r + 2) outputShape.erase(outputShape.begin(), outputShape.begin() + 2);
  ctx.check(outputShape.empty() || outputShape.size() == r,
            "output_shape must have " + std::to_string(r) + " values");
  const int64_t natural =
      w.strides[d] * (in - 1) + outputPadding[d] + (w.kernel[d] - 1) * w.dilations[d] + 1;
  const bool same = w.autoPad == "SAME_UPPER" || w.autoPad == "SAME_LOWER";
  int64_t out;
  if (!outputShape.empty() || same) {
    out = outputShape.empty() ? in * w.strides[d] : outputShape[d];
    const int64_t total = natural - out;
    *padBegin = w.autoPad == "SAME_UPPER" ? floorDiv(total, 2) : total - floorDiv(total, 2);
  } else {
    const bool valid = w.autoPad == "VALID";
    *padBegin = valid ? 0 : w.pads[d];
    out = natural - *padBegin - (valid ? 0 : w.pads[d + r]);
  }
  if (out < 1) ctx.fail("output size of spatial dim " + std::to_string(d) + " is not positive");
  return out;
}

template <bool kTransposed>
void inferConv(InferContext& ctx) {
  ctx.expectType(0, kFloatTypes);
  const ValueInfo& x = ctx.input(0);
  const ValueInfo& w = ctx.input(1);
  if (w.type != x.type) ctx.fail("X and W have different types", ErrorCode::kUnsupportedType);
  if (ctx.hasInput(2) && ctx.input(2).type != x.type) {
    ctx.fail("X and B have different types", ErrorCode::kUnsupportedType);
  }
  const int64_t group = ctx.attrInt("group", 1);
  ctx.check(group >= 1, "group must be positive");
  if (!x.dims.rankKnown && !w.dims.rankKnown) {
    ctx.setOutput(0, x.type, Dims::unknownRank());
    return;
  }
  const size_t rank = x.dims.rankKnown ? x.dims.rank() : w.dims.rank();
  ctx.check(rank >= 3, "X must have a batch, a channel and at least one spatial dim");
  ctx.check(!w.dims.rankKnown || w.dims.rank() == rank, "W must have the rank of X");
  Dims out = Dims::unknownOfRank(rank);
  if (x.dims.rankKnown) out[0] = x.dims[0];
  if (w.dims.rankKnown) out[1] = kTransposed ? mulDim(w.dims[1], Dim(group)) : w.dims[0];

  const Dim inC = x.dims.rankKnown ? x.dims[1] : Dim();
  const Dim wC = w.dims.rankKnown ? w.dims[kTransposed ? 0 : 1] : Dim();
  if (inC.known() && wC.known()) {
    const bool ok = kTransposed ? inC.value == wC.value : inC.value == wC.value * group;
    ctx.check(ok, "X has " + std::to_string(inC.value) + " channels, which W with group " +
                      std::to_string(group) + " does not match");
  }
  if (!kTransposed && w.dims.rankKnown && w.dims[0].known()) {
    ctx.check(w.dims[0].value % group == 0, "the output channels must divide into the groups");
  }

  const size_t r = rank - 2;
  std::vector<int64_t> kernel = kernelFromWeights(w.dims);
  if (!ctx.hasAttr("kernel_shape") && kernel.empty()) {
    ctx.setOutput(0, x.type, out);
    return;
  }
  const Window win = readWindow(ctx, r, kernel);
  const auto outputShape = ctx.attrInts("output_shape");
  for (size_t d = 0; d < r; ++d) {
    const Dim in = x.dims.rankKnown ? x.dims[d + 2] : Dim();
    int64_t pb = 0, pe = 0;
    if (kTransposed && !outputShape.empty()) {
      // output_shape fixes the size whatever the input size.
      out[d + 2] = transposedOutput(ctx, win, d, in.known() ? in.value : 1, &pb);
    } else if (in.known()) {
      out[d + 2] = kTransposed ? transposedOutput(ctx, win, d, in.value, &pb)
                               : windowOutput(ctx, win, d, in.value, &pb, &pe);
    }
  }
  ctx.setOutput(0, x.type, out);
}

template <bool kTransposed>
void computeConv(ComputeContext& ctx) {
  const HostTensor& x = ctx.input(0);
  const HostTensor& w = ctx.input(1);
  const HostTensor* b = ctx.inputOrNull(2);
  HostTensor& y = ctx.output(0);
  const size_t r = x.rank() - 2;
  kernels::cpu::ConvParams p;
  p.batch = x.shape()[0];
  p.inChannels = x.shape()[1];
  p.outChannels = y.shape()[1];
  p.group = ctx.attrInt("group", 1);
  p.inSize.assign(x.shape().begin() + 2, x.shape().end());
  p.outSize.assign(y.shape().begin() + 2, y.shape().end());
  const Window win = readWindow(ctx, r, std::vector<int64_t>(w.shape().begin() + 2, w.shape().end()));
  p.kernel = win.kernel;
  p.stride = win.strides;
  p.dilation = win.dilations;
  p.padBegin.resize(r);
  for (size_t d = 0; d < r; ++d) {
    int64_t pe = 0;
    if (kTransposed) transposedOutput(ctx, win, d, p.inSize[d], &p.padBegin[d]);
    else windowOutput(ctx, win, d, p.inSize[d], &p.padBegin[d], &pe);
  }
  ctx.check(std::equal(p.kernel.begin(), p.kernel.end(), w.shape().begin() + 2),
            "kernel_shape does not match the spatial dims of W");
  if (b) ctx.check(b->numel() == p.outChannels, "B must have one value per output channel");
  dispatchFloat(ctx, x.type(), [&](auto tag) {
    using T = decltype(tag);
    const T* bias = b ? b->data<T>() : nullptr;
    if constexpr (kTransposed) {
      kernels::cpu::convTransposeReference(p, x.data<T>(), w.data<T>(), bias, y.data<T>());
    } else {
      kernels::cpu::convReference(p, x.data<T>(), w.data<T>(), bias, y.data<T>());
    }
  });
}

}  // namespace

void registerConvOps(OpRegistry& r) {
  r.add({"Conv", "", 1, 2, 3, 1, 1, inferConv<false>, computeConv<false>});
  r.add({"ConvTranspose", "", 1, 2, 3, 1, 1, inferConv<true>, computeConv<true>});
}

}  // namespace kiln::ops
