#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <map>

#include "cli/cli_common.h"
#include "cli/commands.h"
#include "kiln/errors.h"
#include "kiln/npy.h"
#include "kiln/onnx.h"
#include "kiln/reference.h"

namespace kiln::cli {

namespace {

struct RunArgs {
  std::string model;
  std::vector<std::string> inputs;
  std::vector<std::string> shapes;
  std::string outputDir;
  uint64_t seed = 0;
};

int runModel(const RunArgs& a) {
  Network net = importOnnx(a.model);
  std::map<std::string, std::vector<int64_t>> shapes;
  for (const auto& s : a.shapes) {
    auto [name, sizes] = parseShapeArg(s);
    if (!net.findTensor(name) || std::find(net.inputs().begin(), net.inputs().end(), name) == net.inputs().end()) {
      throw Error(ErrorCode::kInvalidArgument, "--shapes names '" + name + "', which is not an input of the model");
    }
    shapes[name] = sizes;
  }
  TensorMap given;
  for (const auto& in : a.inputs) {
    auto [name, file] = splitAssignment(in, "FILE.npy");
    if (std::find(net.inputs().begin(), net.inputs().end(), name) == net.inputs().end()) {
      throw Error(ErrorCode::kInvalidArgument, "--input names '" + name + "', which is not an input of the model");
    }
    given[name] = readNpy(file);
    shapes[name] = given[name].shape();
  }
  TensorMap inputs = makeRandomInputs(net, shapes, a.seed);
  for (auto& [name, t] : given) inputs[name] = std::move(t);
  ReferenceExecutor exec(std::move(net));
  TensorMap outputs = exec.run(inputs);
  if (!a.outputDir.empty()) {
    std::error_code ec;
    std::filesystem::create_directories(a.outputDir, ec);
    if (ec) throw Error(ErrorCode::kIoError, "cannot create " + a.outputDir + ": " + ec.message());
  }
  for (const auto& name : exec.network().outputs()) {
    const HostTensor& t = outputs.at(name);
    std::printf("%-32s %-5s %-16s %s\n", name.c_str(), toString(t.type()), shapeString(t.shape()).c_str(),
                tensorStats(t).c_str());
    if (!a.outputDir.empty()) {
      writeNpy(t, (std::filesystem::path(a.outputDir) / (sanitizeFileName(name) + ".npy")).string());
    }
  }
  return 0;
}

}  // namespace

Command addRunCommand(CLI::App& app) {
  auto* cmd = app.add_subcommand("run", "Run a model on the CPU reference backend");
  auto a = std::make_shared<RunArgs>();
  cmd->add_option("MODEL", a->model, "An .onnx model")->required();
  cmd->add_option("--input", a->inputs, "NAME=FILE.npy (repeatable); other inputs get seeded random data");
  cmd->add_option("--shapes", a->shapes, "NAME=1x3x224x224 (repeatable): sizes for symbolic input dims");
  cmd->add_option("--output-dir", a->outputDir, "Write each output as DIR/<name>.npy");
  cmd->add_option("--seed", a->seed, "Seed of the random inputs")->default_val(0);
  return [a]() { return runModel(*a); };
}

}  // namespace kiln::cli
