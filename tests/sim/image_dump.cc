#include "tests/sim/image_dump.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace keel::sim {

using controller::MetadataImage;

std::string dump_image(const MetadataImage& image) {
  std::string out = absl::StrCat("cluster ", image.cluster_id(), "\n");
  for (const auto& [id, b] : image.brokers()) {
    absl::StrAppend(&out, "broker ", id, " epoch ", b.broker_epoch, " fenced ", b.fenced,
                    " shutdown ", b.in_controlled_shutdown, " rack '", b.rack, "'");
    for (const auto& e : b.endpoints) {
      absl::StrAppend(&out, " ", e.listener_name(), "://", e.host(), ":", e.port());
    }
    out += "\n";
  }
  for (const auto& [name, t] : image.topics()) {
    absl::StrAppend(&out, "topic ", name, " id ", controller::uuid_to_string(t->id), "\n");
    for (const auto& [pid, p] : t->partitions) {
      absl::StrAppend(&out, "  p", pid, " id ", p.partition_id, " replicas [",
                      absl::StrJoin(p.replicas, ","), "] isr [", absl::StrJoin(p.isr, ","),
                      "] leader ", p.leader, " leader_epoch ", p.leader_epoch, " partition_epoch ",
                      p.partition_epoch, "\n");
    }
    for (const auto& [k, v] : t->configs) absl::StrAppend(&out, "  config ", k, "=", v, "\n");
  }
  for (const auto& [resource, configs] : image.broker_configs()) {
    for (const auto& [k, v] : configs) {
      absl::StrAppend(&out, "broker_config '", resource, "' ", k, "=", v, "\n");
    }
  }
  return out;
}

std::shared_ptr<const MetadataImage> replay_records(
    const std::string& cluster_id, const std::vector<std::pair<int64_t, std::string>>& records) {
  controller::MetadataDelta delta(std::make_shared<const MetadataImage>());
  delta.set_cluster_id(cluster_id);
  for (const auto& [offset, payload] : records) {
    keel::metadata::MetadataRecord record;
    if (!record.ParseFromString(payload)) continue;
    (void)delta.replay(record, offset);  // a failed replay leaves the delta as it was
  }
  return delta.apply();
}

}  // namespace keel::sim
