#pragma once
// A point machine's whole state as rules_point_state holds it (JSON text; times in epoch
// milliseconds), and back (node.cluster, ADR 0028). decode throws on text it cannot read.
#include <string>

#include <hazmon/rules/point_machine.hpp>

namespace hazmon::service {

std::string encode_machine_state(const rules::MachineState& st);
rules::MachineState decode_machine_state(const std::string& text);

}  // namespace hazmon::service
