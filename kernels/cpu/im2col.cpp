#include "cpu/im2col.h"

#include <algorithm>

namespace kiln::kernels::cpu {

namespace {

// The output positions o in [0, out) whose input position o * s + off lies
// in [0, in): [lo, hi), empty when lo >= hi.
void validRange(int64_t out, int64_t s, int64_t off, int64_t in, int64_t* lo, int64_t* hi) {
  *lo = std::min(out, off >= 0 ? 0 : (-off + s - 1) / s);
  *hi = std::max(*lo, in - off <= 0 ? 0 : std::min(out, (in - off - 1) / s + 1));
}

}  // namespace

int64_t im2colRows(const ConvParams& p) { return p.inChannels / p.group * p.kernel[0] * p.kernel[1]; }

int64_t im2colCols(const ConvParams& p) { return p.outSize[0] * p.outSize[1]; }

void im2col2d(const ConvParams& p, const float* x, float* col) {
  const int64_t channels = p.inChannels / p.group;
  const int64_t inH = p.inSize[0], inW = p.inSize[1], outH = p.outSize[0], outW = p.outSize[1];
  const int64_t sh = p.stride[0], sw = p.stride[1];
  for (int64_t c = 0; c < channels; ++c) {
    const float* plane = x + c * inH * inW;
    for (int64_t i = 0; i < p.kernel[0]; ++i) {
      const int64_t offH = i * p.dilation[0] - p.padBegin[0];
      int64_t hLo, hHi;
      validRange(outH, sh, offH, inH, &hLo, &hHi);
      for (int64_t j = 0; j < p.kernel[1]; ++j) {
        const int64_t offW = j * p.dilation[1] - p.padBegin[1];
        int64_t wLo, wHi;
        validRange(outW, sw, offW, inW, &wLo, &wHi);
        for (int64_t oh = 0; oh < outH; ++oh, col += outW) {
          if (oh < hLo || oh >= hHi) {
            std::fill(col, col + outW, 0.f);
            continue;
          }
          const float* row = plane + (oh * sh + offH) * inW;
          std::fill(col, col + wLo, 0.f);
          if (sw == 1) {
            std::copy(row + wLo + offW, row + wHi + offW, col + wLo);
          } else {
            for (int64_t ow = wLo; ow < wHi; ++ow) col[ow] = row[ow * sw + offW];
          }
          std::fill(col + wHi, col + outW, 0.f);
        }
      }
    }
  }
}

}  // namespace kiln::kernels::cpu
