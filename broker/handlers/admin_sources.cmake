# Sources of the admin request handlers and of the topic config table, included by
# broker/CMakeLists.txt (KEEL_ADMIN_HANDLER_SOURCES into keel_broker_handlers,
# KEEL_TOPIC_CONFIG_SOURCES into keel_broker_core).
set(KEEL_ADMIN_HANDLER_SOURCES
  handlers/admin_handlers.cc
  handlers/admin_util.cc
  handlers/alter_configs_handler.cc
  handlers/create_partitions_handler.cc
  handlers/create_topics_handler.cc
  handlers/delete_records_handler.cc
  handlers/delete_topics_handler.cc
  handlers/describe_cluster_handler.cc
  handlers/describe_configs_handler.cc
  handlers/describe_log_dirs_handler.cc
  handlers/elect_leaders_handler.cc
  handlers/incremental_alter_configs_handler.cc
  handlers/unregister_broker_handler.cc)
set(KEEL_TOPIC_CONFIG_SOURCES
  topic_config/topic_config_defs.cc
  topic_config/topic_configs.cc)
