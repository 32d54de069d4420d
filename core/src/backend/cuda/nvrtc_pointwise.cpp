#include "backend/cuda/nvrtc_pointwise.h"

#include <nvrtc.h>

#include <cmath>
#include <cstdio>
#include <cstring>
#include <limits>
#include <string_view>

#include "backend/cuda/cuda_check.h"
#include "kiln/errors.h"

namespace kiln::backend::cuda {

namespace {

// One entry per operation of the grammar: its name in `steps`, the device
// function the generated code calls, and which parameters it takes.
struct StepOp {
  std::string_view name;
  std::string_view fn;
  int params;            // unary: 0, 1 (alpha) or 2 (alpha, beta)
  double defaultAlpha;   // as ops/fused.cpp
  double defaultBeta;
};

constexpr double kInf = std::numeric_limits<double>::infinity();

constexpr StepOp kUnarySteps[] = {
    {"Relu", "kiln_relu", 0, 0, 0},
    {"LeakyRelu", "kiln_leaky_relu", 1, 0.01, 0},
    {"Sigmoid", "kiln_sigmoid", 0, 0, 0},
    {"Tanh", "kiln_tanh", 0, 0, 0},
    {"Clip", "kiln_clip", 2, -kInf, kInf},
    {"HardSigmoid", "kiln_hard_sigmoid", 2, 0.2, 0.5},
    {"HardSwish", "kiln_hard_swish", 0, 0, 0},
    {"Gelu", "kiln_gelu", 0, 0, 0},
    {"GeluTanh", "kiln_gelu_tanh", 0, 0, 0},
    {"Elu", "kiln_elu", 1, 1.0, 0},
    {"Softplus", "kiln_softplus", 0, 0, 0},
    {"Exp", "expf", 0, 0, 0},
    {"Log", "logf", 0, 0, 0},
    {"Sqrt", "sqrtf", 0, 0, 0},
    {"Abs", "fabsf", 0, 0, 0},
    {"Neg", "kiln_neg", 0, 0, 0},
    {"Erf", "erff", 0, 0, 0},
    {"Reciprocal", "kiln_reciprocal", 0, 0, 0},
    {"Floor", "floorf", 0, 0, 0},
    {"Ceil", "ceilf", 0, 0, 0},
};

constexpr StepOp kBinarySteps[] = {
    {"Add", "kiln_add", 0, 0, 0}, {"Sub", "kiln_sub", 0, 0, 0}, {"Mul", "kiln_mul", 0, 0, 0},
    {"Div", "kiln_div", 0, 0, 0}, {"Pow", "powf", 0, 0, 0},     {"Max", "kiln_max", 0, 0, 0},
    {"Min", "kiln_min", 0, 0, 0}, {"PRelu", "kiln_prelu", 0, 0, 0},
};

// The device code every generated kernel starts with. It includes no header:
// halves and bfloat16s travel as their bits and convert with PTX.
constexpr const char* kPrelude = R"(typedef unsigned short kiln_bits16;

struct KilnIndex {
  long long rank;  // -1: contiguous, element i is at i
  long long dims[8];
  long long strides[8];
};

__device__ __forceinline__ long long kiln_offset(const KilnIndex& x, long long i) {
  if (x.rank < 0) return i;
  long long off = 0;
  for (int d = (int)x.rank - 1; d >= 0; --d) {
    const long long q = i / x.dims[d];
    off += (i - q * x.dims[d]) * x.strides[d];
    i = q;
  }
  return off;
}

__device__ __forceinline__ float kiln_load_f32(const void* p, long long o) { return ((const float*)p)[o]; }
__device__ __forceinline__ float kiln_load_f16(const void* p, long long o) {
  const kiln_bits16 h = ((const kiln_bits16*)p)[o];
  float f;
  asm("cvt.f32.f16 %0, %1;" : "=f"(f) : "h"(h));
  return f;
}
__device__ __forceinline__ float kiln_load_bf16(const void* p, long long o) {
  const unsigned int b = ((const kiln_bits16*)p)[o];
  return __uint_as_float(b << 16);
}
__device__ __forceinline__ void kiln_store_f32(void* p, long long o, float v) { ((float*)p)[o] = v; }
__device__ __forceinline__ void kiln_store_f16(void* p, long long o, float v) {
  kiln_bits16 h;
  asm("cvt.rn.f16.f32 %0, %1;" : "=h"(h) : "f"(v));
  ((kiln_bits16*)p)[o] = h;
}
__device__ __forceinline__ void kiln_store_bf16(void* p, long long o, float v) {
  kiln_bits16 h;
  asm("cvt.rn.bf16.f32 %0, %1;" : "=h"(h) : "f"(v));
  ((kiln_bits16*)p)[o] = h;
}

__device__ __forceinline__ float kiln_inf() { return __int_as_float(0x7f800000); }
__device__ __forceinline__ float kiln_nan() { return __int_as_float(0x7fffffff); }

__device__ __forceinline__ float kiln_relu(float x) { return x > 0.f ? x : 0.f; }
__device__ __forceinline__ float kiln_leaky_relu(float x, float a) { return x >= 0.f ? x : a * x; }
__device__ __forceinline__ float kiln_sigmoid(float x) { return 1.f / (1.f + expf(-x)); }
__device__ __forceinline__ float kiln_tanh(float x) { return tanhf(x); }
__device__ __forceinline__ float kiln_clip(float x, float lo, float hi) { return x < lo ? lo : (x > hi ? hi : x); }
__device__ __forceinline__ float kiln_hard_sigmoid(float x, float a, float b) {
  return fmaxf(0.f, fminf(1.f, a * x + b));
}
__device__ __forceinline__ float kiln_hard_swish(float x) { return x * fmaxf(0.f, fminf(1.f, x / 6.f + 0.5f)); }
__device__ __forceinline__ float kiln_gelu(float x) { return 0.5f * x * (1.f + erff(x * 0.70710678118654752f)); }
__device__ __forceinline__ float kiln_gelu_tanh(float x) {
  return 0.5f * x * (1.f + tanhf(0.79788456080286536f * (x + 0.044715f * x * x * x)));
}
__device__ __forceinline__ float kiln_elu(float x, float a) { return x >= 0.f ? x : a * expm1f(x); }
__device__ __forceinline__ float kiln_softplus(float x) { return x > 0.f ? x + log1pf(expf(-x)) : log1pf(expf(x)); }
__device__ __forceinline__ float kiln_neg(float x) { return -x; }
__device__ __forceinline__ float kiln_reciprocal(float x) { return 1.f / x; }

__device__ __forceinline__ float kiln_add(float a, float b) { return a + b; }
__device__ __forceinline__ float kiln_sub(float a, float b) { return a - b; }
__device__ __forceinline__ float kiln_mul(float a, float b) { return a * b; }
__device__ __forceinline__ float kiln_div(float a, float b) { return a / b; }
__device__ __forceinline__ float kiln_max(float a, float b) { return (a != a || b != b) ? kiln_nan() : fmaxf(a, b); }
__device__ __forceinline__ float kiln_min(float a, float b) { return (a != a || b != b) ? kiln_nan() : fminf(a, b); }
__device__ __forceinline__ float kiln_prelu(float a, float b) { return a < 0.f ? a * b : a; }
)";

const StepOp* findStep(const auto& table, std::string_view name) {
  for (const StepOp& s : table) {
    if (s.name == name) return &s;
  }
  return nullptr;
}

[[noreturn]] void failStep(size_t i, const std::string& text, const std::string& why) {
  throw Error(ErrorCode::kInvalidModel, "kiln:Pointwise step " + std::to_string(i) + " ('" + text + "') " + why);
}

const char* typeSuffix(DataType t) {
  switch (t) {
    case DataType::kFloat32: return "f32";
    case DataType::kFloat16: return "f16";
    case DataType::kBFloat16: return "bf16";
    default: break;
  }
  throw Error(ErrorCode::kUnsupportedType,
              std::string("kiln:Pointwise kernels take f32, f16 and bf16, not ") + toString(t));
}

// A float literal that reads back as exactly `v` (as float).
std::string floatLiteral(double value) {
  const float v = float(value);
  if (std::isnan(v)) return "kiln_nan()";
  if (std::isinf(v)) return v > 0 ? "kiln_inf()" : "-kiln_inf()";
  char buf[48];
  std::snprintf(buf, sizeof buf, "%.9g", double(v));
  std::string s = buf;
  if (s.find_first_of(".e") == std::string::npos) s += ".0";
  return s + "f";
}

std::vector<std::string> splitWords(const std::string& text) {
  std::vector<std::string> words;
  for (size_t start = 0; start <= text.size();) {
    const size_t space = text.find(' ', start);
    const size_t end = space == std::string::npos ? text.size() : space;
    if (end > start) words.push_back(text.substr(start, end - start));
    start = end + 1;
  }
  return words;
}

}  // namespace

std::string pointwiseSource(const PointwiseSpec& spec) {
  const size_t n = spec.inputs.size();
  const size_t count = spec.steps.size();
  if (n == 0) throw Error(ErrorCode::kInvalidModel, "kiln:Pointwise needs at least one input");
  if (count == 0) throw Error(ErrorCode::kInvalidModel, "kiln:Pointwise needs at least one step");
  if (!spec.alphas.empty() && spec.alphas.size() != count) {
    throw Error(ErrorCode::kInvalidModel, "kiln:Pointwise step_alpha must have one value per step");
  }
  if (!spec.betas.empty() && spec.betas.size() != count) {
    throw Error(ErrorCode::kInvalidModel, "kiln:Pointwise step_beta must have one value per step");
  }
  for (DataType t : spec.inputs) typeSuffix(t);
  const char* outSuffix = typeSuffix(spec.output);

  // The steps, as statements on the running value v; and which inputs they read.
  std::vector<bool> reads(n, false);
  reads[0] = true;
  std::string body;
  for (size_t i = 0; i < count; ++i) {
    const std::string& text = spec.steps[i];
    const std::vector<std::string> words = splitWords(text);
    std::string call;
    if (words.size() == 1) {
      const StepOp* op = findStep(kUnarySteps, words[0]);
      if (!op) failStep(i, text, "is not a unary op of the grammar");
      const double alpha = spec.alphas.empty() ? op->defaultAlpha : spec.alphas[i];
      const double beta = spec.betas.empty() ? op->defaultBeta : spec.betas[i];
      call = std::string(op->fn) + "(v";
      if (op->params >= 1) call += ", " + floatLiteral(alpha);
      if (op->params >= 2) call += ", " + floatLiteral(beta);
      call += ")";
    } else if (words.size() == 2 || words.size() == 3) {
      const StepOp* op = findStep(kBinarySteps, words[0]);
      if (!op) failStep(i, text, "is not a binary op of the grammar");
      if (words[1].find_first_not_of("0123456789") != std::string::npos || words[1].size() > 9) {
        failStep(i, text, "does not name an input by its index");
      }
      const size_t k = std::stoul(words[1]);
      if (k >= n) failStep(i, text, "names input " + words[1] + " of " + std::to_string(n));
      if (words.size() == 3 && words[2] != "left") failStep(i, text, "ends in '" + words[2] + "', not 'left'");
      reads[k] = true;
      const std::string e = "e" + std::to_string(k);
      call = std::string(op->fn) + (words.size() == 3 ? "(" + e + ", v)" : "(v, " + e + ")");
    } else {
      failStep(i, text, "is neither 'OP' nor 'OP k' nor 'OP k left'");
    }
    body += "    v = " + call + ";  // " + text + "\n";
  }

  std::string src = "// kiln:Pointwise, " + std::to_string(n) + " input(s), " + std::to_string(count) + " step(s)\n";
  src += kPrelude;
  src += "\nstruct KilnArgs {\n  long long n;\n  void* y;\n  const void* in[" + std::to_string(n) +
         "];\n  KilnIndex index[" + std::to_string(n) + "];\n};\n\n";
  src += "extern \"C\" __global__ void " + std::string(kPointwiseKernelName) + "(const KilnArgs a) {\n";
  src += "  const long long stride = (long long)gridDim.x * blockDim.x;\n";
  src += "  for (long long i = (long long)blockIdx.x * blockDim.x + threadIdx.x; i < a.n; i += stride) {\n";
  for (size_t k = 0; k < n; ++k) {
    if (!reads[k]) continue;
    const std::string ks = std::to_string(k);
    src += "    const float e" + ks + " = kiln_load_" + typeSuffix(spec.inputs[k]) + "(a.in[" + ks +
           "], kiln_offset(a.index[" + ks + "], i));\n";
  }
  src += "    float v = e0;\n";
  src += body;
  src += "    kiln_store_" + std::string(outSuffix) + "(a.y, i, v);\n";
  src += "  }\n}\n";
  return src;
}

std::string compilePointwise(const std::string& source, int major, int minor) {
  nvrtcProgram prog = nullptr;
  KILN_NVRTC_CHECK(nvrtcCreateProgram(&prog, source.c_str(), "kiln_pointwise.cu", 0, nullptr, nullptr));
  struct Destroy {
    nvrtcProgram* p;
    ~Destroy() { nvrtcDestroyProgram(p); }
  } destroy{&prog};
  const std::string arch = "--gpu-architecture=sm_" + std::to_string(major) + std::to_string(minor);
  const char* options[] = {arch.c_str(), "-default-device", "--std=c++17"};
  const nvrtcResult result = nvrtcCompileProgram(prog, 3, options);
  if (result != NVRTC_SUCCESS) {
    size_t logSize = 0;
    std::string log;
    if (nvrtcGetProgramLogSize(prog, &logSize) == NVRTC_SUCCESS && logSize > 1) {
      log.resize(logSize);
      if (nvrtcGetProgramLog(prog, log.data()) != NVRTC_SUCCESS) log.clear();
      while (!log.empty() && (log.back() == '\0' || log.back() == '\n')) log.pop_back();
    }
    throwCallError("nvrtcCompileProgram", std::string(nvrtcGetErrorString(result)) + (log.empty() ? "" : ": " + log));
  }
  size_t size = 0;
  KILN_NVRTC_CHECK(nvrtcGetCUBINSize(prog, &size));
  std::string cubin(size, '\0');
  KILN_NVRTC_CHECK(nvrtcGetCUBIN(prog, cubin.data()));
  return cubin;
}

std::vector<int64_t> pointwiseArgs(int64_t n, void* y, const std::vector<kernels::cuda::Operand>& inputs) {
  constexpr int kRank = kernels::cuda::kMaxRank;
  static_assert(kRank == 8, "the generated KilnIndex holds 8 dims");
  static_assert(sizeof(void*) == sizeof(int64_t), "the argument block holds pointers as 64-bit words");
  const size_t count = inputs.size();
  std::vector<int64_t> args(2 + count + count * (1 + 2 * kRank), 0);
  args[0] = n;
  std::memcpy(&args[1], &y, sizeof y);
  for (size_t k = 0; k < count; ++k) {
    std::memcpy(&args[2 + k], &inputs[k].data, sizeof(void*));
    int64_t* index = &args[2 + count + k * (1 + 2 * kRank)];
    const auto& o = inputs[k];
    index[0] = o.contiguous ? -1 : o.index.rank;
    for (int d = 0; d < kRank; ++d) {
      index[1 + d] = o.contiguous || d >= o.index.rank ? 1 : o.index.dims[d];
      index[1 + kRank + d] = o.contiguous || d >= o.index.rank ? 0 : o.index.strides[d];
    }
  }
  return args;
}

}  // namespace kiln::backend::cuda
