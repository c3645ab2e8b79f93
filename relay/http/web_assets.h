// The web page's files as the build embedded them (cmake/embed_web.cmake writes the array into a
// generated source). Constant data, readable from any thread.
#pragma once

#include <cstddef>

namespace chatctl::relay {

struct EmbeddedFile {
  const char* path;  // "/index.html", "/app.js", ...
  const unsigned char* bytes;
  std::size_t size;
};

extern const EmbeddedFile kEmbeddedWebFiles[];
extern const std::size_t kEmbeddedWebFileCount;

}  // namespace chatctl::relay
