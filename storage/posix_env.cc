// POSIX implementation of storage/env.h.
#include <dirent.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>

#include "protocol/error_code.h"
#include "storage/env.h"
#include "storage/io_error.h"

namespace keel::storage {
namespace {

class PosixWritableFile final : public WritableFile {
 public:
  PosixWritableFile(std::string path, int fd, uint64_t size)
      : path_(std::move(path)), fd_(fd), size_(size), reserved_end_(size), reopened_(size > 0) {}
  ~PosixWritableFile() override {
    if (fd_ >= 0) {
      release_reserve();
      ::close(fd_);
    }
  }

  absl::Status append(std::span<const uint8_t> data) override {
    std::span<const uint8_t> parts[1] = {data};
    return append_vectored(parts);
  }

  absl::Status append_vectored(std::span<const std::span<const uint8_t>> parts) override {
    size_t total = 0;
    for (const auto& part : parts) total += part.size();
    reserve_for(total);
    constexpr size_t kMaxIov = 64;
    size_t index = 0;
    size_t skip = 0;  // bytes of parts[index] already written
    while (index < parts.size()) {
      iovec iov[kMaxIov];
      int count = 0;
      for (size_t i = index; i < parts.size() && count < static_cast<int>(kMaxIov); ++i) {
        const size_t start = i == index ? skip : 0;
        if (parts[i].size() == start) continue;
        iov[count].iov_base = const_cast<uint8_t*>(parts[i].data() + start);
        iov[count].iov_len = parts[i].size() - start;
        ++count;
      }
      if (count == 0) break;
      ssize_t n = ::writev(fd_, iov, count);
      if (n < 0) {
        if (errno == EINTR) continue;
        return io_error("write", path_, errno);
      }
      size_ += static_cast<uint64_t>(n);
      size_t left = static_cast<size_t>(n);
      while (index < parts.size() && left >= parts[index].size() - skip) {
        left -= parts[index].size() - skip;
        skip = 0;
        ++index;
      }
      skip += left;
    }
    return absl::OkStatus();
  }

  absl::Status sync() override {
    if (::fdatasync(fd_) != 0) return io_error("fdatasync", path_, errno);
    return absl::OkStatus();
  }

  absl::Status truncate(uint64_t size) override {
    if (::ftruncate(fd_, static_cast<off_t>(size)) != 0) return io_error("truncate", path_, errno);
    if (::lseek(fd_, 0, SEEK_END) < 0) return io_error("seek", path_, errno);
    size_ = size;
    reserved_end_ = size;  // shrinking frees every block past the new end
    return absl::OkStatus();
  }

  absl::Status close() override {
    if (fd_ < 0) return absl::OkStatus();
    release_reserve();
    int rc = ::close(fd_);
    fd_ = -1;
    if (rc != 0) return io_error("close", path_, errno);
    return absl::OkStatus();
  }

  uint64_t size() const override { return size_; }

 private:
  // Appends into blocks reserved ahead with fallocate(KEEP_SIZE) cost ext4 about a third less
  // CPU than appends that allocate as they go (delayed-allocation bookkeeping per page). The
  // reserve grows with the file (at most 2x its size, at most kMaxReserve past its end), so a
  // small partition reserves little; it is released when the handle closes. The file size is
  // unchanged, so readers and recovery never see the reserve. Best effort: a failure (no
  // support, disk full) stops reserving and the write itself reports any real problem.
  static constexpr uint64_t kMinReserve = 64 << 10;
  static constexpr uint64_t kMaxReserve = 32 << 20;

  void reserve_for(size_t incoming) {
    if (!reserving_ || size_ + incoming <= reserved_end_) return;
    const uint64_t step = std::clamp<uint64_t>(size_ + incoming, kMinReserve, kMaxReserve);
    const uint64_t from = std::max(reserved_end_, size_);
    const uint64_t to = size_ + incoming + step;
    if (::fallocate(fd_, FALLOC_FL_KEEP_SIZE, static_cast<off_t>(from),
                    static_cast<off_t>(to - from)) != 0) {
      reserving_ = false;
      return;
    }
    reserved_end_ = to;
  }

  // Gives back reserved blocks past the end: truncating to the current size frees them. A
  // reopened file may carry a reserve from before a crash, so it is trimmed too. The size is
  // the file's own (fstat), never a possibly stale size_: this must not cut or extend data.
  void release_reserve() {
    if (reserved_end_ > size_ || reopened_) {
      struct stat st;
      if (::fstat(fd_, &st) == 0) (void)::ftruncate(fd_, st.st_size);
    }
    reserved_end_ = size_;
    reopened_ = false;
  }

  std::string path_;
  int fd_;
  uint64_t size_;
  uint64_t reserved_end_;
  bool reopened_;
  bool reserving_ = true;
};

class PosixRandomAccessFile final : public RandomAccessFile {
 public:
  PosixRandomAccessFile(std::string path, int fd) : path_(std::move(path)), fd_(fd) {}
  ~PosixRandomAccessFile() override { ::close(fd_); }

  absl::StatusOr<size_t> read(uint64_t offset, std::span<uint8_t> dst) const override {
    size_t done = 0;
    while (done < dst.size()) {
      ssize_t n =
          ::pread(fd_, dst.data() + done, dst.size() - done, static_cast<off_t>(offset + done));
      if (n < 0) {
        if (errno == EINTR) continue;
        return io_error("read", path_, errno);
      }
      if (n == 0) break;
      done += static_cast<size_t>(n);
    }
    return done;
  }

  absl::StatusOr<uint64_t> size() const override {
    struct stat st;
    if (::fstat(fd_, &st) != 0) return io_error("stat", path_, errno);
    return static_cast<uint64_t>(st.st_size);
  }

  int native_handle() const override { return fd_; }

 private:
  std::string path_;
  int fd_;
};

class PosixMappedFile final : public MappedFile {
 public:
  PosixMappedFile(std::string path, int fd) : path_(std::move(path)), fd_(fd) {}
  ~PosixMappedFile() override { (void)close(); }

  absl::Status map(uint64_t size) {
    unmap();
    if (::ftruncate(fd_, static_cast<off_t>(size)) != 0) return io_error("truncate", path_, errno);
    size_ = size;
    if (size == 0) return absl::OkStatus();
    void* p = ::mmap(nullptr, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd_, 0);
    if (p == MAP_FAILED) {
      size_ = 0;
      return io_error("mmap", path_, errno);
    }
    base_ = static_cast<uint8_t*>(p);
    return absl::OkStatus();
  }

  std::span<uint8_t> data() override { return {base_, size_}; }
  std::span<const uint8_t> data() const override { return {base_, size_}; }

  absl::Status sync() override {
    if (base_ != nullptr && ::msync(base_, size_, MS_SYNC) != 0)
      return io_error("msync", path_, errno);
    return absl::OkStatus();
  }

  absl::Status resize(uint64_t size) override { return map(size); }

  absl::Status allocate(uint64_t offset, uint64_t length) override {
    if (length == 0) return absl::OkStatus();
    const int rc = ::posix_fallocate(fd_, static_cast<off_t>(offset), static_cast<off_t>(length));
    if (rc != 0) return io_error("fallocate", path_, rc);
    return absl::OkStatus();
  }

  absl::Status close() override {
    unmap();
    if (fd_ < 0) return absl::OkStatus();
    int rc = ::close(fd_);
    fd_ = -1;
    if (rc != 0) return io_error("close", path_, errno);
    return absl::OkStatus();
  }

 private:
  void unmap() {
    if (base_ != nullptr) ::munmap(base_, size_);
    base_ = nullptr;
  }

  std::string path_;
  int fd_;
  uint8_t* base_ = nullptr;
  uint64_t size_ = 0;
};

class PosixEnv final : public Env {
 public:
  absl::StatusOr<std::unique_ptr<WritableFile>> open_writable(const std::string& path) override {
    int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (fd < 0) return io_error("open", path, errno);
    struct stat st;
    if (::fstat(fd, &st) != 0) {
      int err = errno;
      ::close(fd);
      return io_error("stat", path, err);
    }
    return std::make_unique<PosixWritableFile>(path, fd, static_cast<uint64_t>(st.st_size));
  }

  absl::StatusOr<std::unique_ptr<RandomAccessFile>> open_readable(
      const std::string& path) override {
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return io_error("open", path, errno);
    return std::make_unique<PosixRandomAccessFile>(path, fd);
  }

  absl::StatusOr<std::unique_ptr<MappedFile>> open_mapped(const std::string& path,
                                                          uint64_t size) override {
    int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0) return io_error("open", path, errno);
    auto file = std::make_unique<PosixMappedFile>(path, fd);
    absl::Status status = file->map(size);
    if (!status.ok()) return status;
    return file;
  }

  bool exists(const std::string& path) override { return ::access(path.c_str(), F_OK) == 0; }

  absl::StatusOr<uint64_t> file_size(const std::string& path) override {
    struct stat st;
    if (::stat(path.c_str(), &st) != 0) return io_error("stat", path, errno);
    return static_cast<uint64_t>(st.st_size);
  }

  absl::StatusOr<std::vector<std::string>> list_dir(const std::string& dir) override {
    DIR* d = ::opendir(dir.c_str());
    if (d == nullptr) return io_error("opendir", dir, errno);
    std::vector<std::string> names;
    while (dirent* e = ::readdir(d)) {
      std::string_view name = e->d_name;
      if (name != "." && name != "..") names.emplace_back(name);
    }
    ::closedir(d);
    return names;
  }

  absl::Status create_dir(const std::string& dir) override {
    std::error_code ec;
    std::filesystem::create_directories(dir, ec);
    if (ec) return io_error("mkdir", dir, ec.value());
    return absl::OkStatus();
  }

  absl::Status remove_file(const std::string& path) override {
    if (::unlink(path.c_str()) != 0) return io_error("unlink", path, errno);
    return absl::OkStatus();
  }

  absl::Status remove_dir(const std::string& dir) override {
    std::error_code ec;
    std::filesystem::remove_all(dir, ec);
    if (ec) return io_error("remove", dir, ec.value());
    return absl::OkStatus();
  }

  absl::Status rename(const std::string& from, const std::string& to) override {
    if (::rename(from.c_str(), to.c_str()) != 0) return io_error("rename", from, errno);
    return absl::OkStatus();
  }

  absl::Status truncate_file(const std::string& path, uint64_t size) override {
    if (::truncate(path.c_str(), static_cast<off_t>(size)) != 0)
      return io_error("truncate", path, errno);
    return absl::OkStatus();
  }

  absl::Status sync_dir(const std::string& dir) override {
    int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) return io_error("open", dir, errno);
    int rc = ::fsync(fd);
    int err = errno;
    ::close(fd);
    if (rc != 0) return io_error("fsync", dir, err);
    return absl::OkStatus();
  }
};

class SystemClock final : public Clock {
 public:
  int64_t now_ms() const override {
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
  }
  int64_t monotonic_ms() const override {
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::steady_clock::now().time_since_epoch())
        .count();
  }
};

}  // namespace

Env* Env::posix() {
  static PosixEnv env;
  return &env;
}

Clock* Clock::system() {
  static SystemClock clock;
  return &clock;
}

}  // namespace keel::storage
