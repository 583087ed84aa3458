// Storage benchmarks (storage/log.h), each with its reference measured in the same run and
// reported as a counter, never asserted:
//   BM_AppendVsWrite   Log::append of 1 KiB / 64 KiB client batches vs write(2) of the same
//                      bytes to a file in the same directory (interleaved chunks, so page-cache
//                      writeback pressure hits both), without and with a flush per MiB
//                      (Log::flush vs fdatasync); counters log_Bps, raw_Bps, ratio.
//   BM_ReadByOffset    fetch-style reads from the page cache: Log::read of up to 1 MiB at an
//                      offset + pread of the slice, vs pread of the segment files in 1 MiB
//                      chunks; counters as above.
//   BM_IndexLookup     Log::read of the batch holding a random offset (index + short scan).
//   BM_Recovery        Log::open after an unclean stop of a 1 GiB log (64 MiB segments) with
//                      the recovery point near the end (rescans the last segment) or unknown
//                      (full rescan). The data is in the page cache.
//   BM_IdlePartitionMemory  heap (mallinfo2) per idle partition opened through LogManager,
//                      beside the index bytes each keeps mapped.
//
// Scratch data lives under $KEEL_BENCH_DIR (default /tmp) and is removed at exit. Sizes:
// KEEL_BENCH_RECOVERY_MIB (default 1024), KEEL_BENCH_PARTITIONS (default 1000); with
// KEEL_BENCH_SHORT set (the ctest smoke run) 256 MiB, 200 partitions and smaller read sets.
#include <benchmark/benchmark.h>
#include <fcntl.h>
#include <malloc.h>
#include <stdlib.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "protocol/records/record_batch.h"
#include "protocol/records/record_batch_builder.h"
#include "storage/env.h"
#include "storage/log.h"
#include "storage/log_manager.h"

namespace keel::storage {
namespace {

using protocol::Bytes;
using Clock_ = std::chrono::steady_clock;

constexpr uint64_t kMiB = 1 << 20;

bool short_mode() { return getenv("KEEL_BENCH_SHORT") != nullptr; }

uint64_t env_or(const char* name, uint64_t fallback) {
  const char* v = getenv(name);
  return v != nullptr && *v != '\0' ? strtoull(v, nullptr, 10) : fallback;
}

double seconds_since(Clock_::time_point start) {
  return std::chrono::duration<double>(Clock_::now() - start).count();
}

// A fresh directory under $KEEL_BENCH_DIR (or /tmp), removed with its content on destruction.
class ScratchDir {
 public:
  explicit ScratchDir(const std::string& name) {
    const char* base = getenv("KEEL_BENCH_DIR");
    std::string tmpl =
        std::string(base != nullptr ? base : "/tmp") + "/keel_bench_" + name + "_XXXXXX";
    if (mkdtemp(tmpl.data()) != nullptr) path_ = tmpl;
  }
  ~ScratchDir() {
    if (!path_.empty()) (void)Env::posix()->remove_dir(path_);
  }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

// A client batch of about `batch_bytes`: 1 KiB records (keys, incompressible values).
Bytes client_batch(size_t batch_bytes) {
  const size_t records = std::max<size_t>(1, batch_bytes / 1024);
  const size_t value_size = batch_bytes / records - 80;  // record + batch header overhead
  std::mt19937_64 rng(42);
  std::string value(value_size, '\0');
  for (char& c : value) c = static_cast<char>(rng());
  protocol::RecordBatchBuilder builder;
  std::vector<std::string> keys(records);
  for (size_t i = 0; i < records; ++i) {
    keys[i] = "key-" + std::to_string(i);
    protocol::RecordInput r;
    r.timestamp = 1'700'000'000'000;
    r.key = protocol::ByteView(reinterpret_cast<const uint8_t*>(keys[i].data()), keys[i].size());
    r.value = protocol::ByteView(reinterpret_cast<const uint8_t*>(value.data()), value.size());
    builder.append(r);
  }
  return *builder.build();
}

absl::StatusOr<std::unique_ptr<Log>> open_log(const std::string& dir, LogConfig config,
                                              RecoveryOptions options = {}) {
  return Log::open(Env::posix(), Clock::system(), dir, config, std::move(options));
}

// Appends `batch` until the log holds `bytes`, then flushes.
absl::Status fill(Log& log, const Bytes& batch, uint64_t bytes) {
  const protocol::RecordsView view(batch.data(), batch.size());
  for (uint64_t written = 0; written < bytes; written += batch.size()) {
    absl::StatusOr<AppendResult> r = log.append(view, 1);
    if (!r.ok()) return r.status();
  }
  return log.flush().status();
}

// ---- append ------------------------------------------------------------------------------

void BM_AppendVsWrite(benchmark::State& state) {
  const Bytes batch = client_batch(static_cast<size_t>(state.range(0)));
  const uint64_t flush_every = static_cast<uint64_t>(state.range(1)) * kMiB;  // 0: never
  ScratchDir dir("append");
  auto log = open_log(dir.path() + "/bench-0", LogConfig{});
  const std::string raw_path = dir.path() + "/raw.bin";
  const int fd = ::open(raw_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if (!log.ok() || fd < 0) {
    state.SkipWithError("cannot open the log or the raw file");
    if (fd >= 0) ::close(fd);
    return;
  }
  const protocol::RecordsView view(batch.data(), batch.size());
  const size_t per_chunk = std::max<size_t>(1, 8 * kMiB / batch.size());
  const uint64_t chunk_bytes = per_chunk * batch.size();
  double log_s = 0, raw_s = 0;
  uint64_t total = 0, since_reset = 0, log_unflushed = 0, raw_unflushed = 0;
  bool failed = false;

  auto run_log = [&] {
    const auto start = Clock_::now();
    for (size_t i = 0; i < per_chunk; ++i) {
      failed |= !(*log)->append(view, 1).ok();
      log_unflushed += batch.size();
      if (flush_every > 0 && log_unflushed >= flush_every) {
        failed |= !(*log)->flush().ok();
        log_unflushed = 0;
      }
    }
    return seconds_since(start);
  };
  auto run_raw = [&] {
    const auto start = Clock_::now();
    for (size_t i = 0; i < per_chunk; ++i) {
      failed |= ::write(fd, batch.data(), batch.size()) != static_cast<ssize_t>(batch.size());
      raw_unflushed += batch.size();
      if (flush_every > 0 && raw_unflushed >= flush_every) {
        failed |= ::fdatasync(fd) != 0;
        raw_unflushed = 0;
      }
    }
    return seconds_since(start);
  };

  int64_t n = 0;
  for (auto _ : state) {
    double log_chunk = 0;
    if (n++ % 2 == 0) {  // alternate who goes first: writeback started by one hits the other
      log_chunk = run_log();
      raw_s += run_raw();
    } else {
      raw_s += run_raw();
      log_chunk = run_log();
    }
    log_s += log_chunk;
    state.SetIterationTime(log_chunk);
    total += chunk_bytes;
    since_reset += chunk_bytes;
    if (since_reset >= 512 * kMiB) {  // bound the disk used; not timed
      failed |= !(*log)->truncate_fully_and_start_at((*log)->log_end_offset()).ok();
      failed |= ::ftruncate(fd, 0) != 0 || ::lseek(fd, 0, SEEK_SET) != 0;
      since_reset = 0;
    }
    if (failed) break;
  }
  ::close(fd);
  if (failed) {
    state.SkipWithError("append or write failed");
    return;
  }
  state.SetBytesProcessed(static_cast<int64_t>(total));
  state.counters["log_Bps"] = static_cast<double>(total) / log_s;
  state.counters["raw_Bps"] = static_cast<double>(total) / raw_s;
  state.counters["ratio"] = raw_s / log_s;
}
BENCHMARK(BM_AppendVsWrite)
    ->ArgNames({"batch", "flush_mib"})
    ->Args({1024, 0})
    ->Args({64 << 10, 0})
    ->Args({1024, 1})
    ->Args({64 << 10, 1})
    ->UseManualTime()
    ->Unit(benchmark::kMillisecond);

// ---- reads -------------------------------------------------------------------------------

// A flushed log of `bytes` in identical batches of `batch_bytes`, 64 MiB segments, kept for
// the run. Identical batches let the reader know the next offset from a slice's size alone,
// so the read benchmark measures the log rather than a consumer's batch parsing.
struct ReadFixture {
  ScratchDir dir{"read"};
  std::unique_ptr<Log> log;
  uint64_t batch_size = 0;
  int64_t records_per_batch = 0;

  ReadFixture(size_t batch_bytes, uint64_t bytes) {
    LogConfig config;
    config.segment_bytes = 64 * kMiB;
    auto opened = open_log(dir.path() + "/read-0", config);
    if (!opened.ok()) return;
    log = std::move(*opened);
    const Bytes batch = client_batch(batch_bytes);
    batch_size = batch.size();
    records_per_batch = protocol::parse_batch_header(batch)->record_count;
    if (!fill(*log, batch, bytes).ok()) log.reset();
  }
};

ReadFixture* read_fixture(size_t batch_bytes) {
  const uint64_t bytes = (short_mode() ? 32 : 256) * kMiB;
  static std::map<size_t, std::unique_ptr<ReadFixture>> fixtures;
  auto& f = fixtures[batch_bytes];
  if (!f) f = std::make_unique<ReadFixture>(batch_bytes, bytes);
  return f->log ? f.get() : nullptr;
}

void BM_ReadByOffset(benchmark::State& state) {
  ReadFixture* f = read_fixture(static_cast<size_t>(state.range(0)));
  if (f == nullptr) {
    state.SkipWithError("cannot build the log");
    return;
  }
  Log& log = *f->log;
  const std::vector<SegmentInfo> segments = log.segments();
  std::vector<uint8_t> buffer(kMiB + (64 << 10));
  const uint64_t chunk = 16 * kMiB;
  int64_t offset = log.log_start_offset();
  size_t raw_segment = 0;
  uint64_t raw_position = 0;
  double log_s = 0, raw_s = 0;
  uint64_t log_bytes = 0, raw_bytes = 0;
  bool failed = false;
  for (auto _ : state) {
    // Fetch path: Log::read by offset, copy the slice (what TLS or a test does).
    auto start = Clock_::now();
    for (uint64_t done = 0; done < chunk && !failed;) {
      if (offset >= log.log_end_offset()) offset = log.log_start_offset();
      auto slice = log.read(offset, static_cast<int32_t>(kMiB), log.log_end_offset(), true);
      if (!slice.ok() || slice->empty()) {
        failed = true;
        break;
      }
      auto got = slice->file->read(slice->position, std::span<uint8_t>(buffer.data(), slice->size));
      failed |= !got.ok();
      offset += static_cast<int64_t>(slice->size / f->batch_size) * f->records_per_batch;
      done += slice->size;
      log_bytes += slice->size;
    }
    const double log_chunk = seconds_since(start);
    log_s += log_chunk;
    state.SetIterationTime(log_chunk);
    // Reference: the same files read in 1 MiB preads.
    start = Clock_::now();
    for (uint64_t done = 0; done < chunk && !failed;) {
      const SegmentInfo& seg = segments[raw_segment];
      if (seg.active && seg.size_bytes == 0) {
        raw_segment = 0;
        continue;
      }
      const uint64_t n = std::min<uint64_t>(kMiB, seg.size_bytes - raw_position);
      auto got = seg.file->read(raw_position, std::span<uint8_t>(buffer.data(), n));
      failed |= !got.ok();
      raw_position += n;
      done += n;
      raw_bytes += n;
      if (raw_position >= seg.size_bytes) {
        raw_position = 0;
        raw_segment = (raw_segment + 1) % segments.size();
      }
    }
    raw_s += seconds_since(start);
    if (failed) break;
  }
  if (failed) {
    state.SkipWithError("read failed");
    return;
  }
  state.SetBytesProcessed(static_cast<int64_t>(log_bytes));
  state.counters["log_Bps"] = static_cast<double>(log_bytes) / log_s;
  state.counters["raw_Bps"] = static_cast<double>(raw_bytes) / raw_s;
  state.counters["ratio"] =
      (static_cast<double>(log_bytes) / log_s) / (static_cast<double>(raw_bytes) / raw_s);
}
BENCHMARK(BM_ReadByOffset)
    ->ArgNames({"batch"})
    ->Arg(1024)
    ->Arg(64 << 10)
    ->UseManualTime()
    ->Unit(benchmark::kMillisecond);

void BM_IndexLookup(benchmark::State& state) {
  ReadFixture* f = read_fixture(static_cast<size_t>(state.range(0)));
  if (f == nullptr) {
    state.SkipWithError("cannot build the log");
    return;
  }
  Log& log = *f->log;
  std::mt19937_64 rng(7);
  const int64_t start = log.log_start_offset();
  const int64_t span = log.log_end_offset() - start;
  for (auto _ : state) {
    const int64_t offset = start + static_cast<int64_t>(rng() % static_cast<uint64_t>(span));
    auto slice = log.read(offset, 1, log.log_end_offset(), true);  // just the holding batch
    if (!slice.ok() || slice->empty()) {
      state.SkipWithError("lookup failed");
      return;
    }
    benchmark::DoNotOptimize(slice->position);
  }
  state.counters["segments"] = log.segment_count();
}
BENCHMARK(BM_IndexLookup)->ArgNames({"batch"})->Arg(1024)->Arg(64 << 10);

// ---- recovery ----------------------------------------------------------------------------

// A log of KEEL_BENCH_RECOVERY_MIB (1 GiB; 256 MiB short) in 16 KiB batches and 64 MiB
// segments, written, flushed and left without a clean close.
struct RecoveryFixture {
  ScratchDir dir{"recovery"};
  std::string log_dir;
  LogConfig config;
  int64_t end = 0;
  int64_t recent_point = 0;  // a batch boundary about 8 MiB before the end
  uint64_t bytes = 0;
  bool ok = false;

  RecoveryFixture() {
    bytes = env_or("KEEL_BENCH_RECOVERY_MIB", short_mode() ? 256 : 1024) * kMiB;
    config.segment_bytes = 64 * kMiB;
    log_dir = dir.path() + "/recovery-0";
    auto log = open_log(log_dir, config);
    if (!log.ok()) return;
    const Bytes batch = client_batch(16 << 10);
    if (!fill(**log, batch, bytes).ok()) return;
    end = (*log)->log_end_offset();
    const int64_t records_per_batch = (16 << 10) / 1024;
    recent_point = end - static_cast<int64_t>(8 * kMiB / batch.size()) * records_per_batch;
    (*log)->close_without_flush();  // no clean close: the next open is a recovery
    ok = true;
  }
};

void BM_Recovery(benchmark::State& state) {
  static RecoveryFixture fixture;
  if (!fixture.ok) {
    state.SkipWithError("cannot build the log");
    return;
  }
  const bool full = state.range(0) == 1;
  RecoveryReport report;
  for (auto _ : state) {
    RecoveryOptions options;
    options.clean_shutdown = false;
    options.recovery_point = full ? -1 : fixture.recent_point;
    const auto start = Clock_::now();
    auto log = open_log(fixture.log_dir, fixture.config, options);
    state.SetIterationTime(seconds_since(start));
    if (!log.ok() || (*log)->log_end_offset() != fixture.end) {
      state.SkipWithError("recovery failed or lost data");
      return;
    }
    report = (*log)->report();
    (*log)->close_without_flush();
  }
  state.counters["log_MiB"] = static_cast<double>(fixture.bytes) / kMiB;
  state.counters["segments_rescanned"] = report.segments_rescanned;
}
BENCHMARK(BM_Recovery)
    ->ArgNames({"full_rescan"})
    ->Arg(0)
    ->Arg(1)
    ->UseManualTime()
    ->Unit(benchmark::kMillisecond);

// ---- memory per idle partition -----------------------------------------------------------

size_t heap_in_use() { return mallinfo2().uordblks; }

uint64_t rss_bytes() {
  FILE* f = fopen("/proc/self/statm", "r");
  if (f == nullptr) return 0;
  unsigned long size = 0, resident = 0;
  const int n = fscanf(f, "%lu %lu", &size, &resident);
  fclose(f);
  return n == 2 ? resident * static_cast<uint64_t>(sysconf(_SC_PAGESIZE)) : 0;
}

void BM_IdlePartitionMemory(benchmark::State& state) {
  const int partitions =
      static_cast<int>(env_or("KEEL_BENCH_PARTITIONS", short_mode() ? 200 : 1000));
  const LogConfig config;  // Kafka defaults: indexes mapped at 10 MiB each while active
  for (auto _ : state) {
    ScratchDir dir("partitions");
    LogManagerOptions options;
    options.log_dirs = {dir.path()};
    options.default_config = config;
    double created = 0, reopened = 0, rss = 0, create_s = 0, close_s = 0, reopen_s = 0;
    {
      const size_t heap0 = heap_in_use();
      auto start = Clock_::now();
      auto manager = LogManager::open(Env::posix(), Clock::system(), options);
      if (!manager.ok()) {
        state.SkipWithError("cannot open the log manager");
        return;
      }
      for (int p = 0; p < partitions; ++p) {
        if (!(*manager)->create_log(TopicPartition{"idle", p}, config).ok()) {
          state.SkipWithError("cannot create a log");
          return;
        }
      }
      created = (static_cast<double>(heap_in_use()) - static_cast<double>(heap0)) / partitions;
      create_s = seconds_since(start);
      start = Clock_::now();
      const absl::Status closed = (*manager)->close_all();
      close_s = seconds_since(start);
      if (!closed.ok()) {
        state.SkipWithError("cannot close the logs");
        return;
      }
    }
    const size_t heap0 = heap_in_use();
    const uint64_t rss0 = rss_bytes();
    const auto start = Clock_::now();
    auto manager = LogManager::open(Env::posix(), Clock::system(), options);
    reopen_s = seconds_since(start);
    if (!manager.ok() || (*manager)->partitions().size() != static_cast<size_t>(partitions)) {
      state.SkipWithError("cannot reopen the logs");
      return;
    }
    reopened = (static_cast<double>(heap_in_use()) - static_cast<double>(heap0)) / partitions;
    rss = (static_cast<double>(rss_bytes()) - static_cast<double>(rss0)) / partitions;
    state.counters["heap_B_per_partition_created"] = created;
    state.counters["heap_B_per_partition_reopened"] = reopened;
    state.counters["rss_B_per_partition_reopened"] = rss;
    // The active segment's offset and time indexes stay mapped at segment.index.bytes.
    state.counters["mapped_index_B_per_partition"] =
        2.0 * static_cast<double>(config.segment_index_bytes);
    state.counters["partitions"] = partitions;
    // Where the (long) wall time goes: creating, cleanly closing, reopening all partitions.
    state.counters["create_s"] = create_s;
    state.counters["close_all_s"] = close_s;
    state.counters["reopen_s"] = reopen_s;
    (void)(*manager)->close_all();
  }
}
BENCHMARK(BM_IdlePartitionMemory)->Iterations(1)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace keel::storage
