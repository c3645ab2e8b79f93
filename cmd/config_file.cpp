#include "cmd/config_file.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>

namespace chatctl::cmd {
namespace {

constexpr const char* kConfigFlag = "--config";

bool GivenOnCommandLine(const std::vector<std::string>& args, std::size_t from,
                        const std::string& flag) {
  return std::any_of(
      args.begin() + static_cast<std::ptrdiff_t>(from), args.end(),
      [&](const std::string& arg) { return arg == flag || arg.rfind(flag + "=", 0) == 0; });
}

bool IsTrue(const std::string& value) {
  return value == "true" || value == "1" || value == "yes" || value == "on";
}

}  // namespace

Result<std::vector<std::string>> ApplyConfigFile(const std::vector<std::string>& args,
                                                 const CLI::App& subcommand) {
  // The subcommand is the first word that is not a flag: the top level takes no values.
  auto name = std::find_if(args.begin(), args.end(),
                           [](const std::string& arg) { return arg.rfind('-', 0) != 0; });
  if (name == args.end() || *name != subcommand.get_name()) return args;
  auto after = static_cast<std::size_t>(name - args.begin()) + 1;

  std::string path;
  for (std::size_t i = after; i < args.size(); ++i) {
    if (args[i] == kConfigFlag && i + 1 < args.size()) path = args[i + 1];
    if (args[i].rfind(std::string(kConfigFlag) + "=", 0) == 0) {
      path = args[i].substr(std::strlen(kConfigFlag) + 1);
    }
  }
  // Help is help, whatever the file holds or whether it is there.
  if (path.empty() || GivenOnCommandLine(args, after, "--help") ||
      GivenOnCommandLine(args, after, "-h")) {
    return args;
  }

  std::ifstream in(path);
  if (!in) {
    return Error{"bad_request", "cannot read config file " + path + ": " + std::strerror(errno)};
  }
  std::vector<CLI::ConfigItem> items;
  try {
    items = CLI::ConfigTOML().from_config(in);
  } catch (const std::exception& e) {
    return Error{"bad_request", "cannot parse config file " + path + ": " + e.what()};
  }

  std::vector<std::string> spliced;
  for (const auto& item : items) {
    // "++" and "--" mark where a [section] opens and closes.
    if (item.name == "++" || item.name == "--") continue;
    bool ours = item.parents.empty() ||
                (item.parents.size() == 1 && item.parents[0] == subcommand.get_name());
    if (!ours) continue;
    std::string flag = "--" + item.name;
    const CLI::Option* option = subcommand.get_option_no_throw(flag);
    if (option == nullptr || flag == kConfigFlag) {
      return Error{"bad_request", "config file " + path + ": unknown key '" + item.name + "'"};
    }
    if (GivenOnCommandLine(args, after, flag)) continue;
    if (option->get_expected_min() == 0) {  // a flag: key = true / false
      if (item.inputs.size() == 1 && IsTrue(item.inputs[0])) spliced.push_back(flag);
      continue;
    }
    for (const auto& value : item.inputs) {
      spliced.push_back(flag);
      spliced.push_back(value);
    }
  }
  std::vector<std::string> result(args.begin(), args.begin() + static_cast<std::ptrdiff_t>(after));
  result.insert(result.end(), spliced.begin(), spliced.end());
  result.insert(result.end(), args.begin() + static_cast<std::ptrdiff_t>(after), args.end());
  return result;
}

}  // namespace chatctl::cmd
