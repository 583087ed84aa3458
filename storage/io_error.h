// File: storage/io_error.h
// The one Status shape every Env returns for a failed system call, so that callers (and tests
// using FaultEnv) see identical errors whether the fault is real or injected.
//
// Contract: the Status carries KAFKA_STORAGE_ERROR (protocol/error_code.h) as its Kafka error
// and a message "<what> <path>: <strerror(err)>". Its absl code tells callers what to do:
//   ENOSPC, EDQUOT -> kResourceExhausted (disk full: retry when space returns)
//   ENOENT         -> kNotFound
//   anything else  -> kUnavailable
#pragma once

#include <string>
#include <string_view>

#include "absl/status/status.h"

namespace keel::storage {

absl::Status io_error(std::string_view what, const std::string& path, int err);

}  // namespace keel::storage
