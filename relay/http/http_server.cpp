// Plain HTTP on the node's port (see http_server.h).
#include "relay/http/http_server.h"

#include <libwebsockets.h>

#include <cstdlib>
#include <cstring>
#include <exception>
#include <memory>
#include <string_view>
#include <vector>

#include "lib/log.h"

namespace chatctl::relay {
namespace {

// What lws keeps per HTTP connection for us (zeroed by lws); we own what the pointers point to.
struct PerRequest {
  HttpRequest* request;  // still arriving (its body)
  HttpReply* reply;      // the answer, once there is one
  std::uint64_t id;      // waiting for its answer (0: none)
  bool head;             // a HEAD request: the answer's headers only
};

const char* MethodName(int method) {
  switch (method) {
    case LWSHUMETH_GET:
      return "GET";
    case LWSHUMETH_POST:
      return "POST";
    case LWSHUMETH_PUT:
      return "PUT";
    case LWSHUMETH_PATCH:
      return "PATCH";
    case LWSHUMETH_DELETE:
      return "DELETE";
    case LWSHUMETH_HEAD:
      return "HEAD";
    default:
      return "OTHER";
  }
}

bool IsLoopbackPeer(lws* wsi) {
  char peer[64] = {0};
  lws_get_peer_simple(wsi, peer, sizeof peer);
  std::string_view p(peer);
  if (p.rfind("::ffff:", 0) == 0) p.remove_prefix(7);
  return p == "::1" || p.rfind("127.", 0) == 0;
}

// The request line, headers and query; the body follows. The path is the request line's: what
// lws passes the callback is relative to the mount, and for a POST without its leading slash.
std::unique_ptr<HttpRequest> ReadHead(lws* wsi) {
  auto r = std::make_unique<HttpRequest>();
  char* uri = nullptr;
  int uri_len = 0;
  r->method = MethodName(lws_http_get_uri_and_method(wsi, &uri, &uri_len));
  r->path =
      uri != nullptr && uri_len > 0 ? std::string(uri, static_cast<std::size_t>(uri_len)) : "/";
  char fragment[512];
  for (int n = 0;
       lws_hdr_copy_fragment(wsi, fragment, sizeof fragment, WSI_TOKEN_HTTP_URI_ARGS, n) > 0; ++n) {
    std::string_view arg(fragment);
    auto eq = arg.find('=');
    if (eq == std::string_view::npos) {
      r->query[std::string(arg)] = "";
    } else {
      r->query[std::string(arg.substr(0, eq))] = std::string(arg.substr(eq + 1));
    }
  }
  char auth[2048];
  if (lws_hdr_copy(wsi, auth, sizeof auth, WSI_TOKEN_HTTP_AUTHORIZATION) > 0) {
    std::string_view a(auth);
    if (a.rfind("Bearer ", 0) == 0 || a.rfind("bearer ", 0) == 0) r->bearer = a.substr(7);
  }
  r->from_loopback = IsLoopbackPeer(wsi);
  char value[512];
  if (lws_hdr_copy(wsi, value, sizeof value, WSI_TOKEN_HOST) > 0) r->host = value;
  if (lws_hdr_copy(wsi, value, sizeof value, WSI_TOKEN_HTTP_IF_NONE_MATCH) > 0) {
    r->if_none_match = value;
  }
  return r;
}

HttpReply TooLarge() { return ErrorHttpReply({"too_large", "a request body has at most 64 KiB"}); }

// The reply's own headers ("Name", "value"), after the common ones.
int AddHeaders(lws* wsi, const std::vector<std::pair<std::string, std::string>>& headers,
               unsigned char** p, unsigned char* end) {
  for (const auto& [name, value] : headers) {
    std::string token = name + ":";
    if (lws_add_http_header_by_name(wsi, reinterpret_cast<const unsigned char*>(token.c_str()),
                                    reinterpret_cast<const unsigned char*>(value.data()),
                                    static_cast<int>(value.size()), p, end) != 0) {
      return -1;
    }
  }
  return 0;
}

// The status line and every header but the body's framing: Content-Type, Content-Length (as a
// plain header: lws would otherwise wait for that many body bytes from us), the reply's own. For
// answers written whole at once (a HEAD, a refused upgrade) rather than through lws's body writes.
int AddStatusAndHeaders(lws* wsi, const HttpReply& reply, unsigned char** p, unsigned char* end) {
  std::vector<std::pair<std::string, std::string>> all = {
      {"content-type", reply.content_type}, {"content-length", std::to_string(reply.body.size())}};
  all.insert(all.end(), reply.headers.begin(), reply.headers.end());
  if (lws_add_http_header_status(wsi, static_cast<unsigned>(reply.status), p, end) != 0) return -1;
  return AddHeaders(wsi, all, p, end);
}

// HEAD: the headers GET would have, Content-Length included, and no body (RFC 9110 9.3.2).
int WriteHeadOnly(lws* wsi, const HttpReply& reply, unsigned char* start, unsigned char* p,
                  unsigned char* end) {
  if (AddStatusAndHeaders(wsi, reply, &p, end) != 0 ||
      lws_finalize_write_http_header(wsi, start, &p, end) != 0) {
    return -1;
  }
  return lws_http_transaction_completed(wsi) != 0 ? -1 : 0;
}

}  // namespace

void HttpResponder::operator()(HttpReply reply) const { server_->Respond(id_, std::move(reply)); }

lws_protocols HttpServer::Protocol() {
  lws_protocols p;
  std::memset(&p, 0, sizeof p);
  p.name = kProtocolName;
  p.callback = [](lws* wsi, lws_callback_reasons reason, void* user, void* in, size_t len) {
    return Trampoline(wsi, static_cast<int>(reason), user, in, len);
  };
  p.per_session_data_size = sizeof(PerRequest);
  p.user = this;
  return p;
}

int HttpServer::Trampoline(lws* wsi, int reason, void* user, void* in, std::size_t len) {
  const lws_protocols* protocol = lws_get_protocol(wsi);
  auto* server = protocol != nullptr ? static_cast<HttpServer*>(protocol->user) : nullptr;
  if (server == nullptr) {
    return lws_callback_http_dummy(wsi, static_cast<lws_callback_reasons>(reason), user, in, len);
  }
  int result = -1;  // a callback that threw closes its connection
  RunAtThreadEdge(
      "gateway", [&] { result = server->OnCallback(wsi, reason, user, in, len); }, server->failed_);
  return result;
}

int HttpServer::OnCallback(lws* wsi, int reason_int, void* user, void* in, std::size_t len) {
  auto reason = static_cast<lws_callback_reasons>(reason_int);
  auto* pr = static_cast<PerRequest*>(user);
  switch (reason) {
    case LWS_CALLBACK_HTTP: {
      std::unique_ptr<HttpRequest> request = ReadHead(wsi);
      pr->reply = nullptr;
      pr->request = nullptr;
      pr->head = request->method == "HEAD";
      pr->id = next_id_++;
      waiting_[pr->id] = wsi;
      char length[32];
      long long announced =
          lws_hdr_copy(wsi, length, sizeof length, WSI_TOKEN_HTTP_CONTENT_LENGTH) > 0
              ? std::atoll(length)
              : 0;
      if (announced > static_cast<long long>(kMaxBodyBytes)) {
        Respond(pr->id, TooLarge());
        return 0;
      }
      char coding[64] = {0};
      bool chunked =
          lws_hdr_copy(wsi, coding, sizeof coding, WSI_TOKEN_HTTP_TRANSFER_ENCODING) > 0 &&
          std::string_view(coding).find("chunked") != std::string_view::npos;
      if (announced > 0 || chunked) {
        pr->request = request.release();  // the body arrives in LWS_CALLBACK_HTTP_BODY
        return 0;
      }
      route_(HttpResponder(this, pr->id), *request);
      return 0;
    }
    case LWS_CALLBACK_HTTP_BODY:
      if (pr == nullptr || pr->request == nullptr) return 0;
      if (pr->request->body.size() + len > kMaxBodyBytes) {
        delete pr->request;
        pr->request = nullptr;
        Respond(pr->id, TooLarge());
        return 0;
      }
      pr->request->body.append(static_cast<const char*>(in), len);
      return 0;
    case LWS_CALLBACK_HTTP_BODY_COMPLETION:
      if (pr != nullptr && pr->request != nullptr) {
        std::unique_ptr<HttpRequest> request(pr->request);
        pr->request = nullptr;
        route_(HttpResponder(this, pr->id), *request);
      }
      return 0;
    case LWS_CALLBACK_HTTP_WRITEABLE: {
      if (pr == nullptr || pr->reply == nullptr) return 0;  // still waiting for the answer
      std::unique_ptr<HttpReply> reply(pr->reply);
      pr->reply = nullptr;
      unsigned char headers[LWS_PRE + 2048];
      unsigned char* start = headers + LWS_PRE;
      unsigned char* p = start;
      unsigned char* end = headers + sizeof headers - 1;
      if (pr->head) return WriteHeadOnly(wsi, *reply, start, p, end);
      if (lws_add_http_common_headers(wsi, static_cast<unsigned>(reply->status),
                                      reply->content_type.c_str(), reply->body.size(), &p,
                                      end) != 0 ||
          AddHeaders(wsi, reply->headers, &p, end) != 0 ||
          lws_finalize_write_http_header(wsi, start, &p, end) != 0) {
        return -1;
      }
      std::vector<unsigned char> body(LWS_PRE + reply->body.size());
      std::memcpy(body.data() + LWS_PRE, reply->body.data(), reply->body.size());
      if (lws_write(wsi, body.data() + LWS_PRE, body.size() - LWS_PRE, LWS_WRITE_HTTP_FINAL) < 0) {
        return -1;
      }
      return lws_http_transaction_completed(wsi) != 0 ? -1 : 0;
    }
    case LWS_CALLBACK_CLOSED_HTTP:
    case LWS_CALLBACK_HTTP_DROP_PROTOCOL:
      if (pr != nullptr) {
        delete pr->reply;
        pr->reply = nullptr;
        delete pr->request;
        pr->request = nullptr;
        if (pr->id != 0) waiting_.erase(pr->id);
        pr->id = 0;
      }
      return 0;
    default:
      break;
  }
  return lws_callback_http_dummy(wsi, reason, user, in, len);
}

int HttpServer::WriteNow(lws* wsi, const HttpReply& reply) {
  std::vector<unsigned char> buffer(LWS_PRE + 2048 + reply.body.size());
  unsigned char* start = buffer.data() + LWS_PRE;
  unsigned char* p = start;
  unsigned char* end = buffer.data() + buffer.size() - 1;
  HttpReply closing = reply;
  closing.headers.emplace_back("connection", "close");
  if (AddStatusAndHeaders(wsi, closing, &p, end) != 0 ||
      lws_finalize_http_header(wsi, &p, end) != 0) {
    return -1;
  }
  std::memcpy(p, reply.body.data(), reply.body.size());
  p += reply.body.size();
  auto len = static_cast<std::size_t>(p - start);
  return lws_write(wsi, start, len, LWS_WRITE_HTTP_HEADERS) == static_cast<int>(len) ? 0 : -1;
}

void HttpServer::Respond(std::uint64_t id, HttpReply reply) {
  auto it = waiting_.find(id);
  if (it == waiting_.end()) return;  // the caller hung up meanwhile
  lws* wsi = it->second;
  waiting_.erase(it);
  auto* pr = static_cast<PerRequest*>(lws_wsi_user(wsi));
  if (pr == nullptr) return;
  delete pr->reply;
  pr->reply = new HttpReply(std::move(reply));
  pr->id = 0;
  lws_callback_on_writable(wsi);
}

}  // namespace chatctl::relay
