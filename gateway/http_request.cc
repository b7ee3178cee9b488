#include "gateway/http_request.h"

#include "absl/status/status.h"
#include "core/strings.h"
#include "core/values.h"
#include "json/json.h"

namespace arbiter::gateway {

const std::string* HttpRequest::Header(std::string_view name) const {
  for (const auto& [k, v] : headers) {
    if (EqualsIgnoreCase(k, name)) return &v;
  }
  return nullptr;
}

std::vector<std::string_view> HttpRequest::HeaderValues(std::string_view name) const {
  std::vector<std::string_view> out;
  for (const auto& [k, v] : headers) {
    if (EqualsIgnoreCase(k, name)) out.push_back(v);
  }
  return out;
}

const std::string* HttpRequest::Query(std::string_view name) const {
  for (const auto& [k, v] : query) {
    if (k == name) return &v;
  }
  return nullptr;
}

namespace {

absl::Status Invalid(std::string_view message) {
  return absl::InvalidArgumentError(ToAbsl(message));
}

// An object of name -> string | [string...], flattened into pairs.
absl::Status ReadPairs(const json::Member& m,
                       std::vector<std::pair<std::string, std::string>>* out) {
  if (!m.value.is_object()) return Invalid(StrCat("\"", m.key, "\" must be an object"));
  for (const json::Member& f : m.value.members) {
    if (f.value.is_string()) {
      out->emplace_back(f.key, f.value.text);
    } else if (f.value.is_array()) {
      for (const json::Value& e : f.value.elements) {
        if (!e.is_string()) {
          return Invalid(StrCat("\"", m.key, "\".\"", f.key, "\" must hold strings"));
        }
        out->emplace_back(f.key, e.text);
      }
    } else {
      return Invalid(
          StrCat("\"", m.key, "\".\"", f.key, "\" must be a string or an array of strings"));
    }
    if (out->size() > kMaxHttpFields) {
      return Invalid(StrCat("\"", m.key, "\" has more than ", kMaxHttpFields, " values"));
    }
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<HttpRequest> ParseHttpRequest(std::string_view line, int64_t now_ms) {
  json::Value v;
  json::Error err;
  json::Limits limits;
  limits.max_bytes = kMaxHttpRequestBytes;
  limits.max_depth = 8;
  if (!json::Parse(line, &v, &err, limits)) {
    return Invalid(StrCat("malformed JSON at column ", json::Locate(line, err.offset).column, ": ",
                          err.message));
  }
  if (!v.is_object()) return Invalid("a request must be a JSON object");
  if (auto dup = json::DuplicateMembers(v); !dup.empty()) {
    return Invalid(StrCat("\"", dup[0]->key, "\" is given twice"));
  }
  HttpRequest r;
  r.time_ms = now_ms;
  bool has_method = false, has_path = false;
  for (const json::Member& m : v.members) {
    if (m.value.type == json::Type::kNull) continue;  // null: as if the member were absent
    auto str = [&](std::string* dst) -> absl::Status {
      if (!m.value.is_string()) return Invalid(StrCat("\"", m.key, "\" must be a string"));
      *dst = m.value.text;
      return absl::OkStatus();
    };
    absl::Status s;
    if (m.key == "method") {
      s = str(&r.method);
      has_method = true;
    } else if (m.key == "path") {
      s = str(&r.path);
      has_path = true;
    } else if (m.key == "headers") {
      s = ReadPairs(m, &r.headers);
    } else if (m.key == "query") {
      s = ReadPairs(m, &r.query);
    } else if (m.key == "source_ip") {
      s = str(&r.source_ip);
      // Resource policies read it as aws:SourceIp: a malformed address would slip past an
      // IpAddress Deny, so it is refused (an address, not a network).
      if (s.ok() && !ParseIpAddress(r.source_ip)) {
        return Invalid(StrCat("\"source_ip\" must be an IPv4 or IPv6 address, not \"",
                              r.source_ip.substr(0, 60), "\""));
      }
    } else if (m.key == "body") {
      s = str(&r.body);
    } else if (m.key == "time") {
      std::string t;
      s = str(&t);
      if (s.ok()) {
        std::optional<int64_t> ms = ParseDateMillis(t);
        if (!ms) return Invalid(StrCat("\"time\" is not an ISO 8601 date-time: ", t));
        r.time_ms = *ms;
      }
    }  // other members are ignored: the format may grow (SPEC: extend compatibly)
    if (!s.ok()) return s;
  }
  if (!has_method || r.method.empty()) return Invalid("\"method\" is required");
  if (!has_path || !StartsWith(r.path, "/")) return Invalid("\"path\" must start with '/'");
  // Methods are case-sensitive (RFC 9110 section 9.1): "get" is not GET and matches no route.
  for (char c : r.method) {
    if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '-' || c == '_')) {
      return Invalid("\"method\" must be an HTTP method name");
    }
  }
  for (char c : r.path) {
    if (c == '?' || c == '#' || static_cast<unsigned char>(c) < 0x21) {
      return Invalid("\"path\" must be a path without query, fragment or spaces");
    }
  }
  return r;
}

}  // namespace arbiter::gateway
