// The admin API's HTTP client (http_client.h): URL mapping, the request on the wire, response
// parsing (pure, unit-tested), and one non-blocking socket driven by poll() so that every step
// has a deadline. Nothing here throws; nothing here keeps state between calls.
#include "lib/client/http_client.h"

#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <memory>

#include "lib/client/url.h"

namespace chatctl {
namespace {

using Clock = std::chrono::steady_clock;

// Far above any answer of the API (a list is at most 1000 rows), low enough that a server
// gone wrong cannot eat the machine's memory.
constexpr std::size_t kMaxResponseBytes = 64u << 20;
constexpr std::size_t kMaxHeadBytes = 64u << 10;

std::string Lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r'))
    s.remove_suffix(1);
  return s;
}

std::string HostPort(const HttpEndpoint& e) {
  bool v6 = e.host.find(':') != std::string::npos;
  return (v6 ? "[" + e.host + "]" : e.host) + ":" + std::to_string(e.port);
}

bool ParseSize(std::string_view text, int base, std::size_t& out) {
  text = Trim(text);
  if (text.empty() || text.size() > 15) return false;
  std::size_t value = 0;
  for (char c : text) {
    int digit = 0;
    if (c >= '0' && c <= '9') {
      digit = c - '0';
    } else if (base == 16 && c >= 'a' && c <= 'f') {
      digit = c - 'a' + 10;
    } else if (base == 16 && c >= 'A' && c <= 'F') {
      digit = c - 'A' + 10;
    } else {
      return false;
    }
    value = value * static_cast<std::size_t>(base) + static_cast<std::size_t>(digit);
  }
  out = value;
  return true;
}

Error Malformed(const std::string& why) {
  return Error{"internal", "the answer is not HTTP/1.1 (" + why + ")"};
}
Error Truncated() {
  return Error{"unavailable", "the node closed the connection before the whole answer"};
}

// A chunked body: nullopt while incomplete, else the joined chunks (trailers are skipped).
std::optional<Result<std::string>> Dechunk(std::string_view raw) {
  std::string body;
  for (;;) {
    auto eol = raw.find("\r\n");
    if (eol == std::string_view::npos) return std::nullopt;
    std::string_view size_line = raw.substr(0, eol);
    size_line = size_line.substr(0, size_line.find(';'));  // chunk extensions
    std::size_t size = 0;
    if (!ParseSize(size_line, 16, size)) {
      return Result<std::string>(Malformed("bad chunk size"));
    }
    raw.remove_prefix(eol + 2);
    if (size == 0) {
      // Trailers, then an empty line. Nothing in them matters to us.
      for (;;) {
        auto end = raw.find("\r\n");
        if (end == std::string_view::npos) return std::nullopt;
        if (end == 0) return Result<std::string>(std::move(body));
        raw.remove_prefix(end + 2);
      }
    }
    if (body.size() + size > kMaxResponseBytes) {
      return Result<std::string>(Error{"too_large", "the answer is over 64 MiB"});
    }
    if (raw.size() < size + 2) return std::nullopt;
    if (raw.substr(size, 2) != "\r\n") return Result<std::string>(Malformed("bad chunk end"));
    body.append(raw.substr(0, size));
    raw.remove_prefix(size + 2);
  }
}

// A socket with a deadline on every wait. Owned by one HttpSend call.
class Socket {
 public:
  explicit Socket(int fd) : fd_(fd) {}
  Socket(const Socket&) = delete;
  Socket& operator=(const Socket&) = delete;
  ~Socket() {
    if (fd_ >= 0) close(fd_);
  }
  int fd() const { return fd_; }

  // Waits for `events`; false on timeout or a poll error other than EINTR.
  bool Wait(short events, Clock::time_point deadline) const {
    for (;;) {
      auto left =
          std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
      if (left <= 0) return false;
      pollfd p{fd_, events, 0};
      int r = poll(&p, 1, static_cast<int>(std::min<long long>(left, 60000)));
      if (r > 0) return true;
      if (r < 0 && errno != EINTR) return false;
    }
  }

 private:
  int fd_;
};

// Connects to one address; the socket stays non-blocking.
Result<std::unique_ptr<Socket>> ConnectTo(const addrinfo& ai, std::chrono::milliseconds timeout) {
  int fd = socket(ai.ai_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, ai.ai_protocol);
  if (fd < 0) return Error{"unavailable", std::strerror(errno)};
  auto sock = std::make_unique<Socket>(fd);
  if (connect(fd, ai.ai_addr, ai.ai_addrlen) == 0) return sock;
  if (errno != EINPROGRESS) return Error{"unavailable", std::strerror(errno)};
  if (!sock->Wait(POLLOUT, Clock::now() + timeout)) {
    return Error{"unavailable", "no answer within " + std::to_string(timeout.count()) + " ms"};
  }
  int err = 0;
  socklen_t len = sizeof err;
  if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) != 0) err = errno;
  if (err != 0) return Error{"unavailable", std::strerror(err)};
  return sock;
}

// Connects to the endpoint's first address that answers (a name may resolve to ::1 and
// 127.0.0.1, and the node may listen on only one of them).
Result<std::unique_ptr<Socket>> Connect(const HttpEndpoint& e, std::chrono::milliseconds timeout) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  // Not AI_ADDRCONFIG: on a host whose only v6 address is ::1 it hides ::1 for "localhost",
  // and a node listening on [::1] would be out of reach.
  hints.ai_flags = AI_NUMERICSERV;
  addrinfo* list = nullptr;
  std::string port = std::to_string(e.port);
  int rc = getaddrinfo(e.host.c_str(), port.c_str(), &hints, &list);
  if (rc != 0) {
    return Error{"unavailable",
                 std::string("cannot resolve '") + e.host + "': " + gai_strerror(rc)};
  }
  Error last{"unavailable", "no address"};
  for (addrinfo* ai = list; ai != nullptr; ai = ai->ai_next) {
    auto sock = ConnectTo(*ai, timeout);
    if (sock.ok()) {
      freeaddrinfo(list);
      return sock;
    }
    last = sock.error();
  }
  freeaddrinfo(list);
  return last;
}

Status WriteAll(const Socket& sock, std::string_view data, Clock::time_point deadline) {
  while (!data.empty()) {
    // MSG_NOSIGNAL: a node that closed on us is an error value, not a SIGPIPE.
    ssize_t n = send(sock.fd(), data.data(), data.size(), MSG_NOSIGNAL);
    if (n > 0) {
      data.remove_prefix(static_cast<std::size_t>(n));
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      if (!sock.Wait(POLLOUT, deadline)) return Error{"unavailable", "timed out sending"};
      continue;
    }
    return Error{"unavailable", std::string("sending: ") + std::strerror(errno)};
  }
  return Ok{};
}

Result<HttpResponse> ReadResponse(const Socket& sock, Clock::time_point deadline) {
  std::string raw;
  char chunk[16384];
  for (;;) {
    ssize_t n = recv(sock.fd(), chunk, sizeof chunk, 0);
    if (n > 0) {
      raw.append(chunk, static_cast<std::size_t>(n));
      if (raw.size() > kMaxResponseBytes + kMaxHeadBytes) {
        return Error{"too_large", "the answer is over 64 MiB"};
      }
      if (auto parsed = ParseHttpResponse(raw, false)) return std::move(*parsed);
      continue;
    }
    if (n == 0) {
      if (auto parsed = ParseHttpResponse(raw, true)) return std::move(*parsed);
      return Truncated();
    }
    if (errno == EINTR) continue;
    if (errno == EAGAIN || errno == EWOULDBLOCK) {
      if (!sock.Wait(POLLIN, deadline)) {
        return Error{"unavailable", "no answer in time (the request may have been carried out)"};
      }
      continue;
    }
    return Error{"unavailable", std::string("reading: ") + std::strerror(errno)};
  }
}

}  // namespace

std::string HttpEndpoint::ToString() const { return "http://" + HostPort(*this); }

Result<std::vector<HttpEndpoint>> HttpEndpointsFromNodeUrls(std::string_view comma_separated) {
  auto urls = ParseWsUrlList(comma_separated);
  if (!urls.ok()) return urls.error();
  std::vector<HttpEndpoint> endpoints;
  for (const WsUrl& url : *urls) {
    if (url.tls) {
      return Error{"bad_request", "'" + url.ToString() +
                                      "': wss:// is not supported: a node serves plain ws:// and "
                                      "http:// only (put a TLS proxy in front and call it "
                                      "from its side, or use ws://HOST:PORT)"};
    }
    endpoints.push_back(HttpEndpoint{url.host, url.port});
  }
  return endpoints;
}

std::string FormatHttpRequest(const HttpEndpoint& endpoint, const HttpRequest& request) {
  std::string out = request.method + " " + request.target + " HTTP/1.1\r\n";
  out += "Host: " + HostPort(endpoint) + "\r\n";
  out += "Connection: close\r\n";
  for (const auto& [name, value] : request.headers) out += name + ": " + value + "\r\n";
  if (request.method != "GET" && request.method != "HEAD") {
    out += "Content-Length: " + std::to_string(request.body.size()) + "\r\n";
  }
  out += "\r\n";
  out += request.body;
  return out;
}

std::optional<Result<HttpResponse>> ParseHttpResponse(std::string_view raw, bool at_eof) {
  auto head_end = raw.find("\r\n\r\n");
  if (head_end == std::string_view::npos) {
    if (raw.size() > kMaxHeadBytes) return Result<HttpResponse>(Malformed("head over 64 KiB"));
    if (at_eof) return Result<HttpResponse>(raw.empty() ? Truncated() : Malformed("no head"));
    return std::nullopt;
  }
  std::string_view head = raw.substr(0, head_end);
  std::string_view rest = raw.substr(head_end + 4);

  auto eol = head.find("\r\n");
  std::string_view status_line = head.substr(0, eol);
  head = eol == std::string_view::npos ? std::string_view() : head.substr(eol + 2);
  // "HTTP/1.1 200 OK": the version, a space, three digits, then an optional reason.
  if (status_line.size() < 12 || status_line.substr(0, 7) != "HTTP/1." || status_line[8] != ' ' ||
      !std::all_of(status_line.begin() + 9, status_line.begin() + 12,
                   [](char c) { return c >= '0' && c <= '9'; }) ||
      (status_line.size() > 12 && status_line[12] != ' ')) {
    return Result<HttpResponse>(Malformed("status line '" + std::string(status_line) + "'"));
  }
  HttpResponse response;
  response.status =
      (status_line[9] - '0') * 100 + (status_line[10] - '0') * 10 + (status_line[11] - '0');
  // An interim answer (100 Continue) comes before the real one.
  if (response.status >= 100 && response.status < 200) return ParseHttpResponse(rest, at_eof);

  std::optional<std::size_t> length;
  bool chunked = false;
  while (!head.empty()) {
    eol = head.find("\r\n");
    std::string_view line = head.substr(0, eol);
    head = eol == std::string_view::npos ? std::string_view() : head.substr(eol + 2);
    auto colon = line.find(':');
    if (colon == std::string_view::npos) {
      return Result<HttpResponse>(Malformed("header line without ':'"));
    }
    std::string name = Lower(Trim(line.substr(0, colon)));
    std::string_view value = Trim(line.substr(colon + 1));
    if (name == "content-length") {
      std::size_t n = 0;
      if (!ParseSize(value, 10, n)) return Result<HttpResponse>(Malformed("bad Content-Length"));
      if (n > kMaxResponseBytes) {
        return Result<HttpResponse>(Error{"too_large", "the answer is over 64 MiB"});
      }
      length = n;
    } else if (name == "transfer-encoding") {
      chunked = Lower(value).find("chunked") != std::string::npos;
    } else if (name == "content-type") {
      response.content_type = std::string(value);
    }
  }

  if (response.status == 204 || response.status == 304) return Result<HttpResponse>(response);
  if (chunked) {
    auto body = Dechunk(rest);
    if (!body) {
      if (at_eof) return Result<HttpResponse>(Truncated());
      return std::nullopt;
    }
    if (!body->ok()) return Result<HttpResponse>(body->error());
    response.body = std::move(*body).value();
    return Result<HttpResponse>(std::move(response));
  }
  if (length) {
    if (rest.size() < *length) {
      if (!at_eof) return std::nullopt;
      // A refusal cut short still says what matters, its status: keep what came of the body.
      // (lws closes a POST it did not route before its body is written.) A success cut short
      // is no success.
      if (response.status < 400) return Result<HttpResponse>(Truncated());
      response.body = std::string(rest);
      return Result<HttpResponse>(std::move(response));
    }
    response.body = std::string(rest.substr(0, *length));
    return Result<HttpResponse>(std::move(response));
  }
  if (!at_eof) return std::nullopt;  // the body runs to the end of the connection
  response.body = std::string(rest);
  return Result<HttpResponse>(std::move(response));
}

Result<HttpResponse> HttpSend(const std::vector<HttpEndpoint>& endpoints,
                              const HttpRequest& request, const HttpTimeouts& timeouts) {
  std::string failures;
  for (const HttpEndpoint& endpoint : endpoints) {
    auto sock = Connect(endpoint, timeouts.connect);
    if (!sock.ok()) {
      if (!failures.empty()) failures += "; ";
      failures += endpoint.ToString() + ": " + sock.error().message;
      continue;
    }
    // Connected: from here on, whatever happens is this request's outcome.
    auto deadline = Clock::now() + timeouts.exchange;
    auto where = [&](const Error& e) {
      return Error{e.code, endpoint.ToString() + ": " + e.message};
    };
    Status sent = WriteAll(**sock, FormatHttpRequest(endpoint, request), deadline);
    if (!sent.ok()) return where(sent.error());
    auto response = ReadResponse(**sock, deadline);
    if (!response.ok()) return where(response.error());
    return response;
  }
  if (endpoints.empty()) return Error{"bad_request", "no node URL given"};
  return Error{"unavailable", "cannot connect: " + failures};
}

}  // namespace chatctl
