#pragma once
// The HTTP server's Prometheus series (docs/operations.md, Metrics): requests by method and status
// class, latency, open and refused connections, busy rejections. Registered once per Server.
#include <prometheus/counter.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>

#include <hazmon/core/metrics.hpp>

#include <string>

namespace hazmon::http {

struct ServerMetrics {
  explicit ServerMetrics(core::Metrics& m);

  // One request answered: counted by its method and status class (2xx, 4xx ...).
  void count(const std::string& method, int status);

  prometheus::Family<prometheus::Counter>& requests_family;
  prometheus::Histogram& latency;
  prometheus::Gauge& active_connections;
  prometheus::Counter& rejected_connections;
  prometheus::Counter& rejected_per_address;
  prometheus::Counter& rejected_busy;
};

}  // namespace hazmon::http
