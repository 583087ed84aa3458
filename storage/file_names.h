// File: storage/file_names.h
// Names of the files in a partition directory and a log dir (docs/storage-format.md), shared
// by every writer and reader of them.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace keel::storage {

inline constexpr std::string_view kLogSuffix = ".log";
inline constexpr std::string_view kIndexSuffix = ".index";
inline constexpr std::string_view kTimeIndexSuffix = ".timeindex";
// Extra suffixes after one of the above.
inline constexpr std::string_view kCleanedSuffix = ".cleaned";  // cleaner output in progress
inline constexpr std::string_view kSwapSuffix = ".swap";        // committed replacement
inline constexpr std::string_view kDeletedSuffix = ".deleted";  // being deleted

inline constexpr std::string_view kLeaderEpochCheckpoint = "leader-epoch-checkpoint";
inline constexpr std::string_view kRecoveryPointCheckpoint = "recovery-point-offset-checkpoint";
inline constexpr std::string_view kLogStartOffsetCheckpoint = "log-start-offset-checkpoint";
inline constexpr std::string_view kReplicationOffsetCheckpoint = "replication-offset-checkpoint";
inline constexpr std::string_view kCleanShutdownMarker = ".kafka_cleanshutdown";
inline constexpr std::string_view kDeleteDirSuffix = "-delete";
// The metadata log's directory in the first log dir (controller/metadata_log.h). It looks like
// a partition directory but belongs to the controller: LogManager never loads it.
inline constexpr std::string_view kMetadataLogDir = "__cluster_metadata-0";

// The base offset in 20 digits, zero-padded (Kafka's filenamePrefixFromOffset).
std::string offset_file_prefix(int64_t offset);

// `<dir>/<20 digits><kind><extra>`, e.g. segment_file(dir, 42, kIndexSuffix, kSwapSuffix).
std::string segment_file(std::string_view dir, int64_t base_offset, std::string_view kind,
                         std::string_view extra = "");

// A parsed segment file name.
struct SegmentFileName {
  int64_t base_offset = 0;
  std::string kind;   // ".log", ".index", ".timeindex"
  std::string extra;  // "", ".cleaned", ".swap", ".deleted" or anything else found
};
// nullopt for names that are not `<20 digits>.<kind>...` segment files.
std::optional<SegmentFileName> parse_segment_file_name(std::string_view name);

}  // namespace keel::storage
