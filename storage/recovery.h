// File: storage/recovery.h
// What Log::open is told about the previous shutdown, and what it reports back.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace keel::storage {

struct RecoveryOptions {
  // True when the log dir's clean-shutdown marker was present: the indexes and the end of the
  // active segment are trusted after a sanity check (cost independent of the log size).
  bool clean_shutdown = false;
  // From recovery-point-offset-checkpoint: every batch below it is known to be on disk, so an
  // unclean open rescans only the segments from the one holding it. -1 = unknown (full scan
  // after an unclean stop).
  int64_t recovery_point = -1;
  // From log-start-offset-checkpoint (DeleteRecords may have moved it inside the first
  // segment); -1 = the first segment's base offset.
  int64_t log_start_offset = -1;
  // From replication-offset-checkpoint; -1 = unknown (the log start offset).
  int64_t high_watermark = -1;
  // Receives one line per recovery event (what was rescanned, truncated, rebuilt). May be
  // empty. Called on the opening thread, during open() only.
  std::function<void(std::string_view)> log;
};

// One thing recovery did to one segment.
struct SegmentRecoveryEvent {
  int64_t base_offset = 0;
  std::string action;  // "rescanned", "truncated", "deleted", "index rebuilt", ...
  std::string reason;  // why (e.g. "crc mismatch at position 4242")
};

struct RecoveryReport {
  bool clean = false;             // opened trusting the clean-shutdown marker
  int segments_rescanned = 0;     // segments whose batches were read and CRC-checked
  int indexes_rebuilt = 0;        // segments whose offset/time index was rebuilt
  int segments_deleted = 0;       // segments after a corrupt batch, or left over by a crash
  int64_t bytes_truncated = 0;    // bytes dropped at and after the first bad batch
  int64_t batches_truncated = 0;  // whole, valid-looking batches dropped after the bad one
  int64_t recovered_log_end_offset = 0;
  std::vector<SegmentRecoveryEvent> events;
};

}  // namespace keel::storage
