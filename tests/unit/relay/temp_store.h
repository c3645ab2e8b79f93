// For the relay unit tests that run a node's part against a real SQLite file: a temporary
// directory that removes itself, and the store connections opened on a file in it. Nothing here
// fakes the store; a test that needs a failure makes the real one fail.
#pragma once

#include <stdlib.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <memory>
#include <string>

#include "lib/store.h"

namespace chatctl::relay::testing {

class TempDir {
 public:
  TempDir() {
    char name[] = "/tmp/chatctl-relay-test-XXXXXX";
    if (mkdtemp(name) == nullptr) FAIL("mkdtemp failed");
    path_ = name;
  }
  ~TempDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  std::string File(const std::string& name) const { return (path_ / name).string(); }

 private:
  std::filesystem::path path_;
};

inline std::unique_ptr<Store> OpenWriter(const std::string& path) {
  auto store = Store::OpenWriter(path, Durability::kNormal);
  INFO((store.ok() ? std::string() : store.error().message));
  REQUIRE(store.ok());
  return std::move(store.value());
}

// The file must have been created by a writer first.
inline std::unique_ptr<Store> OpenReader(const std::string& path) {
  auto store = Store::OpenReader(path);
  INFO((store.ok() ? std::string() : store.error().message));
  REQUIRE(store.ok());
  return std::move(store.value());
}

}  // namespace chatctl::relay::testing
