// A FIFO queue on one ring buffer, for the per-session and per-connection
// queues (replay log, outbox, control envelopes).
//
// Why not std::deque: libstdc++'s deque allocates a 512-byte node and its
// map on construction, even when it never holds anything, and a session
// has three of them; with 10k idle sessions that is most of their memory.
// This queue allocates on the first push, grows by doubling, and gives
// memory back when it is mostly empty, so an idle session holds little
// and a burst does not pin its high-water mark forever.
#pragma once

#include <cstddef>
#include <memory>
#include <type_traits>
#include <utility>

namespace resock::session {

template <class T>
class fifo {
  // Growing and shrinking move every element: that must not fail halfway.
  static_assert(std::is_nothrow_move_constructible_v<T>);

 public:
  fifo() noexcept = default;
  fifo(fifo&& o) noexcept { swap(o); }
  fifo& operator=(fifo&& o) noexcept {
    fifo(std::move(o)).swap(*this);
    return *this;
  }
  fifo(const fifo&) = delete;
  fifo& operator=(const fifo&) = delete;
  ~fifo() { clear(); }

  [[nodiscard]] bool empty() const noexcept { return size_ == 0; }
  [[nodiscard]] std::size_t size() const noexcept { return size_; }
  [[nodiscard]] std::size_t capacity() const noexcept { return cap_; }

  [[nodiscard]] T& front() noexcept { return slot(0); }
  [[nodiscard]] const T& front() const noexcept { return slot(0); }
  [[nodiscard]] T& back() noexcept { return slot(size_ - 1); }
  [[nodiscard]] const T& back() const noexcept { return slot(size_ - 1); }
  // The i-th element from the front.
  [[nodiscard]] T& operator[](std::size_t i) noexcept { return slot(i); }
  [[nodiscard]] const T& operator[](std::size_t i) const noexcept { return slot(i); }

  template <class... Args>
  T& emplace_back(Args&&... args) {
    if (size_ == cap_) {
      // The new element is built before the old ones move: `args` may
      // refer to one of them (q.push_back(q.front())).
      const std::size_t cap = cap_ == 0 ? k_min : cap_ * 2;
      T* fresh = std::allocator<T>{}.allocate(cap);
      try {
        std::construct_at(fresh + size_, std::forward<Args>(args)...);
      } catch (...) {
        std::allocator<T>{}.deallocate(fresh, cap);
        throw;
      }
      move_into(fresh, cap);
    } else {
      std::construct_at(&slot(size_), std::forward<Args>(args)...);
    }
    ++size_;
    return back();
  }
  void push_back(T&& v) { emplace_back(std::move(v)); }
  void push_back(const T& v) { emplace_back(v); }

  void pop_front() noexcept {
    std::destroy_at(&slot(0));
    head_ = (head_ + 1) & (cap_ - 1);
    --size_;
    if (size_ == 0) head_ = 0;
    // A quarter full: half the memory (amortised O(1); a queue that goes
    // 0 -> 1 -> 0 per message keeps its smallest buffer and never churns).
    if (cap_ > k_min && size_ * 4 <= cap_) shrink(cap_ / 2);
  }

  // Drops every element and the buffer.
  void clear() noexcept {
    while (size_ != 0) {
      std::destroy_at(&slot(0));
      head_ = (head_ + 1) & (cap_ - 1);
      --size_;
    }
    release();
  }

  // Replaces the contents with [first, last).
  template <class It>
  void assign(It first, It last) {
    clear();
    for (; first != last; ++first)
      emplace_back(*first);
  }

  void swap(fifo& o) noexcept {
    std::swap(buf_, o.buf_);
    std::swap(cap_, o.cap_);
    std::swap(head_, o.head_);
    std::swap(size_, o.size_);
  }

 private:
  static constexpr std::size_t k_min = 4;  // a power of two, like every capacity

  [[nodiscard]] T& slot(std::size_t i) const noexcept { return buf_[(head_ + i) & (cap_ - 1)]; }

  // Moves the elements, in order, to a new buffer of `cap` slots (>= size_).
  void regrow(std::size_t cap) { move_into(std::allocator<T>{}.allocate(cap), cap); }
  void move_into(T* fresh, std::size_t cap) noexcept {
    for (std::size_t i = 0; i < size_; ++i) {
      std::construct_at(fresh + i, std::move(slot(i)));
      std::destroy_at(&slot(i));
    }
    release();
    buf_ = fresh;
    cap_ = cap;
    head_ = 0;
  }
  void shrink(std::size_t cap) noexcept {
    try {
      regrow(cap);
    } catch (...) {
      // Keeping the bigger buffer is always correct.
    }
  }
  void release() noexcept {
    if (buf_ != nullptr) std::allocator<T>{}.deallocate(buf_, cap_);
    buf_ = nullptr;
    cap_ = 0;
    head_ = 0;
  }

  T* buf_ = nullptr;
  std::size_t cap_ = 0;  // 0 or a power of two
  std::size_t head_ = 0;
  std::size_t size_ = 0;
};

}  // namespace resock::session
