#include "metrics.h"

#include <cinttypes>
#include <cstdio>

namespace resock {
namespace {

// One metric family: HELP, TYPE, then samples appended by sample().
struct writer {
  std::string out;

  void family(const char* name, const char* type, const char* help) {
    out.append("# HELP ").append(name).append(" ").append(help).append("\n");
    out.append("# TYPE ").append(name).append(" ").append(type).append("\n");
  }
  void sample(const char* name, const char* labels, std::uint64_t value) {
    char buf[32];
    std::snprintf(buf, sizeof buf, " %" PRIu64 "\n", value);
    out.append(name);
    if (labels[0] != '\0') out.append("{").append(labels).append("}");
    out.append(buf);
  }
};

// The label of a close code in resock_disconnects_total (docs/protocol.md).
const char* disconnect_reason(std::uint16_t code) {
  switch (code) {
    case 1000:
      return "normal";
    case 1001:
      return "going_away";
    case 1002:
      return "protocol_error";
    case 1003:
      return "unsupported_data";
    case 1006:
      return "abnormal";
    case 1007:
      return "invalid_payload";
    case 1008:
      return "policy";
    case 1009:
      return "too_big";
    case 1011:
      return "internal_error";
    case 4000:
      return "closed_by_server";
    case 4001:
      return "replay_overflow";
    case 4002:
      return "replaced";
    case 4003:
      return "idle_timeout";
    case 4004:
      return "slow_consumer";
    case 4005:
      return "cut";
    default:
      return "other";
  }
}

}  // namespace

std::string render_metrics(const core::server_stats& c, const ws::transport_counters& t) {
  writer w;
  w.out.reserve(2048);
  w.family("resock_connections", "gauge", "Open session connections by transport.");
  w.sample("resock_connections", "transport=\"websocket\"", c.connections);
  w.family("resock_tcp_connections", "gauge", "Open TCP connections (HTTP and WebSocket).");
  w.sample("resock_tcp_connections", "", t.open_connections);
  w.family("resock_sessions", "gauge", "Live sessions, attached or waiting for a resume.");
  w.sample("resock_sessions", "", c.sessions);
  w.family("resock_sessions_attached", "gauge", "Sessions with a connection now, by transport.");
  for (transport_kind k : {transport_kind::websocket, transport_kind::sse,
                           transport_kind::xhr_streaming, transport_kind::long_polling}) {
    char label[48];
    std::snprintf(label, sizeof label, "transport=\"%s\"", transport_name(k).data());
    w.sample("resock_sessions_attached", label, c.sessions_attached[static_cast<std::size_t>(k)]);
  }
  w.family("resock_sessions_detached", "gauge",
           "Sessions without a connection, kept for a resume until their TTL.");
  w.sample("resock_sessions_detached", "", c.sessions_detached);
  w.family("resock_replay_messages", "gauge", "Messages held in replay buffers (unacknowledged).");
  w.sample("resock_replay_messages", "", c.replay_messages);
  w.family("resock_replay_bytes", "gauge", "Payload bytes held in replay buffers.");
  w.sample("resock_replay_bytes", "", c.replay_bytes);
  w.family("resock_messages_total", "counter",
           "Session messages: in = client messages handled, out = queued to sessions.");
  w.sample("resock_messages_total", "direction=\"in\"", c.messages_in);
  w.sample("resock_messages_total", "direction=\"out\"", c.messages_out);
  w.family("resock_duplicates_total", "counter", "Client messages dropped as duplicates.");
  w.sample("resock_duplicates_total", "", c.duplicates_in);
  w.family("resock_bytes_total", "counter", "Bytes read from and written to sockets.");
  w.sample("resock_bytes_total", "direction=\"in\"", t.bytes_in);
  w.sample("resock_bytes_total", "direction=\"out\"", t.bytes_out);
  w.family("resock_publishes_total", "counter", "Publishes to channels.");
  w.sample("resock_publishes_total", "", c.publishes);
  w.family("resock_deliveries_total", "counter", "Messages queued to sessions (fan-out included).");
  w.sample("resock_deliveries_total", "", c.messages_out);
  w.family("resock_payload_encodings_total", "counter",
           "Payloads encoded: one per publish or send, however many subscribers.");
  w.sample("resock_payload_encodings_total", "", c.payload_encodings);
  w.family("resock_resumes_total", "counter", "Resume attempts by result.");
  w.sample("resock_resumes_total", "result=\"ok\"", c.resumes_ok);
  w.sample("resock_resumes_total", "result=\"lost\"", c.resumes_lost);
  w.sample("resock_resumes_total", "result=\"refused\"", c.resumes_refused);
  w.family("resock_disconnects_total", "counter",
           "Session connections ended, by WebSocket close code (1006: dropped).");
  for (const auto& [code, n] : c.disconnects) {
    char label[64];
    std::snprintf(label, sizeof label, "code=\"%u\",reason=\"%s\"", static_cast<unsigned>(code),
                  disconnect_reason(code));
    w.sample("resock_disconnects_total", label, n);
  }
  w.family("resock_deflate_bodies_total", "counter",
           "Published message bodies compressed (permessage-deflate): once per publish.");
  w.sample("resock_deflate_bodies_total", "", t.deflated_bodies);
  w.family("resock_http_rejected_total", "counter",
           "Requests and handshakes answered with an HTTP error, by status.");
  for (const auto& [status, n] : t.rejected) {
    char label[32];
    std::snprintf(label, sizeof label, "status=\"%d\"", status);
    w.sample("resock_http_rejected_total", label, n);
  }
  return std::move(w.out);
}

}  // namespace resock
