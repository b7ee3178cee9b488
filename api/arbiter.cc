#include "arbiter/arbiter.h"

#include "compiler/finding.h"
#include "core/file.h"
#include "core/strings.h"
#include "engine/decider.h"
#include "engine/parallel.h"

namespace arbiter {

struct Engine::Impl {
  explicit Impl(const EngineOptions& o)
      : options(o),
        decider(DeciderOptions{o.cache, CacheOptions{o.cache_capacity, 64, o.cache_ttl_ms}}) {}
  EngineOptions options;
  Decider decider;
};

namespace {
EvalScratch& ThreadScratch() {
  thread_local EvalScratch scratch;
  return scratch;
}
}  // namespace

Engine::Engine(const EngineOptions& options) : impl_(std::make_unique<Impl>(options)) {}
Engine::~Engine() = default;

absl::Status Engine::LoadWorld(std::string_view world_json, std::string_view name) {
  std::vector<Finding> findings;
  if (impl_->decider.Update(world_json, &findings)) return absl::OkStatus();
  std::vector<Finding> errors;
  for (const Finding& f : findings) {
    if (f.severity == Severity::kError) errors.push_back(f);
  }
  const std::string text = FormatFindings(name, world_json, std::move(errors));
  return absl::InvalidArgumentError(ToAbsl(text.empty() ? "the world has errors" : text));
}

absl::Status Engine::LoadWorldFile(const std::string& path) {
  std::string text;
  if (!ReadFile(path, &text)) {
    return absl::NotFoundError(ToAbsl(StrCat(path, ":1:1: error: cannot read the file [io] ()")));
  }
  return LoadWorld(text, path);
}

uint64_t Engine::generation() const { return impl_->decider.generation(); }

absl::StatusOr<Request> Engine::ParseRequest(std::string_view json_line) {
  Request r;
  std::string problem;
  if (!arbiter::ParseRequest(json_line, &r, &problem)) {
    return absl::InvalidArgumentError(ToAbsl(problem));
  }
  return r;
}

Decision Engine::Decide(const Request& request) const {
  return impl_->decider.Decide(request, ThreadScratch());
}

EvalResult Engine::Explain(const Request& request) const {
  return impl_->decider.Explain(request, ThreadScratch());
}

void Engine::DecideBatch(std::span<const Request> requests, std::span<Decision> out) const {
  if (requests.size() != out.size()) std::abort();  // a caller bug: never half an answer
  auto snapshot = impl_->decider.Read();            // one world for the whole batch
  ParallelOptions options;
  options.threads = impl_->options.threads;
  ParallelFor(requests.size(), options, [&](size_t begin, size_t end, EvalScratch& scratch) {
    for (size_t i = begin; i < end; ++i) {
      out[i] = impl_->decider.DecideIn(*snapshot, ViewOf(requests[i], scratch), scratch);
    }
  });
}

CacheStats Engine::cache_stats() const { return impl_->decider.cache_stats(); }

size_t Engine::memory_bytes() const { return impl_->decider.MemoryBytes(); }

}  // namespace arbiter
