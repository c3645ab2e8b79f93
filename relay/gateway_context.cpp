// What the gateway's parts share (see gateway_context.h).
#include "relay/gateway_context.h"

#include "lib/names.h"

namespace chatctl::relay {

GatewayContext::GatewayContext(GatewayConfig c, Outbound& outbound, GatewayStats& counters)
    : config(std::move(c)),
      stats(counters),
      ids(config.node_id),
      out(outbound),
      channels(outbound, config.limits.presence_events_max, stats),
      commits([this](const WriteJob& job) {
        if (Session* s = sessions.Find(job.session)) {
          SendError(*s, job.ref, {"unavailable", "store queue full; try again"});
          Answered(*s);
        }
      }) {
  ids.AdvancePast(config.id_floor);
}

void GatewayContext::Answered(Session& s) {
  if (s.unacked > 0) --s.unacked;
  if (s.ready_to_close()) out.Close(s, s.close_code, s.close_reason);  // the close it waited for
}

Status GatewayContext::CheckAccess(const Session& s, const std::string& channel) const {
  if (!IsDmChannel(channel)) return directory.CheckRoom(channel, s.user, s.admin, NowMs());
  auto users = ParseDmChannel(channel);
  if (users && (users->first == s.user || users->second == s.user)) return Ok{};
  return Error{"forbidden", "not a member of channel '" + channel + "'"};
}

NodeSnapshot GatewayContext::Snapshot() const {
  return {
      sessions.size(), channels.room_count(), commits.in_flight(), draining, stats, config.node_id,
      cluster};
}

void GatewayContext::SendError(Session& s, const protocol::Ref& ref, const Error& error) {
  out.Send(s, protocol::ErrorReply(ref, error.code, error.message));
}

bool GatewayContext::CommitControl(const ControlPlan& plan, const std::string& actor,
                                   WriteJob::Done done) {
  if (draining) return false;
  WriteJob job;
  job.message = MakeControlEvent(plan, actor, ids, config.node_id);
  job.done = std::move(done);
  return commits.Submit(std::move(job));
}

}  // namespace chatctl::relay
