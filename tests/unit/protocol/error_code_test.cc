#include "protocol/error_code.h"

#include <gtest/gtest.h>

namespace keel::protocol {
namespace {

TEST(ErrorCode, CarriedInsideStatus) {
  absl::Status s = kafka_error(ErrorCode::kCorruptMessage, "bad crc");
  EXPECT_FALSE(s.ok());
  EXPECT_EQ(s.code(), absl::StatusCode::kDataLoss);
  EXPECT_EQ(kafka_error_of(s), ErrorCode::kCorruptMessage);
  EXPECT_EQ(to_error_code(s), ErrorCode::kCorruptMessage);
  EXPECT_EQ(s.message(), "bad crc");
}

TEST(ErrorCode, PlainStatusesMapToUnknownAndOkToNone) {
  EXPECT_EQ(to_error_code(absl::InternalError("x")), ErrorCode::kUnknownServerError);
  EXPECT_EQ(kafka_error_of(absl::InternalError("x")), std::nullopt);
  EXPECT_EQ(to_error_code(absl::OkStatus()), ErrorCode::kNone);
  EXPECT_TRUE(kafka_error(ErrorCode::kNone, "ignored").ok());
}

TEST(ErrorCode, NamesAsKafkaSpellsThem) {
  EXPECT_EQ(error_name(ErrorCode::kUnsupportedVersion), "UNSUPPORTED_VERSION");
  EXPECT_EQ(error_name(ErrorCode::kNotLeaderOrFollower), "NOT_LEADER_OR_FOLLOWER");
  EXPECT_EQ(error_name(ErrorCode::kUnknownServerError), "UNKNOWN_SERVER_ERROR");
  EXPECT_EQ(error_name(static_cast<ErrorCode>(5000)), "UNKNOWN");
}

}  // namespace
}  // namespace keel::protocol
