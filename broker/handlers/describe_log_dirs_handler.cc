// File: broker/handlers/describe_log_dirs_handler.cc
#include "broker/handlers/describe_log_dirs_handler.h"

#include <sys/statvfs.h>

#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "broker/broker_services.h"
#include "broker/handlers/handler_util.h"
#include "protocol/generated/describe_log_dirs.h"
#include "storage/env.h"
#include "storage/topic_partition.h"

namespace keel::broker::handlers {
namespace {

using protocol::DescribeLogDirsRequest;
using protocol::DescribeLogDirsResponse;
using protocol::ErrorCode;

// Where a partition's log lives and how big it is, read on the partition's owner.
struct Placement {
  bool hosted = false;
  std::string dir;  // the log's own directory, <log dir>/<topic>-<partition>
  int64_t size = 0;
};

// The partitions the request asks about (all hosted ones for a null list).
std::vector<std::shared_ptr<Partition>> wanted(const BrokerServices& broker,
                                               const DescribeLogDirsRequest& req) {
  if (!req.topics.has_value()) return broker.partitions->all();
  std::vector<std::shared_ptr<Partition>> out;
  std::set<std::pair<std::string, int32_t>> seen;
  for (const auto& t : *req.topics) {
    for (int32_t p : t.partitions) {
      if (!seen.insert({t.topic, p}).second) continue;
      if (std::shared_ptr<Partition> partition = broker.partitions->get(t.topic, p)) {
        out.push_back(std::move(partition));
      }
    }
  }
  return out;
}

}  // namespace

boost::asio::awaitable<HandlerResult> DescribeLogDirsHandler::serve(
    const RequestContext& ctx, const protocol::RequestHeader& header,
    protocol::DescribeLogDirsRequest& req) const {
  const BrokerServices& broker = *ctx.broker;

  // Per log dir, per topic, the partitions found there (maps keep the reply ordered).
  using Topics =
      std::map<std::string, std::vector<DescribeLogDirsResponse::DescribeLogDirsPartition>>;
  std::map<std::string, Topics> by_dir;
  for (const std::string& dir : broker.config->log_dirs) by_dir[dir];

  // Named locals, never temporaries inside a co_await expression (broker_services.h).
  const std::vector<std::shared_ptr<Partition>> partitions = wanted(broker, req);
  for (const std::shared_ptr<Partition>& partition : partitions) {
    auto place = [](Partition& p) {
      Placement out;
      if (const storage::Log* log = p.log()) {
        out.hosted = true;
        out.dir = log->dir();
        out.size = static_cast<int64_t>(log->size_bytes());
      }
      return out;
    };
    auto placing = PartitionManager::on_owner(partition, place);
    Placement where = co_await std::move(placing);
    if (!where.hosted) continue;
    const storage::TopicPartition& tp = partition->tp();
    const std::string name = storage::partition_dir_name(tp);
    for (const std::string& dir : broker.config->log_dirs) {
      if (storage::join_path(dir, name) != where.dir) continue;
      DescribeLogDirsResponse::DescribeLogDirsPartition p;
      p.partition_index = tp.partition;
      p.partition_size = where.size;
      p.offset_lag = 0;
      p.is_future_key = false;
      by_dir[dir][tp.topic].push_back(std::move(p));
      break;
    }
  }

  DescribeLogDirsResponse resp;
  for (auto& [dir, topics] : by_dir) {
    DescribeLogDirsResponse::DescribeLogDirsResult r;
    r.log_dir = dir;
    struct statvfs fs {};
    if (::statvfs(dir.c_str(), &fs) == 0) {
      r.total_bytes = static_cast<int64_t>(fs.f_blocks) * static_cast<int64_t>(fs.f_frsize);
      r.usable_bytes = static_cast<int64_t>(fs.f_bavail) * static_cast<int64_t>(fs.f_frsize);
    } else {
      r.error_code = error_code(ErrorCode::kKafkaStorageError);
    }
    for (auto& [topic, partitions] : topics) {
      DescribeLogDirsResponse::DescribeLogDirsTopic t;
      t.name = topic;
      t.partitions = std::move(partitions);
      r.topics.push_back(std::move(t));
    }
    resp.results.push_back(std::move(r));
  }
  co_return respond(header, resp);
}

}  // namespace keel::broker::handlers
