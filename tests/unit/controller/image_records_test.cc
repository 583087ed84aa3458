// image_records(): an image written as records and replayed into an empty image is equal to
// it (the content of a metadata snapshot).
#include "controller/image_records.h"

#include <gtest/gtest.h>

#include "controller/control/cluster_control.h"
#include "controller/control/config_control.h"
#include "controller/control/topic_control.h"
#include "storage/random.h"

namespace keel::controller {
namespace {

std::shared_ptr<const MetadataImage> replayed(std::shared_ptr<const MetadataImage> base,
                                              const std::vector<metadata::MetadataRecord>& rs) {
  MetadataDelta delta(base);
  int64_t offset = base->offset() + 1;
  for (const auto& r : rs) EXPECT_TRUE(delta.replay(r, offset++).ok()) << r.DebugString();
  return delta.apply();
}

void expect_equal(const MetadataImage& a, const MetadataImage& b) {
  ASSERT_EQ(a.brokers().size(), b.brokers().size());
  for (const auto& [id, x] : a.brokers()) {
    const BrokerImage* y = b.broker(id);
    ASSERT_NE(y, nullptr);
    EXPECT_EQ(x.broker_epoch, y->broker_epoch);
    EXPECT_EQ(x.fenced, y->fenced);
    EXPECT_EQ(x.in_controlled_shutdown, y->in_controlled_shutdown);
    EXPECT_EQ(x.rack, y->rack);
    EXPECT_EQ(x.endpoints.size(), y->endpoints.size());
  }
  ASSERT_EQ(a.topics().size(), b.topics().size());
  for (const auto& [name, t] : a.topics()) {
    const TopicImage* u = b.topic(name);
    ASSERT_NE(u, nullptr);
    EXPECT_EQ(t->id, u->id);
    EXPECT_EQ(t->configs, u->configs);
    EXPECT_EQ(t->partitions, u->partitions);
  }
  EXPECT_EQ(a.broker_configs(), b.broker_configs());
}

TEST(ImageRecordsTest, ReplayingTheRecordsOfAnImageRebuildsIt) {
  auto image = std::make_shared<const MetadataImage>();
  for (int id = 1; id <= 3; ++id) {
    metadata::Endpoint e;
    e.set_listener_name("PLAINTEXT");
    e.set_host("127.0.0.1");
    e.set_port(9091 + id);
    image = replayed(image, register_fenced_broker(*image, {id, {e}, "r" + std::to_string(id)},
                                                   image->offset() + 1)
                                .records);
  }
  for (int id = 1; id <= 3; ++id) {
    const int64_t epoch = image->broker(id)->broker_epoch;
    image = replayed(image,
                     broker_heartbeat(*image, {id, epoch, image->offset(), false, false}).records);
  }
  storage::SeededRandom random(3);
  ControlSettings s;
  s.random = &random;
  image = replayed(
      image, create_topics(*image, s,
                           {{"a", 4, 3, {}, {{"retention.ms", "7"}}}, {"b", 2, 2, {}, {}}}, false)
                 .records);
  image = replayed(image, fence_broker(*image, 2).records);  // leader epochs move
  image = replayed(image, broker_heartbeat(*image, {3, image->broker(3)->broker_epoch,
                                                    image->offset(), false, true})
                              .records);  // 3 in controlled shutdown
  image = replayed(image, alter_configs(*image, s, {metadata::CONFIG_RESOURCE_BROKER, ""},
                                        {{"log.retention.ms", ConfigOp::kSet, "5"}}, false, false)
                              .records);
  auto rebuilt = replayed(std::make_shared<const MetadataImage>(), image_records(*image));
  expect_equal(*image, *rebuilt);
  EXPECT_TRUE(rebuilt->broker(3)->in_controlled_shutdown);
  EXPECT_TRUE(rebuilt->broker(2)->fenced);
}

}  // namespace
}  // namespace keel::controller
