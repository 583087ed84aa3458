#include "tests/sim/controller_checker.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "tests/sim/image_dump.h"

namespace keel::sim {

using controller::MetadataImage;
using controller::uuid_to_bytes;
using controller::uuid_to_string;

void ControllerChecker::on_create_acked(const std::string& name, const controller::Uuid& id,
                                        int64_t applied) {
  for (const AckedCreate& a : acked_) {
    if (a.id.bytes == id.bytes) {
      return fail("topic-id-unique",
                  absl::StrCat("creates of ", a.name, " and ", name, " were both answered with id ",
                               uuid_to_string(id)));
    }
  }
  // The acknowledging node applied everything below `applied`: the record is just below.
  const std::string id_bytes = uuid_to_bytes(id);
  for (auto it = committed_->lower_bound(applied); it != committed_->begin();) {
    --it;
    keel::metadata::MetadataRecord r;
    if (r.ParseFromString(it->second) && r.has_topic() && r.topic().topic_id() == id_bytes) {
      if (r.topic().name() != name) break;
      acked_.push_back(AckedCreate{name, id, it->first});
      ++generation_;
      return;
    }
  }
  fail("acked-create-durable",
       absl::StrCat("create of ", name, " was answered OK with id ", uuid_to_string(id),
                    " but no such topic record committed below offset ", applied));
  return;
}

size_t ControllerChecker::on_delete_submitted(const std::string& name, int64_t log_end) {
  deletes_.push_back(DeleteSubmission{name, log_end});
  return deletes_.size() - 1;
}

void ControllerChecker::on_image(int32_t node, int64_t applied, const MetadataImage& image) {
  // The specific checks first: their message names the cause better than a differing dump.
  check_topics(node, image);
  check_acked_creates(node, applied, image);
  if (checker_->violation()) return;
  std::string dump = dump_image(image);
  auto [it, inserted] = dump_at_.emplace(applied, std::make_pair(node, dump));
  if (!inserted) {
    if (it->second.second != dump) {
      return fail("image-agreement",
                  absl::StrCat("nodes ", it->second.first, " and ", node,
                               " applied through offset ", applied, " but their images differ:\n",
                               it->second.second, "---- vs ----\n", dump));
    }
    if (it->second.first != node) ++coverage_->image_agreements;
  }
}

void ControllerChecker::check_acked_creates(int32_t node, int64_t applied,
                                            const MetadataImage& image) {
  for (const AckedCreate& a : acked_) {
    if (applied <= a.committed_at) continue;
    // A delete of the name submitted at or below this offset may have removed it since.
    const bool maybe_deleted = std::any_of(deletes_.begin(), deletes_.end(), [&](const auto& d) {
      return d.may_commit && d.name == a.name && d.log_end <= applied;
    });
    if (maybe_deleted) continue;
    const controller::TopicImage* t = image.topic(a.id);
    if (t == nullptr || t->name != a.name) {
      return fail("acked-create-durable",
                  absl::StrCat("node ", node, " applied through ", applied, " lacks topic ", a.name,
                               " (", uuid_to_string(a.id), ") whose create committed at offset ",
                               a.committed_at));
    }
  }
}

void ControllerChecker::check_topics(int32_t node, const MetadataImage& image) {
  auto& epochs = epochs_[node];
  for (const auto& [name, t] : image.topics()) {
    const std::string id = uuid_to_bytes(t->id);
    auto [it, inserted] = name_of_id_.emplace(id, name);
    if (!inserted && it->second != name) {
      return fail("topic-id-unique", absl::StrCat("node ", node, " has topic ", name, " with id ",
                                                  uuid_to_string(t->id), " of topic ", it->second));
    }
    for (const auto& [pid, p] : t->partitions) {
      auto [e, fresh] = epochs.emplace(std::make_pair(id, pid), p.leader_epoch);
      if (!fresh) {
        if (p.leader_epoch < e->second) {
          return fail("leader-epoch-monotonic",
                      absl::StrCat("node ", node, " partition ", name, "-", pid,
                                   " leader epoch fell from ", e->second, " to ", p.leader_epoch));
        }
        if (p.leader_epoch > e->second) ++coverage_->leader_epoch_bumps;
        e->second = p.leader_epoch;
      }
      std::vector<int32_t> named = p.replicas;
      named.insert(named.end(), p.isr.begin(), p.isr.end());
      if (p.leader != -1) named.push_back(p.leader);
      for (int32_t b : named) {
        if (image.broker(b) == nullptr) {
          return fail("replica-registered",
                      absl::StrCat("node ", node, " partition ", name, "-", pid, " names broker ",
                                   b, ", which is not registered"));
        }
      }
    }
  }
}

void ControllerChecker::check_replay(int32_t node, int64_t applied, const MetadataImage& image,
                                     const std::vector<std::pair<int64_t, std::string>>& records) {
  ++coverage_->replay_checks;
  const std::string fresh = dump_image(*replay_records(kSimClusterId, records));
  const std::string have = dump_image(image);
  if (fresh != have) {
    fail("replay-equals-state",
         absl::StrCat("node ", node, " image through offset ", applied,
                      " differs from a fresh replay of its ", records.size(),
                      " committed records:\n", have, "---- replay ----\n", fresh));
  }
}

}  // namespace keel::sim
