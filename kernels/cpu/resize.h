// Reference resampling of an N-d tensor (ONNX Resize and Upsample): each axis
// maps output coordinates to input ones, then nearest, linear or cubic taps
// are applied axis by axis.
#pragma once

#include <cstdint>
#include <vector>

namespace kiln::kernels::cpu {

/// How output values are interpolated.
enum class ResizeMode : int32_t {
  kNearest = 0,  ///< the nearest input element, as ResizeNearest says
  kLinear = 1,   ///< two taps per axis
  kCubic = 2,    ///< four taps per axis (Keys cubic with coefficient cubicA)
};

/// How an output coordinate maps to an input coordinate.
enum class ResizeCoord : int32_t {
  kHalfPixel = 0,           ///< (x + 0.5) / scale - 0.5
  kHalfPixelSymmetric = 1,  ///< half_pixel, centred when the output size was rounded
  kPytorchHalfPixel = 2,    ///< half_pixel, or 0 when the output has length 1
  kAlignCorners = 3,        ///< corners of input and output coincide
  kAsymmetric = 4,          ///< x / scale
  kTfHalfPixelForNn = 5,    ///< (x + 0.5) / scale
  kTfCropAndResize = 6,     ///< maps onto the region of interest; outside it gives extrapolation
};

/// How the nearest mode rounds a fractional input coordinate.
enum class ResizeNearest : int32_t {
  kRoundPreferFloor = 0,  ///< round, halves go down
  kRoundPreferCeil = 1,   ///< round, halves go up
  kFloor = 2,             ///< round down
  kCeil = 3,              ///< round up
  kSimple = 4,            ///< down when the axis is upsampled, up when it is downsampled (Resize-10, Upsample)
};

/// One resize. Every vector is indexed by axis of the full rank.
struct ResizeParams {
  std::vector<int64_t> inShape;
  std::vector<int64_t> outShape;
  std::vector<double> scales;  ///< the scale each axis's coordinate mapping uses
  std::vector<double> roi;     ///< starts then ends, 2 * rank values; used by kTfCropAndResize only
  ResizeMode mode = ResizeMode::kNearest;
  ResizeCoord coord = ResizeCoord::kHalfPixel;
  ResizeNearest nearest = ResizeNearest::kRoundPreferFloor;
  double cubicA = -0.75;
  bool excludeOutside = false;  ///< taps outside the input get weight 0 (the rest renormalized)
  double extrapolation = 0.0;   ///< value of outputs mapped outside the input (kTfCropAndResize)
  bool antialias = false;       ///< widens linear and cubic filters when downsampling
};

/// Resizes `in` (inShape, row-major) into `out` (outShape, row-major).
void resize(const ResizeParams& p, const double* in, double* out);

}  // namespace kiln::kernels::cpu
