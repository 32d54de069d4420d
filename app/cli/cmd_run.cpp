#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <map>

#include "cli/cli_common.h"
#include "cli/commands.h"
#include "cli/engine_loading.h"
#include "kiln/errors.h"
#include "kiln/npy.h"
#include "kiln/onnx.h"
#include "kiln/reference.h"
#include "kiln/runtime.h"

namespace kiln::cli {

namespace {

struct RunArgs {
  std::string model;
  std::vector<std::string> inputs;
  std::vector<std::string> shapes;
  std::string outputDir;
  uint64_t seed = 0;
};

// The graph inputs of a plan's engine as a Network, for makeRandomInputs.
Network engineInputs(const Engine& engine, const std::map<std::string, std::vector<int64_t>>& shapes) {
  Network io;
  for (const auto& name : engine.inputNames()) {
    auto it = shapes.find(name);
    io.addInput(name, engine.tensorType(name), Dims::of(it != shapes.end() ? it->second : engine.profileShapes(name, 0).opt));
  }
  return io;
}

void printOutputs(const std::vector<std::string>& names, TensorMap& outputs, const std::string& outputDir) {
  if (!outputDir.empty()) {
    std::error_code ec;
    std::filesystem::create_directories(outputDir, ec);
    if (ec) throw Error(ErrorCode::kIoError, "cannot create " + outputDir + ": " + ec.message());
  }
  for (const auto& name : names) {
    const HostTensor& t = outputs.at(name);
    std::printf("%-32s %-5s %-16s %s\n", name.c_str(), toString(t.type()), shapeString(t.shape()).c_str(),
                tensorStats(t).c_str());
    if (!outputDir.empty()) {
      writeNpy(t, (std::filesystem::path(outputDir) / (sanitizeFileName(name) + ".npy")).string());
    }
  }
}

std::pair<std::string, std::vector<int64_t>> checkedShape(const std::string& arg, const std::vector<std::string>& inputs) {
  auto parsed = parseShapeArg(arg);
  if (std::find(inputs.begin(), inputs.end(), parsed.first) == inputs.end()) {
    throw Error(ErrorCode::kInvalidArgument, "--shapes names '" + parsed.first + "', which is not an input of the model");
  }
  return parsed;
}

TensorMap readInputs(const std::vector<std::string>& args, const std::vector<std::string>& inputs,
                     std::map<std::string, std::vector<int64_t>>& shapes) {
  TensorMap given;
  for (const auto& in : args) {
    auto [name, file] = splitAssignment(in, "FILE.npy");
    if (std::find(inputs.begin(), inputs.end(), name) == inputs.end()) {
      throw Error(ErrorCode::kInvalidArgument, "--input names '" + name + "', which is not an input of the model");
    }
    given[name] = readNpy(file);
    shapes[name] = given[name].shape();
  }
  return given;
}

int runPlan(const RunArgs& a) {
  auto engine = Runtime::loadFile(a.model);
  std::map<std::string, std::vector<int64_t>> shapes;
  for (const auto& s : a.shapes) shapes.insert(checkedShape(s, engine->inputNames()));
  TensorMap given = readInputs(a.inputs, engine->inputNames(), shapes);
  TensorMap inputs = makeRandomInputs(engineInputs(*engine, shapes), shapes, a.seed);
  for (auto& [name, t] : given) inputs[name] = std::move(t);
  TensorMap outputs = engine->createExecutionContext()->execute(inputs);
  printOutputs(engine->outputNames(), outputs, a.outputDir);
  return 0;
}

int runModel(const RunArgs& a) {
  if (isPlanFile(a.model)) return runPlan(a);
  Network net = importOnnx(a.model);
  std::map<std::string, std::vector<int64_t>> shapes;
  for (const auto& s : a.shapes) shapes.insert(checkedShape(s, net.inputs()));
  TensorMap given = readInputs(a.inputs, net.inputs(), shapes);
  TensorMap inputs = makeRandomInputs(net, shapes, a.seed);
  for (auto& [name, t] : given) inputs[name] = std::move(t);
  ReferenceExecutor exec(std::move(net));
  TensorMap outputs = exec.run(inputs);
  printOutputs(exec.network().outputs(), outputs, a.outputDir);
  return 0;
}

}  // namespace

Command addRunCommand(CLI::App& app) {
  auto* cmd = app.add_subcommand("run", "Run a plan, or a model on the CPU reference backend");
  auto a = std::make_shared<RunArgs>();
  cmd->add_option("MODEL", a->model, "An .onnx model or a .plan")->required();
  cmd->add_option("--input", a->inputs, "NAME=FILE.npy (repeatable); other inputs get seeded random data");
  cmd->add_option("--shapes", a->shapes, "NAME=1x3x224x224 (repeatable): sizes for symbolic input dims");
  cmd->add_option("--output-dir", a->outputDir, "Write each output as DIR/<name>.npy");
  cmd->add_option("--seed", a->seed, "Seed of the random inputs")->default_val(0);
  return [a]() { return runModel(*a); };
}

}  // namespace kiln::cli
