// Route matching for a REST API stage, as API Gateway matches resources imported from an
// OpenAPI document: path templates of literal segments, `{name}` parameters (one segment)
// and a final greedy `{name+}` (one or more segments); methods GET, POST, ... or ANY
// (`x-amazon-apigateway-any-method`).
//
// Precedence, segment by segment from the left: a literal segment beats a parameter, which
// beats a greedy parameter; the most specific resource that matches the whole path AND
// serves the method (its own method, else its ANY) is chosen. A resource without the
// method does not stop the search: GET /users/me reaches /users/{id} when /users/me has only
// PATCH, and an OPTIONS-only (CORS) resource falls back to a {proxy+} ancestor. No AWS page
// states the rule; it was measured on live REST APIs (ministackorg/ministack#1423,
// floci-io/floci#3399).
// https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-method-settings-method-request.html
//
// Thread-safety: immutable after Build; Match is const and may run concurrently.
// Cost: Match is O(segments x branching) with no allocation beyond the parameter list.
#ifndef ARBITER_GATEWAY_ROUTER_H_
#define ARBITER_GATEWAY_ROUTER_H_

#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/status.h"

namespace arbiter::gateway {

struct RouteMatch {
  int route = -1;             // the id given to Add
  std::string_view resource;  // the matched path template, e.g. "/pets/{petId}"
  std::vector<std::pair<std::string, std::string>> path_parameters;  // name -> decoded value
};

class Router {
 public:
  // Registers `route` (any id the caller likes) for `method` ("GET", ..., or "ANY") on the
  // path template. Errors: malformed templates, a greedy parameter that is not last,
  // conflicting parameter names at one position, a method given twice.
  absl::Status Add(std::string_view path_template, std::string_view method, int route);

  // The route for `method` on `path` (as sent, starting with '/'), or route -1 when no
  // resource that serves the method (or ANY) matches.
  RouteMatch Match(std::string_view method, std::string_view path) const;

 private:
  struct Node {
    std::map<std::string, std::unique_ptr<Node>, std::less<>> literal;
    std::unique_ptr<Node> param;  // {name}
    std::string param_name;
    std::unique_ptr<Node> greedy;  // {name+}: always a leaf
    std::string greedy_name;
    std::map<std::string, int, std::less<>> methods;  // a resource when non-empty
    std::string resource;                             // its template
    bool is_resource = false;
  };
  static bool Serves(const Node& node, std::string_view method);
  const Node* Find(const Node& node, const std::vector<std::string_view>& segments, size_t i,
                   std::string_view method,
                   std::vector<std::pair<std::string, std::string>>* params) const;
  Node root_;
};

}  // namespace arbiter::gateway

#endif  // ARBITER_GATEWAY_ROUTER_H_
