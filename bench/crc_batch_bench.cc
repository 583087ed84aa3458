// CRC-32C throughput (instruction vs table), the cost of validating a 16 KiB batch (header +
// CRC, records untouched), and of walking 1,000 records. Anchors on this machine
// (shared/perf-anchors.md): one crc32q stream 9.4 GB/s, 3 interleaved 26 GB/s, table 0.43 GB/s.
#include <benchmark/benchmark.h>

#include <random>
#include <string>

#include "protocol/records/batch_records.h"
#include "protocol/records/compression.h"
#include "protocol/records/crc32c.h"
#include "protocol/records/record_batch.h"
#include "protocol/records/record_batch_builder.h"
#include "protocol/records/record_reader.h"

namespace keel::protocol {
namespace {

Bytes random_buffer(size_t n) {
  std::mt19937_64 rng(1);
  Bytes out(n);
  for (auto& b : out) b = static_cast<uint8_t>(rng());
  return out;
}

void BM_Crc32cHardware(benchmark::State& state) {
  if (!crc32c_impl::hardware_supported()) {
    state.SkipWithError("no SSE4.2");
    return;
  }
  const Bytes data = random_buffer(static_cast<size_t>(state.range(0)));
  for (auto _ : state) benchmark::DoNotOptimize(crc32c_impl::extend_hardware(0, data));
  state.SetBytesProcessed(state.iterations() * state.range(0));
}
BENCHMARK(BM_Crc32cHardware)->Arg(64 << 10)->Arg(1 << 20);

void BM_Crc32cSoftware(benchmark::State& state) {
  const Bytes data = random_buffer(static_cast<size_t>(state.range(0)));
  for (auto _ : state) benchmark::DoNotOptimize(crc32c_impl::extend_software(0, data));
  state.SetBytesProcessed(state.iterations() * state.range(0));
}
BENCHMARK(BM_Crc32cSoftware)->Arg(64 << 10)->Arg(1 << 20);

// `count` records whose values fill about `batch_bytes` in total.
Bytes make_batch(int count, size_t batch_bytes, Compression codec) {
  const size_t value_size = batch_bytes / static_cast<size_t>(count);
  const std::string value(value_size > 24 ? value_size - 24 : 1, 'v');
  const std::string key = "key-0000";
  const std::string header_value = "x";
  const HeaderInput headers[] = {
      {"h1", ByteView(reinterpret_cast<const uint8_t*>(header_value.data()), 1)}};
  BatchOptions options;
  options.compression = codec;
  RecordBatchBuilder builder(options);
  for (int i = 0; i < count; ++i) {
    RecordInput r;
    r.timestamp = 1700000000000 + i;
    r.key = ByteView(reinterpret_cast<const uint8_t*>(key.data()), key.size());
    r.value = ByteView(reinterpret_cast<const uint8_t*>(value.data()), value.size());
    r.headers = headers;
    builder.append(r);
  }
  return builder.build().value();
}

void BM_ValidateBatch16KiB(benchmark::State& state) {
  const Bytes batch = make_batch(16, 16 << 10, Compression::kNone);
  for (auto _ : state) benchmark::DoNotOptimize(validate_batch(batch));
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(batch.size()));
  state.SetItemsProcessed(state.iterations());
  state.counters["batch_bytes"] = static_cast<double>(batch.size());
}
BENCHMARK(BM_ValidateBatch16KiB);

// Walks keys, values and headers of 1,000 records of ~100 bytes, already decompressed.
void BM_IterateRecords1000(benchmark::State& state) {
  const Bytes batch = make_batch(1000, 100 * 1000, Compression::kNone);
  for (auto _ : state) {
    RecordReader reader = RecordReader::for_batch(batch).value();
    RecordView record;
    size_t bytes = 0;
    while (reader.next(record)) {
      bytes += record.value ? record.value->size() : 0;
      HeaderReader headers = record.headers();
      RecordHeaderView header;
      while (headers.next(header)) bytes += header.key.size();
    }
    benchmark::DoNotOptimize(bytes);
  }
  state.SetItemsProcessed(state.iterations() * 1000);
}
BENCHMARK(BM_IterateRecords1000);

// The same 1,000 records compressed: decompress into a buffer, then walk.
void BM_DecompressAndIterate1000(benchmark::State& state) {
  const auto codec = static_cast<Compression>(state.range(0));
  const Bytes batch = make_batch(1000, 100 * 1000, codec);
  for (auto _ : state) {
    BatchRecords records = BatchRecords::open(batch, 16 << 20).value();
    RecordReader reader = records.reader();
    RecordView record;
    size_t n = 0;
    while (reader.next(record)) ++n;
    benchmark::DoNotOptimize(n);
  }
  state.SetItemsProcessed(state.iterations() * 1000);
  state.SetLabel(compression_name(codec));
}
BENCHMARK(BM_DecompressAndIterate1000)->DenseRange(1, 4);

}  // namespace
}  // namespace keel::protocol
