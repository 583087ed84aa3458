// Cost of taking apart a 1 MiB Produce request, the broker's first step on the produce path.
// The codec decodes `records` as a view into the frame, so its cost must not grow with the
// number of records; splitting into batches and validating them (header + CRC-32C) grows with
// batches and bytes, never with records. Compare the 1,000-record and 100,000-record cases:
// same bytes, 100x the records, the same time.
#include <benchmark/benchmark.h>

#include <string>
#include <vector>

#include "protocol/generated/produce.h"
#include "protocol/records/batch_iterator.h"
#include "protocol/records/record_batch.h"
#include "protocol/records/record_batch_builder.h"
#include "protocol/wire/framing.h"

namespace keel::protocol {
namespace {

constexpr size_t kRequestBytes = 1 << 20;

// A Produce v7 request body whose single partition holds `batches` batches with `records`
// records in total, each value sized so that the request is about 1 MiB.
Bytes make_request(int batches, int records) {
  const size_t value_size = kRequestBytes / static_cast<size_t>(records);
  const std::string value(value_size > 20 ? value_size - 20 : 1, 'v');
  Bytes region;
  const int per_batch = records / batches;
  for (int b = 0; b < batches; ++b) {
    RecordBatchBuilder builder;
    for (int i = 0; i < per_batch; ++i) {
      RecordInput rec;
      rec.timestamp = 1700000000000 + i;
      rec.value = ByteView(reinterpret_cast<const uint8_t*>(value.data()), value.size());
      builder.append(rec);
    }
    Bytes batch = builder.build().value();
    region.insert(region.end(), batch.begin(), batch.end());
  }
  ProduceRequest request;
  request.acks = -1;
  request.timeout_ms = 30000;
  auto& topic = request.topic_data.emplace_back();
  topic.name = "bench";
  auto& partition = topic.partition_data.emplace_back();
  partition.index = 0;
  partition.records = RecordsView(region.data(), region.size());
  Bytes body;
  Writer w(body);
  request.encode(w, 7);
  return body;
}

void BM_ProduceDecode(benchmark::State& state) {
  const Bytes body =
      make_request(static_cast<int>(state.range(0)), static_cast<int>(state.range(1)));
  for (auto _ : state) {
    ProduceRequest request;
    Reader r(body);
    benchmark::DoNotOptimize(request.decode(r, 7));
    benchmark::DoNotOptimize(request.topic_data[0].partition_data[0].records);
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * body.size()));
  state.counters["records"] = static_cast<double>(state.range(1));
}

// Decode, split the records region into batches, and validate each (header + CRC-32C).
void BM_ProduceDecodeAndValidate(benchmark::State& state) {
  const Bytes body =
      make_request(static_cast<int>(state.range(0)), static_cast<int>(state.range(1)));
  for (auto _ : state) {
    ProduceRequest request;
    Reader r(body);
    if (!request.decode(r, 7).ok()) state.SkipWithError("decode failed");
    BatchIterator it(*request.topic_data[0].partition_data[0].records);
    while (it.next()) {
      auto header = validate_batch(it.batch());
      if (!header.ok()) state.SkipWithError("invalid batch");
      benchmark::DoNotOptimize(header);
    }
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * body.size()));
  state.counters["batches"] = static_cast<double>(state.range(0));
  state.counters["records"] = static_cast<double>(state.range(1));
}

BENCHMARK(BM_ProduceDecode)->Args({1, 1000})->Args({1, 100000});
BENCHMARK(BM_ProduceDecodeAndValidate)->Args({1, 1000})->Args({1, 100000})->Args({64, 1000});

}  // namespace
}  // namespace keel::protocol
