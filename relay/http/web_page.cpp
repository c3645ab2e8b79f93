// The web page's files and their headers (see web_page.h).
#include "relay/http/web_page.h"

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "relay/http/origin_check.h"
#include "relay/http/web_assets.h"

namespace chatctl::relay {
namespace {

constexpr std::uintmax_t kMaxRootBytes = 16 * 1024 * 1024;

std::string ContentType(const std::string& path) {
  auto ends = [&](const char* ext) {
    std::string e(ext);
    return path.size() >= e.size() && path.compare(path.size() - e.size(), e.size(), e) == 0;
  };
  if (ends(".html")) return "text/html; charset=utf-8";
  if (ends(".js") || ends(".mjs")) return "text/javascript; charset=utf-8";
  if (ends(".css")) return "text/css; charset=utf-8";
  if (ends(".svg")) return "image/svg+xml";
  if (ends(".png")) return "image/png";
  if (ends(".ico")) return "image/x-icon";
  if (ends(".json")) return "application/json";
  return "application/octet-stream";
}

// FNV-1a, 64 bits: the ETag only has to change when the bytes do.
std::string Etag(const std::string& body) {
  std::uint64_t h = 14695981039346656037ULL;
  for (unsigned char c : body) {
    h ^= c;
    h *= 1099511628211ULL;
  }
  static const char* kHex = "0123456789abcdef";
  std::string out = "\"";
  for (int shift = 60; shift >= 0; shift -= 4) out += kHex[(h >> shift) & 0xf];
  return out + "\"";
}

// A Host header is echoed into a header of ours: anything but a plain host[:port] is dropped.
bool PlainHost(const std::string& host) {
  if (host.empty() || host.size() > 255) return false;
  for (char c : host) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '.' || c == '-' || c == ':' || c == '[' || c == ']';
    if (!ok) return false;
  }
  return true;
}

bool EtagMatches(const std::string& if_none_match, const std::string& etag) {
  if (if_none_match == "*") return true;
  std::stringstream list(if_none_match);
  std::string item;
  while (std::getline(list, item, ',')) {
    auto first = item.find_first_not_of(' ');
    if (first == std::string::npos) continue;
    item = item.substr(first);
    if (item.rfind("W/", 0) == 0) item = item.substr(2);
    while (!item.empty() && item.back() == ' ') item.pop_back();
    if (item == etag) return true;
  }
  return false;
}

}  // namespace

std::string ContentSecurityPolicy(const std::string& host, const std::vector<std::string>& peers) {
  std::string connect = "'self'";
  if (PlainHost(host)) connect += " ws://" + host + " wss://" + host;
  for (const std::string& peer : peers) {
    std::string p = NormalizeOrigin(peer);
    if (p.rfind("http://", 0) == 0 && PlainHost(p.substr(7))) connect += " ws://" + p.substr(7);
    if (p.rfind("https://", 0) == 0 && PlainHost(p.substr(8))) connect += " wss://" + p.substr(8);
  }
  return "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
         "connect-src " +
         connect +
         "; frame-ancestors 'none'; base-uri 'none'; form-action 'none'; object-src 'none'";
}

void WebPage::Add(std::string path, std::string body) {
  File f;
  f.content_type = ContentType(path);
  f.etag = Etag(body);
  f.body = std::move(body);
  files_[std::move(path)] = std::move(f);
}

WebPage WebPage::Embedded() {
  WebPage page;
  for (std::size_t i = 0; i < kEmbeddedWebFileCount; ++i) {
    const EmbeddedFile& e = kEmbeddedWebFiles[i];
    page.Add(e.path, std::string(reinterpret_cast<const char*>(e.bytes), e.size));
  }
  return page;
}

Result<WebPage> WebPage::FromDirectory(const std::string& dir) {
  namespace fs = std::filesystem;
  std::error_code ec;
  if (!fs::is_directory(dir, ec))
    return Error{"not_found", "--web-root " + dir + " is not a directory"};
  WebPage page;
  std::uintmax_t total = 0;
  for (auto it = fs::recursive_directory_iterator(dir, ec); !ec && it != fs::end(it);
       it.increment(ec)) {
    if (!it->is_regular_file(ec)) continue;
    total += it->file_size(ec);
    if (total > kMaxRootBytes)
      return Error{"too_large", "--web-root " + dir + " holds over 16 MiB"};
    std::ifstream in(it->path(), std::ios::binary);
    if (!in) return Error{"unavailable", "cannot read " + it->path().string()};
    std::ostringstream body;
    body << in.rdbuf();
    page.Add("/" + fs::relative(it->path(), dir, ec).generic_string(), body.str());
  }
  if (ec) return Error{"unavailable", "cannot list --web-root " + dir + ": " + ec.message()};
  if (page.files_.count("/index.html") == 0) {
    return Error{"not_found", "--web-root " + dir + " has no index.html"};
  }
  return page;
}

std::optional<HttpReply> WebPage::Serve(const HttpRequest& request) const {
  if (request.method != "GET" && request.method != "HEAD") return std::nullopt;
  std::string path = request.path;
  if (auto q = path.find('?'); q != std::string::npos) path.resize(q);
  if (path == "/") path = "/index.html";
  auto it = files_.find(path);
  if (it == files_.end()) return std::nullopt;
  const File& f = it->second;
  HttpReply reply;
  reply.content_type = f.content_type;
  reply.headers = {
      {"content-security-policy", ContentSecurityPolicy(request.host, peers_)},
      {"x-content-type-options", "nosniff"},
      {"x-frame-options", "DENY"},
      {"referrer-policy", "no-referrer"},
      // Revalidate every time: the ETag makes that a 304 with no body when nothing changed.
      {"cache-control", "no-cache"},
      {"etag", f.etag},
  };
  if (!request.if_none_match.empty() && EtagMatches(request.if_none_match, f.etag)) {
    reply.status = 304;
    return reply;
  }
  reply.body = f.body;
  return reply;
}

}  // namespace chatctl::relay
