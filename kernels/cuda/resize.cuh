// Resize and Upsample: nearest, linear and cubic resampling of an N-d tensor
// (no antialiasing), with the reference's coordinate mappings and rounding
// modes. Coordinates and weights are computed in double, as the reference does.
#pragma once

#include <cuda_runtime.h>

#include <cstdint>

#include "kiln/kernels/cuda/common.cuh"

namespace kiln::kernels::cuda {

/// Interpolation (the reference's ResizeMode).
enum class ResizeMode : int32_t { kNearest = 0, kLinear = 1, kCubic = 2 };
/// Coordinate mapping (the reference's ResizeCoord, same values).
enum class ResizeCoord : int32_t {
  kHalfPixel = 0,
  kHalfPixelSymmetric = 1,
  kPytorchHalfPixel = 2,
  kAlignCorners = 3,
  kAsymmetric = 4,
  kTfHalfPixelForNn = 5,
  kTfCropAndResize = 6,
};
/// Rounding of nearest (the reference's ResizeNearest, same values).
enum class ResizeNearest : int32_t {
  kRoundPreferFloor = 0,
  kRoundPreferCeil = 1,
  kFloor = 2,
  kCeil = 3,
  kSimple = 4,
};

struct ResizeParams {
  int rank = 0;
  int64_t inShape[kMaxRank] = {};
  int64_t outShape[kMaxRank] = {};
  double scales[kMaxRank] = {};
  double roi[2 * kMaxRank] = {};  ///< starts then ends (rank each); tf_crop_and_resize only
  ResizeMode mode = ResizeMode::kNearest;
  ResizeCoord coord = ResizeCoord::kHalfPixel;
  ResizeNearest nearest = ResizeNearest::kRoundPreferFloor;
  double cubicA = -0.75;
  bool excludeOutside = false;
  double extrapolation = 0.0;
  ElemType type = ElemType::kF32;  ///< f32, f16, bf16, f64, i32, i64, i8, u8 (integers round to nearest, saturating)
};

cudaError_t resize(const ResizeParams& p, const void* x, void* y, cudaStream_t stream);

}  // namespace kiln::kernels::cuda
