#include "cli/cli_app.h"

int main(int argc, char** argv) { return kiln::cli::runCli(argc, argv); }
