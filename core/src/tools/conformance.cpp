#include "kiln/conformance.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <onnx/onnx_pb.h>

#include "kiln/errors.h"
#include "kiln/onnx.h"
#include "kiln/builder.h"
#include "kiln/reference.h"
#include "kiln/runtime.h"
#include "onnx/tensor_proto.h"

namespace fs = std::filesystem;

namespace kiln {

namespace {

HostTensor readTensorPb(const fs::path& path, std::string* name) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream buffer;
  buffer << in.rdbuf();
  onnx::TensorProto proto;
  if (!proto.ParseFromString(buffer.str())) {
    throw Error(ErrorCode::kInvalidModel, "not a TensorProto", ErrorLocation{path.string(), {}, {}, -1});
  }
  *name = proto.name();
  return onnximport::tensorFromProto(proto, path.parent_path().string());
}

// Old test data stores bfloat16 tensors as UINT16 bit patterns.
HostTensor asDeclaredType(HostTensor t, DataType declared) {
  if (declared == DataType::kBFloat16 && t.type() == DataType::kUInt16) {
    HostTensor bf(DataType::kBFloat16, t.shape());
    std::memcpy(bf.raw(), t.raw(), t.bytes());
    return bf;
  }
  return t;
}

std::vector<fs::path> sortedEntries(const fs::path& dir, const std::string& prefix) {
  std::vector<fs::path> out;
  for (const auto& e : fs::directory_iterator(dir)) {
    if (e.path().filename().string().rfind(prefix, 0) == 0) out.push_back(e.path());
  }
  // input_10.pb sorts after input_9.pb
  std::sort(out.begin(), out.end(), [](const fs::path& a, const fs::path& b) {
    auto key = [](const fs::path& p) {
      std::string s = p.stem().string();
      auto u = s.find_last_of('_');
      return u == std::string::npos ? 0L : std::atol(s.c_str() + u + 1);
    };
    return key(a) != key(b) ? key(a) < key(b) : a < b;
  });
  return out;
}

struct DataSet {
  TensorMap inputs;
  std::vector<std::pair<std::string, HostTensor>> outputs;  // file name order; name may be empty
};

// A plan built for exactly the shapes of the test data, loaded back from its bytes.
std::shared_ptr<const Engine> buildForData(const Network& net, const std::vector<DataSet>& sets, Target target) {
  BuilderConfig config;
  config.target = target;
  config.optimizationLevel = 1;
  OptimizationProfile profile;
  for (const auto& set : sets) {
    for (const auto& [name, t] : set.inputs) {
      auto [it, fresh] = profile.inputs.try_emplace(name, ShapeRange{t.shape(), t.shape(), t.shape()});
      if (fresh || it->second.min.size() != t.shape().size()) continue;
      for (size_t i = 0; i < t.shape().size(); ++i) {
        it->second.min[i] = std::min(it->second.min[i], t.shape()[i]);
        it->second.max[i] = std::max(it->second.max[i], t.shape()[i]);
      }
    }
  }
  // Small integer inputs may decide shapes (a Reshape target, Pad's pads),
  // and so may a few float ones (Resize's scales, Range's bounds): give their
  // values to the profile when every data set agrees on them.
  auto decidesShapes = [&](const std::string& name) {
    for (const auto& l : net.layers()) {
      const bool reader = std::find(l.inputs.begin(), l.inputs.end(), name) != l.inputs.end();
      if (reader && (l.op == "Resize" || l.op == "Upsample" || l.op == "Range")) return true;
    }
    return false;
  };
  for (const auto& [name, t] : sets.front().inputs) {
    const bool candidate = (isInteger(t.type()) && t.numel() <= 64) || (isFloat(t.type()) && t.numel() <= 8 && decidesShapes(name));
    if (!candidate) continue;
    bool same = true;
    for (const auto& set : sets) same = same && set.inputs.at(name).toDoubleVector() == t.toDoubleVector();
    if (same) profile.shapeValues[name] = t.toDoubleVector();
  }
  config.profiles.push_back(profile);
  return Runtime::load(Builder().buildPlan(net, config), net.name);
}

ConformanceResult runCase(const fs::path& caseDir, bool viaPlan, Target target) {
  ConformanceResult r;
  r.name = caseDir.filename().string();
  Network net;
  try {
    OnnxImportOptions opt;
    net = importOnnx((caseDir / "model.onnx").string(), opt);
  } catch (const Error& e) {
    if (e.code() == ErrorCode::kUnsupportedOp || e.code() == ErrorCode::kUnsupportedType) {
      r.status = ConformanceResult::Status::kUnsupported;
      r.detail = e.message();
    } else {
      r.detail = e.what();
    }
    return r;
  }
  try {
    std::vector<std::string> realInputs;
    for (const auto& n : net.inputs()) {
      if (!net.tensor(n).data) realInputs.push_back(n);
    }
    std::vector<DataSet> sets;
    for (const auto& dir : sortedEntries(caseDir, "test_data_set_")) {
      DataSet set;
      auto inputFiles = sortedEntries(dir, "input_");
      for (size_t i = 0; i < inputFiles.size(); ++i) {
        std::string name;
        HostTensor t = readTensorPb(inputFiles[i], &name);
        if (std::find(realInputs.begin(), realInputs.end(), name) == realInputs.end()) {
          if (i >= realInputs.size()) throw Error(ErrorCode::kInvalidArgument, "more input files than model inputs");
          name = realInputs[i];
        }
        set.inputs[name] = asDeclaredType(std::move(t), net.tensor(name).type);
      }
      for (const auto& file : sortedEntries(dir, "output_")) {
        std::string name;
        HostTensor t = readTensorPb(file, &name);
        set.outputs.emplace_back(name, std::move(t));
      }
      sets.push_back(std::move(set));
    }
    std::unique_ptr<ReferenceExecutor> exec;
    std::shared_ptr<const Engine> engine;
    std::unique_ptr<ExecutionContext> context;
    if (viaPlan) {
      engine = buildForData(net, sets, target);
      context = engine->createExecutionContext();
    } else {
      exec = std::make_unique<ReferenceExecutor>(net);
    }
    const std::vector<std::string>& outNames = net.outputs();
    for (auto& set : sets) {
      TensorMap outputs = viaPlan ? context->execute(set.inputs) : exec->run(set.inputs);
      for (size_t i = 0; i < set.outputs.size(); ++i) {
        auto& [name, ref] = set.outputs[i];
        if (!outputs.count(name)) {
          if (i >= outNames.size()) throw Error(ErrorCode::kInvalidArgument, "more output files than model outputs");
          name = outNames[i];
        }
        ref = asDeclaredType(std::move(ref), outputs.at(name).type());
        double err = 0;
        std::string why = compareTensors(outputs.at(name), ref, &err);
        r.maxError = std::max(r.maxError, err);
        if (!why.empty()) {
          r.detail = "output '" + name + "': " + why;
          return r;
        }
      }
    }
    r.status = ConformanceResult::Status::kPass;
  } catch (const Error& e) {
    r.status = (e.code() == ErrorCode::kUnsupportedType || e.code() == ErrorCode::kUnsupportedOp)
                   ? ConformanceResult::Status::kUnsupported
                   : ConformanceResult::Status::kFail;
    r.detail = e.what();
  } catch (const std::exception& e) {
    r.detail = e.what();
  }
  return r;
}

}  // namespace

std::string compareTensors(const HostTensor& out, const HostTensor& ref, double* maxError) {
  *maxError = 0;
  if (out.type() != ref.type()) {
    return std::string("type ") + toString(out.type()) + ", expected " + toString(ref.type());
  }
  if (out.shape() != ref.shape()) return "shape " + shapeString(out.shape()) + ", expected " + shapeString(ref.shape());
  double rtol = 1e-3, atol = 1e-5;
  if (out.type() == DataType::kFloat16 || out.type() == DataType::kBFloat16) rtol = 1e-2, atol = 1e-3;
  if (out.type() == DataType::kFloat8E4M3 || out.type() == DataType::kFloat8E5M2) rtol = 1e-1, atol = 1e-2;
  if (!isFloat(out.type())) rtol = 0, atol = 0;
  std::string firstBad;
  for (int64_t i = 0; i < out.numel(); ++i) {
    double a, b;
    if (isInteger(out.type())) {
      int64_t x = out.getAsInt64(i), y = ref.getAsInt64(i);
      if (x != y && firstBad.empty()) firstBad = "element " + std::to_string(i) + " is " + std::to_string(x) + ", expected " + std::to_string(y);
      *maxError = std::max(*maxError, std::fabs(double(x) - double(y)));
      continue;
    }
    a = out.getAsDouble(i);
    b = ref.getAsDouble(i);
    if (std::isnan(b) || std::isnan(a)) {
      if (std::isnan(a) != std::isnan(b) && firstBad.empty()) firstBad = "element " + std::to_string(i) + ": NaN mismatch";
      continue;
    }
    if (std::isinf(a) || std::isinf(b)) {
      if (a != b && firstBad.empty()) firstBad = "element " + std::to_string(i) + ": infinity mismatch";
      continue;
    }
    double err = std::fabs(a - b);
    *maxError = std::max(*maxError, err);
    if (err > atol + rtol * std::fabs(b) && firstBad.empty()) {
      std::ostringstream os;
      os << "element " << i << " is " << a << ", expected " << b;
      firstBad = os.str();
    }
  }
  return firstBad;
}

std::vector<ConformanceResult> runConformance(const std::string& dir, const ConformanceOptions& options,
                                              const std::function<void(const ConformanceResult&)>& onResult) {
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) throw Error(ErrorCode::kFileNotFound, "not a directory", ErrorLocation{dir, {}, {}, -1});
  Target target = Target::kCpu;
  if (options.backend == "cuda") {
    target = Target::kCuda;
  } else if (options.backend != "cpu") {
    throw Error(ErrorCode::kInvalidArgument, "unknown backend '" + options.backend + "' (cpu or cuda)");
  }
  const bool viaPlan = options.viaPlan || target == Target::kCuda;
  std::vector<fs::path> cases;
  for (const auto& e : fs::directory_iterator(dir)) {
    if (!e.is_directory() || !fs::exists(e.path() / "model.onnx")) continue;
    if (!options.filter.empty() && e.path().filename().string().find(options.filter) == std::string::npos) continue;
    cases.push_back(e.path());
  }
  std::sort(cases.begin(), cases.end());
  std::vector<ConformanceResult> results;
  for (const auto& c : cases) {
    results.push_back(runCase(c, viaPlan, target));
    if (onResult) onResult(results.back());
  }
  return results;
}

}  // namespace kiln
