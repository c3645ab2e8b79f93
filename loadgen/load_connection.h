// One load-generator connection: a WebSocket to one node, the conversation its dialect holds on it
// (dialect.h), and what it publishes (window, quota, rate, batches) or receives (deliveries timed
// into its node's histogram), through setup, drops and reconnection. The thread, the lws context
// and its loop, and the pacing of connection attempts are its worker's (load_worker.h). Everything
// here runs on the worker's thread.
#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <libwebsockets.h>

#include "loadgen/dialect.h"
#include "loadgen/load_shared.h"
#include "loadgen/ws_framing.h"

namespace chatctl::loadgen {

class LoadConnection final : public ConversationEvents {
 public:
  using Clock = std::chrono::steady_clock;

  LoadConnection(WorkerShared& shared, ConnectionSpec spec);

  // For the worker's tick: idle, not given up, and past its delay after a drop.
  bool WantsToConnect(Clock::time_point now) const;
  // Starts an attempt on the worker's context; one refused on the spot counts as a drop.
  void Connect(lws_context* context, const char* local_protocol);
  // A warm-up or measurement began at `start_ns`: the rate counts from there.
  void StartPhase(std::int64_t start_ns);
  // Publishers: notes a spent quota, and asks for a write when one is due.
  void OnTick(Phase phase, std::int64_t now_ns);

  // For the worker's lws callback: what happened on this connection's wsi.
  bool Owns(const lws* wsi) const { return wsi_ == wsi; }
  bool past_connecting() const { return state_ != State::kConnecting; }
  void OnConnectionError(const lws* wsi, const char* why, std::size_t len);
  void Established();                                           // the WebSocket is open: say hello
  int OnRawReceive(lws* wsi, const char* in, std::size_t len);  // ws://: bytes to deframe
  int OnReceive(lws* wsi, const char* in, std::size_t len);     // wss://: lws's frames
  int OnWritable();  // one lws_write per callback: control bytes first, else a batch of publishes
  // The connection is gone: publishes without an answer are counted, and it comes back later.
  void Dropped(bool was_established);

  // ConversationEvents
  void OnGreeted() override;
  void OnSubscribed() override;
  void OnPublishDone(std::uint64_t ref, bool ok) override;
  void OnFlushed() override;
  void OnDelivery(std::string_view payload) override;
  void OnFailure(std::string_view why) override;
  void OnReply(std::string bytes) override;

 private:
  enum class State { kIdle, kConnecting, kGreeting, kSubscribing, kReady };

  bool Measuring() const;
  void MarkReady();
  std::uint64_t Allowance(Phase phase, std::int64_t now_ns) const;
  void RequestWriteIfDue(Phase phase, std::int64_t now_ns);
  void MaybeDone();
  int WriteRaw(const std::string& bytes);
  int Write(const std::string& bytes);
  void Completed(bool measured, bool ok, std::uint64_t count);

  WorkerShared& shared_;
  const ConnectionSpec spec_;
  const std::string channel_;
  std::unique_ptr<Conversation> talk_;
  lws* wsi_ = nullptr;  // lws sets it as the attempt starts (connect info's pwsi)
  std::string host_header_;

  State state_ = State::kIdle;
  bool counted_ready_ = false;
  bool counted_done_ = false;
  bool failed_ = false;    // the conversation cannot go on: close from the callback
  bool given_up_ = false;  // never set up after kSetupAttempts tries
  int attempts_ = 0;
  Clock::time_point reconnect_at_{};

  // Plain ws:// goes over a raw lws connection with the framing done here (ws_framing.h); wss://
  // keeps lws's WebSocket client.
  bool raw_ = false;
  std::unique_ptr<WsClientReader> reader_;
  std::string raw_out_;  // unframed bytes (the upgrade request, pongs): written before anything

  std::string control_out_;  // greeting, subscribe, pongs: written before any publish
  // When the bytes being parsed were read: the arrival time of every delivery in them (one clock
  // read per read, not per delivery).
  std::int64_t received_ns_ = 0;
  std::string inbound_;  // a message still arriving in fragments
  std::vector<unsigned char> frame_;
  std::string batch_, payload_;

  // Publishing. Refs carry the phase in their lowest bit (1: measured) and start at 2, so that
  // ref 0 stays the join's.
  std::uint64_t next_seq_ = 1;
  std::uint64_t in_flight_ = 0;
  std::uint64_t quota_ = 0;            // measured publishes left, when counting messages
  std::uint64_t sent_this_phase_ = 0;  // for the rate
  std::int64_t phase_start_ns_ = 0;
  // Without per-publish acks: how many publishes (measured, warm-up) each flush marker answers.
  std::deque<std::pair<std::uint64_t, std::uint64_t>> flushes_;
};

}  // namespace chatctl::loadgen
