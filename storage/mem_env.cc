#include "storage/mem_env.h"

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "protocol/status.h"
#include "storage/io_error.h"

namespace keel::storage {
namespace {

using Data = MemEnv::Data;

std::string normalize(std::string path) {
  while (path.size() > 1 && path.back() == '/') path.pop_back();
  return path;
}

std::string parent_of(const std::string& path) {
  const size_t slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  return slash == 0 ? "/" : path.substr(0, slash);
}

bool is_below(const std::string& path, const std::string& dir) {
  return path.size() > dir.size() && path.compare(0, dir.size(), dir) == 0 &&
         (dir == "/" || path[dir.size()] == '/');
}

absl::Status not_found(std::string_view what, const std::string& path) {
  return io_error(what, path, ENOENT);
}

class MemWritableFile final : public WritableFile {
 public:
  explicit MemWritableFile(std::shared_ptr<Data> data) : data_(std::move(data)) {}
  absl::Status append(std::span<const uint8_t> bytes) override {
    data_->insert(data_->end(), bytes.begin(), bytes.end());
    return absl::OkStatus();
  }
  absl::Status append_vectored(std::span<const std::span<const uint8_t>> parts) override {
    for (std::span<const uint8_t> part : parts)
      data_->insert(data_->end(), part.begin(), part.end());
    return absl::OkStatus();
  }
  absl::Status sync() override { return absl::OkStatus(); }
  absl::Status truncate(uint64_t size) override {
    data_->resize(size);
    return absl::OkStatus();
  }
  absl::Status close() override { return absl::OkStatus(); }
  uint64_t size() const override { return data_->size(); }

 private:
  std::shared_ptr<Data> data_;
};

class MemRandomAccessFile final : public RandomAccessFile {
 public:
  explicit MemRandomAccessFile(std::shared_ptr<Data> data) : data_(std::move(data)) {}
  absl::StatusOr<size_t> read(uint64_t offset, std::span<uint8_t> dst) const override {
    if (offset >= data_->size()) return size_t{0};
    const size_t n = std::min<uint64_t>(dst.size(), data_->size() - offset);
    std::memcpy(dst.data(), data_->data() + offset, n);
    return n;
  }
  absl::StatusOr<uint64_t> size() const override { return data_->size(); }

 private:
  std::shared_ptr<Data> data_;
};

class MemMappedFile final : public MappedFile {
 public:
  explicit MemMappedFile(std::shared_ptr<Data> data) : data_(std::move(data)) {}
  std::span<uint8_t> data() override { return {data_->data(), data_->size()}; }
  std::span<const uint8_t> data() const override { return {data_->data(), data_->size()}; }
  absl::Status sync() override { return absl::OkStatus(); }
  absl::Status resize(uint64_t size) override {
    data_->resize(size, 0);
    return absl::OkStatus();
  }
  absl::Status close() override { return absl::OkStatus(); }

 private:
  std::shared_ptr<Data> data_;
};

}  // namespace

bool MemEnv::parent_exists(const std::string& path) const {
  const std::string parent = parent_of(path);
  return parent == "." || parent == "/" || dirs_.count(parent) > 0;
}

absl::StatusOr<std::shared_ptr<MemEnv::Data>> MemEnv::file_or_create(const std::string& path) {
  auto it = files_.find(path);
  if (it == files_.end()) {
    if (!parent_exists(path)) return not_found("open", path);
    it = files_.emplace(path, std::make_shared<Data>()).first;
  }
  return it->second;
}

absl::StatusOr<std::unique_ptr<WritableFile>> MemEnv::open_writable(const std::string& p) {
  const std::string path = normalize(p);
  std::lock_guard<std::mutex> lock(mu_);
  KEEL_ASSIGN_OR_RETURN(std::shared_ptr<Data> data, file_or_create(path));
  return std::unique_ptr<WritableFile>(new MemWritableFile(std::move(data)));
}

absl::StatusOr<std::unique_ptr<RandomAccessFile>> MemEnv::open_readable(const std::string& p) {
  const std::string path = normalize(p);
  std::lock_guard<std::mutex> lock(mu_);
  auto it = files_.find(path);
  if (it == files_.end()) return not_found("open", path);
  return std::unique_ptr<RandomAccessFile>(new MemRandomAccessFile(it->second));
}

absl::StatusOr<std::unique_ptr<MappedFile>> MemEnv::open_mapped(const std::string& p,
                                                                uint64_t size) {
  const std::string path = normalize(p);
  std::lock_guard<std::mutex> lock(mu_);
  KEEL_ASSIGN_OR_RETURN(std::shared_ptr<Data> data, file_or_create(path));
  data->resize(size, 0);
  return std::unique_ptr<MappedFile>(new MemMappedFile(std::move(data)));
}

bool MemEnv::exists(const std::string& p) {
  const std::string path = normalize(p);
  std::lock_guard<std::mutex> lock(mu_);
  return files_.count(path) > 0 || dirs_.count(path) > 0;
}

absl::StatusOr<uint64_t> MemEnv::file_size(const std::string& p) {
  const std::string path = normalize(p);
  std::lock_guard<std::mutex> lock(mu_);
  auto it = files_.find(path);
  if (it == files_.end()) return not_found("stat", path);
  return it->second->size();
}

absl::StatusOr<std::vector<std::string>> MemEnv::list_dir(const std::string& d) {
  const std::string dir = normalize(d);
  std::lock_guard<std::mutex> lock(mu_);
  if (dirs_.count(dir) == 0) return not_found("list", dir);
  std::vector<std::string> names;
  auto add_children = [&](const std::string& path) {
    if (is_below(path, dir) && parent_of(path) == dir) {
      names.push_back(path.substr(dir == "/" ? 1 : dir.size() + 1));
    }
  };
  for (const auto& [path, data] : files_) add_children(path);
  for (const std::string& path : dirs_) add_children(path);
  return names;
}

absl::Status MemEnv::create_dir(const std::string& d) {
  std::string dir = normalize(d);
  std::lock_guard<std::mutex> lock(mu_);
  while (dir != "." && dir != "/" && !dir.empty()) {
    if (files_.count(dir) > 0) return absl::FailedPreconditionError(dir + " is a file");
    dirs_.insert(dir);
    dir = parent_of(dir);
  }
  return absl::OkStatus();
}

absl::Status MemEnv::remove_file(const std::string& p) {
  const std::string path = normalize(p);
  std::lock_guard<std::mutex> lock(mu_);
  if (files_.erase(path) == 0) return not_found("remove", path);
  return absl::OkStatus();
}

absl::Status MemEnv::remove_dir(const std::string& d) {
  const std::string dir = normalize(d);
  std::lock_guard<std::mutex> lock(mu_);
  if (dirs_.erase(dir) == 0) return not_found("remove", dir);
  std::erase_if(files_, [&](const auto& entry) { return is_below(entry.first, dir); });
  std::erase_if(dirs_, [&](const std::string& path) { return is_below(path, dir); });
  return absl::OkStatus();
}

absl::Status MemEnv::rename(const std::string& f, const std::string& t) {
  const std::string from = normalize(f);
  const std::string to = normalize(t);
  std::lock_guard<std::mutex> lock(mu_);
  if (!parent_exists(to)) return not_found("rename to", to);
  if (auto it = files_.find(from); it != files_.end()) {
    std::shared_ptr<Data> data = it->second;
    files_.erase(it);
    files_[to] = std::move(data);
    return absl::OkStatus();
  }
  if (dirs_.count(from) == 0) return not_found("rename", from);
  // A directory: move every path below it.
  std::map<std::string, std::shared_ptr<Data>> moved_files;
  std::set<std::string> moved_dirs{to};
  for (auto it = files_.begin(); it != files_.end();) {
    if (is_below(it->first, from)) {
      moved_files[to + it->first.substr(from.size())] = it->second;
      it = files_.erase(it);
    } else {
      ++it;
    }
  }
  for (auto it = dirs_.begin(); it != dirs_.end();) {
    if (*it == from || is_below(*it, from)) {
      if (*it != from) moved_dirs.insert(to + it->substr(from.size()));
      it = dirs_.erase(it);
    } else {
      ++it;
    }
  }
  for (auto& [path, data] : moved_files) files_[path] = std::move(data);
  dirs_.insert(moved_dirs.begin(), moved_dirs.end());
  return absl::OkStatus();
}

absl::Status MemEnv::truncate_file(const std::string& p, uint64_t size) {
  const std::string path = normalize(p);
  std::lock_guard<std::mutex> lock(mu_);
  auto it = files_.find(path);
  if (it == files_.end()) return not_found("truncate", path);
  it->second->resize(size, 0);
  return absl::OkStatus();
}

absl::Status MemEnv::sync_dir(const std::string& d) {
  const std::string dir = normalize(d);
  std::lock_guard<std::mutex> lock(mu_);
  if (dir != "." && dir != "/" && dirs_.count(dir) == 0) return not_found("sync", dir);
  return absl::OkStatus();
}

uint64_t MemEnv::total_bytes() const {
  std::lock_guard<std::mutex> lock(mu_);
  uint64_t total = 0;
  for (const auto& [path, data] : files_) total += data->size();
  return total;
}

}  // namespace keel::storage
