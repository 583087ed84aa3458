// The parts of storage/env.h shared by every Env: whole-file helpers and paths.
#include "storage/env.h"


namespace keel::storage {

absl::StatusOr<std::string> Env::read_file(const std::string& path) {
  auto file = open_readable(path);
  if (!file.ok()) return file.status();
  auto size = (*file)->size();
  if (!size.ok()) return size.status();
  std::string contents(*size, '\0');
  auto n = (*file)->read(0, std::span<uint8_t>(reinterpret_cast<uint8_t*>(contents.data()), contents.size()));
  if (!n.ok()) return n.status();
  contents.resize(*n);
  return contents;
}

absl::Status Env::write_file_atomically(const std::string& path, std::string_view contents) {
  const std::string tmp = path + ".tmp";
  if (exists(tmp)) {
    absl::Status removed = remove_file(tmp);
    if (!removed.ok()) return removed;
  }
  auto file = open_writable(tmp);
  if (!file.ok()) return file.status();
  absl::Status s = (*file)->append(std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(contents.data()), contents.size()));
  if (s.ok()) s = (*file)->sync();
  if (s.ok()) s = (*file)->close();
  if (s.ok()) s = rename(tmp, path);
  if (!s.ok()) return s;
  const size_t slash = path.rfind('/');
  return sync_dir(slash == std::string::npos ? std::string(".") : path.substr(0, slash == 0 ? 1 : slash));
}

std::string join_path(std::string_view dir, std::string_view name) {
  std::string path(dir);
  if (!path.empty() && path.back() != '/') path += '/';
  path += name;
  return path;
}

}  // namespace keel::storage
