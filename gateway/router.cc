#include "gateway/router.h"

#include "core/strings.h"

namespace arbiter::gateway {

namespace {

// "/a/b" -> {"a", "b"}; "/" -> {}. Empty segments are kept ("/a//b" has three).
std::vector<std::string_view> Segments(std::string_view path) {
  std::vector<std::string_view> out;
  if (path.size() <= 1) return out;
  path.remove_prefix(1);
  size_t start = 0;
  for (size_t i = 0; i <= path.size(); ++i) {
    if (i == path.size() || path[i] == '/') {
      out.push_back(path.substr(start, i - start));
      start = i + 1;
    }
  }
  return out;
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Path parameter values are passed URL-decoded; a malformed escape stays as written.
std::string PercentDecode(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size() && HexValue(s[i + 1]) >= 0 && HexValue(s[i + 2]) >= 0) {
      out.push_back(static_cast<char>(HexValue(s[i + 1]) * 16 + HexValue(s[i + 2])));
      i += 2;
    } else {
      out.push_back(s[i]);
    }
  }
  return out;
}

bool ValidName(std::string_view name) {
  if (name.empty()) return false;
  for (char c : name) {
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
          c == '-' || c == '.')) {
      return false;
    }
  }
  return true;
}

}  // namespace

absl::Status Router::Add(std::string_view path_template, std::string_view method, int route) {
  auto error = [&](std::string_view why) {
    return absl::InvalidArgumentError(ToAbsl(StrCat("path \"", path_template, "\": ", why)));
  };
  if (!StartsWith(path_template, "/")) return error("must start with '/'");
  std::vector<std::string_view> segments = Segments(path_template);
  Node* node = &root_;
  for (size_t i = 0; i < segments.size(); ++i) {
    std::string_view s = segments[i];
    if (s.empty()) return error("has an empty segment");
    if (StartsWith(s, "{") && EndsWith(s, "}")) {
      std::string_view name = s.substr(1, s.size() - 2);
      if (ConsumeSuffix(&name, "+")) {
        if (!ValidName(name)) return error("has a malformed greedy parameter");
        if (i + 1 != segments.size()) return error("a greedy parameter must be the last segment");
        if (!node->greedy) {
          node->greedy = std::make_unique<Node>();
          node->greedy_name = std::string(name);
        } else if (node->greedy_name != name) {
          return error("names a greedy parameter differently from a sibling path");
        }
        node = node->greedy.get();
      } else {
        if (!ValidName(name)) return error("has a malformed parameter");
        if (!node->param) {
          node->param = std::make_unique<Node>();
          node->param_name = std::string(name);
        } else if (node->param_name != name) {
          return error("names a parameter differently from a sibling path");
        }
        node = node->param.get();
      }
    } else {
      if (StrContains(s, "{") || StrContains(s, "}")) return error("has a malformed segment");
      auto it = node->literal.find(s);
      if (it == node->literal.end()) {
        it = node->literal.emplace(std::string(s), std::make_unique<Node>()).first;
      }
      node = it->second.get();
    }
  }
  node->is_resource = true;
  node->resource = std::string(path_template);
  if (!node->methods.emplace(std::string(method), route).second) {
    return error(StrCat("gives method ", method, " twice"));
  }
  return absl::OkStatus();
}

bool Router::Serves(const Node& node, std::string_view method) {
  return node.is_resource && (node.methods.contains(method) || node.methods.contains("ANY"));
}

const Router::Node* Router::Find(const Node& node, const std::vector<std::string_view>& segments,
                                 size_t i, std::string_view method,
                                 std::vector<std::pair<std::string, std::string>>* params) const {
  if (i == segments.size()) return Serves(node, method) ? &node : nullptr;
  std::string_view s = segments[i];
  if (auto it = node.literal.find(s); it != node.literal.end()) {
    if (const Node* n = Find(*it->second, segments, i + 1, method, params)) return n;
  }
  if (node.param && !s.empty()) {
    params->emplace_back(node.param_name, PercentDecode(s));
    if (const Node* n = Find(*node.param, segments, i + 1, method, params)) return n;
    params->pop_back();
  }
  if (node.greedy && Serves(*node.greedy, method)) {
    std::string rest;
    for (size_t j = i; j < segments.size(); ++j) {
      if (j > i) rest += '/';
      rest += segments[j];
    }
    if (!rest.empty()) {
      params->emplace_back(node.greedy_name, PercentDecode(rest));
      return node.greedy.get();
    }
  }
  return nullptr;
}

RouteMatch Router::Match(std::string_view method, std::string_view path) const {
  RouteMatch out;
  const Node* node = Find(root_, Segments(path), 0, method, &out.path_parameters);
  if (node == nullptr) {
    out.path_parameters.clear();
    return out;
  }
  out.resource = node->resource;
  if (auto it = node->methods.find(method); it != node->methods.end()) {
    out.route = it->second;
  } else if (auto any = node->methods.find("ANY"); any != node->methods.end()) {
    out.route = any->second;
  }
  return out;
}

}  // namespace arbiter::gateway
