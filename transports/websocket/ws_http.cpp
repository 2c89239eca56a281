#include "websocket/ws_http.h"

#include <libwebsockets.h>

#include <string>

namespace resock::ws {
namespace {

// After an answer: keep-alive for the next request, or close (-1).
int finish(lws* wsi) {
  return lws_http_transaction_completed(wsi) ? -1 : 0;
}

int answer_status(lws* wsi, unsigned status) {
  if (lws_return_http_status(wsi, status, nullptr)) return -1;
  return finish(wsi);
}

}  // namespace

int http_request(lws* wsi, http_state& st, std::string_view uri, const resource_map& resources,
                 bool stopping) {
  const bool get = lws_hdr_total_length(wsi, WSI_TOKEN_GET_URI) > 0;
  const bool head = lws_hdr_total_length(wsi, WSI_TOKEN_HEAD_URI) > 0;
  if (stopping) return answer_status(wsi, HTTP_STATUS_SERVICE_UNAVAILABLE);
  auto it = resources.find(uri);
  if (it == resources.end()) return answer_status(wsi, HTTP_STATUS_NOT_FOUND);
  if (!get && !head) return answer_status(wsi, HTTP_STATUS_METHOD_NOT_ALLOWED);

  const static_resource& r = it->second;
  unsigned char buf[LWS_PRE + 1024];
  unsigned char* start = buf + LWS_PRE;
  unsigned char* p = start;
  unsigned char* end = buf + sizeof(buf) - 1;
  if (lws_add_http_common_headers(wsi, HTTP_STATUS_OK, r.content_type.c_str(), r.body.size(), &p,
                                  end))
    return -1;
  // The API is read by pages of other origins (the JS client on a CDN);
  // it holds no credentials, and the answers change with the config.
  static const char k_acao[] = "*";
  static const char k_no_store[] = "no-store";
  if (lws_add_http_header_by_token(wsi, WSI_TOKEN_HTTP_ACCESS_CONTROL_ALLOW_ORIGIN,
                                   reinterpret_cast<const unsigned char*>(k_acao), 1, &p, end) ||
      lws_add_http_header_by_token(wsi, WSI_TOKEN_HTTP_CACHE_CONTROL,
                                   reinterpret_cast<const unsigned char*>(k_no_store),
                                   sizeof(k_no_store) - 1, &p, end))
    return -1;
  if (lws_finalize_write_http_header(wsi, start, &p, end)) return -1;
  if (head || r.body.empty()) return finish(wsi);
  st.pending = &r;
  lws_callback_on_writable(wsi);
  return 0;
}

int http_writeable(lws* wsi, http_state& st) {
  if (!st.pending) return 0;
  const std::string& body = st.pending->body;
  st.pending = nullptr;
  // lws may put framing before the data (h2), so the body gets headroom.
  std::string buf(LWS_PRE, '\0');
  buf += body;
  auto* p = reinterpret_cast<unsigned char*>(buf.data()) + LWS_PRE;
  if (lws_write(wsi, p, body.size(), LWS_WRITE_HTTP_FINAL) < 0) return -1;
  return finish(wsi);
}

}  // namespace resock::ws
