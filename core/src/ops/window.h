// Sliding-window attributes shared by Conv, ConvTranspose and the pools, and
// the output size and padding they give.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "ops/op.h"

namespace kiln::ops {

/// The window attributes of one node, one entry per spatial dim.
struct Window {
  std::vector<int64_t> kernel;
  std::vector<int64_t> strides;
  std::vector<int64_t> dilations;
  std::vector<int64_t> pads;  ///< ONNX layout: every begin, then every end
  std::string autoPad;        ///< NOTSET, SAME_UPPER, SAME_LOWER or VALID
  bool ceilMode = false;
};

/// Reads and checks kernel_shape (or `kernel` when the attribute is absent),
/// strides, dilations, pads, auto_pad and ceil_mode for `rank` spatial dims.
Window readWindow(const NodeContext& ctx, size_t rank, std::vector<int64_t> kernel);

/// Conv and pool output size of spatial dim `d` for input size `in`, with the
/// padding auto_pad resolves to. Fails when the window does not fit.
int64_t windowOutput(const NodeContext& ctx, const Window& w, size_t d, int64_t in,
                     int64_t* padBegin, int64_t* padEnd);

/// Floor and ceiling of a / b for b > 0.
int64_t floorDiv(int64_t a, int64_t b);
int64_t ceilDiv(int64_t a, int64_t b);

}  // namespace kiln::ops
