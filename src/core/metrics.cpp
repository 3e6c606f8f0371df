#include <hazmon/core/metrics.hpp>

#include <prometheus/registry.h>
#include <prometheus/text_serializer.h>
#include <hazmon/core/error.hpp>

namespace hazmon::core {

Metrics::Metrics() : registry_(std::make_shared<prometheus::Registry>()) {}

std::string Metrics::serialize() const {
  auto families = registry_->Collect();
  // HAZMON_BUG sites are process-wide statics, not in any one registry: every registry shows them.
  prometheus::MetricFamily bugs;
  bugs.name = "hazmon_bugs_total";
  bugs.help = "HAZMON_BUG checks that failed, by source location (docs/errors.md)";
  bugs.type = prometheus::MetricType::Counter;
  for (const auto& b : bug_counts()) {
    prometheus::ClientMetric m;
    m.label.push_back({"where", b.where});
    m.counter.value = static_cast<double>(b.count);
    bugs.metric.push_back(std::move(m));
  }
  families.push_back(std::move(bugs));
  prometheus::TextSerializer s;
  return s.Serialize(families);
}

}  // namespace hazmon::core
