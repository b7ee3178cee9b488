// One HTTP request as `arbiter authorize` reads it (SPEC section 6, one JSON object per line):
//   {"method": "GET", "path": "/pets/7", "headers": {"Authorization": "..."},
//    "query": {"limit": "10"}, "source_ip": "203.0.113.7", "time": "2026-11-22T10:00:00Z",
//    "body": ""}
// `path` is the resource path without the stage, as sent (percent-encoded). Header and query
// values may be strings or arrays of strings (repeated headers / parameters).
//
// Thread-safety: plain values. Cost: linear in the line.
#ifndef ARBITER_GATEWAY_HTTP_REQUEST_H_
#define ARBITER_GATEWAY_HTTP_REQUEST_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"

namespace arbiter::gateway {

struct HttpRequest {
  std::string method;  // as sent (case-sensitive)
  std::string path;    // "/pets/7": starts with '/', no stage, no query
  // In the order given; a repeated name appears once per value. Names keep their case.
  std::vector<std::pair<std::string, std::string>> headers;
  std::vector<std::pair<std::string, std::string>> query;  // decoded names and values
  std::string source_ip;
  int64_t time_ms = 0;  // when the request arrived (Unix epoch milliseconds)
  std::string body;

  // The first value of the header `name` (case-insensitive), or nullptr.
  const std::string* Header(std::string_view name) const;
  // Every value of the header `name` (case-insensitive), in order.
  std::vector<std::string_view> HeaderValues(std::string_view name) const;
  // The first value of the query parameter `name` (case-sensitive), or nullptr.
  const std::string* Query(std::string_view name) const;
};

// Caps against hostile input: the whole line, and the number of headers and parameters.
inline constexpr size_t kMaxHttpRequestBytes = 1u << 20;
inline constexpr size_t kMaxHttpFields = 256;

// Parses one request line; a missing `time` becomes `now_ms`.
absl::StatusOr<HttpRequest> ParseHttpRequest(std::string_view line, int64_t now_ms);

}  // namespace arbiter::gateway

#endif  // ARBITER_GATEWAY_HTTP_REQUEST_H_
