// File: storage/fault_env.h
// FaultEnv: an Env for tests that wraps another Env (normally Env::posix() on a temp dir) and
// injects the faults a disk and a power cut produce, deterministically from a seed.
//
// Power loss model (crash()):
//   - File data: for every file written through this Env, only the bytes covered by a
//     successful sync() are durable. crash() cuts each file back to them; CrashOptions can keep
//     a random prefix of the unsynced tail instead ("torn") and flip bytes in it ("corrupt").
//     A truncation is durable only once the file is synced again.
//   - Mapped files: the content at the last MappedFile::sync() is kept at that moment; crash()
//     restores it, or, with mix_mapped_pages, a random per-page mix of it and the live pages.
//   - Names: creations, renames and removals of files and directories inside a directory are
//     durable only after sync_dir() of that directory (a directory's subtree vanishes with it).
//     crash() undoes the others, or keeps them all with keep_unsynced_metadata (a journaling
//     file system that happened to commit them). Files this Env never touched are left alone
//     and are treated as durable when first touched.
//
// Use: call freeze() when the power goes off (every later operation fails with EIO and changes
// nothing), destroy the objects holding files, then crash() to rewrite the disk to what
// survived; handles opened before crash() stay dead. Writes through a MappedFile's memory
// cannot be intercepted: they land in the live file but are not durable until sync(). Calling
// crash() without freeze() while mapped files are open may leave their mappings past the end
// of a shrunk file.
//
// Injected errors have the same shape as PosixEnv's (storage/io_error.h): KAFKA_STORAGE_ERROR,
// absl kResourceExhausted for ENOSPC, kUnavailable for EIO. A failed append writes nothing
// (except a torn write, which writes a prefix then fails); a failed sync makes nothing durable.
//
// Thread-safety: every operation takes one mutex, so the Env and its files may be used from
// several threads; runs are reproducible when operations arrive in the same order.
// Lifetime: the FaultEnv must outlive every file it opened; `base` must outlive the FaultEnv.
#pragma once

#include <cerrno>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <random>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "storage/env.h"

namespace keel::storage {

class FaultEnv final : public Env {
 public:
  // Selects the paths a fault applies to; a null filter selects every path.
  using PathFilter = std::function<bool(const std::string& path)>;
  static PathFilter paths_containing(std::string substring);

  // Each operation fails independently with these probabilities (0 = never).
  struct RandomFaults {
    double write_error = 0;  // an append fails and writes nothing
    double torn_write = 0;   // an append writes a random strict prefix, then fails
    double sync_error = 0;   // a file, mapped or directory sync fails; nothing becomes durable
    double read_error = 0;   // a read fails
    int write_errno = EIO;   // for write errors and torn writes (ENOSPC or EIO)
    int sync_errno = EIO;
    int read_errno = EIO;
    PathFilter paths;  // null: every path
  };

  struct CrashOptions {
    enum class Tail {
      kDrop,     // unsynced appends are lost
      kTorn,     // a random prefix of the unsynced tail (possibly all of it) survives
      kCorrupt,  // as kTorn, with one to three bytes of the surviving tail flipped
    };
    Tail tail = Tail::kDrop;
    bool mix_mapped_pages = false;        // mapped files: each 4 KiB page is old or new
    bool keep_unsynced_metadata = false;  // keep every creation, rename and removal
  };

  struct Stats {
    uint64_t appends = 0;        // append calls that reached the base Env
    uint64_t bytes_written = 0;  // bytes those appends wrote (torn prefixes included)
    uint64_t file_syncs = 0;     // successful WritableFile::sync
    uint64_t mapped_syncs = 0;   // successful MappedFile::sync
    uint64_t dir_syncs = 0;      // successful sync_dir
    uint64_t injected_errors = 0;
    uint64_t crashes = 0;
    uint64_t mutations = 0;  // mutating operations let through (see freeze_after)
  };

  // Durability is modelled here, so syncs reach `base` only with `forward_syncs` (a real
  // fdatasync per flush makes crash sweeps slow and proves nothing about the model).
  explicit FaultEnv(Env* base, uint64_t seed = 0, bool forward_syncs = false);
  ~FaultEnv() override;
  FaultEnv(const FaultEnv&) = delete;
  FaultEnv& operator=(const FaultEnv&) = delete;

  // --- Env ---
  absl::StatusOr<std::unique_ptr<WritableFile>> open_writable(const std::string& path) override;
  absl::StatusOr<std::unique_ptr<RandomAccessFile>> open_readable(const std::string& path) override;
  absl::StatusOr<std::unique_ptr<MappedFile>> open_mapped(const std::string& path,
                                                          uint64_t size) override;
  bool exists(const std::string& path) override;
  absl::StatusOr<uint64_t> file_size(const std::string& path) override;
  absl::StatusOr<std::vector<std::string>> list_dir(const std::string& dir) override;
  absl::Status create_dir(const std::string& dir) override;
  absl::Status remove_file(const std::string& path) override;
  absl::Status remove_dir(const std::string& dir) override;
  absl::Status rename(const std::string& from, const std::string& to) override;
  absl::Status truncate_file(const std::string& path, uint64_t size) override;
  absl::Status sync_dir(const std::string& dir) override;

  // --- Injected errors (err = 0 clears that fault) ---
  // Every append fails with `err` and writes nothing (ENOSPC: a full disk; clearing it is
  // "space returns").
  void fail_writes_with(int err, PathFilter paths = nullptr);
  // Appends may write `n` more bytes in total; the append that crosses the limit writes the
  // part that fits and fails with `err` (a torn write); later appends fail entirely.
  void fail_after_bytes(uint64_t n, int err, PathFilter paths = nullptr);
  void fail_syncs_with(int err, PathFilter paths = nullptr);
  void fail_reads_with(int err, PathFilter paths = nullptr);
  void set_random_faults(RandomFaults faults);
  void clear_faults();

  // --- Power loss ---
  void freeze();
  // The power goes off at the start of the (n+1)-th mutating operation from now (appends,
  // syncs, truncations, creations, renames, removals, mapped opens and resizes): that one and
  // every later one fail. Stepping n = 0, 1, 2... crashes an action at every point.
  void freeze_after(uint64_t operations);
  bool frozen() const;
  // Rewrites the disk to what survives a power cut at this moment (see the file comment),
  // forgets every handle and unfreezes. Deterministic given the seed and the history.
  absl::Status crash(const CrashOptions& options);
  absl::Status crash() { return crash(CrashOptions{}); }

  // --- Introspection ---
  Stats stats() const;
  // Durable bytes of the file now at `path`; nullopt if this Env has not touched it.
  std::optional<uint64_t> synced_size(const std::string& path) const;
  Env* base() const { return base_; }

 private:
  friend class FaultWritableFile;
  friend class FaultRandomAccessFile;
  friend class FaultMappedFile;
  struct Node;
  struct Content;
  struct DirState {
    bool live = false;
    bool durable = false;
  };
  struct ErrorRule {
    int err = 0;
    PathFilter paths;
    bool applies(const std::string& path) const;
  };
  using NodePtr = std::shared_ptr<Node>;

  // All private helpers run with mu_ held.
  bool alive(uint64_t epoch) const { return !frozen_ && epoch == epoch_; }
  // A mutating operation starts: false when the power is off (or goes off now).
  bool may_mutate();
  absl::Status dead_error(std::string_view what, const std::string& path) const;
  double uniform();
  bool random_hit(double probability, const std::string& path);
  NodePtr touch(const std::string& path);
  void adopt_tree(const std::string& dir);
  bool durably_referenced(const Node* node) const;
  Content durable_content(const Node& node) const;
  void preserve(Node& node);
  void unlink_live(const std::string& path);
  absl::Status rename_dir(const std::string& from, const std::string& to);
  bool survives_dirs(const std::string& path, bool keep_metadata) const;
  absl::Status write_content(const std::string& path, const Content& content);
  absl::Status crash_in_place(const std::string& path, const Node& node, CrashOptions::Tail tail);

  // Handle entry points.
  absl::Status do_append(uint64_t epoch, Node& node, const std::string& path,
                         std::span<const std::span<const uint8_t>> parts, WritableFile& base,
                         uint64_t& size);
  absl::Status do_sync(uint64_t epoch, Node& node, const std::string& path, WritableFile& base,
                       uint64_t size);
  absl::Status do_truncate(uint64_t epoch, Node& node, const std::string& path, WritableFile& base,
                           uint64_t size);
  absl::Status do_read_check(uint64_t epoch, const std::string& path);
  absl::Status do_mapped_sync(uint64_t epoch, Node& node, const std::string& path,
                              MappedFile& base);

  Env* const base_;
  const bool forward_syncs_;
  mutable std::mutex mu_;
  std::mt19937_64 rng_;
  bool frozen_ = false;
  uint64_t epoch_ = 0;
  // Files: the node (inode) each touched path names now and after a crash (null: no file).
  std::map<std::string, NodePtr> live_;
  std::map<std::string, NodePtr> durable_;
  std::map<std::string, DirState> dirs_;
  ErrorRule write_rule_;
  ErrorRule sync_rule_;
  ErrorRule read_rule_;
  ErrorRule budget_rule_;
  std::optional<uint64_t> byte_budget_;
  std::optional<uint64_t> ops_until_freeze_;
  RandomFaults random_;
  Stats stats_;
};

}  // namespace keel::storage
