#include "bench/loadgen/run_result.h"

#include <cstdio>

#include "bench/loadgen/json.h"

namespace keel::bench {

namespace {

double ms(int64_t ns) { return static_cast<double>(ns) / 1e6; }

JsonObject latency_json(const Histogram& h) {
  JsonObject o;
  o.add("count", h.count())
      .add("p50", ms(h.quantile(0.50)))
      .add("p90", ms(h.quantile(0.90)))
      .add("p99", ms(h.quantile(0.99)))
      .add("p999", ms(h.quantile(0.999)))
      .add("max", ms(h.max()))
      .add("mean", h.mean() / 1e6);
  return o;
}

void print_latency(const char* what, const Histogram& h) {
  std::printf(
      "  %-9s latency ms: p50 %.3f  p90 %.3f  p99 %.3f  p99.9 %.3f  max %.3f  (%lld samples)\n",
      what, ms(h.quantile(0.50)), ms(h.quantile(0.90)), ms(h.quantile(0.99)), ms(h.quantile(0.999)),
      ms(h.max()), static_cast<long long>(h.count()));
}

}  // namespace

int report(const RunResult& r) {
  const Options& o = r.opts;
  const double msgs_per_s = r.seconds > 0 ? static_cast<double>(r.ok) / r.seconds : 0;
  const double mb_per_s = r.seconds > 0 ? static_cast<double>(r.bytes) / r.seconds / 1e6 : 0;

  if (!o.quiet) {
    std::printf("%s %s: %lld msgs in %.3f s = %.0f msgs/s, %.1f MB/s", mode_name(o.mode),
                o.topic.c_str(), static_cast<long long>(r.ok), r.seconds, msgs_per_s, mb_per_s);
    if (r.failed > 0) std::printf(", %lld failed", static_cast<long long>(r.failed));
    std::printf("\n");
    if (!r.latency_kind.empty()) print_latency(r.latency_kind.c_str(), r.latency);
    if (r.ack_latency.count() > 0) print_latency("ack", r.ack_latency);
    if (r.has_cpu) {
      std::printf("  cpu over %.2f s: loadgen %.0f%%", r.cpu.window_s, r.cpu.client_pct);
      if (r.cpu.broker_measured) {
        std::printf(", broker %.0f%% (%.0f ns/msg)", r.cpu.broker_pct,
                    r.ok > 0 ? r.cpu.broker_cpu_s * 1e9 / static_cast<double>(r.ok) : 0.0);
      }
      std::printf(", cores busy");
      for (double c : r.cpu.cores_busy_pct) std::printf(" %.0f%%", c);
      std::printf("\n");
    }
    for (const std::string& note : r.notes) std::printf("  note: %s\n", note.c_str());
    if (!r.error.empty()) std::printf("  ERROR: %s\n", r.error.c_str());
  }

  JsonObject j;
  j.add("mode", mode_name(o.mode))
      .add("topic", o.topic)
      .add("bootstrap", o.bootstrap)
      .add("size", o.size)
      .add("partitions", r.partitions)
      .add("acks", o.acks)
      .add("linger_ms", o.linger_ms)
      .add("batch_size", o.batch_size)
      .add("compression", o.compression)
      .add("rate", o.rate)
      .add("duration_s", o.duration_s)
      .add("sent", r.sent)
      .add("ok", r.ok)
      .add("failed", r.failed)
      .add("bytes", r.bytes)
      .add("seconds", r.seconds)
      .add("msgs_per_s", msgs_per_s)
      .add("mb_per_s", mb_per_s)
      .add("latency_kind", r.latency_kind);
  if (!r.latency_kind.empty()) {
    j.add("lat_ms", latency_json(r.latency));
  } else {
    j.add_null("lat_ms");
  }
  if (r.ack_latency.count() > 0) j.add("ack_lat_ms", latency_json(r.ack_latency));
  if (r.has_cpu) {
    JsonObject c;
    const double per_msg = r.ok > 0 ? 1e9 / static_cast<double>(r.ok) : 0.0;
    c.add("window_s", r.cpu.window_s);
    if (r.cpu.broker_measured) {
      c.add("broker_cpu_s", r.cpu.broker_cpu_s)
          .add("broker_pct", r.cpu.broker_pct)
          .add("broker_ns_per_msg", r.cpu.broker_cpu_s * per_msg);
    } else {
      c.add_null("broker_cpu_s").add_null("broker_pct").add_null("broker_ns_per_msg");
    }
    c.add("client_cpu_s", r.cpu.client_cpu_s)
        .add("client_pct", r.cpu.client_pct)
        .add("client_ns_per_msg", r.cpu.client_cpu_s * per_msg)
        .add("cores_busy_pct", r.cpu.cores_busy_pct);
    j.add("cpu", c);
  } else {
    j.add_null("cpu");
  }
  if (r.error.empty()) {
    j.add_null("error");
  } else {
    j.add("error", r.error);
  }
  std::printf("RESULT %s\n", j.str().c_str());
  std::fflush(stdout);
  return r.error.empty() ? 0 : 1;
}

}  // namespace keel::bench
