// `serve --config FILE`: every flag of serve is also a key of a TOML or INI file. Debian's CLI11
// (2.1) reads config files only for the top-level command, never for a subcommand, so the file is
// read here instead: its keys become flags placed before the command line's own, and a flag given
// on the command line wins over the same key in the file.
#pragma once

#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "lib/result.h"

namespace chatctl::cmd {

// `args` is argv without the program name. When they run `subcommand` with `--config FILE`, returns
// them with the file's keys spliced in after the subcommand's name; otherwise returns them as they
// are. Fails on a file that cannot be read or parsed, and on a key `subcommand` has no flag for.
Result<std::vector<std::string>> ApplyConfigFile(const std::vector<std::string>& args,
                                                 const CLI::App& subcommand);

}  // namespace chatctl::cmd
