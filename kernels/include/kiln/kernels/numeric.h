// Storage types for the narrow floating-point formats and their conversions
// to and from float, rounding to nearest even as the hardware does.
#pragma once

#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>

namespace kiln::kernels {

inline uint32_t floatBits(float f) { uint32_t u; std::memcpy(&u, &f, 4); return u; }
inline float bitsFloat(uint32_t u) { float f; std::memcpy(&f, &u, 4); return f; }

/// IEEE binary16 storage.
struct Half {
  uint16_t bits = 0;
  Half() = default;
  explicit Half(float f) : bits(fromFloat(f)) {}
  operator float() const { return toFloat(bits); }  // NOLINT: reads as a number

  static uint16_t fromFloat(float f) {
    uint32_t x = floatBits(f);
    uint32_t sign = (x >> 16) & 0x8000u;
    uint32_t absx = x & 0x7fffffffu;
    if (absx >= 0x7f800000u) return uint16_t(sign | (absx > 0x7f800000u ? 0x7e00u : 0x7c00u));
    if (absx >= 0x477ff000u) return uint16_t(sign | 0x7c00u);  // rounds to inf
    if (absx < 0x38800000u) {  // subnormal or zero in half
      float a = bitsFloat(absx);
      // scale so the subnormal unit (2^-24) becomes 1, then round to nearest even
      float scaled = a * 16777216.f;
      uint32_t m = uint32_t(std::nearbyint(scaled));
      return uint16_t(sign | m);
    }
    uint32_t mant = absx & 0x7fffffu;
    uint32_t exp = (absx >> 23) - 127 + 15;
    uint32_t h = (exp << 10) | (mant >> 13);
    uint32_t rest = mant & 0x1fffu;
    if (rest > 0x1000u || (rest == 0x1000u && (h & 1u))) ++h;
    return uint16_t(sign | h);
  }
  static float toFloat(uint16_t h) {
    uint32_t sign = uint32_t(h & 0x8000u) << 16;
    uint32_t exp = (h >> 10) & 0x1fu;
    uint32_t mant = h & 0x3ffu;
    if (exp == 0) {
      float v = std::ldexp(float(mant), -24);
      return sign ? -v : v;
    }
    if (exp == 31) return bitsFloat(sign | 0x7f800000u | (mant << 13));
    return bitsFloat(sign | ((exp - 15 + 127) << 23) | (mant << 13));
  }
};

/// bfloat16 storage.
struct BFloat16 {
  uint16_t bits = 0;
  BFloat16() = default;
  explicit BFloat16(float f) : bits(fromFloat(f)) {}
  operator float() const { return toFloat(bits); }  // NOLINT: reads as a number

  static uint16_t fromFloat(float f) {
    uint32_t x = floatBits(f);
    if ((x & 0x7fffffffu) > 0x7f800000u) return uint16_t((x >> 16) | 0x40u);  // quiet NaN
    uint32_t rounding = 0x7fffu + ((x >> 16) & 1u);
    return uint16_t((x + rounding) >> 16);
  }
  static float toFloat(uint16_t b) { return bitsFloat(uint32_t(b) << 16); }
};

/// Generic 8-bit float codec: E exponent bits, M mantissa bits. `fn` formats
/// (E4M3FN) have no infinities and use only the all-ones pattern for NaN.
template <int E, int M, bool FN>
struct Float8Codec {
  static constexpr int kBias = (1 << (E - 1)) - 1;
  static constexpr uint8_t kNaN = FN ? 0x7f : 0x7f;  // E5M2 NaN: 0x7f (exp all ones, mantissa 11)
  static double maxFinite() {
    if (FN) return std::ldexp(1.0 + double((1 << M) - 2) / (1 << M), (1 << E) - 1 - kBias);
    return std::ldexp(1.0 + double((1 << M) - 1) / (1 << M), (1 << E) - 2 - kBias);
  }
  static uint8_t encode(float f, bool saturate) {
    uint8_t sign = std::signbit(f) ? 0x80 : 0;
    if (std::isnan(f)) return uint8_t(sign | kNaN);
    double a = std::fabs(double(f));
    uint8_t maxCode = FN ? uint8_t(0x7e) : uint8_t(((1 << E) - 2) << M | ((1 << M) - 1));
    uint8_t infCode = FN ? kNaN : uint8_t(((1 << E) - 1) << M);
    if (std::isinf(f)) return uint8_t(sign | (saturate ? maxCode : infCode));
    if (a == 0) return sign;
    int e = std::ilogb(a);
    if (e < 1 - kBias) e = 1 - kBias;
    double q = std::nearbyint(std::ldexp(a, M - e));  // mantissa with implicit bit, RNE
    if (q >= double(2 << M)) { q /= 2; ++e; }
    uint32_t code;
    if (q < double(1 << M)) {
      code = uint32_t(q);  // subnormal
    } else {
      int be = e + kBias;
      code = (uint32_t(be) << M) | (uint32_t(q) & ((1u << M) - 1));
    }
    if (code > maxCode) return uint8_t(sign | (saturate ? maxCode : infCode));
    return uint8_t(sign | code);
  }
  static float decode(uint8_t c) {
    bool neg = c & 0x80;
    uint32_t e = (c >> M) & ((1 << E) - 1);
    uint32_t m = c & ((1 << M) - 1);
    double v;
    if (FN && e == uint32_t((1 << E) - 1) && m == uint32_t((1 << M) - 1)) {
      v = std::numeric_limits<double>::quiet_NaN();
    } else if (!FN && e == uint32_t((1 << E) - 1)) {
      v = m ? std::numeric_limits<double>::quiet_NaN() : std::numeric_limits<double>::infinity();
    } else if (e == 0) {
      v = std::ldexp(double(m), 1 - kBias - M);
    } else {
      v = std::ldexp(1.0 + double(m) / (1 << M), int(e) - kBias);
    }
    return float(neg ? -v : v);
  }
};
using Float8E4M3Codec = Float8Codec<4, 3, true>;
using Float8E5M2Codec = Float8Codec<5, 2, false>;

/// OCP FP8 E4M3FN storage (saturating conversion from float).
struct Float8E4M3 {
  uint8_t bits = 0;
  Float8E4M3() = default;
  explicit Float8E4M3(float f, bool saturate = true) : bits(Float8E4M3Codec::encode(f, saturate)) {}
  operator float() const { return Float8E4M3Codec::decode(bits); }  // NOLINT
};

/// OCP FP8 E5M2 storage (saturating conversion from float).
struct Float8E5M2 {
  uint8_t bits = 0;
  Float8E5M2() = default;
  explicit Float8E5M2(float f, bool saturate = true) : bits(Float8E5M2Codec::encode(f, saturate)) {}
  operator float() const { return Float8E5M2Codec::decode(bits); }  // NOLINT
};

}  // namespace kiln::kernels
