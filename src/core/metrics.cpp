#include <hazmon/core/metrics.hpp>

#include <prometheus/registry.h>
#include <prometheus/text_serializer.h>

namespace hazmon::core {

Metrics::Metrics() : registry_(std::make_shared<prometheus::Registry>()) {}

std::string Metrics::serialize() const {
  prometheus::TextSerializer s;
  return s.Serialize(registry_->Collect());
}

}  // namespace hazmon::core
