// The `kiln` subcommands. Each registers its options on a CLI11 app and
// returns the function that runs it.
#pragma once

#include <functional>

#include <CLI/CLI.hpp>

namespace kiln::cli {

/// Runs a parsed command; returns the process exit code.
using Command = std::function<int()>;

Command addInspectCommand(CLI::App& app);
Command addRunCommand(CLI::App& app);
Command addConformanceCommand(CLI::App& app);
Command addBuildCommand(CLI::App& app);
Command addBenchCommand(CLI::App& app);

}  // namespace kiln::cli
