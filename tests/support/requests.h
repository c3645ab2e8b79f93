// Helpers for the authorization, moderation and replication tests: secrets and tokens for a node
// that checks them, hellos that may be refused, requests matched to their reply by `ref`, and
// reading a session up to a marker so a test can say what did NOT arrive before it.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "support/raw_ws.h"

namespace chatctl::test {

// Writes a 32-byte secret to DIR/secret and returns its path.
std::string WriteSecret(const std::string& dir);

// `chatctl admin token --user USER --secret-file SECRET EXTRA...`; the token (REQUIREs success).
std::string MintToken(const std::string& secret, const std::string& user,
                      const std::vector<std::string>& extra = {});

// A connection that has sent `hello` and not yet read the answer.
std::unique_ptr<RawWs> SayHello(int port, const nlohmann::json& hello);
// A session welcomed with `token` (REQUIREs the welcome).
std::unique_ptr<RawWs> TokenSession(int port, const std::string& token);
// Says `hello` and returns the close code it got (0: welcomed instead; -1: no answer in time).
int HelloCloseCode(int port, const nlohmann::json& hello);

// Sends `request` with a fresh ref and returns the reply carrying that ref (REQUIREs one within
// the timeout). Lines in between are dropped.
nlohmann::json Ask(RawWs& ws, nlohmann::json request, std::chrono::milliseconds timeout = 5s);
// Ask, and the error code of the reply ("" when it was not an error).
std::string AskCode(RawWs& ws, nlohmann::json request);

// Every line up to and including the first one `last` accepts (REQUIREs it within the timeout).
std::vector<nlohmann::json> ReadThrough(RawWs& ws,
                                        const std::function<bool(const nlohmann::json&)>& last,
                                        std::chrono::milliseconds timeout = 5s);
// Every line that arrives before the answer to a ping: what the node had queued for the session.
std::vector<nlohmann::json> Pending(RawWs& ws);
// Whether any of `lines` concerns `channel` (a msg, presence, member, topic, edit … of it).
bool Mentions(const std::vector<nlohmann::json>& lines, const std::string& channel);

// The texts of a channel's newest messages as `ws` reads them with `history`.
std::vector<std::string> HistoryTexts(RawWs& ws, const std::string& channel);

// Polls every 100 ms until `condition` holds or the deadline passes.
bool Eventually(const std::function<bool()>& condition, std::chrono::milliseconds timeout = 10s);

}  // namespace chatctl::test
