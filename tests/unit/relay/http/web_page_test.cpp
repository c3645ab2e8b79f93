// The web page's files and headers (relay/http/web_page.h): the built-in page, paths, the CSP,
// ETag revalidation, and --web-root.
#include "relay/http/web_page.h"

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>

#include "tests/unit/relay/temp_store.h"

namespace chatctl::relay {
namespace {

HttpRequest Get(const std::string& path, const std::string& host = "127.0.0.1:7447") {
  HttpRequest r;
  r.method = "GET";
  r.path = path;
  r.host = host;
  return r;
}

std::string Header(const HttpReply& reply, const std::string& name) {
  for (const auto& [n, v] : reply.headers) {
    if (n == name) return v;
  }
  return "";
}

TEST_CASE("the built-in page answers / with its HTML and the headers that keep it safe", "[web]") {
  WebPage page = WebPage::Embedded();
  auto reply = page.Serve(Get("/?user=alice"));
  REQUIRE(reply);
  CHECK(reply->status == 200);
  CHECK(reply->content_type == "text/html; charset=utf-8");
  CHECK(reply->body.find("<script type=\"module\" src=\"app.js\">") != std::string::npos);
  std::string csp = Header(*reply, "content-security-policy");
  CHECK(csp.find("default-src 'self'") != std::string::npos);
  CHECK(csp.find("script-src 'self';") != std::string::npos);
  CHECK(csp.find("connect-src 'self' ws://127.0.0.1:7447 wss://127.0.0.1:7447;") !=
        std::string::npos);
  CHECK(csp.find("frame-ancestors 'none'") != std::string::npos);
  CHECK(Header(*reply, "x-content-type-options") == "nosniff");
  CHECK(!Header(*reply, "etag").empty());
}

TEST_CASE("the page's scripts and styles are served with their own content types", "[web]") {
  WebPage page = WebPage::Embedded();
  CHECK(page.Serve(Get("/app.js"))->content_type == "text/javascript; charset=utf-8");
  CHECK(page.Serve(Get("/protocol.js"))->content_type == "text/javascript; charset=utf-8");
  CHECK(page.Serve(Get("/style.css"))->content_type == "text/css; charset=utf-8");
}

TEST_CASE("paths that are not the page's, and methods other than GET, are left to other routes",
          "[web]") {
  WebPage page = WebPage::Embedded();
  CHECK_FALSE(page.Serve(Get("/healthz")));
  CHECK_FALSE(page.Serve(Get("/../CMakeLists.txt")));
  HttpRequest post = Get("/");
  post.method = "POST";
  CHECK_FALSE(page.Serve(post));
}

TEST_CASE("a request that names the current ETag gets 304 with no body", "[web]") {
  WebPage page = WebPage::Embedded();
  auto first = page.Serve(Get("/app.js"));
  REQUIRE(first);
  HttpRequest again = Get("/app.js");
  again.if_none_match = "\"0000\", " + Header(*first, "etag");
  auto second = page.Serve(again);
  REQUIRE(second);
  CHECK(second->status == 304);
  CHECK(second->body.empty());
  again.if_none_match = "\"stale\"";
  CHECK(page.Serve(again)->status == 200);
}

TEST_CASE("a Host header that is not a plain host and port is not echoed into the CSP", "[web]") {
  std::string csp = ContentSecurityPolicy("evil.example; script-src *");
  CHECK(csp.find("evil") == std::string::npos);
  CHECK(csp.find("connect-src 'self';") != std::string::npos);
}

TEST_CASE("the page may also connect to the WebSockets of the node's allowed origins", "[web]") {
  std::string csp = ContentSecurityPolicy(
      "127.0.0.1:7447", {"http://127.0.0.1:7449", "https://Chat.Example", "*", "http://a b"});
  CHECK(csp.find("connect-src 'self' ws://127.0.0.1:7447 wss://127.0.0.1:7447 "
                 "ws://127.0.0.1:7449 wss://chat.example;") != std::string::npos);
}

TEST_CASE("a --web-root directory serves its files and needs an index.html", "[web]") {
  namespace fs = std::filesystem;
  testing::TempDir temp;
  fs::path dir = temp.File("root");
  fs::create_directories(dir / "sub");
  CHECK_FALSE(WebPage::FromDirectory(dir.string()).ok());
  std::ofstream(dir / "index.html") << "<p>other build</p>";
  std::ofstream(dir / "sub" / "x.js") << "export {};";
  auto page = WebPage::FromDirectory(dir.string());
  REQUIRE(page.ok());
  CHECK(page->Serve(Get("/"))->body == "<p>other build</p>");
  CHECK(page->Serve(Get("/sub/x.js"))->content_type == "text/javascript; charset=utf-8");
}

}  // namespace
}  // namespace chatctl::relay
