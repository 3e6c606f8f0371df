#include "server_metrics.hpp"

#include <prometheus/registry.h>

namespace hazmon::http {

ServerMetrics::ServerMetrics(core::Metrics& m)
    : requests_family(prometheus::BuildCounter()
                          .Name("hazmon_http_requests_total")
                          .Help("HTTP requests by method and status class")
                          .Register(m.registry())),
      latency(
          prometheus::BuildHistogram()
              .Name("hazmon_http_request_duration_seconds")
              .Help("Time from a complete request to its response being written")
              .Register(m.registry())
              .Add({}, prometheus::Histogram::BucketBoundaries{0.001, 0.0025, 0.005, 0.01, 0.025,
                                                               0.05, 0.1, 0.25, 0.5, 1, 2.5, 5})),
      active_connections(prometheus::BuildGauge()
                             .Name("hazmon_http_connections_active")
                             .Help("Open client connections")
                             .Register(m.registry())
                             .Add({})),
      rejected_connections(
          prometheus::BuildCounter()
              .Name("hazmon_http_connections_rejected_total")
              .Help("Connections closed at once because max_connections was reached")
              .Register(m.registry())
              .Add({})),
      rejected_per_address(prometheus::BuildCounter()
                               .Name("hazmon_http_connections_rejected_per_address_total")
                               .Help("Connections closed at once because their address had "
                                     "max_connections_per_address open")
                               .Register(m.registry())
                               .Add({})),
      rejected_busy(prometheus::BuildCounter()
                        .Name("hazmon_http_busy_rejections_total")
                        .Help("Requests answered 503 because the worker queue was full")
                        .Register(m.registry())
                        .Add({})) {}

void ServerMetrics::count(const std::string& method, int status) {
  std::string cls = std::to_string(status / 100) + "xx";
  requests_family.Add({{"method", method}, {"status", cls}}).Increment();
}

}  // namespace hazmon::http
