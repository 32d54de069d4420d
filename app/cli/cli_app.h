// The `kiln` command line. Every command returns 0 on success and 1 with a
// one-line error on bad input or bad arguments.
#pragma once

namespace kiln::cli {

/// Parses the arguments and runs the command they name.
int runCli(int argc, char** argv);

}  // namespace kiln::cli
