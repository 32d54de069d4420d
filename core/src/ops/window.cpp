#include "ops/window.h"

#include <algorithm>

namespace kiln::ops {

int64_t floorDiv(int64_t a, int64_t b) { return a / b - ((a % b != 0) && (a < 0)); }
int64_t ceilDiv(int64_t a, int64_t b) { return -floorDiv(-a, b); }

Window readWindow(const NodeContext& ctx, size_t rank, std::vector<int64_t> kernel) {
  Window w;
  w.kernel = ctx.attrInts("kernel_shape", std::move(kernel));
  w.strides = ctx.attrInts("strides", std::vector<int64_t>(rank, 1));
  w.dilations = ctx.attrInts("dilations", std::vector<int64_t>(rank, 1));
  w.pads = ctx.attrInts("pads", std::vector<int64_t>(2 * rank, 0));
  w.autoPad = ctx.attrString("auto_pad", "NOTSET");
  w.ceilMode = ctx.attrInt("ceil_mode", 0) != 0;
  auto positive = [](const std::vector<int64_t>& v) {
    return std::all_of(v.begin(), v.end(), [](int64_t x) { return x > 0; });
  };
  const std::string n = std::to_string(rank);
  ctx.check(w.kernel.size() == rank, "kernel_shape must have " + n + " values");
  ctx.check(w.strides.size() == rank, "strides must have " + n + " values");
  ctx.check(w.dilations.size() == rank, "dilations must have " + n + " values");
  ctx.check(w.pads.size() == 2 * rank, "pads must have " + std::to_string(2 * rank) + " values");
  ctx.check(positive(w.kernel) && positive(w.strides) && positive(w.dilations),
            "kernel_shape, strides and dilations must be positive");
  ctx.check(w.autoPad == "NOTSET" || w.autoPad == "SAME_UPPER" || w.autoPad == "SAME_LOWER" ||
                w.autoPad == "VALID",
            "unknown auto_pad '" + w.autoPad + "'");
  return w;
}

int64_t windowOutput(const NodeContext& ctx, const Window& w, size_t d, int64_t in,
                     int64_t* padBegin, int64_t* padEnd) {
  const int64_t s = w.strides[d];
  const int64_t extent = (w.kernel[d] - 1) * w.dilations[d] + 1;
  int64_t out;
  if (w.autoPad == "SAME_UPPER" || w.autoPad == "SAME_LOWER") {
    out = ceilDiv(in, s);
    const int64_t total = std::max<int64_t>(0, (out - 1) * s + extent - in);
    const int64_t half = total / 2;
    *padBegin = w.autoPad == "SAME_UPPER" ? half : total - half;
    *padEnd = total - *padBegin;
  } else {
    const bool valid = w.autoPad == "VALID";
    *padBegin = valid ? 0 : w.pads[d];
    *padEnd = valid ? 0 : w.pads[d + w.kernel.size()];
    const int64_t span = in + *padBegin + *padEnd - extent;
    out = (w.ceilMode ? ceilDiv(span, s) : floorDiv(span, s)) + 1;
    // A last window that would start in the end padding is dropped.
    if (w.ceilMode && (out - 1) * s >= in + *padBegin) --out;
  }
  if (out < 1) {
    ctx.fail("window of extent " + std::to_string(extent) + " does not fit spatial dim " +
             std::to_string(d) + " of size " + std::to_string(in));
  }
  return out;
}

}  // namespace kiln::ops
