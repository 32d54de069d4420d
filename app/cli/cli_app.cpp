#include "cli/cli_app.h"

#include <iostream>

#include "cli/commands.h"
#include "kiln/errors.h"
#include "kiln/version.h"

namespace kiln::cli {

namespace {
std::string versionText() { return std::string("kiln ") + version() + "\nbackends: " + backendsDescription(); }
}  // namespace

int runCli(int argc, char** argv) {
  CLI::App app{"Kiln: turns ONNX models into fast inference plans for NVIDIA GPUs", "kiln"};
  app.set_version_flag("--version", versionText());
  app.require_subcommand(1);
  std::vector<Command> commands = {addInspectCommand(app), addRunCommand(app), addBuildCommand(app),
                                   addBenchCommand(app), addConformanceCommand(app)};
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    std::string what = e.what();
    std::cerr << "kiln: error: " << what << " (see kiln --help)\n";
    return 1;
  }
  size_t index = 0;
  for (CLI::App* sub : app.get_subcommands({})) {
    if (sub->parsed()) break;
    ++index;
  }
  try {
    return commands.at(index)();
  } catch (const Error& e) {
    std::cerr << "kiln: error: " << e.what() << "\n";
  } catch (const std::exception& e) {
    std::cerr << "kiln: error: " << e.what() << "\n";
  }
  return 1;
}

}  // namespace kiln::cli
