#include "controller/raft/quorum_state.h"

#include <span>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "protocol/error_code.h"
#include "protocol/records/crc32c.h"
#include "protocol/status.h"

namespace keel::controller::raft {
namespace {

uint32_t crc_of(std::string_view text) {
  return protocol::crc32c(
      std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(text.data()), text.size()));
}

absl::Status bad(std::string_view why) {
  return protocol::kafka_error(protocol::ErrorCode::kKafkaStorageError,
                               absl::StrCat("bad quorum-state file: ", std::string(why)),
                               absl::StatusCode::kDataLoss);
}

}  // namespace

std::string encode_quorum_state(const QuorumStateData& data) {
  std::string body =
      absl::StrCat("version 0\nepoch ", data.epoch, "\nvoted_for ", data.voted_for, "\nleader_id ",
                   data.leader_id, "\nvoters ", absl::StrJoin(data.voters, ","), "\n");
  return absl::StrCat(body, "crc ", crc_of(body), "\n");
}

absl::StatusOr<QuorumStateData> decode_quorum_state(std::string_view text) {
  const size_t crc_at = text.rfind("crc ");
  if (crc_at == std::string_view::npos) return bad("no checksum");
  uint32_t crc = 0;
  std::string_view crc_text = text.substr(crc_at + 4);
  if (!crc_text.empty() && crc_text.back() == '\n') crc_text.remove_suffix(1);
  if (!absl::SimpleAtoi(absl::string_view(crc_text.data(), crc_text.size()), &crc) ||
      crc != crc_of(text.substr(0, crc_at))) {
    return bad("checksum mismatch");
  }
  QuorumStateData data;
  int seen = 0;
  for (absl::string_view line :
       absl::StrSplit(absl::string_view(text.data(), crc_at), '\n', absl::SkipEmpty())) {
    std::pair<absl::string_view, absl::string_view> kv = absl::StrSplit(line, ' ');
    if (kv.first == "version") {
      if (kv.second != "0") return bad("unknown version");
    } else if (kv.first == "epoch") {
      if (!absl::SimpleAtoi(kv.second, &data.epoch) || data.epoch < 0) return bad("epoch");
      ++seen;
    } else if (kv.first == "voted_for") {
      if (!absl::SimpleAtoi(kv.second, &data.voted_for)) return bad("voted_for");
      ++seen;
    } else if (kv.first == "leader_id") {
      if (!absl::SimpleAtoi(kv.second, &data.leader_id)) return bad("leader_id");
      ++seen;
    } else if (kv.first == "voters") {
      for (absl::string_view id : absl::StrSplit(kv.second, ',', absl::SkipEmpty())) {
        int32_t voter = 0;
        if (!absl::SimpleAtoi(id, &voter)) return bad("voters");
        data.voters.push_back(voter);
      }
      ++seen;
    }
  }
  if (seen != 4) return bad("missing fields");
  return data;
}

absl::StatusOr<std::optional<QuorumStateData>> QuorumStateStore::load() {
  if (!env_->exists(path_)) return std::optional<QuorumStateData>();
  KEEL_ASSIGN_OR_RETURN(std::string text, env_->read_file(path_));
  KEEL_ASSIGN_OR_RETURN(QuorumStateData data, decode_quorum_state(text));
  return std::optional<QuorumStateData>(std::move(data));
}

absl::Status QuorumStateStore::store(const QuorumStateData& data) {
  return env_->write_file_atomically(path_, encode_quorum_state(data));
}

}  // namespace keel::controller::raft
