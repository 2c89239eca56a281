/*
 * Echo server on libwebsockets (Debian's libwebsockets-dev): the second
 * reference peer of the conformance tests and the lws baseline of the
 * benchmarks. It echoes every message whole, with the opcode it came with.
 *
 *   lws_echo_server [--port N] [--rx-buffer BYTES] [--no-utf8-check]
 *
 * Port 0 (the default) takes any free port; "PORT <n>" is printed on
 * stdout once the server listens. UTF-8 validation of text messages is on
 * (LWS_SERVER_OPTION_VALIDATE_UTF8), as a conforming server needs; the rx
 * buffer defaults to 64 KiB, the tuned setting of DESIGN.md's table.
 */
#include <libwebsockets.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct message {
  struct message *next;
  size_t len;
  int binary;
  unsigned char *buf; /* LWS_PRE bytes of headroom, then the payload */
};

struct session {
  struct message *head, *tail; /* complete messages waiting to be echoed */
  unsigned char *rx;           /* message being received */
  size_t rx_len, rx_cap;
  int rx_binary;
};

static volatile int interrupted;
static struct lws_context *context;

static void on_signal(int sig) {
  (void)sig;
  interrupted = 1;
  lws_cancel_service(context);
}

static int append_rx(struct session *s, const void *in, size_t len) {
  if (s->rx_len + len > s->rx_cap) {
    size_t cap = s->rx_cap ? s->rx_cap : 4096;
    while (cap < s->rx_len + len) cap *= 2;
    unsigned char *p = realloc(s->rx, LWS_PRE + cap);
    if (!p) return -1;
    s->rx = p;
    s->rx_cap = cap;
  }
  if (len) memcpy(s->rx + LWS_PRE + s->rx_len, in, len);
  s->rx_len += len;
  return 0;
}

static void free_session(struct session *s) {
  while (s->head) {
    struct message *m = s->head;
    s->head = m->next;
    free(m->buf);
    free(m);
  }
  free(s->rx);
  memset(s, 0, sizeof(*s));
}

static int callback_echo(struct lws *wsi, enum lws_callback_reasons reason, void *user, void *in,
                         size_t len) {
  struct session *s = user;
  switch (reason) {
    case LWS_CALLBACK_ESTABLISHED:
      memset(s, 0, sizeof(*s));
      break;
    case LWS_CALLBACK_RECEIVE: {
      if (lws_is_first_fragment(wsi)) {
        s->rx_len = 0;
        s->rx_binary = lws_frame_is_binary(wsi);
      }
      if (append_rx(s, in, len)) return -1;
      if (!lws_is_final_fragment(wsi) || lws_remaining_packet_payload(wsi)) break;
      struct message *m = calloc(1, sizeof(*m));
      if (!m) return -1;
      /* Hand the receive buffer to the queue; the next message grows a new one. */
      m->buf = s->rx ? s->rx : malloc(LWS_PRE);
      m->len = s->rx_len;
      m->binary = s->rx_binary;
      s->rx = NULL;
      s->rx_len = s->rx_cap = 0;
      if (s->tail)
        s->tail->next = m;
      else
        s->head = m;
      s->tail = m;
      lws_callback_on_writable(wsi);
      break;
    }
    case LWS_CALLBACK_SERVER_WRITEABLE: {
      /* lws keeps what a write could not send and drains it first. */
      if (lws_partial_buffered(wsi)) {
        lws_callback_on_writable(wsi);
        break;
      }
      struct message *m = s->head;
      if (!m) break;
      int n = lws_write(wsi, m->buf + LWS_PRE, m->len, m->binary ? LWS_WRITE_BINARY : LWS_WRITE_TEXT);
      if (n < (int)m->len) return -1;
      s->head = m->next;
      if (!s->head) s->tail = NULL;
      free(m->buf);
      free(m);
      if (s->head) lws_callback_on_writable(wsi);
      break;
    }
    case LWS_CALLBACK_CLOSED:
      free_session(s);
      break;
    default:
      break;
  }
  return 0;
}

int main(int argc, char **argv) {
  int port = 0, utf8 = 1;
  size_t rx_buffer = 65536;
  for (int i = 1; i < argc; ++i) {
    if (!strcmp(argv[i], "--port") && i + 1 < argc)
      port = atoi(argv[++i]);
    else if (!strcmp(argv[i], "--rx-buffer") && i + 1 < argc)
      rx_buffer = (size_t)strtoul(argv[++i], NULL, 10);
    else if (!strcmp(argv[i], "--no-utf8-check"))
      utf8 = 0;
    else {
      fprintf(stderr,
              "usage: %s [--port N] [--rx-buffer BYTES] [--no-utf8-check]\n"
              "libwebsockets echo server; prints \"PORT <n>\" when listening.\n",
              argv[0]);
      return 2;
    }
  }
  struct lws_protocols protocols[] = {
      {"echo", callback_echo, sizeof(struct session), rx_buffer, 0, NULL, 0},
      {NULL, NULL, 0, 0, 0, NULL, 0},
  };
  struct lws_context_creation_info info;
  memset(&info, 0, sizeof(info));
  info.port = port;
  info.iface = "127.0.0.1";
  info.protocols = protocols;
  info.options = LWS_SERVER_OPTION_DISABLE_IPV6 | (utf8 ? LWS_SERVER_OPTION_VALIDATE_UTF8 : 0);
  lws_set_log_level(LLL_ERR | LLL_WARN, NULL);

  signal(SIGINT, on_signal);
  signal(SIGTERM, on_signal);
  context = lws_create_context(&info);
  if (!context) {
    fprintf(stderr, "lws_echo_server: lws_create_context failed (port %d in use?)\n", port);
    return 1;
  }
  struct lws_vhost *vh = lws_get_vhost_by_name(context, "default");
  printf("PORT %d\n", vh ? lws_get_vhost_listen_port(vh) : port);
  fflush(stdout);
  while (!interrupted && lws_service(context, 0) >= 0) {
  }
  lws_context_destroy(context);
  return 0;
}
