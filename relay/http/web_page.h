// The web chat page a node serves at / (web/ in the source tree): the files built into the binary,
// or with `--web-root DIR` the files of DIR, read once at start. It answers GET for those paths
// with the headers that keep the page safe to serve: a Content-Security-Policy with no inline
// script and connections only to this node's own WebSocket, frame-ancestors 'none', nosniff, and
// an ETag so a browser revalidates instead of downloading again. What it leaves out: the
// WebSocket's Origin check (origin_check.h) and everything the page does (web/).
//
// Constant after construction; the gateway thread calls Serve.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "lib/result.h"
#include "relay/http/http_routes.h"

namespace chatctl::relay {

class WebPage {
 public:
  struct File {
    std::string content_type;
    std::string body;
    std::string etag;  // quoted, as the header carries it
  };

  // The page built into the binary.
  static WebPage Embedded();
  // Every regular file under `dir` (at most a few MiB in all), read now.
  static Result<WebPage> FromDirectory(const std::string& dir);

  // The answer to a request for one of the page's files, or nothing when the path is not one.
  std::optional<HttpReply> Serve(const HttpRequest& request) const;

  std::size_t size() const { return files_.size(); }

  // The --allowed-origins of the node: the page may also connect to their WebSockets, so a page
  // given several nodes (?nodes=) fails over to those that trust each other.
  void AllowConnectTo(const std::vector<std::string>& origins) { peers_ = origins; }

 private:
  void Add(std::string path, std::string body);
  std::map<std::string, File> files_;  // by path, "/index.html"
  std::vector<std::string> peers_;
};

// The Content-Security-Policy for a page loaded through `host` (the request's Host header):
// scripts, styles and images from the node alone, connections to its own ws:/wss: origin and to
// the WebSocket form of each of `peers` (http://h -> ws://h, https://h -> wss://h; "*" adds none).
std::string ContentSecurityPolicy(const std::string& host,
                                  const std::vector<std::string>& peers = {});

}  // namespace chatctl::relay
