#include "server_watch.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

namespace load {

namespace {

long status_kb(int pid, const std::string& key) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(in, line))
    if (line.rfind(key, 0) == 0) return std::strtol(line.c_str() + key.size(), nullptr, 10);
  return -1;
}

// The fields of /proc/PID/stat after the command name, which may hold spaces.
std::string stat_tail(int pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string stat;
  if (!std::getline(in, stat)) return {};
  auto paren = stat.rfind(')');
  return paren == std::string::npos || paren + 2 >= stat.size() ? std::string()
                                                                : stat.substr(paren + 2);
}

}  // namespace

long rss_kb(int pid) {
  return status_kb(pid, "VmRSS:");
}

long rss_anon_kb(int pid) {
  return status_kb(pid, "RssAnon:");
}

double cpu_seconds(int pid) {
  // After the name: state (field 3) ... utime (14), stime (15).
  std::istringstream in(stat_tail(pid));
  std::string field;
  double ticks = 0;
  for (int i = 3; i <= 15 && in >> field; ++i)
    if (i >= 14) ticks += std::strtod(field.c_str(), nullptr);
  if (!in) return -1;
  return ticks / double(sysconf(_SC_CLK_TCK));
}

bool alive(int pid) {
  std::string tail = stat_tail(pid);
  return !tail.empty() && tail[0] != 'Z';
}

std::optional<std::string> http_get(std::uint16_t port, const std::string& path) {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return std::nullopt;
  timeval tv{10, 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  std::string req = "GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n";
  std::string resp;
  if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0 &&
      send(fd, req.data(), req.size(), MSG_NOSIGNAL) == ssize_t(req.size())) {
    char buf[65536];
    ssize_t n;
    while ((n = recv(fd, buf, sizeof buf, 0)) > 0)
      resp.append(buf, std::size_t(n));
  }
  close(fd);
  auto body = resp.find("\r\n\r\n");
  if (resp.rfind("HTTP/1.1 200", 0) != 0 || body == std::string::npos) return std::nullopt;
  return resp.substr(body + 4);
}

std::optional<double> metric(const std::string& text, const std::string& name) {
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line))
    if (line.rfind(name + " ", 0) == 0) return std::strtod(line.c_str() + name.size() + 1, nullptr);
  return std::nullopt;
}

}  // namespace load
