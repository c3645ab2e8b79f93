// Child processes for integration tests (see process.h).
#include "support/process.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

namespace chatctl::test {

using Clock = std::chrono::steady_clock;

TempDir::TempDir() {
  std::string tmpl = (std::filesystem::temp_directory_path() / "chatctl-test-XXXXXX").string();
  if (mkdtemp(tmpl.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
  path_ = tmpl;
}

TempDir::~TempDir() {
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

Process::Process(const std::vector<std::string>& argv, const std::string& stderr_file) {
  int in[2], out[2], err[2];
  if (pipe2(in, O_CLOEXEC) != 0 || pipe2(out, O_CLOEXEC) != 0 || pipe2(err, O_CLOEXEC) != 0) {
    throw std::runtime_error("pipe failed");
  }
  pid_ = fork();
  if (pid_ < 0) throw std::runtime_error("fork failed");
  if (pid_ == 0) {
    dup2(in[0], 0);
    dup2(out[1], 1);
    if (!stderr_file.empty()) {
      int fd = open(stderr_file.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
      dup2(fd, 2);
    } else {
      dup2(err[1], 2);
    }
    std::vector<char*> args;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    execv(args[0], args.data());
    _exit(127);
  }
  close(in[0]);
  close(out[1]);
  close(err[1]);
  stdin_fd_ = in[1];
  stdout_fd_ = out[0];
  stderr_fd_ = err[0];
}

Process::~Process() {
  if (!exit_code_) {
    kill(pid_, SIGKILL);
    Wait(5s);
  }
  for (int fd : {stdin_fd_, stdout_fd_, stderr_fd_}) {
    if (fd >= 0) close(fd);
  }
}

void Process::WriteStdin(const std::string& text) {
  std::size_t done = 0;
  while (done < text.size()) {
    ssize_t n = write(stdin_fd_, text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;
    done += static_cast<std::size_t>(n);
  }
}

void Process::CloseStdin() {
  if (stdin_fd_ >= 0) close(stdin_fd_);
  stdin_fd_ = -1;
}

void Process::Signal(int sig) {
  if (!exit_code_) kill(pid_, sig);
}

std::optional<int> Process::Wait(std::chrono::milliseconds timeout) {
  if (exit_code_) return exit_code_;
  auto deadline = Clock::now() + timeout;
  for (;;) {
    int status = 0;
    pid_t r = waitpid(pid_, &status, WNOHANG);
    if (r == pid_) {
      exit_code_ = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
      return exit_code_;
    }
    if (Clock::now() >= deadline) return std::nullopt;
    std::this_thread::sleep_for(10ms);
  }
}

bool Process::running() { return !Wait(0ms).has_value(); }

bool Process::Fill(int fd, std::string& buffer, std::chrono::milliseconds timeout) {
  pollfd p{fd, POLLIN, 0};
  int r = poll(&p, 1, static_cast<int>(timeout.count()));
  if (r <= 0) return false;
  char chunk[65536];
  ssize_t n = read(fd, chunk, sizeof chunk);
  if (n <= 0) return false;
  buffer.append(chunk, static_cast<std::size_t>(n));
  return true;
}

std::optional<std::string> Process::ReadLine(std::chrono::milliseconds timeout) {
  auto deadline = Clock::now() + timeout;
  for (;;) {
    if (auto nl = out_buffer_.find('\n'); nl != std::string::npos) {
      std::string line = out_buffer_.substr(0, nl);
      out_buffer_.erase(0, nl + 1);
      return line;
    }
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    if (left <= 0ms) return std::nullopt;
    if (!Fill(stdout_fd_, out_buffer_, left)) {
      if (Clock::now() >= deadline) return std::nullopt;
      // End of output: give back what is left without a newline, once.
      pollfd p{stdout_fd_, POLLIN, 0};
      if (poll(&p, 1, 0) > 0 && (p.revents & POLLHUP) && !(p.revents & POLLIN)) {
        if (out_buffer_.empty()) return std::nullopt;
        std::string rest;
        rest.swap(out_buffer_);
        return rest;
      }
    }
  }
}

std::string Process::ReadAll(std::chrono::milliseconds timeout) {
  auto deadline = Clock::now() + timeout;
  while (Clock::now() < deadline) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    pollfd p{stdout_fd_, POLLIN, 0};
    if (poll(&p, 1, static_cast<int>(left.count())) <= 0) break;
    char chunk[65536];
    ssize_t n = read(stdout_fd_, chunk, sizeof chunk);
    if (n <= 0) break;
    out_buffer_.append(chunk, static_cast<std::size_t>(n));
  }
  std::string all;
  all.swap(out_buffer_);
  return all;
}

std::string Process::ReadStderr(std::chrono::milliseconds timeout) {
  auto deadline = Clock::now() + timeout;
  while (Clock::now() < deadline) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    pollfd p{stderr_fd_, POLLIN, 0};
    if (poll(&p, 1, static_cast<int>(left.count())) <= 0) break;
    char chunk[65536];
    ssize_t n = read(stderr_fd_, chunk, sizeof chunk);
    if (n <= 0) break;
    err_buffer_.append(chunk, static_cast<std::size_t>(n));
  }
  std::string all;
  all.swap(err_buffer_);
  return all;
}

RunResult RunChatctl(const std::vector<std::string>& args, const std::string& input,
                     std::chrono::milliseconds timeout,
                     const std::map<std::string, std::string>& env) {
  // env(1) rather than execve with a built environment: Process stays one simple execv.
  std::vector<std::string> argv;
  if (!env.empty()) {
    argv.push_back("/usr/bin/env");
    for (const auto& [name, value] : env) argv.push_back(name + "=" + value);
  }
  argv.push_back(CHATCTL_BIN);
  argv.insert(argv.end(), args.begin(), args.end());
  Process p(argv);
  // Feed stdin from a thread so a large input cannot deadlock against a full stdout pipe.
  std::thread feeder([&] {
    p.WriteStdin(input);
    p.CloseStdin();
  });
  RunResult result;
  auto deadline = Clock::now() + timeout;
  // Drain both pipes while waiting, so a chatty child never blocks on a full pipe.
  for (;;) {
    result.out += p.ReadAll(20ms);
    result.err += p.ReadStderr(1ms);
    if (auto code = p.Wait(0ms)) {
      result.exit_code = *code;
      break;
    }
    if (Clock::now() >= deadline) {
      p.Signal(SIGKILL);
      p.Wait(5s);
      result.exit_code = -1;
      break;
    }
  }
  feeder.join();
  result.out += p.ReadAll(50ms);
  result.err += p.ReadStderr(50ms);
  return result;
}

Node::Node(std::string data_dir, std::vector<std::string> extra_args, int port,
           std::map<std::string, std::string> env)
    : data_dir_(std::move(data_dir)),
      extra_args_(std::move(extra_args)),
      port_(port),
      env_(std::move(env)) {
  Start();
}

Node::~Node() = default;

std::string Node::log() const {
  std::ifstream in(data_dir_ + "/node.log");
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string Node::LogField(const std::string& key) const {
  std::string text = log();
  if (text.size() < log_start_) return "";
  auto at = text.rfind(" " + key + "=");
  if (at == std::string::npos || at < log_start_) return "";
  auto begin = at + key.size() + 2;
  auto end = text.find_first_of(" \n", begin);
  return text.substr(begin, end == std::string::npos ? std::string::npos : end - begin);
}

void Node::Start() {
  std::filesystem::create_directories(data_dir_);
  std::size_t log_start = log().size();
  log_start_ = log_start;
  // env(1), as RunChatctl does, when the node needs more in its environment.
  std::vector<std::string> argv;
  if (!env_.empty()) {
    argv.push_back("/usr/bin/env");
    for (const auto& [name, value] : env_) argv.push_back(name + "=" + value);
  }
  argv.insert(argv.end(), {CHATCTL_BIN, "serve", "--listen", "127.0.0.1:" + std::to_string(port_),
                           "--data", data_dir_});
  argv.insert(argv.end(), extra_args_.begin(), extra_args_.end());
  process_ = std::make_unique<Process>(argv, data_dir_ + "/node.log");
  // The node logs `msg=listening ... port=N` once it accepts connections.
  int found = 0;
  bool ok = WaitUntil(
      [&] {
        std::string text = log();
        if (text.size() < log_start) return false;
        text = text.substr(log_start);
        auto at = text.find("msg=listening");
        if (at == std::string::npos) return false;
        auto p = text.find(" port=", at);
        if (p == std::string::npos) return false;
        found = std::atoi(text.c_str() + p + 6);
        return found > 0;
      },
      15s);
  if (!ok) {
    throw std::runtime_error("chatctl serve did not start; log:\n" + log());
  }
  port_ = found;
}

long Node::RssKiB() const {
  std::ifstream in("/proc/" + std::to_string(process_->pid()) + "/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("VmRSS:", 0) == 0) return std::atol(line.c_str() + 6);
  }
  return -1;
}

void Node::Kill(int sig) { process_->Signal(sig); }

void Node::Restart() {
  process_->Wait(10s);
  Start();
}

std::string HttpExchange(int port, const std::string& req) {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return "";
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  timeval tv{5, 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  std::string out;
  if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0 &&
      write(fd, req.data(), req.size()) == static_cast<ssize_t>(req.size())) {
    char buf[4096];
    ssize_t n;
    while ((n = read(fd, buf, sizeof buf)) > 0) out.append(buf, static_cast<std::size_t>(n));
  }
  close(fd);
  return out;
}

std::string HttpGet(int port, const std::string& path) {
  return HttpExchange(port, "GET " + path + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
}

HttpResult HttpRequest(int port, const std::string& method, const std::string& path,
                       const std::string& body, const std::string& bearer) {
  std::string req = method + " " + path + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n";
  if (!bearer.empty()) req += "Authorization: Bearer " + bearer + "\r\n";
  if (!body.empty() || method == "POST" || method == "PUT") {
    req +=
        "Content-Type: application/json\r\nContent-Length: " + std::to_string(body.size()) + "\r\n";
  }
  req += "\r\n" + body;
  std::string response = HttpExchange(port, req);
  HttpResult result;
  // "HTTP/1.1 200 OK"
  if (response.rfind("HTTP/1.", 0) == 0 && response.size() > 12) {
    result.status = std::atoi(response.c_str() + 9);
  }
  result.body = HttpBody(response);
  return result;
}

std::string HttpBody(const std::string& response) {
  auto at = response.find("\r\n\r\n");
  return at == std::string::npos ? "" : response.substr(at + 4);
}

bool WaitUntil(const std::function<bool()>& condition, std::chrono::milliseconds timeout) {
  auto deadline = Clock::now() + timeout;
  for (;;) {
    if (condition()) return true;
    if (Clock::now() >= deadline) return false;
    std::this_thread::sleep_for(20ms);
  }
}

}  // namespace chatctl::test
