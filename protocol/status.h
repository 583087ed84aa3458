// File: protocol/status.h
// Errors are values in Keel: absl::Status / absl::StatusOr everywhere, never exceptions
// across an event loop. Debian's abseil (20220623) has no status macros, so these are ours.
#pragma once

#include "absl/status/status.h"
#include "absl/status/statusor.h"

#define KEEL_STATUS_CONCAT_INNER_(a, b) a##b
#define KEEL_STATUS_CONCAT_(a, b) KEEL_STATUS_CONCAT_INNER_(a, b)

// Returns from the current function if `expr` (an absl::Status) is not OK.
#define KEEL_RETURN_IF_ERROR(expr)               \
  do {                                           \
    ::absl::Status keel_status_ = (expr);        \
    if (!keel_status_.ok()) return keel_status_; \
  } while (0)

// `KEEL_ASSIGN_OR_RETURN(auto x, StatusOrExpr());` declares x from the value or returns the error.
#define KEEL_ASSIGN_OR_RETURN(lhs, expr) \
  KEEL_ASSIGN_OR_RETURN_IMPL_(KEEL_STATUS_CONCAT_(keel_statusor_, __LINE__), lhs, expr)
#define KEEL_ASSIGN_OR_RETURN_IMPL_(tmp, lhs, expr) \
  auto tmp = (expr);                                \
  if (!tmp.ok()) return std::move(tmp).status();    \
  lhs = std::move(tmp).value()
