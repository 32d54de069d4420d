#include "cpu/resize.h"

#include <algorithm>
#include <cmath>

namespace kiln::kernels::cpu {

namespace {

// The input elements and weights that make one output element along one axis.
struct Taps {
  bool outside = false;  ///< mapped outside the region of interest: the extrapolation value
  std::vector<int64_t> index;
  std::vector<double> weight;
};

double inputCoordinate(const ResizeParams& p, size_t axis, int64_t x) {
  const double in = double(p.inShape[axis]);
  const double s = p.scales[axis];
  // The unrounded output length: with scales given, the ONNX reference maps
  // align_corners and tf_crop_and_resize through it rather than the integer size.
  const double outLen = s * in;
  const double xr = double(x);
  switch (p.coord) {
    case ResizeCoord::kHalfPixel: return (xr + 0.5) / s - 0.5;
    case ResizeCoord::kHalfPixelSymmetric: {
      const double adjustment = double(p.outShape[axis]) / outLen;
      return in / 2 * (1 - adjustment) + (xr + 0.5) / s - 0.5;
    }
    case ResizeCoord::kPytorchHalfPixel: return outLen > 1 ? (xr + 0.5) / s - 0.5 : 0.0;
    case ResizeCoord::kAlignCorners: return outLen == 1 ? 0.0 : xr * (in - 1) / (outLen - 1);
    case ResizeCoord::kAsymmetric: return xr / s;
    case ResizeCoord::kTfHalfPixelForNn: return (xr + 0.5) / s;
    case ResizeCoord::kTfCropAndResize: {
      const double start = p.roi[axis];
      const double end = p.roi[axis + p.inShape.size()];
      if (outLen == 1) return (end - start) * (in - 1) / 2 + start * (in - 1);
      return xr * (end - start) * (in - 1) / (outLen - 1) + start * (in - 1);
    }
  }
  return 0.0;
}

int64_t nearestIndex(ResizeNearest mode, double x, double scale) {
  const double fl = std::floor(x);
  if (x == fl) return int64_t(fl);
  const double frac = x - fl;
  switch (mode) {
    case ResizeNearest::kRoundPreferFloor: return int64_t(frac <= 0.5 ? fl : fl + 1);
    case ResizeNearest::kRoundPreferCeil: return int64_t(frac < 0.5 ? fl : fl + 1);
    case ResizeNearest::kFloor: return int64_t(fl);
    case ResizeNearest::kCeil: return int64_t(fl + 1);
    case ResizeNearest::kSimple: return int64_t(scale < 1 ? fl + 1 : fl);
  }
  return int64_t(fl);
}

// Filter value at distance t (in filter units) from the sample.
double filter(const ResizeParams& p, double t) {
  t = std::fabs(t);
  if (p.mode == ResizeMode::kLinear) return std::max(0.0, 1 - t);
  const double a = p.cubicA;
  if (t <= 1) return ((a + 2) * t - (a + 3)) * t * t + 1;
  if (t < 2) return ((a * t - 5 * a) * t + 8 * a) * t - 4 * a;
  return 0.0;
}

Taps axisTaps(const ResizeParams& p, size_t axis, int64_t x) {
  Taps taps;
  const int64_t inLen = p.inShape[axis];
  const double scale = p.scales[axis];
  const double xo = inputCoordinate(p, axis, x);
  if (p.coord == ResizeCoord::kTfCropAndResize && (xo < 0 || xo > double(inLen - 1))) {
    taps.outside = true;
    return taps;
  }
  if (p.mode == ResizeMode::kNearest) {
    taps.index.push_back(std::clamp<int64_t>(nearestIndex(p.nearest, xo, scale), 0, inLen - 1));
    taps.weight.push_back(1.0);
    return taps;
  }
  // The sample sits at base + ratio with ratio in (0, 1]: an integer
  // coordinate counts as the right end of the interval before it.
  double base = std::floor(xo);
  double ratio = xo - base;
  if (ratio == 0) {
    base -= 1;
    ratio = 1;
  }
  const double radius = p.mode == ResizeMode::kLinear ? 1.0 : 2.0;
  // Antialiasing stretches the filter by 1/scale when downsampling.
  const double fs = p.antialias ? std::min(scale, 1.0) : 1.0;
  const int64_t start = int64_t(std::floor(-radius / fs)) + 1;
  const int64_t count = 2 - 2 * start;
  double sum = 0;
  for (int64_t k = 0; k < count; ++k) {
    const int64_t idx = int64_t(base) + start + k;
    double w = filter(p, (double(start + k) - ratio) * fs);
    if (p.excludeOutside && (idx < 0 || idx >= inLen)) w = 0;
    taps.index.push_back(std::clamp<int64_t>(idx, 0, inLen - 1));
    taps.weight.push_back(w);
    sum += w;
  }
  if (p.antialias || p.excludeOutside) {
    for (double& w : taps.weight) w /= sum;
  }
  return taps;
}

// True when the taps copy the axis unchanged, so its pass can be skipped.
bool isIdentity(const std::vector<Taps>& taps, int64_t inLen) {
  if (int64_t(taps.size()) != inLen) return false;
  for (size_t x = 0; x < taps.size(); ++x) {
    if (taps[x].outside) return false;
    double self = 0;
    for (size_t k = 0; k < taps[x].index.size(); ++k) {
      if (taps[x].index[k] == int64_t(x)) self += taps[x].weight[k];
      else if (taps[x].weight[k] != 0) return false;
    }
    if (self != 1.0) return false;
  }
  return true;
}

int64_t product(const std::vector<int64_t>& v, size_t from, size_t to) {
  int64_t n = 1;
  for (size_t i = from; i < to; ++i) n *= v[i];
  return n;
}

}  // namespace

void resize(const ResizeParams& p, const double* in, double* out) {
  const size_t rank = p.inShape.size();
  std::vector<int64_t> shape = p.inShape;
  std::vector<double> cur(in, in + product(shape, 0, rank));
  for (size_t axis = 0; axis < rank; ++axis) {
    const int64_t inLen = p.inShape[axis];
    const int64_t outLen = p.outShape[axis];
    std::vector<Taps> taps;
    for (int64_t x = 0; x < outLen; ++x) taps.push_back(axisTaps(p, axis, x));
    if (isIdentity(taps, inLen)) continue;
    const int64_t outer = product(shape, 0, axis);
    const int64_t inner = product(shape, axis + 1, rank);
    std::vector<double> next(size_t(outer * outLen * inner));
    for (int64_t o = 0; o < outer; ++o) {
      for (int64_t x = 0; x < outLen; ++x) {
        const Taps& t = taps[size_t(x)];
        double* dst = next.data() + (o * outLen + x) * inner;
        for (int64_t j = 0; j < inner; ++j) {
          if (t.outside) {
            dst[j] = p.extrapolation;
            continue;
          }
          double acc = 0;
          for (size_t k = 0; k < t.index.size(); ++k) {
            acc += t.weight[k] * cur[size_t((o * inLen + t.index[k]) * inner + j)];
          }
          dst[j] = acc;
        }
      }
    }
    shape[axis] = outLen;
    cur.swap(next);
  }
  std::copy(cur.begin(), cur.end(), out);
}

}  // namespace kiln::kernels::cpu
