// local_changes(): what a metadata change asks of one node: lead, follow or delete.
#include "controller/local_changes.h"

#include <gtest/gtest.h>

#include <set>
#include <string>
#include <vector>

namespace keel::controller {
namespace {

Uuid id_of(uint8_t b) {
  Uuid u;
  u.bytes.fill(b);
  return u;
}

metadata::MetadataRecord topic(const std::string& name, uint8_t id) {
  metadata::MetadataRecord r;
  r.mutable_topic()->set_name(name);
  r.mutable_topic()->set_topic_id(uuid_to_bytes(id_of(id)));
  return r;
}

metadata::MetadataRecord partition(uint8_t id, int32_t p, std::vector<int32_t> replicas,
                                   int32_t leader) {
  metadata::MetadataRecord r;
  auto* pr = r.mutable_partition();
  pr->set_topic_id(uuid_to_bytes(id_of(id)));
  pr->set_partition_id(p);
  for (int32_t x : replicas) pr->add_replicas(x);
  for (int32_t x : replicas) pr->add_isr(x);
  pr->set_leader(leader);
  return r;
}

metadata::MetadataRecord move(uint8_t id, int32_t p, std::vector<int32_t> replicas,
                              int32_t leader) {
  metadata::MetadataRecord r;
  auto* c = r.mutable_partition_change();
  c->set_topic_id(uuid_to_bytes(id_of(id)));
  c->set_partition_id(p);
  c->set_leader(leader);
  for (int32_t x : replicas) c->add_replicas(x);
  c->set_replicas_set(true);
  for (int32_t x : replicas) c->add_isr(x);
  c->set_isr_set(true);
  return r;
}

metadata::MetadataRecord remove(uint8_t id) {
  metadata::MetadataRecord r;
  r.mutable_remove_topic()->set_topic_id(uuid_to_bytes(id_of(id)));
  return r;
}

struct Step {
  std::shared_ptr<const MetadataImage> image;
  LocalChanges changes;
};

Step step(std::shared_ptr<const MetadataImage> base,
          const std::vector<metadata::MetadataRecord>& rs, int32_t node) {
  MetadataDelta delta(base);
  int64_t offset = base->offset() + 1;
  for (const auto& r : rs) EXPECT_TRUE(delta.replay(r, offset++).ok());
  Step s;
  s.image = delta.apply();
  s.changes = local_changes(delta, *s.image, node);
  return s;
}

std::set<std::string> names(const std::vector<LocalPartition>& v) {
  std::set<std::string> out;
  for (const auto& lp : v)
    out.insert(lp.topic->name + "-" + std::to_string(lp.partition->partition_id));
  return out;
}
std::set<std::string> names(const std::vector<DeletedPartition>& v) {
  std::set<std::string> out;
  for (const auto& d : v) out.insert(d.topic + "-" + std::to_string(d.partition));
  return out;
}

TEST(LocalChangesTest, NewTopicSplitsIntoLeadFollowAndNothingForOtherNodes) {
  auto empty = std::make_shared<const MetadataImage>();
  const std::vector<metadata::MetadataRecord> rs = {topic("t", 1), partition(1, 0, {1, 2}, 1),
                                                    partition(1, 1, {2, 3}, 2),
                                                    partition(1, 2, {3, 1}, 3)};
  Step s = step(empty, rs, 1);
  EXPECT_EQ(names(s.changes.leaders), (std::set<std::string>{"t-0"}));
  EXPECT_EQ(names(s.changes.followers), (std::set<std::string>{"t-2"}));
  EXPECT_TRUE(s.changes.deletes.empty());
  // The start-up form sees the same.
  LocalChanges all = local_changes(*s.image, 1);
  EXPECT_EQ(names(all.leaders), names(s.changes.leaders));
  EXPECT_EQ(names(all.followers), names(s.changes.followers));
  Step other = step(empty, rs, 4);
  EXPECT_TRUE(other.changes.leaders.empty() && other.changes.followers.empty());
}

TEST(LocalChangesTest, LeadershipMovesAndReplicaRemovalDeletes) {
  auto empty = std::make_shared<const MetadataImage>();
  Step a = step(empty, {topic("t", 1), partition(1, 0, {1, 2}, 1), partition(1, 1, {1, 2}, 1)}, 1);
  // Partition 0's leader moves to 2; node 1 leaves partition 1's replicas.
  Step b = step(a.image, {move(1, 0, {1, 2}, 2), move(1, 1, {2, 3}, 2)}, 1);
  EXPECT_TRUE(b.changes.leaders.empty());
  EXPECT_EQ(names(b.changes.followers), (std::set<std::string>{"t-0"}));
  EXPECT_EQ(names(b.changes.deletes), (std::set<std::string>{"t-1"}));
}

TEST(LocalChangesTest, RemovedAndRecreatedTopicsDeleteTheOldIncarnation) {
  auto empty = std::make_shared<const MetadataImage>();
  Step a = step(
      empty, {topic("t", 1), partition(1, 0, {1}, 1), topic("u", 3), partition(3, 0, {2}, 2)}, 1);
  Step b = step(a.image, {remove(1), topic("t", 2), partition(2, 0, {1}, 1), remove(3)}, 1);
  ASSERT_EQ(b.changes.deletes.size(), 1u);  // u-0 was never on node 1
  EXPECT_EQ(b.changes.deletes[0].topic_id, id_of(1));
  ASSERT_EQ(b.changes.leaders.size(), 1u);
  EXPECT_EQ(b.changes.leaders[0].topic->id, id_of(2));
}

}  // namespace
}  // namespace keel::controller
