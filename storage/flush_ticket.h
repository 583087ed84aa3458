// File: storage/flush_ticket.h
// Group commit without blocking the partition's owner: the owner thread captures what needs
// syncing (prepare_flush), any thread runs the fsyncs (execute), and the owner then publishes
// the new durable offset (complete_flush). Appends may continue while execute() runs; they are
// simply not covered by this ticket.
//
// Lifetime: a ticket holds shared_ptrs to the files it syncs, so it stays valid if the log
// rolls, deletes or truncates segments meanwhile; the Env must outlive it.
// Thread-safety: one thread at a time per ticket.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "storage/env.h"

namespace keel::storage {

class MappedIndex;

class FlushTicket {
 public:
  FlushTicket() = default;

  // Syncs the captured segment files and indexes (and the partition directory when segments
  // were created since the last flush). Safe on any thread; idempotent once it succeeded.
  absl::Status execute();

  // True when there is nothing to sync (the log was already durable up to target_offset()).
  bool empty() const { return files_.empty() && indexes_.empty() && !sync_dir_; }
  // The log end offset when the ticket was prepared: durable once execute() succeeded.
  int64_t target_offset() const { return target_offset_; }
  bool succeeded() const { return succeeded_; }

 private:
  friend class Log;

  Env* env_ = nullptr;
  std::string dir_;
  bool sync_dir_ = false;
  std::vector<std::shared_ptr<WritableFile>> files_;
  std::vector<std::shared_ptr<MappedIndex>> indexes_;
  int64_t target_offset_ = 0;
  uint64_t truncation_epoch_ = 0;  // the log's truncation count when prepared
  int64_t flushed_records_ = 0;    // records appended up to target_offset_
  struct SegmentVersion {
    int64_t base_offset;
    uint64_t version;
  };
  std::vector<SegmentVersion> segments_;  // marked clean on success if unchanged since
  bool succeeded_ = false;
};

}  // namespace keel::storage
