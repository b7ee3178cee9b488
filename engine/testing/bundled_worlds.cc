#include "engine/testing/bundled_worlds.h"

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <sstream>

#include "core/file.h"
#include "json/json.h"

namespace arbiter {

namespace fs = std::filesystem;

std::vector<NamedWorld> BundledWorlds() {
  std::vector<NamedWorld> out;
  auto load = [&](const std::string& name, const std::string& text) -> NamedWorld* {
    std::vector<Finding> findings;
    std::optional<World> w = LoadWorld(text, &findings);
    if (!w) {
      std::fprintf(stderr, "%s does not load\n", name.c_str());
      return nullptr;
    }
    out.push_back({name, std::move(*w), {}});
    return &out.back();
  };
  std::vector<fs::path> golden;
  for (const auto& e : fs::directory_iterator("tests/golden")) golden.push_back(e.path());
  std::sort(golden.begin(), golden.end());
  for (const fs::path& p : golden) {
    json::Value root;
    json::Error error;
    if (!json::Parse(Slurp(p), &root, &error)) continue;
    NamedWorld* w = load(p.filename().string(), json::Serialize(*root.Find("world")));
    if (!w) continue;
    for (const json::Value& c : root.Find("cases")->elements) {
      Request r;
      std::string problem;
      if (ParseRequest(json::Serialize(*c.Find("request")), &r, &problem)) w->requests.push_back(r);
    }
  }
  for (const char* dir : {"corpus/example", "corpus/generated/tiny"}) {
    const fs::path world = fs::path(dir) / "world.json";
    if (!fs::exists(world)) continue;
    NamedWorld* w = load(dir, Slurp(world));
    if (!w) continue;
    w->requests = LoadRequests((fs::path(dir) / "requests.jsonl").string());
  }
  return out;
}

std::vector<Request> LoadRequests(const std::string& path, size_t limit) {
  std::vector<Request> out;
  std::istringstream lines(Slurp(path));
  std::string line, problem;
  while (out.size() < limit && std::getline(lines, line)) {
    Request r;
    if (ParseRequest(line, &r, &problem)) out.push_back(std::move(r));
  }
  return out;
}

CompileOptions InternActions(const std::vector<Request>& requests) {
  CompileOptions options;
  for (const Request& r : requests) options.extra_actions.push_back(r.action);
  return options;
}

}  // namespace arbiter
