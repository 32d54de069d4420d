// Every CUDA tactic against the CPU reference: for each op case (odd sizes),
// at fp32 and fp16, every tactic that supports the layer runs on fresh random
// inputs and its outputs are compared with the reference's, with a tolerance
// scaled by precision; NaN always fails and poisoned outputs catch unwritten
// elements. Skips where there is no GPU.
#include <QtTest>

#include <cmath>
#include <cstdio>
#include <cstring>
#include <functional>
#include <map>
#include <set>

#include "backend/cuda/cuda_check.h"
#include "backend/cuda/cuda_tactic.h"
#include "backend/cuda/device.h"
#include "backend/cuda/device_tensors.h"
#include "backend/cuda/handles.h"
#include "build/host_values.h"
#include "build/precision.h"
#include "kiln/reference.h"

using namespace kiln;
namespace cu = kiln::backend::cuda;

namespace {

struct Case {
  std::string name;
  std::function<Network()> make;
  bool floatOnly = true;  // fp16 makes sense
};

Attributes attrs(std::initializer_list<std::pair<const std::string, Attribute>> a) { return Attributes(a); }

HostTensor randomFloats(std::vector<int64_t> shape, uint64_t seed, double lo = -1, double hi = 1) {
  HostTensor t(DataType::kFloat32, std::move(shape));
  uint64_t s = seed * 2654435761u + 1;
  for (int64_t i = 0; i < t.numel(); ++i) {
    s = s * 6364136223846793005ull + 1442695040888963407ull;
    t.setFromDouble(i, lo + (hi - lo) * double(s >> 11) / double(1ull << 53));
  }
  return t;
}

// One layer `op` reading a float input x of `shape` (plus constants), opset 17.
Network single(const std::string& op, std::vector<int64_t> shape, Attributes a = {},
               std::vector<HostTensor> constants = {}, const std::string& domain = {}, int64_t opset = 17) {
  Network net;
  net.opsets[""] = opset;
  if (!domain.empty()) net.opsets[domain] = 1;
  net.addInput("x", DataType::kFloat32, Dims::of(shape));
  std::vector<std::string> inputs = {"x"};
  for (size_t i = 0; i < constants.size(); ++i) {
    std::string n = "c" + std::to_string(i);
    if (constants[i].numel() == 0 && constants[i].rank() == 1 && constants[i].shape()[0] == 0) {
      inputs.push_back("");  // an omitted optional input
      continue;
    }
    net.addConstant(n, std::move(constants[i]));
    inputs.push_back(n);
  }
  Layer& l = net.addLayer(op, inputs, {"y"}, std::move(a), "layer");
  l.domain = domain;
  net.markOutput("y");
  return net;
}

// Binary op with a second runtime input of another (broadcast) shape.
Network binary(const std::string& op, std::vector<int64_t> a, std::vector<int64_t> b, DataType type = DataType::kFloat32,
               DataType outType = DataType::kFloat32) {
  (void)outType;
  Network net;
  net.addInput("x", type, Dims::of(a));
  net.addInput("z", type, Dims::of(b));
  net.addLayer(op, {"x", "z"}, {"y"}, {}, "layer");
  net.markOutput("y");
  return net;
}

std::vector<Case> cases() {
  std::vector<Case> c;
  const std::vector<int64_t> s = {3, 7, 5};
  for (const char* op : {"Relu", "Sigmoid", "Tanh", "Exp", "Abs", "Neg", "Erf", "Softsign", "Softplus", "HardSwish",
                         "Floor", "Ceil", "Round", "Sign", "Reciprocal"}) {
    c.push_back({op, [=] { return single(op, s); }});
  }
  c.push_back({"Sqrt", [=] { return single("Sqrt", s); }});  // negative inputs give NaN on both sides
  c.push_back({"LeakyRelu", [=] { return single("LeakyRelu", s, attrs({{"alpha", Attribute::ofFloat(0.2f)}})); }});
  c.push_back({"Elu", [=] { return single("Elu", s, attrs({{"alpha", Attribute::ofFloat(0.7f)}})); }});
  c.push_back({"Selu", [=] { return single("Selu", s); }});
  c.push_back({"HardSigmoid", [=] { return single("HardSigmoid", s); }});
  c.push_back({"Gelu", [=] { return single("Gelu", s, {}, {}, {}, 20); }});
  c.push_back({"Clip", [=] {
                 return single("Clip", s, {}, {HostTensor::fromDoubles(DataType::kFloat32, {}, {-0.3}),
                                                HostTensor::fromDoubles(DataType::kFloat32, {}, {0.4})});
               }});
  for (const char* op : {"Add", "Sub", "Mul", "Div", "Max", "Min", "Pow"}) {
    c.push_back({std::string(op) + "/broadcast", [=] { return binary(op, {3, 1, 5}, {7, 1}); }});
  }
  for (const char* op : {"Equal", "Less", "Greater"}) {
    c.push_back({op, [=] { return binary(op, {3, 7, 5}, {5}); }, false});
  }
  c.push_back({"Add/int64", [=] { return binary("Add", {4, 3}, {3}, DataType::kInt64); }, false});
  c.push_back({"Softmax", [=] { return single("Softmax", {3, 5, 17}, attrs({{"axis", Attribute::ofInt(-1)}})); }});
  c.push_back({"LogSoftmax", [=] { return single("LogSoftmax", {3, 5, 17}, attrs({{"axis", Attribute::ofInt(1)}})); }});
  for (const char* op : {"ReduceMean", "ReduceSum", "ReduceMax", "ReduceL2"}) {
    c.push_back({op, [=] {
                   Network n = single(op, s, attrs({{"keepdims", Attribute::ofInt(1)}}),
                                      std::string(op) == "ReduceSum" ? std::vector<HostTensor>{HostTensor::fromInt64s({1})}
                                                                     : std::vector<HostTensor>{});
                   if (std::string(op) != "ReduceSum") n.layers()[0].attrs["axes"] = Attribute::ofInts({1});
                   return n;
                 }});
  }
  c.push_back({"ArgMax", [=] { return single("ArgMax", s, attrs({{"axis", Attribute::ofInt(2)}})); }, false});
  c.push_back({"LayerNormalization", [] {
                 return single("LayerNormalization", {3, 5, 17}, attrs({{"axis", Attribute::ofInt(-1)}}),
                               {randomFloats({17}, 3), randomFloats({17}, 4)});
               }});
  c.push_back({"BatchNormalization", [] {
                 return single("BatchNormalization", {2, 3, 5, 7}, {},
                               {randomFloats({3}, 5), randomFloats({3}, 6), randomFloats({3}, 7),
                                randomFloats({3}, 8, 0.5, 1.5)});
               }});
  c.push_back({"InstanceNormalization", [] {
                 return single("InstanceNormalization", {2, 3, 5, 7}, {}, {randomFloats({3}, 9), randomFloats({3}, 10)});
               }});
  c.push_back({"MaxPool", [] {
                 return single("MaxPool", {1, 3, 9, 11},
                               attrs({{"kernel_shape", Attribute::ofInts({3, 3})}, {"strides", Attribute::ofInts({2, 2})},
                                      {"pads", Attribute::ofInts({1, 1, 1, 1})}}));
               }});
  c.push_back({"AveragePool", [] {
                 return single("AveragePool", {1, 3, 9, 11},
                               attrs({{"kernel_shape", Attribute::ofInts({3, 2})}, {"strides", Attribute::ofInts({2, 1})}}));
               }});
  c.push_back({"GlobalAveragePool", [] { return single("GlobalAveragePool", {2, 5, 7, 3}); }});
  for (int64_t group : {1, 3}) {
    for (int64_t stride : {1, 2}) {
      c.push_back({"Conv/g" + std::to_string(group) + "s" + std::to_string(stride), [=] {
                     return single("Conv", {2, 3, 9, 11},
                                   attrs({{"kernel_shape", Attribute::ofInts({3, 3})},
                                          {"strides", Attribute::ofInts({stride, stride})},
                                          {"pads", Attribute::ofInts({1, 1, 1, 1})}, {"group", Attribute::ofInt(group)}}),
                                   {randomFloats({6, 3 / group, 3, 3}, 11), randomFloats({6}, 12)});
                   }});
    }
  }
  c.push_back({"ConvAct/relu+residual", [] {
                 Network n = single("ConvAct", {1, 4, 7, 9},
                                    attrs({{"kernel_shape", Attribute::ofInts({3, 3})},
                                           {"pads", Attribute::ofInts({1, 1, 1, 1})},
                                           {"activation", Attribute::ofString("Relu")}}),
                                    {randomFloats({4, 4, 3, 3}, 13), randomFloats({4}, 14), randomFloats({1, 4, 7, 9}, 15)},
                                    "kiln");
                 return n;
               }});
  c.push_back({"ConvAct/hardswish", [] {
                 return single("ConvAct", {1, 4, 7, 9},
                               attrs({{"kernel_shape", Attribute::ofInts({1, 1})},
                                      {"activation", Attribute::ofString("HardSwish")}}),
                               {randomFloats({8, 4, 1, 1}, 16), randomFloats({8}, 17)}, "kiln");
               }});
  // Channels-last (NHWC X, Y and Z; W as [M, R, S, C/group]), as the
  // channels-last pass makes them: fused Relu with a residual, and a
  // depthwise convolution whose Clip runs in the epilogue kernel.
  c.push_back({"ConvAct/nhwc/relu+residual", [] {
                 return single("ConvAct", {2, 7, 9, 8},
                               attrs({{"kernel_shape", Attribute::ofInts({3, 3})},
                                      {"pads", Attribute::ofInts({1, 1, 1, 1})}, {"channels_last", Attribute::ofInt(1)},
                                      {"activation", Attribute::ofString("Relu")}}),
                               {randomFloats({16, 3, 3, 8}, 23), randomFloats({16}, 24), randomFloats({2, 7, 9, 16}, 25)},
                               "kiln");
               }});
  c.push_back({"ConvAct/nhwc/depthwise+clip", [] {
                 return single("ConvAct", {1, 9, 11, 16},
                               attrs({{"kernel_shape", Attribute::ofInts({3, 3})}, {"strides", Attribute::ofInts({2, 2})},
                                      {"pads", Attribute::ofInts({1, 1, 1, 1})}, {"group", Attribute::ofInt(16)},
                                      {"channels_last", Attribute::ofInt(1)}, {"activation", Attribute::ofString("Clip")},
                                      {"act_alpha", Attribute::ofFloat(0.f)}, {"act_beta", Attribute::ofFloat(6.f)}}),
                               {randomFloats({16, 3, 3, 1}, 26), randomFloats({16}, 27)}, "kiln");
               }});
  c.push_back({"ConvAct/nhwc/1x1+clip", [] {  // an expand layer's Relu6, clipped at 1.5 so the bound is reached often
                 return single("ConvAct", {2, 7, 9, 16},
                               attrs({{"kernel_shape", Attribute::ofInts({1, 1})}, {"channels_last", Attribute::ofInt(1)},
                                      {"activation", Attribute::ofString("Clip")}, {"act_alpha", Attribute::ofFloat(0.f)},
                                      {"act_beta", Attribute::ofFloat(1.5f)}}),
                               {randomFloats({32, 1, 1, 16}, 45), randomFloats({32}, 46)}, "kiln");
               }});
  c.push_back({"ConvAct/nhwc/depthwise+residual", [] {  // 6 channels: no vector access; dilation 2
                 return single("ConvAct", {2, 5, 7, 6},
                               attrs({{"kernel_shape", Attribute::ofInts({3, 3})}, {"dilations", Attribute::ofInts({2, 2})},
                                      {"pads", Attribute::ofInts({2, 2, 2, 2})}, {"group", Attribute::ofInt(6)},
                                      {"channels_last", Attribute::ofInt(1)}, {"activation", Attribute::ofString("Relu")}}),
                               {randomFloats({6, 3, 3, 1}, 28), randomFloats({6}, 29), randomFloats({2, 5, 7, 6}, 30)},
                               "kiln");
               }});
  // The 3x3 depthwise kernels (a column of rows a thread): stride 1 with a
  // residual and rows that do not divide the strips; stride 2 with uneven
  // padding; stride 1 without padding and 20 channels (five packs of four).
  c.push_back({"ConvAct/nhwc/depthwise3x3+residual", [] {
                 return single("ConvAct", {2, 13, 10, 12},
                               attrs({{"kernel_shape", Attribute::ofInts({3, 3})}, {"pads", Attribute::ofInts({1, 1, 1, 1})},
                                      {"group", Attribute::ofInt(12)}, {"channels_last", Attribute::ofInt(1)},
                                      {"activation", Attribute::ofString("Relu")}}),
                               {randomFloats({12, 3, 3, 1}, 51), randomFloats({12}, 52), randomFloats({2, 13, 10, 12}, 53)},
                               "kiln");
               }});
  c.push_back({"ConvAct/nhwc/depthwise3x3/stride2-uneven-pads", [] {
                 return single("ConvAct", {3, 10, 7, 8},
                               attrs({{"kernel_shape", Attribute::ofInts({3, 3})}, {"strides", Attribute::ofInts({2, 2})},
                                      {"pads", Attribute::ofInts({0, 1, 1, 1})}, {"group", Attribute::ofInt(8)},
                                      {"channels_last", Attribute::ofInt(1)}, {"activation", Attribute::ofString("Clip")},
                                      {"act_alpha", Attribute::ofFloat(0.f)}, {"act_beta", Attribute::ofFloat(1.5f)}}),
                               {randomFloats({8, 3, 3, 1}, 54), randomFloats({8}, 55)}, "kiln");
               }});
  c.push_back({"ConvAct/nhwc/depthwise3x3/no-pad", [] {
                 return single("ConvAct", {1, 11, 6, 20},
                               attrs({{"kernel_shape", Attribute::ofInts({3, 3})}, {"group", Attribute::ofInt(20)},
                                      {"channels_last", Attribute::ofInt(1)}}),
                               {randomFloats({20, 3, 3, 1}, 56)}, "kiln");
               }});
  c.push_back({"MaxPool/nhwc", [] {
                 return single("MaxPool", {2, 9, 11, 8},
                               attrs({{"kernel_shape", Attribute::ofInts({3, 3})}, {"strides", Attribute::ofInts({2, 2})},
                                      {"pads", Attribute::ofInts({1, 1, 1, 1})}, {"channels_last", Attribute::ofInt(1)}}),
                               {}, "kiln");
               }});
  c.push_back({"AveragePool/nhwc/include-pad-uneven", [] {  // 12 channels: packs only at fp32
                 return single("AveragePool", {2, 8, 9, 12},
                               attrs({{"kernel_shape", Attribute::ofInts({3, 2})}, {"strides", Attribute::ofInts({2, 1})},
                                      {"pads", Attribute::ofInts({1, 0, 0, 1})}, {"count_include_pad", Attribute::ofInt(1)},
                                      {"channels_last", Attribute::ofInt(1)}}),
                               {}, "kiln");
               }});
  c.push_back({"AveragePool/nhwc-plane", [] {
                 return single("AveragePool", {2, 7, 7, 16},
                               attrs({{"kernel_shape", Attribute::ofInts({7, 7})}, {"channels_last", Attribute::ofInt(1)}}),
                               {}, "kiln");
               }});
  c.push_back({"ConvTranspose", [] {
                 return single("ConvTranspose", {1, 4, 5, 7},
                               attrs({{"kernel_shape", Attribute::ofInts({3, 3})}, {"strides", Attribute::ofInts({2, 2})}}),
                               {randomFloats({4, 3, 3, 3}, 18), randomFloats({3}, 19)});
               }});
  c.push_back({"MatMul", [] { return single("MatMul", {2, 3, 33}, {}, {randomFloats({33, 17}, 20)}); }});
  c.push_back({"Gemm", [] {
                 return single("Gemm", {5, 33}, attrs({{"transB", Attribute::ofInt(1)}, {"alpha", Attribute::ofFloat(0.5f)}}),
                               {randomFloats({7, 33}, 21), randomFloats({7}, 22)});
               }});
  c.push_back({"GemmAct/gelu", [] {
                 return single("GemmAct", {2, 5, 33},
                               attrs({{"matmul", Attribute::ofInt(1)}, {"activation", Attribute::ofString("Gelu")}}),
                               {randomFloats({33, 9}, 23), randomFloats({9}, 24)}, "kiln");
               }});
  c.push_back({"GemmAct/gelu-packs", [] {  // the epilogue kernel over 16-byte packs, with a bias row of 16
                 return single("GemmAct", {2, 5, 32},
                               attrs({{"matmul", Attribute::ofInt(1)}, {"activation", Attribute::ofString("Gelu")}}),
                               {randomFloats({32, 16}, 34), randomFloats({16}, 35)}, "kiln");
               }});
  c.push_back({"GemmAct/residual", [] {  // Z through cuBLASLt's C, the bias and Relu in its epilogue
                 return single("GemmAct", {2, 5, 32},
                               attrs({{"matmul", Attribute::ofInt(1)}, {"activation", Attribute::ofString("Relu")}}),
                               {randomFloats({32, 16}, 36), randomFloats({16}, 37), randomFloats({2, 5, 16}, 38)}, "kiln");
               }});
  c.push_back({"GemmAct/residual+gelu", [] {  // Z through C, then the erf Gelu in the kernel
                 return single("GemmAct", {2, 5, 32},
                               attrs({{"matmul", Attribute::ofInt(1)}, {"activation", Attribute::ofString("Gelu")}}),
                               {randomFloats({32, 16}, 39), randomFloats({16}, 40), randomFloats({2, 5, 16}, 41)}, "kiln");
               }});
  c.push_back({"GemmAct/full-c+residual", [] {  // C of Y's shape takes cuBLASLt's C: Z goes to the kernel
                 return single("GemmAct", {2, 5, 32},
                               attrs({{"matmul", Attribute::ofInt(1)}, {"activation", Attribute::ofString("Relu")}}),
                               {randomFloats({32, 16}, 42), randomFloats({2, 5, 16}, 43), randomFloats({2, 5, 16}, 44)},
                               "kiln");
               }});
  c.push_back({"Attention", [] {
                 Network net;
                 net.opsets["kiln"] = 1;
                 for (const char* n : {"q", "k", "v"}) net.addInput(n, DataType::kFloat32, Dims{2, 3, 7, 16});
                 Layer& l = net.addLayer("Attention", {"q", "k", "v"}, {"y"}, attrs({{"scale", Attribute::ofFloat(0.25f)}}),
                                         "layer");
                 l.domain = "kiln";
                 net.markOutput("y");
                 return net;
               }});
  // The fused kernel's cases: tiles of 64 keys and 16 query rows leave tails here.
  const auto attention = [](std::vector<int64_t> q, std::vector<int64_t> k, std::vector<int64_t> v, Attributes a,
                            std::vector<int64_t> mask) {
    Network net;
    net.opsets["kiln"] = 1;
    net.addInput("q", DataType::kFloat32, Dims::of(q));
    net.addInput("k", DataType::kFloat32, Dims::of(k));
    net.addInput("v", DataType::kFloat32, Dims::of(v));
    std::vector<std::string> in = {"q", "k", "v"};
    if (!mask.empty()) {
      HostTensor m = randomFloats(mask, 31);
      for (int64_t i = 0; i < m.numel(); i += 3) m.setFromDouble(i, -1e4);  // keys masked out
      net.addConstant("mask", std::move(m));
      in.push_back("mask");
    }
    Layer& l = net.addLayer("Attention", in, {"y"}, std::move(a), "layer");
    l.domain = "kiln";
    net.markOutput("y");
    return net;
  };
  c.push_back({"Attention/k-transposed", [attention] {  // BERT's form, with 130 keys: a tile of 2 keys
                 return attention({2, 3, 130, 64}, {2, 3, 64, 130}, {2, 3, 130, 64},
                                  attrs({{"scale", Attribute::ofFloat(0.125f)}, {"k_transposed", Attribute::ofInt(1)}}), {});
               }});
  c.push_back({"Attention/bshd", [attention] {  // Q, K, V read and Y written [B, L, H, D]; 130 keys; a padding mask
                 return attention({2, 130, 3, 64}, {2, 130, 3, 64}, {2, 130, 3, 64},
                                  attrs({{"scale", Attribute::ofFloat(0.125f)}, {"q_bshd", Attribute::ofInt(1)},
                                         {"k_bshd", Attribute::ofInt(1)}, {"v_bshd", Attribute::ofInt(1)},
                                         {"y_bshd", Attribute::ofInt(1)}}),
                                  {2, 1, 1, 130});
               }});
  c.push_back({"Attention/mask-full", [attention] {  // a mask per score: its index merges into one dim
                 return attention({2, 2, 21, 32}, {2, 2, 70, 32}, {2, 2, 70, 32}, attrs({{"scale", Attribute::ofFloat(0.2f)}}),
                                  {2, 2, 21, 70});
               }});
  c.push_back({"Attention/mask+dv", [attention] {  // a [B, 1, 1, Lk] padding mask; value size 48; K shared
                 return attention({2, 2, 21, 32}, {1, 1, 70, 32}, {2, 2, 70, 48}, attrs({{"scale", Attribute::ofFloat(0.2f)}}),
                                  {2, 1, 1, 70});
               }});
  c.push_back({"kiln:LayerNorm", [] {
                 return single("LayerNorm", {3, 5, 17},
                               attrs({{"axis", Attribute::ofInt(-1)}, {"epsilon", Attribute::ofFloat(1e-5f)}}),
                               {randomFloats({17}, 25), randomFloats({17}, 26)}, "kiln");
               }});
  c.push_back({"kiln:LayerNorm/rows", [] {  // 776: whole 16-byte packs, the last chunk partly filled
                 return single("LayerNorm", {3, 2, 776},
                               attrs({{"axis", Attribute::ofInt(-1)}, {"epsilon", Attribute::ofFloat(1e-5f)}}),
                               {randomFloats({776}, 32), randomFloats({776}, 33)}, "kiln");
               }});
  c.push_back({"kiln:Softmax", [] { return single("Softmax", {3, 5, 17}, attrs({{"axis", Attribute::ofInt(-1)}}), {}, "kiln"); }});
  c.push_back({"kiln:Pointwise", [] {
                 return single("Pointwise", {3, 7, 5},
                               attrs({{"steps", Attribute::ofStrings({"Mul 1", "Add 2", "Sigmoid", "Mul 0"})},
                                      {"step_alpha", Attribute::ofFloats({0, 0, 0, 0})},
                                      {"step_beta", Attribute::ofFloats({0, 0, 0, 0})}}),
                               {randomFloats({5}, 27), randomFloats({7, 1}, 28)}, "kiln");
               }});
  c.push_back({"Transpose", [] { return single("Transpose", {3, 7, 5, 2}, attrs({{"perm", Attribute::ofInts({2, 0, 3, 1})}})); }});
  c.push_back({"Transpose/rows", [] {  // the last axis stays: 16-byte copies
                 return single("Transpose", {2, 5, 3, 16}, attrs({{"perm", Attribute::ofInts({0, 2, 1, 3})}}));
               }});
  c.push_back({"Transpose/to-nhwc", [] {  // three channels to the last axis: a thread per pixel
                 return single("Transpose", {2, 3, 9, 11}, attrs({{"perm", Attribute::ofInts({0, 2, 3, 1})}}));
               }});
  c.push_back({"Transpose/2d-few-columns", [] {  // [5, 37] to [37, 5]: no batch axis
                 return single("Transpose", {5, 37}, attrs({{"perm", Attribute::ofInts({1, 0})}}));
               }});
  c.push_back({"Slice/rows", [] {  // rows of 8 from element 8 of 24, every other row
                 return single("Slice", {4, 6, 24}, {},
                               {HostTensor::fromInt64s({0, 8}), HostTensor::fromInt64s({6, 16}), HostTensor::fromInt64s({1, 2}),
                                HostTensor::fromInt64s({2, 1})});
               }});
  c.push_back({"Slice", [] {
                 return single("Slice", {5, 9, 7}, {},
                               {HostTensor::fromInt64s({1, -1}), HostTensor::fromInt64s({4, 0}), HostTensor::fromInt64s({0, 1}),
                                HostTensor::fromInt64s({2, -3})});
               }});
  c.push_back({"Concat", [] {
                 Network n = single("Concat", {3, 4, 5}, attrs({{"axis", Attribute::ofInt(1)}}), {randomFloats({3, 2, 5}, 29)});
                 return n;
               }});
  c.push_back({"Pad/reflect", [] {
                 return single("Pad", {2, 5, 7}, attrs({{"mode", Attribute::ofString("reflect")}}),
                               {HostTensor::fromInt64s({0, 1, 2, 0, 2, 1})});
               }});
  c.push_back({"Expand", [] { return single("Expand", {3, 1, 5}, {}, {HostTensor::fromInt64s({2, 3, 4, 5})}); }});
  c.push_back({"Tile", [] { return single("Tile", {3, 2, 5}, {}, {HostTensor::fromInt64s({2, 1, 3})}); }});
  c.push_back({"Gather", [] {
                 return single("Gather", {7, 5, 3}, attrs({{"axis", Attribute::ofInt(1)}}), {HostTensor::fromInt64s({4, 0, -1, 2})});
               }});
  c.push_back({"Resize/linear", [] {
                 Network n = single("Resize", {1, 3, 5, 7}, attrs({{"mode", Attribute::ofString("linear")}}),
                                    {HostTensor(), HostTensor::fromDoubles(DataType::kFloat32, {4}, {1, 1, 2, 1.5})});
                 return n;
               }});
  c.push_back({"Resize/nearest", [] {
                 return single("Resize", {1, 3, 5, 7}, attrs({{"mode", Attribute::ofString("nearest")}}),
                               {HostTensor(), HostTensor::fromDoubles(DataType::kFloat32, {4}, {1, 1, 2, 3})});
               }});
  c.push_back({"DepthToSpace", [] { return single("DepthToSpace", {1, 8, 3, 5}, attrs({{"blocksize", Attribute::ofInt(2)}})); }});
  c.push_back({"Reshape", [] { return single("Reshape", {3, 7, 5}, {}, {HostTensor::fromInt64s({7, -1})}); }});
  c.push_back({"Cast/f32-to-f16", [] {  // 8 at a time, then a tail of 1
                 return single("Cast", {3, 7, 5}, attrs({{"to", Attribute::ofInt(10)}}));
               }, false});
  c.push_back({"Cast/f32-to-i32", [] { return single("Cast", {3, 7, 5}, attrs({{"to", Attribute::ofInt(6)}})); }, false});
  return c;
}

struct Totals {
  int passed = 0, failed = 0, unsupported = 0;
  std::set<std::string> gpuCovered, onlyHost;
};

double tolerance(Precision p, double ref) {
  if (p == Precision::kFP16) return 2e-2 + 2e-2 * std::fabs(ref);
  return 1e-4 + 1e-4 * std::fabs(ref);
}

// Compares a device result with the reference; returns "" or the first bad element.
std::string compare(const HostTensor& got, const HostTensor& ref, Precision p, double* maxErr) {
  if (got.shape() != ref.shape()) return "shape " + shapeString(got.shape()) + " vs " + shapeString(ref.shape());
  for (int64_t i = 0; i < got.numel(); ++i) {
    const double a = got.getAsDouble(i), b = ref.getAsDouble(i);
    if (std::isnan(b)) {
      if (!std::isnan(a)) return "element " + std::to_string(i) + ": expected NaN";
      continue;
    }
    if (std::isnan(a)) return "element " + std::to_string(i) + " is NaN (unwritten or wrong)";
    if (std::isinf(b) && a == b) continue;
    const double err = std::fabs(a - b);
    *maxErr = std::max(*maxErr, err);
    if (err > tolerance(p, b) && (isFloat(ref.type()) || err > 0)) {
      return "element " + std::to_string(i) + " is " + std::to_string(a) + ", expected " + std::to_string(b);
    }
  }
  return {};
}

}  // namespace

class TestCudaTactics : public QObject {
  Q_OBJECT
 private slots:
  void everyTacticMatchesTheReference() {
    if (!cu::deviceAvailable()) QSKIP("no CUDA device: GPU tests skipped");
    cu::Stream stream;
    cu::HandleSet handles(stream.get());
    Totals totals;
    const auto& registry = cu::CudaTacticRegistry::instance();
    for (const Case& c : cases()) {
      Network net = c.make();
      inferShapes(net);
      TensorMap inputs = makeRandomInputs(net, {}, 42);
      if (c.name == "Sqrt" || c.name == "Pow/broadcast") {
        for (auto& [n, t] : inputs) {
          for (int64_t i = 0; i < t.numel(); ++i) t.setFromDouble(i, std::fabs(t.getAsDouble(i)) + 0.1);
        }
      }
      if (c.name.rfind("Div", 0) == 0) {
        for (int64_t i = 0; i < inputs["z"].numel(); ++i) inputs["z"].setFromDouble(i, std::fabs(inputs["z"].getAsDouble(i)) + 0.5);
      }
      const TensorMap reference = ReferenceExecutor(net).run(inputs);
      for (Precision p : {Precision::kFP32, Precision::kFP16}) {
        if (p == Precision::kFP16 && !c.floatOnly) continue;
        Network pnet = net;
        std::map<std::string, Precision> precisions;
        for (const auto& l : pnet.layers()) precisions[l.name] = p;
        build::applyPrecisions(pnet, precisions);
        const TensorMap values = ReferenceExecutor(pnet).runKeepingAll(inputs);
        const build::HostEvaluation host = build::evaluateOnHost(pnet);
        const Layer* layer = nullptr;
        for (const auto& l : pnet.layers()) {
          if (l.name == "layer") layer = &l;
        }
        QVERIFY(layer);
        cu::CudaLayerInfo info;
        info.layer = layer;
        info.opset = pnet.opsetOf(layer->domain, 1);
        info.precision = p;
        info.inputs = cu::describeTensors(pnet, layer->inputs, host);
        info.outputs = cu::describeTensors(pnet, layer->outputs, host);
        for (auto& o : info.outputs) o.host = nullptr;
        bool anyGpu = false;
        for (const cu::CudaTactic* tactic : registry.tacticsFor(*layer)) {
          if (tactic->name() == "cuda.host-fallback") continue;
          const std::string label = c.name + " " + toString(p) + " " + tactic->name();
          std::string why;
          try {
            why = tactic->supports(info);
          } catch (const Error& e) {
            why = e.message();
          }
          if (!why.empty()) {
            ++totals.unsupported;
            std::printf("unsupported  %s: %s\n", label.c_str(), why.c_str());
            continue;
          }
          anyGpu = true;
          std::string failure;
          double maxErr = 0;
          try {
            const std::string state = tactic->prepare(info);
            std::vector<cu::DeviceBuffer> buffers;
            cu::Launch launch;
            launch.layer = layer;
            launch.opset = info.opset;
            launch.precision = p;
            launch.inputs = info.inputs;
            launch.outputs = info.outputs;
            for (size_t i = 0; i < layer->inputs.size(); ++i) {
              if (layer->inputs[i].empty()) continue;
              const HostTensor& v = values.at(layer->inputs[i]);
              buffers.emplace_back(std::max<size_t>(v.bytes(), 1));
              KILN_CUDA_CHECK(cudaMemcpy(buffers.back().get(), v.raw(), v.bytes(), cudaMemcpyHostToDevice));
              launch.inputs[i].data = buffers.back().get();
            }
            for (size_t i = 0; i < layer->outputs.size(); ++i) {
              if (layer->outputs[i].empty()) continue;
              HostTensor o(launch.outputs[i].type, launch.outputs[i].shape);
              buffers.emplace_back(std::max<size_t>(o.bytes(), 1));
              KILN_CUDA_CHECK(cudaMemset(buffers.back().get(), 0xff, buffers.back().bytes()));  // NaN poison
              launch.outputs[i].data = buffers.back().get();
            }
            cu::DeviceBuffer workspace(size_t(std::max<int64_t>(tactic->workspaceBytes(info), 0)));
            launch.workspace = workspace.get();
            launch.workspaceBytes = int64_t(workspace.bytes());
            launch.stream = stream.get();
            launch.handles = handles.get();
            launch.state = &state;
            tactic->enqueue(launch);
            KILN_CUDA_CHECK(cudaStreamSynchronize(stream.get()));
            for (size_t i = 0; i < layer->outputs.size() && failure.empty(); ++i) {
              const std::string& name = layer->outputs[i];
              if (name.empty()) continue;
              HostTensor got(launch.outputs[i].type, launch.outputs[i].shape);
              KILN_CUDA_CHECK(cudaMemcpy(got.raw(), launch.outputs[i].data, got.bytes(), cudaMemcpyDeviceToHost));
              std::string original = name;
              if (auto slash = original.find('/'); slash != std::string::npos) original = original.substr(0, slash);
              auto ref = reference.find(original);
              if (ref == reference.end()) continue;
              failure = compare(got, ref->second, p, &maxErr);
              if (!failure.empty()) failure = "output '" + original + "': " + failure;
            }
          } catch (const Error& e) {
            failure = e.what();
          }
          if (failure.empty()) {
            ++totals.passed;
            std::printf("pass         %s  max error %.3g\n", label.c_str(), maxErr);
          } else {
            ++totals.failed;
            std::printf("FAIL         %s: %s\n", label.c_str(), failure.c_str());
          }
        }
        if (anyGpu) totals.gpuCovered.insert(c.name);
        else totals.onlyHost.insert(c.name + " " + toString(p));
      }
    }
    std::string onlyHost;
    for (const auto& n : totals.onlyHost) onlyHost += " " + n;
    std::printf("cases with no GPU tactic:%s\n", onlyHost.empty() ? " none" : onlyHost.c_str());
    std::printf("%d passed, %d failed, %d skipped\n", totals.passed, totals.failed, totals.unsupported);
    QCOMPARE(totals.failed, 0);
    QVERIFY(totals.passed > 0);
  }
};

QTEST_APPLESS_MAIN(TestCudaTactics)
#include "test_cuda_tactics.moc"
