#pragma once
#include <string>
#include <vector>

namespace hazmon::app {

using Args = std::vector<std::string>;

int cmd_serve(const Args& args);
int cmd_check_config(const Args& args);
int cmd_migrate(const Args& args);
int cmd_import_roster(const Args& args);
int cmd_user(const Args& args);
int cmd_pg(const Args& args);
int cmd_federation(const Args& args);

// "--name value" from args, or `def`.
std::string option(const Args& args, const std::string& name, const std::string& def = {});
bool flag(const Args& args, const std::string& name);

}  // namespace hazmon::app
