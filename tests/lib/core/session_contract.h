// The session delivery contract (DESIGN.md "Delivery contract") as a suite
// of checks over any transport: each check takes a link_factory, so the
// same suite runs over the in-memory pair (session_contract_test.cpp) and,
// later, over every real transport. A check returns an empty string on
// success or a description of the first violation.
#pragma once

#include <string>

#include "link_pair.h"

namespace resock::test {

struct contract_options {
  unsigned seed = 12345;
  int iterations = 20000;  // random operations in the exactly-once run
  int clients = 3;
};

// Thousands of messages each way plus a channel, connections dropped at
// random points (with unacked messages both ways, mid-resend): every
// message delivered exactly once and in order both ways, the route handler
// runs once per c, one resume per drop, nothing lost.
std::string check_exactly_once(link_factory& f, const contract_options& o = {});
// A session detached past its TTL: disconnect runs once (expired), the
// client's resume says lost "expired" with its unacked count.
std::string check_ttl_expiry(link_factory& f);
// The replay buffer overflows while the client is away: disconnect runs
// (replay_overflow), the resume says lost "overflow".
std::string check_overflow_while_away(link_factory& f);
// A forged ticket, and another session's ticket: lost "ticket", and the
// real session is untouched (its client still resumes).
std::string check_bad_tickets(link_factory& f);
// Malformed envelopes get error envelopes with the right codes and the
// connection keeps working.
std::string check_malformed_envelopes(link_factory& f);
// Replay overflow while attached: the connection is closed with 4001, the
// client reports lost "overflow", disconnect runs once.
std::string check_overflow_while_attached(link_factory& f);

}  // namespace resock::test
