// File: tests/sim/sim_corrupt.h
// Malformed copies of real messages for the simulation's network.
#pragma once

#include <random>

#include "controller/raft/raft_messages.h"

namespace keel::sim {

// A copy of `e` with one field made invalid (see sim_corrupt.cc).
controller::raft::Envelope corrupt_message(controller::raft::Envelope e, std::mt19937_64& rng);

}  // namespace keel::sim
