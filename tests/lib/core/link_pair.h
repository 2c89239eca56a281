// What the session contract suite needs from a transport: one client
// connection to a server that it can open, drive, break and inject into.
// The suite is written against this interface only, so it runs over the
// in-memory pair today and over each real transport (a factory that starts
// a loop, a transport server around the server_core and a transport client
// around the client_core) later.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "core/client_core.h"
#include "core/memory_link.h"
#include "core/server_core.h"

namespace resock::test {

class link_pair {
 public:
  virtual ~link_pair() = default;
  // Opens a connection; the client core then says hello.
  virtual void connect() = 0;
  [[nodiscard]] virtual bool connected() const = 0;
  // Moves up to `max` envelopes; returns how many moved (0: quiet).
  virtual std::size_t pump(std::size_t max = SIZE_MAX) = 0;
  // The network fails, in-flight envelopes are lost.
  virtual void drop() = 0;
  // Raw bytes as one envelope, as if the peer wrote them.
  virtual void inject_to_server(std::string_view bytes) = 0;
  virtual void inject_to_client(std::string_view bytes) = 0;
  // Every envelope the client receives (raw text).
  virtual void tap_client_inbound(std::function<void(std::string_view)> tap) = 0;
  // Close code of the last connection the server ended (0: none).
  [[nodiscard]] virtual std::uint16_t last_close_code() const = 0;
};

class link_factory {
 public:
  virtual ~link_factory() = default;
  [[nodiscard]] virtual const char* name() const = 0;
  [[nodiscard]] virtual std::unique_ptr<link_pair> make(core::server_core& server,
                                                        core::client_core& client) = 0;
};

// The in-memory transport (core/memory_link.h).
class memory_link_pair final : public link_pair {
 public:
  memory_link_pair(core::server_core& s, core::client_core& c) : pair_(s, c) {}
  void connect() override { pair_.connect(); }
  bool connected() const override { return pair_.connected(); }
  std::size_t pump(std::size_t max) override { return pair_.pump(max); }
  void drop() override { pair_.drop(); }
  void inject_to_server(std::string_view b) override {
    pair_.inject(core::memory_pair::direction::to_server, b);
  }
  void inject_to_client(std::string_view b) override {
    pair_.inject(core::memory_pair::direction::to_client, b);
  }
  void tap_client_inbound(std::function<void(std::string_view)> tap) override {
    pair_.on_envelope([tap = std::move(tap)](core::memory_pair::direction d, std::string_view e) {
      if (d == core::memory_pair::direction::to_client && tap) tap(e);
    });
  }
  std::uint16_t last_close_code() const override { return pair_.last_close_code(); }

 private:
  core::memory_pair pair_;
};

class memory_link_factory final : public link_factory {
 public:
  const char* name() const override { return "memory"; }
  std::unique_ptr<link_pair> make(core::server_core& s, core::client_core& c) override {
    return std::make_unique<memory_link_pair>(s, c);
  }
};

}  // namespace resock::test
