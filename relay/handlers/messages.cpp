// Chat requests over WebSocket (see messages.h).
#include "relay/handlers/messages.h"

#include <unordered_set>

#include "lib/names.h"
#include "relay/history_reader.h"

namespace chatctl::relay {

void Messages::Join(Session& s, const protocol::Ref& ref, const protocol::Join& join) {
  const std::string& channel = join.channel;
  if (Status allowed = gw_.CheckAccess(s, channel); !allowed.ok()) {
    return gw_.SendError(s, ref, allowed.error());
  }
  if (s.channels.count(channel) != 0) {
    return gw_.SendError(s, ref, {"conflict", "already joined '" + channel + "'"});
  }
  std::size_t max_joins = gw_.config.limits.max_joins_per_session;
  if (s.channels.size() >= max_joins) {
    return gw_.SendError(
        s, ref,
        {"too_large", "joined too many channels (limit " + std::to_string(max_joins) + ")"});
  }
  ReadJob job;
  job.session = s.id;
  job.ref = ref;
  job.channel = channel;
  job.floor = gw_.directory.HistoryFloor(channel);
  if (join.cursor) {
    job.kind = ReadJob::Kind::kJoinCursor;
    job.seen = *join.cursor;
    job.limit = static_cast<int>(gw_.config.limits.since_replay_max);
  } else if (join.since) {
    job.kind = ReadJob::Kind::kJoinSince;
    job.anchor = *join.since;
    job.limit = static_cast<int>(gw_.config.limits.since_replay_max);
  } else if (join.last) {
    // Even `last: 0` reads: its `joined` carries the cursor to resume from.
    job.kind = ReadJob::Kind::kJoinLast;
    job.limit = *join.last;
  } else {
    gw_.channels.Join(s, channel);
    gw_.out.Send(s, protocol::Joined(ref, channel, {}, false));
    return;
  }
  gw_.channels.Join(s, channel);
  s.channels[channel].replaying = true;
  ++s.replaying_channels;
  if (!gw_.reader->Submit(std::move(job))) {
    gw_.channels.Leave(s, channel);
    gw_.SendError(s, ref, {"unavailable", "history reader busy; try again"});
  }
}

void Messages::Leave(Session& s, const protocol::Ref& ref, const protocol::Leave& leave) {
  if (s.channels.count(leave.channel) == 0) {
    return gw_.SendError(s, ref, {"not_found", "not joined to '" + leave.channel + "'"});
  }
  gw_.channels.Leave(s, leave.channel);
  gw_.out.Send(s, protocol::Left(ref, leave.channel));
}

void Messages::Send(Session& s, const protocol::Ref& ref, protocol::Send send) {
  if (!s.bucket.Take(gw_.NowMs())) {
    // Every refused send is answered, the last one before the close too.
    gw_.SendError(s, ref, {"rate_limited", "too many messages; slow down"});
    if (++s.rate_strikes >= gw_.config.limits.rate_strikes_before_close) {
      gw_.out.Close(s, protocol::kCloseRateLimited, "rate limit exceeded again and again");
    }
    return;
  }
  s.rate_strikes = 0;
  std::string channel = send.to ? DmChannel(s.user, *send.to) : std::move(send.channel);
  if (Status allowed = gw_.CheckAccess(s, channel); !allowed.ok()) {
    return gw_.SendError(s, ref, allowed.error());
  }
  if (gw_.draining) return gw_.SendError(s, ref, {"unavailable", "node shutting down"});
  WriteJob job;
  job.message = MakeChatMessage(gw_.ids, gw_.config.node_id, std::move(channel), s.user,
                                std::move(send.text));
  job.session = s.id;
  job.ref = ref;
  gw_.commits.Queue(std::move(job));  // to the writer with the frame's other sends
  ++s.unacked;
}

void Messages::History(Session& s, const protocol::Ref& ref, const protocol::History& h) {
  if (Status allowed = gw_.CheckAccess(s, h.channel); !allowed.ok()) {
    return gw_.SendError(s, ref, allowed.error());
  }
  if (h.before && *h.before == 0) {  // nothing is older than id 0 (and 0 means "newest" below)
    gw_.out.Send(s, protocol::HistoryReply(ref, h.channel, {}, /*more=*/false));
    return;
  }
  ReadJob job;
  job.kind = ReadJob::Kind::kHistory;
  job.session = s.id;
  job.ref = ref;
  job.channel = h.channel;
  job.anchor = h.before.value_or(0);
  job.limit = h.limit;
  job.floor = gw_.directory.HistoryFloor(h.channel);
  if (!gw_.reader->Submit(std::move(job))) {
    gw_.SendError(s, ref, {"unavailable", "history reader busy; try again"});
  }
}

void Messages::Presence(Session& s, const protocol::Ref& ref, const protocol::PresenceQuery& q) {
  if (Status allowed = gw_.CheckAccess(s, q.channel); !allowed.ok()) {
    return gw_.SendError(s, ref, allowed.error());
  }
  gw_.out.Send(s, protocol::PresenceList(ref, q.channel, gw_.channels.OnlineIn(q.channel)));
}

void Messages::ReadDone(relay::ReadDone done) {
  Session* s = gw_.sessions.Find(done.job.session);
  if (s == nullptr) return;
  const ReadJob& job = done.job;
  if (!done.page.ok()) {
    if (job.kind != ReadJob::Kind::kHistory) gw_.channels.Leave(*s, job.channel);
    return gw_.SendError(*s, job.ref, {"unavailable", done.page.error().message});
  }
  Page& page = done.page.value();
  if (job.kind == ReadJob::Kind::kHistory) {
    gw_.out.Send(*s, protocol::HistoryReply(job.ref, job.channel, page.messages, page.more));
    return;
  }
  auto it = s->channels.find(job.channel);
  if (it == s->channels.end() || !it->second.replaying) return;  // left meanwhile
  bool by_cursor = job.kind == ReadJob::Kind::kJoinCursor;
  bool truncated = (job.kind == ReadJob::Kind::kJoinSince || by_cursor) && page.more;
  gw_.out.Send(*s, protocol::Joined(job.ref, job.channel, page.messages, truncated, done.cursor));
  JoinedChannel& joined = it->second;
  auto held = std::move(joined.held);
  joined.replaying = false;
  --s->replaying_channels;
  if (by_cursor) {
    // What the client saw on another node that this one has not applied yet comes live later:
    // drop it then (Session::SeenElsewhere).
    for (const auto& [origin, seq] : job.seen) {
      if (seq > PositionOf(done.heads, origin)) joined.seen_elsewhere[origin] = seq;
    }
    if (!joined.seen_elsewhere.empty()) ++s->seen_elsewhere_channels;
    // Live messages that arrived during the read follow, less those the read could see: each
    // was either replayed or covered by the client's cursor.
    for (auto& h : held) {
      if (h.seq <= PositionOf(done.heads, h.origin)) continue;
      if (s->SeenElsewhere(joined, h.origin, h.seq)) continue;
      gw_.out.Send(*s, h.line);
    }
    return;
  }
  // Live messages that arrived during the read follow, less those the read already had.
  std::unordered_set<MessageId> replayed;
  for (const auto& m : page.messages) replayed.insert(m.id);
  for (auto& h : held) {
    if (replayed.count(h.id) != 0) continue;
    if (job.kind == ReadJob::Kind::kJoinSince && h.id <= job.anchor) continue;
    gw_.out.Send(*s, h.line);
  }
}

}  // namespace chatctl::relay
