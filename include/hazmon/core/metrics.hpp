#pragma once
// Prometheus registry shared by every module; /metrics serialises it.
#include <memory>
#include <string>

namespace prometheus {
class Registry;
}

namespace hazmon::core {

class Metrics {
 public:
  Metrics();
  prometheus::Registry& registry() { return *registry_; }
  std::string serialize() const;  // Prometheus text exposition format 0.0.4

 private:
  std::shared_ptr<prometheus::Registry> registry_;
};

}  // namespace hazmon::core
