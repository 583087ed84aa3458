#include "bench/loadgen/kafka.h"

#include <algorithm>
#include <cstdio>
#include <thread>

#include "bench/loadgen/clock.h"

namespace keel::bench {

namespace {

void log_error(rd_kafka_t* /*rk*/, int err, const char* reason, void* /*opaque*/) {
  // Transport errors repeat while a broker is unreachable; print them, the run's deadline
  // bounds how long.
  std::fprintf(stderr, "loadgen: client error %s: %s\n",
               rd_kafka_err2name(static_cast<rd_kafka_resp_err_t>(err)), reason);
}

struct AdminResultDeleter {
  void operator()(rd_kafka_event_t* ev) const { rd_kafka_event_destroy(ev); }
};

// Waits on `queue` for the admin result event of `type`, bounded by the deadline.
std::unique_ptr<rd_kafka_event_t, AdminResultDeleter> wait_admin_result(rd_kafka_queue_t* queue,
                                                                        rd_kafka_event_type_t type,
                                                                        int64_t deadline_ns) {
  while (now_ns() < deadline_ns) {
    rd_kafka_event_t* ev = rd_kafka_queue_poll(queue, std::min(ms_until(deadline_ns), 500));
    if (ev == nullptr) continue;
    if (rd_kafka_event_type(ev) == type)
      return std::unique_ptr<rd_kafka_event_t, AdminResultDeleter>(ev);
    rd_kafka_event_destroy(ev);
  }
  return nullptr;
}

using AdminEvent = std::unique_ptr<rd_kafka_event_t, AdminResultDeleter>;

// Admin options whose operation and request timeouts end at the deadline; the caller
// destroys them.
rd_kafka_AdminOptions_t* admin_options(rd_kafka_t* rk, rd_kafka_admin_op_t op,
                                       int64_t deadline_ns) {
  char errstr[512];
  rd_kafka_AdminOptions_t* options = rd_kafka_AdminOptions_new(rk, op);
  rd_kafka_AdminOptions_set_operation_timeout(options, ms_until(deadline_ns), errstr,
                                              sizeof errstr);
  rd_kafka_AdminOptions_set_request_timeout(options, ms_until(deadline_ns), errstr, sizeof errstr);
  return options;
}

// The answer to an admin request `what`; null, with `error` set, when none came before the
// deadline or the request failed as a whole.
AdminEvent admin_answer(rd_kafka_queue_t* queue, rd_kafka_event_type_t type, const char* what,
                        int64_t deadline_ns, std::string* error) {
  AdminEvent ev = wait_admin_result(queue, type, deadline_ns);
  if (!ev) {
    *error = std::string(what) + ": no answer in time";
    return nullptr;
  }
  if (rd_kafka_event_error(ev.get()) != RD_KAFKA_RESP_ERR_NO_ERROR) {
    *error = std::string(what) + ": " + rd_kafka_event_error_string(ev.get());
    return nullptr;
  }
  return ev;
}

// True when every per-topic result is OK or `tolerated`; otherwise `error` names the first.
bool topic_results_ok(const rd_kafka_topic_result_t** results, size_t n, const char* what,
                      const std::string& topic, rd_kafka_resp_err_t tolerated, std::string* error) {
  for (size_t i = 0; i < n; ++i) {
    const rd_kafka_resp_err_t err = rd_kafka_topic_result_error(results[i]);
    if (err != RD_KAFKA_RESP_ERR_NO_ERROR && err != tolerated) {
      const char* msg = rd_kafka_topic_result_error_string(results[i]);
      *error = std::string(what) + " " + topic + ": " + rd_kafka_err2name(err) +
               (msg != nullptr ? std::string(" (") + msg + ")" : "");
      return false;
    }
  }
  return true;
}

}  // namespace

int ms_until(int64_t deadline_ns, int floor_ms) {
  const int64_t left = (deadline_ns - now_ns()) / 1'000'000;
  return static_cast<int>(std::clamp<int64_t>(left, floor_ms, INT32_MAX));
}

rd_kafka_conf_t* make_conf(const std::vector<const Properties*>& layers, void* opaque,
                           std::string* error) {
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  char errstr[512];
  for (const Properties* layer : layers) {
    for (const auto& [key, value] : *layer) {
      if (rd_kafka_conf_set(conf, key.c_str(), value.c_str(), errstr, sizeof errstr) !=
          RD_KAFKA_CONF_OK) {
        *error = "property " + key + "=" + value + ": " + errstr;
        rd_kafka_conf_destroy(conf);
        return nullptr;
      }
    }
  }
  rd_kafka_conf_set_error_cb(conf, log_error);
  rd_kafka_conf_set_opaque(conf, opaque);
  return conf;
}

Client make_client(rd_kafka_type_t type, rd_kafka_conf_t* conf, std::string* error) {
  char errstr[512];
  rd_kafka_t* rk = rd_kafka_new(type, conf, errstr, sizeof errstr);
  if (rk == nullptr) {
    rd_kafka_conf_destroy(conf);  // rd_kafka_new frees it only on success
    *error = std::string("creating the client: ") + errstr;
  }
  return Client(rk);
}

bool cluster_info(rd_kafka_t* rk, int timeout_ms, ClusterInfo* info, std::string* error) {
  const rd_kafka_metadata_t* md = nullptr;
  const rd_kafka_resp_err_t err = rd_kafka_metadata(rk, 1, nullptr, &md, timeout_ms);
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    *error = std::string("metadata: ") + rd_kafka_err2str(err);
    return false;
  }
  info->brokers = md->broker_cnt;
  info->topics.clear();
  for (int i = 0; i < md->topic_cnt; ++i) {
    if (md->topics[i].err != RD_KAFKA_RESP_ERR_NO_ERROR) continue;
    info->topics.emplace_back(md->topics[i].topic, md->topics[i].partition_cnt);
  }
  rd_kafka_metadata_destroy(md);
  return true;
}

bool topic_info(rd_kafka_t* rk, const std::string& topic, int timeout_ms, TopicInfo* info,
                int* brokers, std::string* error) {
  const rd_kafka_metadata_t* md = nullptr;
  const rd_kafka_resp_err_t err = rd_kafka_metadata(rk, 1, nullptr, &md, timeout_ms);
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    *error = std::string("metadata: ") + rd_kafka_err2str(err);
    return false;
  }
  *info = TopicInfo{};
  if (brokers != nullptr) *brokers = md->broker_cnt;
  for (int i = 0; i < md->topic_cnt; ++i) {
    const rd_kafka_metadata_topic_t& t = md->topics[i];
    if (topic != t.topic || t.err != RD_KAFKA_RESP_ERR_NO_ERROR) continue;
    info->exists = true;
    info->partitions = t.partition_cnt;
    info->all_have_leaders = t.partition_cnt > 0;
    for (int p = 0; p < t.partition_cnt; ++p) {
      if (t.partitions[p].leader < 0 || t.partitions[p].err != RD_KAFKA_RESP_ERR_NO_ERROR) {
        info->all_have_leaders = false;
      }
    }
  }
  rd_kafka_metadata_destroy(md);
  return true;
}

bool ensure_topic(rd_kafka_t* rk, const std::string& topic, int partitions, int replication,
                  const Properties& configs, bool create, int64_t deadline_ns, std::string* error) {
  TopicInfo info;
  int brokers = 0;
  if (!topic_info(rk, topic, ms_until(deadline_ns), &info, &brokers, error)) return false;
  if (!info.exists) {
    if (!create) {
      *error = "topic " + topic + " does not exist";
      return false;
    }
    const int rf = replication > 0 ? replication : std::clamp(brokers, 1, 3);
    char errstr[512];
    rd_kafka_NewTopic_t* nt =
        rd_kafka_NewTopic_new(topic.c_str(), partitions, rf, errstr, sizeof errstr);
    if (nt == nullptr) {
      *error = std::string("CreateTopics: ") + errstr;
      return false;
    }
    for (const auto& [key, value] : configs) {
      rd_kafka_NewTopic_set_config(nt, key.c_str(), value.c_str());
    }
    Queue queue(rd_kafka_queue_new(rk));
    rd_kafka_AdminOptions_t* options =
        admin_options(rk, RD_KAFKA_ADMIN_OP_CREATETOPICS, deadline_ns);
    rd_kafka_CreateTopics(rk, &nt, 1, options, queue.get());
    rd_kafka_AdminOptions_destroy(options);
    rd_kafka_NewTopic_destroy(nt);
    AdminEvent ev = admin_answer(queue.get(), RD_KAFKA_EVENT_CREATETOPICS_RESULT, "CreateTopics",
                                 deadline_ns, error);
    if (!ev) return false;
    size_t n = 0;
    const rd_kafka_topic_result_t** results =
        rd_kafka_CreateTopics_result_topics(rd_kafka_event_CreateTopics_result(ev.get()), &n);
    if (!topic_results_ok(results, n, "CreateTopics", topic, RD_KAFKA_RESP_ERR_TOPIC_ALREADY_EXISTS,
                          error)) {
      return false;
    }
  }
  // Wait until the metadata shows every partition with a leader.
  while (true) {
    if (!topic_info(rk, topic, ms_until(deadline_ns), &info, nullptr, error)) return false;
    if (info.exists && info.partitions < partitions) {
      *error = "topic " + topic + " has " + std::to_string(info.partitions) +
               " partitions, fewer than the " + std::to_string(partitions) + " asked for";
      return false;
    }
    if (info.exists && info.all_have_leaders) return true;
    if (now_ns() >= deadline_ns) {
      *error = "topic " + topic + ": partitions without a leader until the deadline";
      return false;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
}

bool delete_topic(rd_kafka_t* rk, const std::string& topic, int64_t deadline_ns,
                  std::string* error) {
  rd_kafka_DeleteTopic_t* dt = rd_kafka_DeleteTopic_new(topic.c_str());
  Queue queue(rd_kafka_queue_new(rk));
  rd_kafka_AdminOptions_t* options = admin_options(rk, RD_KAFKA_ADMIN_OP_DELETETOPICS, deadline_ns);
  rd_kafka_DeleteTopics(rk, &dt, 1, options, queue.get());
  rd_kafka_AdminOptions_destroy(options);
  rd_kafka_DeleteTopic_destroy(dt);
  AdminEvent ev = admin_answer(queue.get(), RD_KAFKA_EVENT_DELETETOPICS_RESULT, "DeleteTopics",
                               deadline_ns, error);
  if (!ev) return false;
  size_t n = 0;
  const rd_kafka_topic_result_t** results =
      rd_kafka_DeleteTopics_result_topics(rd_kafka_event_DeleteTopics_result(ev.get()), &n);
  return topic_results_ok(results, n, "DeleteTopics", topic, RD_KAFKA_RESP_ERR_NO_ERROR, error);
}

}  // namespace keel::bench
