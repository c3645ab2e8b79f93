// Child processes for integration tests: a `chatctl` run with its output captured, a node that
// keeps running, and a temporary directory that cleans up after itself.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace chatctl::test {

using namespace std::chrono_literals;

class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

// A child process with stdin, stdout and stderr on pipes (or stderr to a file).
class Process {
 public:
  // argv[0] is the program path. stderr goes to `stderr_file` when given.
  Process(const std::vector<std::string>& argv, const std::string& stderr_file = "");
  ~Process();  // SIGKILL and reap if still running
  Process(const Process&) = delete;
  Process& operator=(const Process&) = delete;

  pid_t pid() const { return pid_; }
  void WriteStdin(const std::string& text);
  void CloseStdin();
  void Signal(int sig);
  // Waits for exit; the exit code, 128+signal, or nullopt on timeout.
  std::optional<int> Wait(std::chrono::milliseconds timeout);
  bool running();

  // Reads stdout lines as they come; the next one, or nullopt on timeout or end of output.
  std::optional<std::string> ReadLine(std::chrono::milliseconds timeout);
  // Everything left on stdout until it closes (or the timeout).
  std::string ReadAll(std::chrono::milliseconds timeout);
  std::string ReadStderr(std::chrono::milliseconds timeout);

 private:
  bool Fill(int fd, std::string& buffer, std::chrono::milliseconds timeout);
  pid_t pid_ = -1;
  int stdin_fd_ = -1, stdout_fd_ = -1, stderr_fd_ = -1;
  std::string out_buffer_, err_buffer_;
  std::optional<int> exit_code_;
};

struct RunResult {
  int exit_code = -1;
  std::string out;
  std::string err;
};
// Runs `chatctl ARGS...` to completion, feeding `input` on stdin. `env` is added to (or overrides)
// the environment the child inherits.
RunResult RunChatctl(const std::vector<std::string>& args, const std::string& input = "",
                     std::chrono::milliseconds timeout = 30s,
                     const std::map<std::string, std::string>& env = {});

// A `chatctl serve` on 127.0.0.1 with its log in DATA/node.log.
class Node {
 public:
  // port 0: a free port chosen by the node; read back with port(). `env` is added to (or
  // overrides) the environment the node inherits, on every start (a clock skewed by libfaketime).
  Node(std::string data_dir, std::vector<std::string> extra_args = {}, int port = 0,
       std::map<std::string, std::string> env = {});
  ~Node();
  int port() const { return port_; }
  std::string url() const { return "ws://127.0.0.1:" + std::to_string(port_); }
  const std::string& data_dir() const { return data_dir_; }
  Process& process() { return *process_; }
  std::string log() const;
  // The value of `key=` in the latest line of this run's log that has it ("" when none).
  std::string LogField(const std::string& key) const;
  // The mesh PUB endpoint it logged (for --peer), with --mesh-bind.
  std::string mesh_pub() const { return LogField("mesh_pub"); }
  // Resident memory in KiB (from /proc).
  long RssKiB() const;
  void Kill(int sig);
  std::optional<int> Wait(std::chrono::milliseconds timeout) { return process_->Wait(timeout); }
  // Starts the node again on the same port and data (after Kill/Wait).
  void Restart();

 private:
  void Start();
  std::string data_dir_;
  std::vector<std::string> extra_args_;
  int port_;
  std::map<std::string, std::string> env_;
  std::size_t log_start_ = 0;  // where this run's lines begin in node.log
  std::unique_ptr<Process> process_;
};

// Writes a raw request (head and body, as given) to 127.0.0.1:port and reads the whole response
// until the node closes ("" on failure).
std::string HttpExchange(int port, const std::string& request);
// A plain HTTP/1.1 GET to 127.0.0.1:port; the whole response, head and body ("" on failure).
std::string HttpGet(int port, const std::string& path);
// The body of an HTTP response.
std::string HttpBody(const std::string& response);

// An HTTP/1.1 request with an optional JSON body and bearer token, to 127.0.0.1:port.
struct HttpResult {
  int status = 0;  // 0 when the node did not answer
  std::string body;
};
HttpResult HttpRequest(int port, const std::string& method, const std::string& path,
                       const std::string& body = "", const std::string& bearer = "");

// Polls `condition` every 20 ms until it holds or the timeout passes.
bool WaitUntil(const std::function<bool()>& condition, std::chrono::milliseconds timeout);

}  // namespace chatctl::test
