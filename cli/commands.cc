#include "cli/commands.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <fstream>
#include <iostream>
#include <sstream>

#include "absl/strings/numbers.h"
#include "compiler/compile.h"
#include "compiler/policy_parser.h"
#include "compiler/world.h"
#include "core/file.h"
#include "core/strings.h"
#include "engine/decider.h"
#include "engine/engine.h"
#include "engine/parallel.h"
#include "gateway/gateway.h"
#include "json/json.h"
#include "reference/evaluator.h"

namespace arbiter {
namespace {

constexpr std::string_view kUsage =
    "usage:\n"
    "  arbiter eval --world W.json --requests R.jsonl [--explain] [--threads N] [--no-cache]\n"
    "               [--reference]\n"
    "  arbiter check FILE...\n"
    "  arbiter bench --world W.json --requests R.jsonl [--threads N] [--seconds S]\n"
    "               [--no-cache] [--json]\n"
    "  arbiter authorize --gateway G.json --requests H.jsonl\n";

int Usage(std::ostream& err, std::string_view problem) {
  err << "arbiter: " << problem << "\n" << kUsage;
  return 2;
}

struct Options {
  std::string world, requests, gateway;
  bool explain = false, no_cache = false, json = false, reference = false;
  int threads = 1;
  double seconds = 2.0;
  std::vector<std::string> files;
};

// The flags each command takes (kUsage); a known flag given to another command is a usage
// error.
constexpr std::pair<std::string_view, std::string_view> kFlags[] = {
    {"eval", "--world"},        {"eval", "--requests"},      {"eval", "--explain"},
    {"eval", "--threads"},      {"eval", "--no-cache"},      {"eval", "--reference"},
    {"bench", "--world"},       {"bench", "--requests"},     {"bench", "--threads"},
    {"bench", "--seconds"},     {"bench", "--no-cache"},     {"bench", "--json"},
    {"authorize", "--gateway"}, {"authorize", "--requests"},
};

bool FlagKnown(std::string_view flag) {
  return std::any_of(std::begin(kFlags), std::end(kFlags),
                     [&](const auto& entry) { return entry.second == flag; });
}

bool FlagApplies(std::string_view command, std::string_view flag) {
  return std::any_of(std::begin(kFlags), std::end(kFlags), [&](const auto& entry) {
    return entry.first == command && entry.second == flag;
  });
}

// Parses the `--flag value` options of command args[0]; returns "" or the problem.
std::string ParseOptions(const std::vector<std::string>& args, Options* o) {
  const std::string& command = args[0];
  for (size_t i = 1; i < args.size(); ++i) {
    const std::string& a = args[i];
    auto value = [&](std::string* dst) {
      if (i + 1 >= args.size()) return false;
      *dst = args[++i];
      return true;
    };
    std::string v;
    if (FlagKnown(a) && !FlagApplies(command, a)) {
      return StrCat(a, " does not apply to ", command);
    }
    if (a == "--world") {
      if (!value(&o->world)) return "--world needs a file";
    } else if (a == "--gateway") {
      if (!value(&o->gateway)) return "--gateway needs a file";
    } else if (a == "--requests") {
      if (!value(&o->requests)) return "--requests needs a file";
    } else if (a == "--explain") {
      o->explain = true;
    } else if (a == "--no-cache") {
      o->no_cache = true;
    } else if (a == "--json") {
      o->json = true;
    } else if (a == "--reference") {
      o->reference = true;
    } else if (a == "--threads") {
      if (!value(&v) || !absl::SimpleAtoi(v, &o->threads) || o->threads < 1 || o->threads > 1024) {
        return "--threads needs a number from 1 to 1024";
      }
    } else if (a == "--seconds") {
      if (!value(&v) || !absl::SimpleAtod(v, &o->seconds) || !(o->seconds > 0) ||
          o->seconds > 86400) {
        return "--seconds needs a positive number";
      }
    } else if (!a.empty() && a[0] == '-' && a != "-") {
      return StrCat("unknown option ", a);
    } else {
      o->files.push_back(a);
    }
  }
  return "";
}

void PrintFindings(std::ostream& os, const std::string& file, std::string_view text,
                   std::vector<Finding> findings) {
  os << FormatFindings(file, text, std::move(findings));
}

// `path` for a message line: escaped (AppendEscaped) so that a message stays one line.
std::string Escaped(std::string_view path) {
  std::string out;
  AppendEscaped(&out, path);
  return out;
}

// The finding for a file that cannot be read.
std::string CannotRead(const std::string& path) {
  return StrCat(Escaped(path), ":1:1: error: cannot read the file [io] ()\n");
}

// Flushes `out` and returns `status`, or 1 when standard output could not be written (a
// full disk, a closed pipe): output that did not arrive is not a success.
int Finish(std::ostream& out, std::ostream& err, int status) {
  out.flush();
  if (!out) {
    err << "arbiter: cannot write standard output\n";
    return 1;
  }
  return status;
}

// A request line that cannot be read, as SPEC section 4 writes it.
void AppendErrorLine(std::string* out, std::string_view problem, size_t line) {
  out->append("{\"error\": ");
  json::AppendQuoted(out, problem);
  StrAppend(out, ", \"line\": ", line, "}\n");
}

// Loads a world, printing findings (errors and warnings) to `err`.
std::optional<World> LoadWorldFile(const std::string& path, std::ostream& err) {
  std::string text;
  if (!ReadFile(path, &text)) {
    err << CannotRead(path);
    return std::nullopt;
  }
  std::vector<Finding> findings;
  std::optional<World> world = LoadWorld(text, &findings);
  PrintFindings(err, path, text, findings);
  return world;
}

bool ReadRequests(const Options& o, std::istream& in, std::string* text, std::ostream& err) {
  if (o.requests == "-") {
    std::ostringstream ss;
    ss << in.rdbuf();
    *text = ss.str();
    return true;
  }
  if (!ReadFile(o.requests, text)) {
    err << "arbiter: cannot read " << Escaped(o.requests) << "\n";
    return false;
  }
  return true;
}

void WriteDecision(std::string* out, const EvalResult& r, bool explain) {
  StrAppend(out, "{\"decision\": \"", DecisionName(r.decision), "\"");
  if (explain) {
    out->append(", \"reasons\": [");
    for (size_t i = 0; i < r.reasons.size(); ++i) {
      const Reason& reason = r.reasons[i];
      if (i) out->append(", ");
      out->append("{\"policy\": ");
      json::AppendQuoted(out, reason.policy);
      StrAppend(out, ", \"kind\": \"", PolicyRoleName(reason.role), "\", \"sid\": ");
      json::AppendQuoted(out, reason.sid.value_or(""));
      StrAppend(out, ", \"statement\": ", reason.statement, ", \"effect\": \"",
                reason.effect == Effect::kAllow ? "Allow" : "Deny", "\"}");
    }
    out->append("]");
  }
  out->append("}\n");
}

// One request line: parsed, or the reason it could not be.
struct Line {
  size_t number = 0;
  bool ok = false;
  Request request;
  std::string problem;
};

// Splits JSON Lines input, skipping blank lines.
// Calls f(line number, line) for each non-blank line of JSON Lines input (CR LF ends a
// line too).
template <typename F>
void ForEachLine(std::string_view text, F f) {
  size_t line_no = 0;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(start, end - start);
    start = end + 1;
    ++line_no;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.find_first_not_of(" \t") == std::string_view::npos) continue;
    f(line_no, line);
  }
}

std::vector<Line> ParseLines(const std::string& text) {
  std::vector<Line> lines;
  ForEachLine(text, [&](size_t line_no, std::string_view line) {
    Line l;
    l.number = line_no;
    l.ok = ParseRequest(line, &l.request, &l.problem);
    lines.push_back(std::move(l));
  });
  return lines;
}

// Compiles `world`, interning the actions the requests name so that they take the
// engine's fast path.
CompiledWorld CompileFor(const World& world, const std::vector<Line>& lines) {
  CompileOptions options;
  for (const Line& l : lines) {
    if (l.ok) options.extra_actions.push_back(l.request.action);
  }
  return Compile(world, options);
}

ParallelOptions Threads(const Options& o) {
  ParallelOptions p;
  p.threads = o.threads;
  return p;
}

int Eval(const Options& o, std::istream& in, std::ostream& out, std::ostream& err) {
  if (o.world.empty() || o.requests.empty()) return Usage(err, "eval needs --world and --requests");
  if (!o.files.empty()) return Usage(err, StrCat("unexpected argument ", Escaped(o.files[0])));
  std::optional<World> world = LoadWorldFile(o.world, err);
  if (!world) return 1;
  std::string text;
  if (!ReadRequests(o, in, &text, err)) return 1;
  const std::vector<Line> lines = ParseLines(text);
  // Decisions are computed in parallel (--threads) into slots, then written in order.
  std::vector<const Request*> valid;
  for (const Line& l : lines) {
    if (l.ok) valid.push_back(&l.request);
  }
  std::vector<EvalResult> results(valid.size());
  if (o.reference) {
    ParallelFor(valid.size(), Threads(o), [&](size_t begin, size_t end, EvalScratch&) {
      for (size_t i = begin; i < end; ++i) results[i] = ReferenceEvaluate(*world, *valid[i]);
    });
  } else {
    DeciderOptions options;
    options.cache = !o.no_cache;
    Decider decider(options);
    CompileOptions compile;
    for (const Request* r : valid) compile.extra_actions.push_back(r->action);
    decider.Publish(*world, compile);
    auto snapshot = decider.Read();
    ParallelFor(valid.size(), Threads(o), [&](size_t begin, size_t end, EvalScratch& scratch) {
      for (size_t i = begin; i < end; ++i) {
        if (o.explain) {
          results[i] = Evaluate(snapshot->compiled, *valid[i], scratch, /*explain=*/true);
        } else {
          results[i].decision = decider.DecideIn(*snapshot, ViewOf(*valid[i], scratch), scratch);
        }
      }
    });
  }
  int status = 0;
  std::string buffer;
  size_t next = 0;
  for (const Line& l : lines) {
    if (!l.ok) {
      AppendErrorLine(&buffer, l.problem, l.number);
      status = 1;
    } else {
      WriteDecision(&buffer, results[next++], o.explain);
    }
    if (buffer.size() > (1u << 16)) {
      out << buffer;
      buffer.clear();
      if (!out) break;  // reported by Finish
    }
  }
  out << buffer;
  return Finish(out, err, status);
}

// SPEC section 6: one response line per HTTP request line, in order.
int Authorize(const Options& o, std::istream& in, std::ostream& out, std::ostream& err) {
  if (o.gateway.empty() || o.requests.empty()) {
    return Usage(err, "authorize needs --gateway and --requests");
  }
  if (!o.files.empty()) return Usage(err, StrCat("unexpected argument ", Escaped(o.files[0])));
  std::string errors;
  std::unique_ptr<gateway::GatewayConfig> config = gateway::LoadGateway(o.gateway, &errors);
  err << errors;
  if (config == nullptr) return 1;
  std::string text;
  if (!ReadRequests(o, in, &text, err)) return 1;
  gateway::Gateway gw(std::move(config));
  const int64_t now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                             std::chrono::system_clock::now().time_since_epoch())
                             .count();
  int status = 0;
  ForEachLine(text, [&](size_t line_no, std::string_view line) {
    if (!out) return;  // nobody reads the answers (Finish reports it): decide no more
    absl::StatusOr<gateway::HttpRequest> request = gateway::ParseHttpRequest(line, now_ms);
    std::string response;
    if (!request.ok()) {
      response = "{\"error\": ";
      json::AppendQuoted(&response, std::string_view(request.status().message().data(),
                                                     request.status().message().size()));
      StrAppend(&response, ", \"line\": ", line_no, "}");
      status = 1;
    } else {
      response = gw.Authorize(*request).ToJson();
    }
    // Flushed per line: an authorizer command may take a while, and a reader sees each
    // answer as soon as it is decided.
    out << response << "\n";
    out.flush();
  });
  return Finish(out, err, status);
}

int Check(const Options& o, std::ostream& out, std::ostream& err) {
  if (o.files.empty()) return Usage(err, "check needs at least one file");
  int status = 0;
  for (const std::string& path : o.files) {
    std::string text;
    if (!ReadFile(path, &text)) {
      out << CannotRead(path);
      status = 1;
      continue;
    }
    std::vector<Finding> findings;
    // Parsed once, under the larger (world) size limit: a file that is not JSON gets its
    // real error, wherever it is, whichever kind of document it was meant to be.
    json::Value root;
    json::Error jerr;
    json::Limits limits;
    limits.max_bytes = kMaxWorldBytes;
    if (!json::Parse(text, &root, &jerr, limits)) {
      findings.push_back(JsonErrorFinding(jerr));
    } else {
      // A world is an object with any of the world's elements and no Statement.
      bool is_world = false;
      if (root.is_object() && !root.Find("Statement")) {
        for (std::string_view k : {"policies", "principals", "resources", "organization"}) {
          is_world |= root.Find(k) != nullptr;
        }
      }
      if (is_world) {
        LoadWorld(root, &findings);
      } else if (text.size() > kMaxPolicyBytes) {
        ParsePolicyText(text, PolicyKind::kStandalone, &findings);  // json-size
      } else {
        ParsePolicy(root, PolicyKind::kStandalone, "", &findings);
      }
    }
    PrintFindings(out, path, text, findings);
    if (HasError(findings)) status = 1;
  }
  return Finish(out, err, status);
}

using Clock = std::chrono::steady_clock;

// Keeps measured decisions observable, so the compiler cannot drop the work.
std::atomic<int64_t> benchmark_sink_{0};

double Seconds(Clock::duration d) { return std::chrono::duration<double>(d).count(); }

// Decisions per second of `eval` over `requests` (indexable, not empty), cycling for about
// `seconds`. The clock is read every `clock_every` decisions (more often than not costs a
// fast evaluator time; less often lets a slow one overrun), so that the run stops at the
// deadline rather than at the end of a pass over every request.
template <typename Batch, typename F>
double Throughput(const Batch& requests, double seconds, size_t clock_every, F eval) {
  size_t n = 0;
  const auto start = Clock::now();
  const auto deadline =
      start + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(seconds));
  for (size_t i = 0;; i = i + 1 == requests.size() ? 0 : i + 1) {
    eval(requests[i]);
    if (++n % clock_every == 0 && Clock::now() >= deadline) break;
  }
  return n / Seconds(Clock::now() - start);
}

int Bench(const Options& o, std::istream& in, std::ostream& out, std::ostream& err) {
  if (o.world.empty() || o.requests.empty()) {
    return Usage(err, "bench needs --world and --requests");
  }
  if (!o.files.empty()) return Usage(err, StrCat("unexpected argument ", Escaped(o.files[0])));
  std::string world_text;
  if (!ReadFile(o.world, &world_text)) {
    err << CannotRead(o.world);
    return 1;
  }
  std::string text;
  if (!ReadRequests(o, in, &text, err)) return 1;
  const std::vector<Line> lines = ParseLines(text);
  // The engine reads requests packed in one arena, as a server would keep them; the
  // reference baseline reads them as parsed (a sample, to bound its run time). Lines that
  // cannot be read are reported on standard error as eval writes them (standard output
  // keeps the report alone), and make the exit status 1.
  RequestBatch requests;
  std::vector<Request> reference_requests;
  size_t rejected = 0;
  {
    std::string errors;
    for (const Line& l : lines) {
      if (!l.ok) {
        AppendErrorLine(&errors, l.problem, l.number);
        ++rejected;
        continue;
      }
      requests.Add(l.request);
      if (reference_requests.size() < 20000) reference_requests.push_back(l.request);
    }
    err << errors;
    if (rejected) err << "arbiter: " << rejected << " request line(s) rejected\n";
  }
  requests.Seal();
  if (requests.size() == 0) {
    err << "arbiter: no valid requests to measure\n";
    return 1;
  }
  // Compile time: the world's JSON to the engine's structure (parse, validate, compile).
  const auto t0 = Clock::now();
  std::vector<Finding> findings;
  std::optional<World> world = LoadWorld(world_text, &findings);
  if (!world) {
    PrintFindings(err, o.world, world_text, findings);
    return 1;
  }
  const double load_ms = Seconds(Clock::now() - t0) * 1000;
  const CompiledWorld compiled = CompileFor(*world, lines);
  const double compile_ms = Seconds(Clock::now() - t0) * 1000;
  size_t minified = world_text.size();
  {
    json::Value root;
    json::Error error;
    json::Limits limits;
    limits.max_bytes = kMaxWorldBytes;
    if (json::Parse(world_text, &root, &error, limits)) minified = json::Serialize(root).size();
  }

  EvalScratch scratch;
  size_t by_decision[3] = {0, 0, 0};
  for (size_t i = 0; i < requests.size(); ++i) {
    ++by_decision[static_cast<int>(Evaluate(compiled, requests[i], scratch).decision)];
  }
  // Baseline in the same run: the reference evaluator, a tenth of the time.
  const double reference_dps =
      Throughput(reference_requests, o.seconds / 10, 1, [&](const Request& r) {
        by_decision[static_cast<int>(ReferenceEvaluate(*world, r).decision)] += 0;
      });
  // The engine alone (one thread, no cache): the figure the cache and threads multiply.
  const double engine_dps = Throughput(requests, o.seconds / 5, 64, [&](const RequestView& r) {
    by_decision[static_cast<int>(Evaluate(compiled, r, scratch).decision)] += 0;
  });
  // The measured configuration: the decision cache (unless --no-cache) in front of the
  // engine, on --threads threads, cycling over the requests (so after the first pass a
  // cached run hits on every request its key fits).
  DeciderOptions decider_options;
  decider_options.cache = !o.no_cache;
  // Sized for the working set: one entry per request at most (its key), and as many again
  // as room in the 4-way buckets; a cache smaller than the set it cycles through measures
  // eviction instead.
  decider_options.cache_options.capacity =
      std::max(decider_options.cache_options.capacity, 2 * requests.size());
  Decider decider(decider_options);
  {
    CompileOptions compile;
    for (const Line& l : lines) {
      if (l.ok) compile.extra_actions.push_back(l.request.action);
    }
    decider.Publish(*world, compile);
  }
  const ParallelOptions parallel = Threads(o);
  const int threads = EffectiveThreads(parallel);
  double dps = 0;
  {
    auto snapshot = decider.Read();
    std::atomic<size_t> n{0};
    const auto start = Clock::now();
    const auto deadline = start + std::chrono::duration_cast<Clock::duration>(
                                      std::chrono::duration<double>(o.seconds * 0.4));
    do {
      ParallelFor(requests.size(), parallel, [&](size_t begin, size_t end, EvalScratch& s) {
        int64_t local = 0;  // one shared write per range, not per decision
        size_t i = begin;
        while (i < end) {
          local += static_cast<int>(decider.DecideIn(*snapshot, requests[i], s));
          // A range stops at the deadline too, however long a pass over the requests.
          if (++i % 64 == 0 && Clock::now() >= deadline) break;
        }
        n.fetch_add(i - begin, std::memory_order_relaxed);
        benchmark_sink_.fetch_add(local, std::memory_order_relaxed);
      });
    } while (Clock::now() < deadline);
    dps = static_cast<double>(n.load()) / Seconds(Clock::now() - start);
  }
  // Latency on one thread, in the same configuration: each decision timed alone, less the
  // cost of the two clock reads around it (measured here: the median of back-to-back reads,
  // about 20 ns where the clock is the TSC), which is the timer's, not the decision's.
  std::vector<int64_t> samples;
  samples.reserve(1u << 20);
  for (int i = 0; i < 100000; ++i) {
    const auto a = Clock::now();
    const auto b = Clock::now();
    samples.push_back(std::chrono::duration_cast<std::chrono::nanoseconds>(b - a).count());
  }
  std::nth_element(samples.begin(), samples.begin() + samples.size() / 2, samples.end());
  const int64_t timer_ns = samples[samples.size() / 2];
  samples.clear();
  const auto deadline = Clock::now() + std::chrono::duration_cast<Clock::duration>(
                                           std::chrono::duration<double>(o.seconds * 0.3));
  {
    auto snapshot = decider.Read();
    for (size_t i = 0;; i = i + 1 == requests.size() ? 0 : i + 1) {
      const auto a = Clock::now();
      const Decision d = decider.DecideIn(*snapshot, requests[i], scratch);
      const auto b = Clock::now();
      benchmark_sink_.fetch_add(static_cast<int>(d), std::memory_order_relaxed);
      samples.push_back(std::max<int64_t>(
          0, std::chrono::duration_cast<std::chrono::nanoseconds>(b - a).count() - timer_ns));
      if (b >= deadline || samples.size() == (64u << 20)) break;
    }
  }
  std::sort(samples.begin(), samples.end());
  const int64_t p50 = samples[samples.size() / 2];
  const int64_t p99 = samples[std::min(samples.size() - 1, samples.size() * 99 / 100)];
  const CacheStats cache = decider.cache_stats();
  const size_t memory = compiled.MemoryBytes();
  const size_t cache_memory = decider.MemoryBytes() - memory;
  // The world alone, without the request batch's actions that CompileFor interns for speed
  // (each costs its name, its plan entries and its expansions in the action lists).
  const size_t world_memory = Compile(*world).MemoryBytes();
  if (o.json) {
    out << "{\"engine\": \"compiled\", \"decisions_per_second\": " << static_cast<int64_t>(dps)
        << ", \"p50_ns\": " << p50 << ", \"p99_ns\": " << p99
        << ", \"timer_overhead_ns\": " << timer_ns << ", \"cache_hit_ratio\": " << cache.hit_ratio()
        << ", \"cache\": " << (o.no_cache ? "false" : "true") << ", \"compile_ms\": " << compile_ms
        << ", \"load_ms\": " << load_ms << ", \"memory_bytes\": " << memory
        << ", \"world_memory_bytes\": " << world_memory
        << ", \"cache_memory_bytes\": " << cache_memory
        << ", \"world_bytes\": " << world_text.size() << ", \"world_minified_bytes\": " << minified
        << ", \"threads\": " << threads << ", \"requests\": " << requests.size()
        << ", \"engine_uncached_single_thread_decisions_per_second\": "
        << static_cast<int64_t>(engine_dps)
        << ", \"reference_decisions_per_second\": " << static_cast<int64_t>(reference_dps)
        << ", \"speedup_vs_reference\": " << dps / reference_dps
        << ", \"allow\": " << by_decision[0] << ", \"explicit_deny\": " << by_decision[1]
        << ", \"implicit_deny\": " << by_decision[2] << "}\n";
  } else {
    out << "configuration     " << threads << " thread(s), "
        << (o.no_cache ? "no cache" : "decision cache") << "\n"
        << "requests          " << requests.size() << " (Allow " << by_decision[0]
        << ", ExplicitDeny " << by_decision[1] << ", ImplicitDeny " << by_decision[2] << ")\n"
        << "decisions/s       " << static_cast<int64_t>(dps) << "\n"
        << "p50               " << p50 << " ns (one thread; the clock's " << timer_ns
        << " ns per reading pair taken out)\n"
        << "p99               " << p99 << " ns (one thread)\n"
        << "cache hit ratio   " << cache.hit_ratio() << " (" << cache.uncacheable
        << " uncacheable)\n"
        << "compile           " << compile_ms << " ms (parse and validate " << load_ms
        << " ms, then lower)\n"
        << "memory            " << memory << " bytes compiled, "
        << static_cast<double>(memory) / minified << "x the minified world JSON (" << minified
        << " bytes), the requests' actions interned; the world alone " << world_memory << " bytes, "
        << static_cast<double>(world_memory) / minified << "x; cache " << cache_memory << " bytes\n"
        << "engine alone      " << static_cast<int64_t>(engine_dps)
        << " decisions/s (one thread, no cache)\n"
        << "baseline          reference evaluator " << static_cast<int64_t>(reference_dps)
        << " decisions/s; this configuration is " << dps / reference_dps << "x\n";
  }
  return Finish(out, err, rejected != 0 || benchmark_sink_ == -1 ? 1 : 0);
}

}  // namespace

int RunCli(const std::vector<std::string>& args, std::istream& in, std::ostream& out,
           std::ostream& err) {
  if (args.empty()) return Usage(err, "no command");
  const std::string& cmd = args[0];
  if (cmd == "--help" || cmd == "help") {
    out << kUsage;
    return Finish(out, err, 0);
  }
  if (cmd != "eval" && cmd != "check" && cmd != "bench" && cmd != "authorize") {
    return Usage(err, StrCat("unknown command ", Escaped(cmd)));
  }
  Options o;
  if (std::string problem = ParseOptions(args, &o); !problem.empty()) {
    return Usage(err, Escaped(problem));
  }
  if (cmd == "eval") return Eval(o, in, out, err);
  if (cmd == "check") return Check(o, out, err);
  if (cmd == "bench") return Bench(o, in, out, err);
  return Authorize(o, in, out, err);
}

}  // namespace arbiter
