// FaultEnv: see storage/fault_env.h for the model. Bookkeeping in brief: every file path this
// Env touches has a live binding (the node, i.e. inode, the name points to now) and a durable
// binding (the node it points to after a power cut, null for "no file"); sync_dir() copies the
// live bindings of a directory's entries into the durable ones. A node's durable content is
// either the first `synced_size` bytes of its live file or, once the live file stopped holding
// them (truncated, unlinked, or memory-mapped), a snapshot kept in memory.
#include "storage/fault_env.h"

#include <algorithm>
#include <set>
#include <utility>

#include "storage/io_error.h"

namespace keel::storage {

struct FaultEnv::Content {
  std::string bytes;    // the leading bytes; the rest, up to `length`, are zeros
  uint64_t length = 0;  // file length
};

struct FaultEnv::Node {
  uint64_t synced_size = 0;         // durable prefix of the live file, when no snapshot
  std::optional<Content> snapshot;  // durable content, when the live file no longer holds it
  bool mapped = false;              // opened with open_mapped since the last crash
  std::string live_path;            // where the node is linked now; empty once unlinked
};

namespace {

constexpr uint64_t kPageSize = 4096;

std::string parent_of(const std::string& path) {
  const size_t slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  if (slash == 0) return "/";
  return path.substr(0, slash);
}

std::string normalize_dir(std::string dir) {
  while (dir.size() > 1 && dir.back() == '/') dir.pop_back();
  return dir;
}

// True if `path` lies strictly below directory `dir`.
bool is_under(const std::string& path, const std::string& dir) {
  if (dir == ".") return path.find('/') == std::string::npos || path.rfind("./", 0) == 0;
  const std::string prefix = dir == "/" ? dir : dir + "/";
  return path.size() > prefix.size() && path.compare(0, prefix.size(), prefix) == 0;
}

// The entry of `dir` under which `path` lies ("dir/first-component"); empty if not below dir.
std::string entry_of(const std::string& dir, const std::string& path) {
  if (!is_under(path, dir)) return {};
  const size_t start = dir == "." ? 0 : (dir == "/" ? 1 : dir.size() + 1);
  const size_t slash = path.find('/', start);
  return slash == std::string::npos ? path : path.substr(0, slash);
}

std::string with_prefix_replaced(const std::string& path, const std::string& from,
                                 const std::string& to) {
  return to + path.substr(from.size());
}

std::span<const uint8_t> as_bytes(const std::string& s) {
  return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// File handles: thin wrappers that route every operation through the Env under its mutex.

class FaultWritableFile final : public WritableFile {
 public:
  FaultWritableFile(FaultEnv* env, std::shared_ptr<FaultEnv::Node> node, std::string path,
                    std::unique_ptr<WritableFile> base, uint64_t epoch)
      : env_(env),
        node_(std::move(node)),
        path_(std::move(path)),
        base_(std::move(base)),
        epoch_(epoch),
        size_(base_->size()) {}

  absl::Status append(std::span<const uint8_t> data) override {
    std::span<const uint8_t> parts[1] = {data};
    return append_vectored(parts);
  }
  absl::Status append_vectored(std::span<const std::span<const uint8_t>> parts) override {
    std::lock_guard<std::mutex> lock(env_->mu_);
    return env_->do_append(epoch_, *node_, path_, parts, *base_, size_);
  }
  absl::Status sync() override {
    std::lock_guard<std::mutex> lock(env_->mu_);
    return env_->do_sync(epoch_, *node_, path_, *base_, size_);
  }
  absl::Status truncate(uint64_t size) override {
    std::lock_guard<std::mutex> lock(env_->mu_);
    absl::Status status = env_->do_truncate(epoch_, *node_, path_, *base_, size);
    size_ = base_->size();
    return status;
  }
  absl::Status close() override {
    std::lock_guard<std::mutex> lock(env_->mu_);
    return base_->close();  // closing changes nothing on disk, so it works even after a crash
  }
  uint64_t size() const override {
    std::lock_guard<std::mutex> lock(env_->mu_);
    return size_;
  }

 private:
  FaultEnv* env_;
  std::shared_ptr<FaultEnv::Node> node_;
  std::string path_;
  std::unique_ptr<WritableFile> base_;
  uint64_t epoch_;
  uint64_t size_;  // guarded by env_->mu_
};

class FaultRandomAccessFile final : public RandomAccessFile {
 public:
  FaultRandomAccessFile(FaultEnv* env, std::string path, std::unique_ptr<RandomAccessFile> base,
                        uint64_t epoch)
      : env_(env), path_(std::move(path)), base_(std::move(base)), epoch_(epoch) {}

  absl::StatusOr<size_t> read(uint64_t offset, std::span<uint8_t> dst) const override {
    std::lock_guard<std::mutex> lock(env_->mu_);
    absl::Status status = env_->do_read_check(epoch_, path_);
    if (!status.ok()) return status;
    return base_->read(offset, dst);
  }
  absl::StatusOr<uint64_t> size() const override {
    std::lock_guard<std::mutex> lock(env_->mu_);
    if (!env_->alive(epoch_)) return env_->dead_error("stat", path_);
    return base_->size();
  }
  // Reads through this descriptor (sendfile) bypass injected read errors.
  int native_handle() const override { return base_->native_handle(); }

 private:
  FaultEnv* env_;
  std::string path_;
  std::unique_ptr<RandomAccessFile> base_;
  uint64_t epoch_;
};

class FaultMappedFile final : public MappedFile {
 public:
  FaultMappedFile(FaultEnv* env, std::shared_ptr<FaultEnv::Node> node, std::string path,
                  std::unique_ptr<MappedFile> base, uint64_t epoch)
      : env_(env),
        node_(std::move(node)),
        path_(std::move(path)),
        base_(std::move(base)),
        epoch_(epoch) {}

  std::span<uint8_t> data() override { return base_->data(); }
  std::span<const uint8_t> data() const override { return std::as_const(*base_).data(); }
  absl::Status sync() override {
    std::lock_guard<std::mutex> lock(env_->mu_);
    return env_->do_mapped_sync(epoch_, *node_, path_, *base_);
  }
  absl::Status resize(uint64_t size) override {
    std::lock_guard<std::mutex> lock(env_->mu_);
    if (epoch_ != env_->epoch_ || !env_->may_mutate()) return env_->dead_error("truncate", path_);
    return base_->resize(size);
  }
  absl::Status close() override {
    std::lock_guard<std::mutex> lock(env_->mu_);
    return base_->close();
  }

 private:
  FaultEnv* env_;
  std::shared_ptr<FaultEnv::Node> node_;
  std::string path_;
  std::unique_ptr<MappedFile> base_;
  uint64_t epoch_;
};

// ---------------------------------------------------------------------------------------------
// Configuration.

FaultEnv::FaultEnv(Env* base, uint64_t seed, bool forward_syncs)
    : base_(base), forward_syncs_(forward_syncs), rng_(seed) {}
FaultEnv::~FaultEnv() = default;

FaultEnv::PathFilter FaultEnv::paths_containing(std::string substring) {
  return [substring = std::move(substring)](const std::string& path) {
    return path.find(substring) != std::string::npos;
  };
}

bool FaultEnv::ErrorRule::applies(const std::string& path) const {
  return err != 0 && (!paths || paths(path));
}

void FaultEnv::fail_writes_with(int err, PathFilter paths) {
  std::lock_guard<std::mutex> lock(mu_);
  write_rule_ = {err, std::move(paths)};
}

void FaultEnv::fail_after_bytes(uint64_t n, int err, PathFilter paths) {
  std::lock_guard<std::mutex> lock(mu_);
  budget_rule_ = {err, std::move(paths)};
  byte_budget_ = err == 0 ? std::nullopt : std::optional<uint64_t>(n);
}

void FaultEnv::fail_syncs_with(int err, PathFilter paths) {
  std::lock_guard<std::mutex> lock(mu_);
  sync_rule_ = {err, std::move(paths)};
}

void FaultEnv::fail_reads_with(int err, PathFilter paths) {
  std::lock_guard<std::mutex> lock(mu_);
  read_rule_ = {err, std::move(paths)};
}

void FaultEnv::set_random_faults(RandomFaults faults) {
  std::lock_guard<std::mutex> lock(mu_);
  random_ = std::move(faults);
}

void FaultEnv::clear_faults() {
  std::lock_guard<std::mutex> lock(mu_);
  write_rule_ = sync_rule_ = read_rule_ = budget_rule_ = {};
  byte_budget_.reset();
  random_ = {};
}

void FaultEnv::freeze() {
  std::lock_guard<std::mutex> lock(mu_);
  frozen_ = true;
}

void FaultEnv::freeze_after(uint64_t operations) {
  std::lock_guard<std::mutex> lock(mu_);
  ops_until_freeze_ = operations;
}

bool FaultEnv::frozen() const {
  std::lock_guard<std::mutex> lock(mu_);
  return frozen_;
}

FaultEnv::Stats FaultEnv::stats() const {
  std::lock_guard<std::mutex> lock(mu_);
  return stats_;
}

std::optional<uint64_t> FaultEnv::synced_size(const std::string& path) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = live_.find(path);
  if (it == live_.end()) return std::nullopt;
  const Node& node = *it->second;
  return node.snapshot ? node.snapshot->length : node.synced_size;
}

// ---------------------------------------------------------------------------------------------
// Helpers (mu_ held).

absl::Status FaultEnv::dead_error(std::string_view what, const std::string& path) const {
  return io_error(std::string(what) + " (after power loss)", path, EIO);
}

bool FaultEnv::may_mutate() {
  if (frozen_) return false;
  if (ops_until_freeze_) {
    if (*ops_until_freeze_ == 0) {
      frozen_ = true;
      ops_until_freeze_.reset();
      return false;
    }
    --*ops_until_freeze_;
  }
  ++stats_.mutations;
  return true;
}

double FaultEnv::uniform() { return static_cast<double>(rng_() >> 11) * 0x1.0p-53; }

bool FaultEnv::random_hit(double probability, const std::string& path) {
  if (probability <= 0) return false;
  if (random_.paths && !random_.paths(path)) return false;
  return uniform() < probability;
}

FaultEnv::NodePtr FaultEnv::touch(const std::string& path) {
  if (durable_.count(path) != 0) {
    auto it = live_.find(path);
    return it == live_.end() ? nullptr : it->second;
  }
  if (!base_->exists(path)) {
    durable_[path] = nullptr;
    return nullptr;
  }
  // A file this Env has not seen: whatever is on disk now counts as durable.
  auto node = std::make_shared<Node>();
  auto size = base_->file_size(path);
  node->synced_size = size.ok() ? *size : 0;
  node->live_path = path;
  durable_[path] = node;
  live_[path] = node;
  return node;
}

void FaultEnv::adopt_tree(const std::string& dir) {
  if (dirs_.count(dir) == 0) dirs_[dir] = {true, true};
  auto names = base_->list_dir(dir);
  if (!names.ok()) return;
  for (const std::string& name : *names) {
    const std::string child = join_path(dir, name);
    if (base_->list_dir(child).ok()) {
      adopt_tree(child);
    } else {
      touch(child);
    }
  }
}

bool FaultEnv::durably_referenced(const Node* node) const {
  for (const auto& [path, durable] : durable_) {
    if (durable.get() == node) return true;
  }
  return false;
}

FaultEnv::Content FaultEnv::durable_content(const Node& node) const {
  if (node.snapshot) return *node.snapshot;
  Content content;
  content.length = node.synced_size;
  if (node.live_path.empty() || node.synced_size == 0) return content;
  auto file = base_->open_readable(node.live_path);
  if (!file.ok()) return content;
  content.bytes.resize(node.synced_size);
  auto n = (*file)->read(
      0, std::span<uint8_t>(reinterpret_cast<uint8_t*>(content.bytes.data()), node.synced_size));
  content.bytes.resize(n.ok() ? *n : 0);
  while (!content.bytes.empty() && content.bytes.back() == '\0') content.bytes.pop_back();
  return content;
}

void FaultEnv::preserve(Node& node) {
  if (!node.snapshot) node.snapshot = durable_content(node);
}

bool FaultEnv::survives_dirs(const std::string& path, bool keep_metadata) const {
  for (const auto& [dir, state] : dirs_) {
    if (is_under(path, dir) && !(keep_metadata ? state.live : state.durable)) return false;
  }
  return true;
}

// ---------------------------------------------------------------------------------------------
// Env: opening files.

absl::StatusOr<std::unique_ptr<WritableFile>> FaultEnv::open_writable(const std::string& path) {
  std::lock_guard<std::mutex> lock(mu_);
  if (!may_mutate()) return dead_error("open", path);
  NodePtr node = touch(path);
  auto file = base_->open_writable(path);
  if (!file.ok()) return file.status();
  if (!node) {
    node = std::make_shared<Node>();
    node->live_path = path;
    live_[path] = node;
  }
  return std::make_unique<FaultWritableFile>(this, node, path, std::move(*file), epoch_);
}

absl::StatusOr<std::unique_ptr<RandomAccessFile>> FaultEnv::open_readable(const std::string& path) {
  std::lock_guard<std::mutex> lock(mu_);
  if (frozen_) return dead_error("open", path);
  auto file = base_->open_readable(path);
  if (!file.ok()) return file.status();
  return std::make_unique<FaultRandomAccessFile>(this, path, std::move(*file), epoch_);
}

absl::StatusOr<std::unique_ptr<MappedFile>> FaultEnv::open_mapped(const std::string& path,
                                                                  uint64_t size) {
  std::lock_guard<std::mutex> lock(mu_);
  if (!may_mutate()) return dead_error("open", path);
  NodePtr node = touch(path);
  // Writes through the mapping change the live file in place: keep what is durable now.
  if (node) preserve(*node);
  auto file = base_->open_mapped(path, size);
  if (!file.ok()) return file.status();
  if (!node) {
    node = std::make_shared<Node>();
    node->snapshot = Content{};
    node->live_path = path;
    live_[path] = node;
  }
  node->mapped = true;
  return std::make_unique<FaultMappedFile>(this, node, path, std::move(*file), epoch_);
}

// ---------------------------------------------------------------------------------------------
// Env: queries pass through (the live file system is the real one).

bool FaultEnv::exists(const std::string& path) { return base_->exists(path); }

absl::StatusOr<uint64_t> FaultEnv::file_size(const std::string& path) {
  return base_->file_size(path);
}

absl::StatusOr<std::vector<std::string>> FaultEnv::list_dir(const std::string& dir) {
  return base_->list_dir(dir);
}

// ---------------------------------------------------------------------------------------------
// Env: name operations.

absl::Status FaultEnv::create_dir(const std::string& dir_in) {
  std::lock_guard<std::mutex> lock(mu_);
  const std::string dir = normalize_dir(dir_in);
  if (!may_mutate()) return dead_error("mkdir", dir);
  std::vector<std::string> missing;
  for (size_t pos = dir.find('/', 1);; pos = dir.find('/', pos + 1)) {
    const std::string prefix = pos == std::string::npos ? dir : dir.substr(0, pos);
    if (!prefix.empty() && !base_->exists(prefix)) missing.push_back(prefix);
    if (pos == std::string::npos) break;
  }
  absl::Status status = base_->create_dir(dir);
  if (!status.ok()) return status;
  for (const std::string& created : missing) {
    auto it = dirs_.find(created);
    if (it == dirs_.end()) {
      dirs_[created] = {true, false};
    } else {
      it->second.live = true;
    }
  }
  return absl::OkStatus();
}

void FaultEnv::unlink_live(const std::string& path) {
  auto it = live_.find(path);
  if (it == live_.end()) return;
  it->second->live_path.clear();
  live_.erase(it);
}

absl::Status FaultEnv::remove_file(const std::string& path) {
  std::lock_guard<std::mutex> lock(mu_);
  if (!may_mutate()) return dead_error("unlink", path);
  NodePtr node = touch(path);
  if (node && durably_referenced(node.get())) preserve(*node);
  absl::Status status = base_->remove_file(path);
  if (status.ok()) unlink_live(path);
  return status;
}

absl::Status FaultEnv::remove_dir(const std::string& dir_in) {
  std::lock_guard<std::mutex> lock(mu_);
  const std::string dir = normalize_dir(dir_in);
  if (!may_mutate()) return dead_error("remove", dir);
  if (!base_->exists(dir)) return base_->remove_dir(dir);
  adopt_tree(dir);
  std::vector<std::string> below;
  for (auto& [path, node] : live_) {
    if (!is_under(path, dir)) continue;
    below.push_back(path);
    if (durably_referenced(node.get())) preserve(*node);
  }
  absl::Status status = base_->remove_dir(dir);
  if (!status.ok()) return status;
  for (const std::string& path : below) unlink_live(path);
  for (auto& [d, state] : dirs_) {
    if (d == dir || is_under(d, dir)) state.live = false;
  }
  return absl::OkStatus();
}

absl::Status FaultEnv::rename_dir(const std::string& from, const std::string& to) {
  adopt_tree(from);
  if (base_->exists(to)) adopt_tree(to);
  std::vector<std::string> files;
  for (const auto& [path, node] : live_) {
    if (is_under(path, from)) files.push_back(path);
  }
  for (const std::string& path : files) touch(with_prefix_replaced(path, from, to));
  std::vector<std::string> dirs;
  for (const auto& [dir, state] : dirs_) {
    if (dir == from || is_under(dir, from)) dirs.push_back(dir);
  }
  absl::Status status = base_->rename(from, to);
  if (!status.ok()) return status;
  for (const std::string& path : files) {
    NodePtr node = live_[path];
    live_.erase(path);
    const std::string moved = with_prefix_replaced(path, from, to);
    live_[moved] = node;
    node->live_path = moved;
  }
  for (const std::string& dir : dirs) {
    dirs_[dir].live = false;
    auto [it, inserted] = dirs_.try_emplace(with_prefix_replaced(dir, from, to), DirState{});
    it->second.live = true;
  }
  return absl::OkStatus();
}

absl::Status FaultEnv::rename(const std::string& from, const std::string& to) {
  std::lock_guard<std::mutex> lock(mu_);
  if (!may_mutate()) return dead_error("rename", from);
  if (base_->list_dir(from).ok()) return rename_dir(normalize_dir(from), normalize_dir(to));
  NodePtr source = touch(from);
  NodePtr replaced = touch(to);
  if (replaced && replaced != source && durably_referenced(replaced.get())) preserve(*replaced);
  absl::Status status = base_->rename(from, to);
  if (!status.ok()) return status;
  if (replaced != source) unlink_live(to);
  live_.erase(from);
  if (source) {
    live_[to] = source;
    source->live_path = to;
  }
  return absl::OkStatus();
}

absl::Status FaultEnv::truncate_file(const std::string& path, uint64_t size) {
  std::lock_guard<std::mutex> lock(mu_);
  if (!may_mutate()) return dead_error("truncate", path);
  NodePtr node = touch(path);
  if (node && size < node->synced_size) preserve(*node);
  return base_->truncate_file(path, size);
}

absl::Status FaultEnv::sync_dir(const std::string& dir_in) {
  std::lock_guard<std::mutex> lock(mu_);
  const std::string dir = normalize_dir(dir_in);
  if (!may_mutate()) return dead_error("fsync", dir);
  if (sync_rule_.applies(dir) || random_hit(random_.sync_error, dir)) {
    ++stats_.injected_errors;
    return io_error("fsync", dir, sync_rule_.applies(dir) ? sync_rule_.err : random_.sync_errno);
  }
  if (forward_syncs_) {
    absl::Status status = base_->sync_dir(dir);
    if (!status.ok()) return status;
  }
  ++stats_.dir_syncs;
  // Entries of `dir` become durable; so does everything below an entry that is a directory
  // created, removed or renamed since (its subtree goes with its name).
  std::set<std::string> changed_dirs;
  for (const auto& [d, state] : dirs_) {
    if (entry_of(dir, d) == d && state.live != state.durable) changed_dirs.insert(d);
  }
  auto commits = [&](const std::string& path) {
    const std::string entry = entry_of(dir, path);
    return !entry.empty() && (entry == path || changed_dirs.count(entry) != 0);
  };
  std::set<std::string> paths;
  for (const auto& [path, node] : durable_) paths.insert(path);
  for (const auto& [path, node] : live_) paths.insert(path);
  for (const std::string& path : paths) {
    if (!commits(path)) continue;
    auto it = live_.find(path);
    durable_[path] = it == live_.end() ? nullptr : it->second;
  }
  for (auto& [d, state] : dirs_) {
    if (commits(d)) state.durable = state.live;
  }
  return absl::OkStatus();
}

// ---------------------------------------------------------------------------------------------
// Handle operations (mu_ held by the caller).

absl::Status FaultEnv::do_append(uint64_t epoch, Node& node, const std::string& path,
                                 std::span<const std::span<const uint8_t>> parts,
                                 WritableFile& base, uint64_t& size) {
  (void)node;
  if (epoch != epoch_ || !may_mutate()) return dead_error("write", path);
  size_t total = 0;
  for (const auto& part : parts) total += part.size();
  int err = 0;
  size_t allowed = total;
  if (write_rule_.applies(path)) {
    err = write_rule_.err;
    allowed = 0;
  } else if (byte_budget_ && budget_rule_.applies(path)) {
    if (total > *byte_budget_) {
      allowed = static_cast<size_t>(*byte_budget_);
      err = budget_rule_.err;
    }
    *byte_budget_ -= allowed;
  } else if (random_hit(random_.write_error, path)) {
    err = random_.write_errno;
    allowed = 0;
  } else if (total > 0 && random_hit(random_.torn_write, path)) {
    err = random_.write_errno;
    allowed = static_cast<size_t>(rng_() % total);
  }
  if (allowed > 0) {
    absl::Status status;
    if (allowed == total) {
      status = base.append_vectored(parts);
    } else {
      std::vector<std::span<const uint8_t>> cut;
      size_t left = allowed;
      for (const auto& part : parts) {
        if (left == 0) break;
        const size_t n = std::min(left, part.size());
        cut.push_back(part.first(n));
        left -= n;
      }
      status = base.append_vectored(cut);
    }
    const uint64_t before = size;
    size = base.size();
    ++stats_.appends;
    stats_.bytes_written += size - before;
    if (!status.ok()) return status;
  }
  if (err != 0) {
    ++stats_.injected_errors;
    return io_error("write", path, err);
  }
  return absl::OkStatus();
}

absl::Status FaultEnv::do_sync(uint64_t epoch, Node& node, const std::string& path,
                               WritableFile& base, uint64_t size) {
  if (epoch != epoch_ || !may_mutate()) return dead_error("fdatasync", path);
  if (sync_rule_.applies(path)) {
    ++stats_.injected_errors;
    return io_error("fdatasync", path, sync_rule_.err);
  }
  if (random_hit(random_.sync_error, path)) {
    ++stats_.injected_errors;
    return io_error("fdatasync", path, random_.sync_errno);
  }
  if (forward_syncs_) {
    absl::Status status = base.sync();
    if (!status.ok()) return status;
  }
  ++stats_.file_syncs;
  // fdatasync covers the whole inode, including appends made through other handles.
  if (!node.live_path.empty()) {
    auto live_size = base_->file_size(node.live_path);
    node.synced_size = live_size.ok() ? *live_size : size;
    node.snapshot.reset();
  }
  return absl::OkStatus();
}

absl::Status FaultEnv::do_truncate(uint64_t epoch, Node& node, const std::string& path,
                                   WritableFile& base, uint64_t size) {
  if (epoch != epoch_ || !may_mutate()) return dead_error("truncate", path);
  if (size < node.synced_size) preserve(node);
  return base.truncate(size);
}

absl::Status FaultEnv::do_read_check(uint64_t epoch, const std::string& path) {
  if (!alive(epoch)) return dead_error("read", path);
  if (read_rule_.applies(path)) {
    ++stats_.injected_errors;
    return io_error("read", path, read_rule_.err);
  }
  if (random_hit(random_.read_error, path)) {
    ++stats_.injected_errors;
    return io_error("read", path, random_.read_errno);
  }
  return absl::OkStatus();
}

absl::Status FaultEnv::do_mapped_sync(uint64_t epoch, Node& node, const std::string& path,
                                      MappedFile& base) {
  if (epoch != epoch_ || !may_mutate()) return dead_error("msync", path);
  if (sync_rule_.applies(path)) {
    ++stats_.injected_errors;
    return io_error("msync", path, sync_rule_.err);
  }
  if (random_hit(random_.sync_error, path)) {
    ++stats_.injected_errors;
    return io_error("msync", path, random_.sync_errno);
  }
  if (forward_syncs_) {
    absl::Status status = base.sync();
    if (!status.ok()) return status;
  }
  ++stats_.mapped_syncs;
  std::span<const uint8_t> data = std::as_const(base).data();
  size_t used = data.size();
  while (used > 0 && data[used - 1] == 0) --used;
  node.snapshot =
      Content{std::string(reinterpret_cast<const char*>(data.data()), used), data.size()};
  node.synced_size = data.size();
  return absl::OkStatus();
}

// ---------------------------------------------------------------------------------------------
// Power loss.

absl::Status FaultEnv::write_content(const std::string& path, const Content& content) {
  absl::Status status = base_->create_dir(parent_of(path));
  if (!status.ok()) return status;
  if (base_->exists(path)) {
    status = base_->remove_file(path);
    if (!status.ok()) return status;
  }
  auto file = base_->open_writable(path);
  if (!file.ok()) return file.status();
  status = (*file)->append(as_bytes(content.bytes));
  if (status.ok() && content.length > content.bytes.size())
    status = (*file)->truncate(content.length);
  absl::Status closed = (*file)->close();
  return status.ok() ? closed : status;
}

absl::Status FaultEnv::crash_in_place(const std::string& path, const Node& node,
                                      CrashOptions::Tail tail) {
  auto size = base_->file_size(path);
  if (!size.ok()) return size.status();
  const uint64_t live = *size;
  const uint64_t synced = std::min(node.synced_size, live);
  uint64_t keep = 0;
  if (tail != CrashOptions::Tail::kDrop && live > synced) keep = rng_() % (live - synced + 1);
  if (tail != CrashOptions::Tail::kCorrupt || keep == 0) {
    if (synced + keep == live) return absl::OkStatus();
    return base_->truncate_file(path, synced + keep);
  }
  auto readable = base_->open_readable(path);
  if (!readable.ok()) return readable.status();
  std::vector<uint8_t> tail_bytes(keep);
  auto n = (*readable)->read(synced, tail_bytes);
  if (!n.ok()) return n.status();
  tail_bytes.resize(*n);
  const int flips = 1 + static_cast<int>(rng_() % 3);
  for (int i = 0; i < flips && !tail_bytes.empty(); ++i) {
    tail_bytes[rng_() % tail_bytes.size()] ^= static_cast<uint8_t>(1 + rng_() % 255);
  }
  absl::Status status = base_->truncate_file(path, synced);
  if (!status.ok()) return status;
  auto file = base_->open_writable(path);
  if (!file.ok()) return file.status();
  status = (*file)->append(tail_bytes);
  absl::Status closed = (*file)->close();
  return status.ok() ? closed : status;
}

absl::Status FaultEnv::crash(const CrashOptions& options) {
  std::lock_guard<std::mutex> lock(mu_);
  frozen_ = true;
  ++epoch_;  // every handle opened so far is dead
  const bool keep = options.keep_unsynced_metadata;

  // 1. Decide, for every touched path, which node it names after the crash and with what
  //    content. All reads happen here, before anything is changed.
  struct Plan {
    std::string path;
    NodePtr node;
    bool in_place = false;
    Content content;
  };
  std::vector<Plan> plans;
  std::vector<std::string> removals;
  std::set<std::string> paths;
  for (const auto& [path, node] : durable_) paths.insert(path);
  for (const auto& [path, node] : live_) paths.insert(path);
  for (const std::string& path : paths) {
    auto live_it = live_.find(path);
    NodePtr live = live_it == live_.end() ? nullptr : live_it->second;
    NodePtr target = live;
    if (!keep) {
      auto it = durable_.find(path);
      target = it == durable_.end() ? nullptr : it->second;
    }
    if (target && !survives_dirs(path, keep)) target = nullptr;
    if (!target) {
      if (live) removals.push_back(path);
      continue;
    }
    if (target == live && !target->snapshot && !target->mapped) {
      plans.push_back({path, target, true, {}});
      continue;
    }
    Content content = durable_content(*target);
    if (target->mapped && options.mix_mapped_pages && !target->live_path.empty()) {
      Content now;
      auto bytes = base_->read_file(target->live_path);
      if (bytes.ok()) now = Content{std::move(*bytes), 0};
      now.length = now.bytes.size();
      std::string mixed((rng_() & 1) != 0 ? content.length : now.length, '\0');
      for (uint64_t page = 0; page < mixed.size(); page += kPageSize) {
        const std::string& from = (rng_() & 1) != 0 ? now.bytes : content.bytes;
        if (page < from.size()) {
          const size_t n = std::min<uint64_t>({kPageSize, from.size() - page, mixed.size() - page});
          std::copy_n(from.data() + page, n, mixed.data() + page);
        }
      }
      content.length = mixed.size();
      while (!mixed.empty() && mixed.back() == '\0') mixed.pop_back();
      content.bytes = std::move(mixed);
    }
    if (live) removals.push_back(path);
    plans.push_back({path, target, false, std::move(content)});
  }

  // 2. Apply: directories first (parents sort before children), then files.
  absl::Status result;
  auto note = [&result](absl::Status status) {
    if (result.ok()) result = std::move(status);
  };
  for (const auto& [dir, state] : dirs_) {
    const bool wanted = (keep ? state.live : state.durable) && survives_dirs(dir, keep);
    if (!wanted && base_->exists(dir)) note(base_->remove_dir(dir));
  }
  for (const auto& [dir, state] : dirs_) {
    const bool wanted = (keep ? state.live : state.durable) && survives_dirs(dir, keep);
    if (wanted && !base_->exists(dir)) note(base_->create_dir(dir));
  }
  for (const std::string& path : removals) {
    if (base_->exists(path)) note(base_->remove_file(path));
  }
  for (const Plan& plan : plans) {
    note(plan.in_place ? crash_in_place(plan.path, *plan.node, options.tail)
                       : write_content(plan.path, plan.content));
  }

  // 3. Forget: what is on disk now is durable.
  live_.clear();
  durable_.clear();
  dirs_.clear();
  ops_until_freeze_.reset();
  ++stats_.crashes;
  frozen_ = false;
  return result;
}

}  // namespace keel::storage
