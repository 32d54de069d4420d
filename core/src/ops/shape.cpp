// Operators that change only how a tensor's elements are shaped, never their
// order: Reshape, Flatten, Squeeze, Unsqueeze, Identity and inference-time
// Dropout; and Shape and Size, which read a shape as data.
#include <algorithm>
#include <cstring>
#include <limits>
#include <optional>

#include "ops/common.h"

namespace kiln::ops {

namespace {

// Every op here keeps the bytes as they are.
void computeCopy(ComputeContext& ctx) {
  const HostTensor& x = ctx.input(0);
  std::memcpy(ctx.output(0).raw(), x.raw(), x.bytes());
}

// The rank of a 1-D shape-like input whose value is unknown: its length, or
// nullopt when even that is unknown.
std::optional<size_t> lengthOf(const ValueInfo& v) {
  if (v.dims.rankKnown && v.dims.rank() == 1 && v.dims[0].known()) return size_t(v.dims[0].value);
  return std::nullopt;
}

// ---- Reshape ----------------------------------------------------------------------

// Solves the -1 entry of a Reshape when the input has symbolic dims: that works
// when every unknown input dim is copied into the output by a 0 entry, since the
// copies then cancel out of both products.
Dim inferredDim(const Dims& in, const std::vector<int64_t>& shape, bool allowzero) {
  std::vector<bool> copied(in.rank(), false);
  int64_t outKnown = 1;
  for (size_t i = 0; i < shape.size(); ++i) {
    if (shape[i] == 0 && !allowzero) copied[i] = true;
    else if (shape[i] != -1) outKnown *= shape[i];
  }
  int64_t inKnown = 1;
  for (size_t i = 0; i < in.rank(); ++i) {
    if (copied[i]) continue;
    if (!in[i].known()) return Dim();
    inKnown *= in[i].value;
  }
  if (outKnown == 0 || inKnown % outKnown != 0) return Dim();
  return Dim(inKnown / outKnown);
}

void inferReshape(InferContext& ctx) {
  const ValueInfo& x = ctx.input(0);
  const ValueInfo& s = ctx.input(1);
  ctx.expectType(1, {DataType::kInt64});
  const bool allowzero = ctx.opset() >= 14 && ctx.attrInt("allowzero", 0) != 0;
  const HostTensor* sv = ctx.value(1);
  if (!sv) {
    auto n = lengthOf(s);
    ctx.setOutput(0, x.type, n ? Dims::unknownOfRank(*n) : Dims::unknownRank());
    return;
  }
  const std::vector<int64_t> shape = sv->toInt64Vector();
  Dims out = Dims::unknownOfRank(shape.size());
  int64_t inferAt = -1;
  for (size_t i = 0; i < shape.size(); ++i) {
    const int64_t v = shape[i];
    if (v == -1) {
      if (inferAt >= 0) ctx.fail("the shape has more than one -1");
      inferAt = int64_t(i);
    } else if (v < -1) {
      ctx.fail("the shape has a negative entry " + std::to_string(v));
    } else if (v == 0 && !allowzero) {
      if (x.dims.rankKnown && i >= x.dims.rank()) {
        ctx.fail("entry " + std::to_string(i) + " is 0 (copy) but the input has rank " +
                 std::to_string(x.dims.rank()));
      }
      if (x.dims.rankKnown) out[i] = x.dims[i];
    } else {
      out[i] = Dim(v);
    }
  }
  if (inferAt >= 0 && allowzero && std::count(shape.begin(), shape.end(), 0) > 0) {
    ctx.fail("with allowzero=1 the shape cannot hold both 0 and -1");
  }
  if (x.dims.rankKnown && inferAt >= 0) out[size_t(inferAt)] = inferredDim(x.dims, shape, allowzero);
  if (auto inSizes = x.dims.sizes()) {
    const int64_t total = numelOf(*inSizes);
    if (inferAt >= 0 && !out[size_t(inferAt)].known()) {
      std::string text;
      for (int64_t v : shape) text += (text.empty() ? "" : ", ") + std::to_string(v);
      ctx.fail("cannot reshape " + x.dims.str() + " to [" + text + "]", ErrorCode::kShapeMismatch);
    }
    if (out.numel() != total) {
      ctx.fail("cannot reshape " + x.dims.str() + " (" + std::to_string(total) + " elements) to " +
               out.str(), ErrorCode::kShapeMismatch);
    }
  }
  ctx.setOutput(0, x.type, out);
}

// ---- Flatten ----------------------------------------------------------------------

void inferFlatten(InferContext& ctx) {
  const ValueInfo& x = ctx.input(0);
  if (!x.dims.rankKnown) {
    ctx.setOutput(0, x.type, Dims::unknownOfRank(2));
    return;
  }
  const int64_t r = int64_t(x.dims.rank());
  int64_t axis = ctx.attrInt("axis", 1);
  if (axis < -r || axis > r) ctx.fail("axis " + std::to_string(axis) + " is out of range for rank " + std::to_string(r));
  if (axis < 0) axis += r;
  Dim outer(1), inner(1);
  for (int64_t i = 0; i < r; ++i) {
    Dim& d = i < axis ? outer : inner;
    d = mulDim(d, x.dims[size_t(i)]);
  }
  Dims out = Dims::unknownOfRank(2);
  out[0] = outer;
  out[1] = inner;
  ctx.setOutput(0, x.type, out);
}

// ---- Squeeze and Unsqueeze ---------------------------------------------------------

// The axes of Squeeze/Unsqueeze: an attribute before opset 13, an optional input
// from then on. Returns nullopt when the input's value is unknown.
std::optional<std::vector<int64_t>> axesOf(const InferContext& ctx, bool* given) {
  if (ctx.opset() < 13) {
    *given = ctx.hasAttr("axes");
    return ctx.attrInts("axes");
  }
  *given = ctx.hasInput(1);
  if (!*given) return std::vector<int64_t>{};
  ctx.expectType(1, {DataType::kInt64});
  if (const HostTensor* v = ctx.value(1)) return v->toInt64Vector();
  return std::nullopt;
}

void inferSqueeze(InferContext& ctx) {
  const ValueInfo& x = ctx.input(0);
  bool given = false;
  auto axes = axesOf(ctx, &given);
  if (!x.dims.rankKnown) {
    ctx.setOutput(0, x.type, Dims::unknownRank());
    return;
  }
  const int64_t r = int64_t(x.dims.rank());
  if (!axes) {
    auto n = lengthOf(ctx.input(1));
    ctx.setOutput(0, x.type, n && *n <= size_t(r) ? Dims::unknownOfRank(size_t(r) - *n) : Dims::unknownRank());
    return;
  }
  std::vector<bool> drop(size_t(r), false);
  if (given) {
    for (int64_t a : normalizeAxes(ctx, *axes, r)) {
      const Dim& d = x.dims[size_t(a)];
      if (d.known() && d.value != 1) {
        ctx.fail("cannot squeeze axis " + std::to_string(a) + " of size " + std::to_string(d.value),
                 ErrorCode::kShapeMismatch);
      }
      drop[size_t(a)] = true;
    }
  } else {
    for (int64_t i = 0; i < r; ++i) {
      const Dim& d = x.dims[size_t(i)];
      if (!d.known()) {  // it may or may not be 1
        ctx.setOutput(0, x.type, Dims::unknownRank());
        return;
      }
      drop[size_t(i)] = d.value == 1;
    }
  }
  Dims out;
  for (int64_t i = 0; i < r; ++i) {
    if (!drop[size_t(i)]) out.d.push_back(x.dims[size_t(i)]);
  }
  ctx.setOutput(0, x.type, out);
}

void inferUnsqueeze(InferContext& ctx) {
  const ValueInfo& x = ctx.input(0);
  bool given = false;
  auto axes = axesOf(ctx, &given);
  if (!given) ctx.fail("axes are required");
  if (!x.dims.rankKnown) {
    ctx.setOutput(0, x.type, Dims::unknownRank());
    return;
  }
  if (!axes) {
    auto n = lengthOf(ctx.input(1));
    ctx.setOutput(0, x.type, n ? Dims::unknownOfRank(x.dims.rank() + *n) : Dims::unknownRank());
    return;
  }
  const int64_t r = int64_t(x.dims.rank() + axes->size());
  std::vector<bool> inserted(size_t(r), false);
  for (int64_t a : normalizeAxes(ctx, *axes, r)) inserted[size_t(a)] = true;
  Dims out;
  size_t next = 0;
  for (int64_t i = 0; i < r; ++i) out.d.push_back(inserted[size_t(i)] ? Dim(1) : x.dims[next++]);
  ctx.setOutput(0, x.type, out);
}

// ---- Shape and Size ------------------------------------------------------------------

// The [start, end) range of dims Shape reports (start/end exist from opset 15).
std::pair<int64_t, int64_t> shapeRange(const NodeContext& ctx, int64_t rank) {
  auto clampIndex = [rank](int64_t i) { return std::clamp(i < 0 ? i + rank : i, int64_t(0), rank); };
  if (ctx.opset() < 15) return {0, rank};
  const int64_t start = clampIndex(ctx.attrInt("start", 0));
  const int64_t end = clampIndex(ctx.attrInt("end", std::numeric_limits<int64_t>::max()));
  return {start, std::max(start, end)};
}

void inferShape(InferContext& ctx) {
  const ValueInfo& x = ctx.input(0);
  Dims out = Dims::unknownOfRank(1);
  if (x.dims.rankKnown) {
    auto [start, end] = shapeRange(ctx, int64_t(x.dims.rank()));
    out[0] = Dim(end - start);
  }
  ctx.setOutput(0, DataType::kInt64, out);
}

void computeShape(ComputeContext& ctx) {
  const HostTensor& x = ctx.input(0);
  auto [start, end] = shapeRange(ctx, int64_t(x.rank()));
  int64_t* out = ctx.output(0).data<int64_t>();
  for (int64_t i = start; i < end; ++i) out[i - start] = x.shape()[size_t(i)];
}

void inferSize(InferContext& ctx) { ctx.setOutput(0, DataType::kInt64, Dims()); }

void computeSize(ComputeContext& ctx) { ctx.output(0).data<int64_t>()[0] = ctx.input(0).numel(); }

// ---- Dropout ---------------------------------------------------------------------------

// Kiln runs Dropout as in inference. Training mode is refused unless its ratio
// is 0, where it is the identity too.
void checkDropoutMode(const NodeContext& ctx, const HostTensor* ratio, const HostTensor* training) {
  if (!training || training->getAsDouble(0) == 0) return;
  const double r = ratio ? ratio->getAsDouble(0) : 0.5;
  if (r != 0) {
    ctx.fail("training_mode=true with ratio " + std::to_string(r) +
             " is random and not supported (only inference, or a ratio of 0)", ErrorCode::kUnsupportedOp);
  }
}

void inferDropout(InferContext& ctx) {
  const ValueInfo& x = ctx.input(0);
  // With unknown ratio or mode the check waits for run time.
  if (ctx.opset() >= 12 && ctx.value(2) && (!ctx.hasInput(1) || ctx.value(1))) {
    checkDropoutMode(ctx, ctx.value(1), ctx.value(2));
  }
  ctx.setOutput(0, x.type, x.dims);
  ctx.setOutput(1, ctx.opset() >= 10 ? DataType::kBool : x.type, x.dims);
}

void computeDropout(ComputeContext& ctx) {
  if (ctx.opset() >= 12) checkDropoutMode(ctx, ctx.inputOrNull(1), ctx.inputOrNull(2));
  computeCopy(ctx);
  if (ctx.numOutputs() < 2) return;
  HostTensor& mask = ctx.output(1);
  for (int64_t i = 0; i < mask.numel(); ++i) mask.setFromDouble(i, 1.0);
}

}  // namespace

void registerShapeOps(OpRegistry& r) {
  r.add({"Reshape", "", 5, 2, 2, 1, 1, inferReshape, computeCopy});
  r.add({"Flatten", "", 1, 1, 1, 1, 1, inferFlatten, computeCopy});
  r.add({"Squeeze", "", 1, 1, 2, 1, 1, inferSqueeze, computeCopy});
  r.add({"Unsqueeze", "", 1, 1, 2, 1, 1, inferUnsqueeze, computeCopy});
  r.add({"Identity", "", 1, 1, 1, 1, 1, inferSameAsInput, computeCopy});
  r.add({"Dropout", "", 1, 1, 3, 1, 2, inferDropout, computeDropout});
  r.add({"Shape", "", 1, 1, 1, 1, 1, inferShape, computeShape, true, true});
  r.add({"Size", "", 1, 1, 1, 1, 1, inferSize, computeSize, true, true});
}

}  // namespace kiln::ops
