// Unit tests of node URL parsing (lib/client/url.h): what -u and CHATCTL_URL accept, the defaults
// they fill in, and the clear refusals for everything else.
#include <catch2/catch.hpp>

#include "lib/client/url.h"

using chatctl::ParseWsUrl;
using chatctl::ParseWsUrlList;

TEST_CASE("a full ws URL keeps its host, port and path", "[url]") {
  auto url = ParseWsUrl("ws://chat.example.org:8080/relay/ws");
  REQUIRE(url.ok());
  CHECK_FALSE(url->tls);
  CHECK(url->host == "chat.example.org");
  CHECK(url->port == 8080);
  CHECK(url->path == "/relay/ws");
  CHECK(url->ToString() == "ws://chat.example.org:8080/relay/ws");
}

TEST_CASE("a wss URL asks for TLS", "[url]") {
  auto url = ParseWsUrl("wss://chat.example.org");
  REQUIRE(url.ok());
  CHECK(url->tls);
  CHECK(url->port == 7447);
  CHECK(url->path == "/ws");
}

TEST_CASE("the scheme is case-insensitive", "[url]") {
  auto url = ParseWsUrl("WSS://host:1");
  REQUIRE(url.ok());
  CHECK(url->tls);
}

TEST_CASE("a URL without a port or path gets 7447 and /ws", "[url]") {
  auto url = ParseWsUrl("ws://127.0.0.1");
  REQUIRE(url.ok());
  CHECK(url->host == "127.0.0.1");
  CHECK(url->port == 7447);
  CHECK(url->path == "/ws");
  CHECK(url->ToString() == "ws://127.0.0.1:7447/ws");
}

TEST_CASE("host:port without a scheme means plain ws", "[url]") {
  auto url = ParseWsUrl("localhost:9000");
  REQUIRE(url.ok());
  CHECK_FALSE(url->tls);
  CHECK(url->host == "localhost");
  CHECK(url->port == 9000);
  CHECK(url->path == "/ws");
}

TEST_CASE("a bare host name is enough", "[url]") {
  auto url = ParseWsUrl("relay-1.internal");
  REQUIRE(url.ok());
  CHECK(url->host == "relay-1.internal");
  CHECK(url->port == 7447);
}

TEST_CASE("a bracketed IPv6 address with a port is understood", "[url]") {
  auto url = ParseWsUrl("[::1]:7500");
  REQUIRE(url.ok());
  CHECK(url->host == "::1");
  CHECK(url->port == 7500);
  CHECK(url->ToString() == "ws://[::1]:7500/ws");
}

TEST_CASE("a bracketed IPv6 address without a port gets the default port", "[url]") {
  auto url = ParseWsUrl("wss://[2001:db8::7]/ws");
  REQUIRE(url.ok());
  CHECK(url->tls);
  CHECK(url->host == "2001:db8::7");
  CHECK(url->port == 7447);
}

TEST_CASE("an explicit path, query included, is kept as given", "[url]") {
  auto url = ParseWsUrl("ws://h:1/chat?room=x");
  REQUIRE(url.ok());
  CHECK(url->path == "/chat?room=x");
  auto root = ParseWsUrl("ws://h:1/");
  REQUIRE(root.ok());
  CHECK(root->path == "/");
}

TEST_CASE("surrounding spaces are ignored", "[url]") {
  auto url = ParseWsUrl("  ws://h:2  ");
  REQUIRE(url.ok());
  CHECK(url->port == 2);
}

TEST_CASE("junk is refused as bad_request with the URL in the message", "[url]") {
  for (const char* junk : {"",
                           "   ",
                           "http://host:7447",
                           "ftp://x",
                           "ws://",
                           "ws://:7447",
                           ":7447",
                           "ws://host:",
                           "ws://host:0",
                           "ws://host:65536",
                           "ws://host:12ab",
                           "ws://host:-1",
                           "ws://::1:7447",
                           "::1",
                           "[::1",
                           "[::1]x",
                           "[]:7447",
                           "[host]:1",
                           "ws://user:pw@host",
                           "ws://ho st",
                           "ws://host?x=1",
                           "ws://h:1/p#frag",
                           "ws://-host",
                           "ws://host/\x01",
                           "wss//host"}) {
    INFO("input: '" << junk << "'");
    auto url = ParseWsUrl(junk);
    REQUIRE_FALSE(url.ok());
    CHECK(url.error().code == "bad_request");
    CHECK_FALSE(url.error().message.empty());
  }
}

TEST_CASE("an IPv6 address without brackets is refused with a hint", "[url]") {
  auto url = ParseWsUrl("ws://::1:7447");
  REQUIRE_FALSE(url.ok());
  CHECK(url.error().message.find("[::1]") != std::string::npos);
}

TEST_CASE("a bad URL names itself in the error", "[url]") {
  auto url = ParseWsUrl("http://example.org");
  REQUIRE_FALSE(url.ok());
  CHECK(url.error().message.find("http://example.org") != std::string::npos);
}

TEST_CASE("a comma-separated list keeps its order", "[url]") {
  auto urls = ParseWsUrlList("ws://a:1, b:2 ,wss://[::1]:3/x");
  REQUIRE(urls.ok());
  REQUIRE(urls->size() == 3);
  CHECK((*urls)[0].ToString() == "ws://a:1/ws");
  CHECK((*urls)[1].ToString() == "ws://b:2/ws");
  CHECK((*urls)[2].ToString() == "wss://[::1]:3/x");
}

TEST_CASE("a single URL is a list of one", "[url]") {
  auto urls = ParseWsUrlList("ws://127.0.0.1:7447");
  REQUIRE(urls.ok());
  CHECK(urls->size() == 1);
}

TEST_CASE("empty items in a list are skipped", "[url]") {
  auto urls = ParseWsUrlList("a:1,,b:2,");
  REQUIRE(urls.ok());
  CHECK(urls->size() == 2);
}

TEST_CASE("a list with nothing in it is refused", "[url]") {
  for (const char* empty : {"", ",", " , "}) {
    auto urls = ParseWsUrlList(empty);
    REQUIRE_FALSE(urls.ok());
    CHECK(urls.error().code == "bad_request");
  }
}

TEST_CASE("one bad URL spoils the list", "[url]") {
  auto urls = ParseWsUrlList("ws://a:1,http://b:2");
  REQUIRE_FALSE(urls.ok());
  CHECK(urls.error().code == "bad_request");
  CHECK(urls.error().message.find("http://b:2") != std::string::npos);
}
