// ipc_bench: spawns a consumer per transport and times ping/pong round trips
// through Google Benchmark.  See README.md and docs/methodology.md.
#include <benchmark/benchmark.h>
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <iostream>
#include <set>
#include <string>
#include <vector>

#include "bench_spec.hpp"
#include "caution.hpp"
#include "consumer_for.hpp"
#include "explain.hpp"
#include "fanout_option.hpp"
#include "ipc/consumer_path.hpp"
#include "ipc_bench_version.hpp"
#include "ipc/error.hpp"
#include "ipc/fingerprint.hpp"
#include "ipc/tick_clock.hpp"
#include "ipc/topology.hpp"
#include "topology_context.hpp"
#include "machine_probes.hpp"
#include "measure.hpp"
#include "options.hpp"
#include "output_file.hpp"
#include "platform.hpp"
#include "remote_option.hpp"
#include "run_reporter.hpp"
#include "stop_signals.hpp"
#include "session.hpp"
#include "summary.hpp"
#include "tell.hpp"

#ifndef IPC_BENCH_BUILD_TYPE
#define IPC_BENCH_BUILD_TYPE "unknown"
#endif

namespace ipc::bench {
namespace {

// One transport per entry, wrapped at kConsoleColumns under its description.
void print_list() {
  for (const Transport& t : transports()) {
    const std::string why = unavailable_here(t);
    const std::string entry =
        fmt::format("{:<14}  {} ({}; fan-out: {})", t.name, t.description,
                    why.empty() ? fmt::format("max payload {}", format_size(max_payload_here(t)))
                                : fmt::format("not available here: {}", why),
                    t.fanout.empty() ? std::string_view("none") : t.fanout);
    print_out(stdout, "{}\n", wrap(entry, 16));
  }
}

// 0 once stdout has taken everything written to it, else 1 with one line.
int stdout_written() {
  if (const auto error = flush_stdout()) {
    tell("{}", *error);
    return 1;
  }
  return 0;
}

// The console summary, printed after the run, where a skipped pair's reason
// is said in its row's place; without it, the reason goes to stderr as the
// pair is planned.
bool shows_summary(const Options& options) {
  return options.benchmark.display == ReportFormat::console && !options.benchmark.list_tests;
}

// Checked before anything is timed: a missing consumer is a set-up error.
bool consumers_present(const Options& options) {
  if (options.remote) return true;  // started by hand, elsewhere
  if (!options.consumer_command.empty()) {
    for (const Transport* t : options.transports) {
      const std::string executable = consumer_for(*t, options).executable();
      if (!find_executable(executable)) {
        tell("--consumer-cmd: {} {}", executable,
                   names_a_path(executable) ? "not found or not executable" : "not found in PATH");
        return false;
      }
    }
    return true;
  }
  for (const Transport* t : options.transports) {
    const std::string path = consumer_path(t->consumer);
    if (!find_executable(path)) {
      tell("consumer for {} not found or not executable: {} (set IPC_BENCH_CONSUMER_DIR)",
                 t->name, path);
      return false;
    }
  }
  return true;
}

// --fanout n > 1: `base` with n consumers, where the transport fans out and
// its consumers can be placed; otherwise skipped with the reason.  Consumers
// sharing a CPU are said once, as the pair is planned.
void add_fanout(std::vector<BenchSpec>& specs, BenchSpec spec, unsigned n, const Options& options,
                const std::vector<int>& allowed, std::vector<Skipped>& skipped) {
  spec.fanout = n;
  spec.consumer_cpus = fanout_cpus(n, spec.placement, allowed);
  std::string why;
  if (!spec.transport->start_fanout) {
    why = "does not fan out to several consumers";
  } else if (spec.consumer_cpus.empty()) {
    why = fmt::format("fan-out places its consumers itself: placement split, same or none, not {}",
                      to_string(spec.placement));
  } else if (spec.transport->spins && (spec.placement != Placement::split || n > allowed.size() - 1)) {
    why = fmt::format("{} busy-waiting consumers need a CPU each beside the producer's; {} allowed", n, allowed.size());
  }
  if (!why.empty()) {
    if (!shows_summary(options)) tell("skipping {}: {}", spec.name(), why);
    skipped.push_back({std::string(spec.transport->name), spec.payload, spec.placement,
                       fmt::format("fan-out {}: {}", n, why)});
    return;
  }
  if (spec.placement == Placement::split && n > allowed.size() - 1)
    tell("{}: {} consumers share the {} CPU(s) beside the producer's ({}), receiver i on the (i mod {})-th",
         spec.name(), n, allowed.size() - 1, fmt::join(std::next(allowed.begin()), allowed.end(), ","),
         allowed.size() - 1);
  specs.push_back(std::move(spec));
}

// --placement pairs: `base` on every ordered pair of distinct allowed CPUs,
// producer first, at each rate.
void add_pairs(std::vector<BenchSpec>& specs, BenchSpec base, const Options& options, const std::vector<int>& allowed,
               std::vector<Skipped>& skipped) {
  if (std::string why = payload_refusal(*base.transport, base.payload); !why.empty()) {
    if (!options.placements.empty()) return;  // said once, by the placements' loop
    if (!shows_summary(options)) tell("skipping {}: {}", base.name(), why);
    skipped.push_back({std::string(base.transport->name), base.payload, std::nullopt, std::move(why)});
    return;
  }
  base.pair = true;
  for (const int producer : allowed) {
    for (const int consumer : allowed) {
      if (producer == consumer) continue;
      base.cpus = {producer, consumer};
      for (const auto rate : options.rates) {
        base.rate = rate;
        specs.push_back(base);
      }
    }
  }
}

std::vector<BenchSpec> plan(const Options& options, const std::vector<int>& allowed, const Topology& topology,
                            std::vector<Skipped>& skipped) {
  std::vector<BenchSpec> specs;
  for (const auto& [name, why] : options.unavailable) skipped.push_back({name, std::nullopt, std::nullopt, why});
  for (const Transport* t : options.transports) {
    for (const std::size_t payload : options.payloads) {
      for (const Placement placement : options.placements) {
        BenchSpec spec{t, payload, placement, assign_cpus(placement, options.cpus, allowed, topology), options.check,
                       std::nullopt};
        if (std::string why = payload_refusal(*t, payload); !why.empty()) {
          if (!shows_summary(options)) tell("skipping {}: {}", spec.name(), why);
          skipped.push_back({std::string(t->name), payload, placement, std::move(why)});
          continue;
        }
        if (options.remote) spec.cpus.consumer.reset();  // placement pins the producer only
        const bool shares_cpu = placement == Placement::same || (placement == Placement::none && allowed.size() < 2);
        if (t->spins && shares_cpu) {
          if (!shows_summary(options))
            tell("skipping {}: a busy-waiting consumer sharing the producer's CPU only runs when "
                     "the scheduler preempts the spinner, which makes every round trip a scheduler tick",
                     spec.name());
          skipped.push_back({std::string(t->name), payload, placement,
                             "a busy-waiting consumer sharing the producer's CPU runs only when the scheduler "
                             "preempts the spinner"});
          continue;
        }
        for (const unsigned n : options.fanouts) {
          if (n > 1) {
            add_fanout(specs, spec, n, options, allowed, skipped);
            continue;
          }
          for (const auto rate : options.rates) {
            spec.rate = rate;
            specs.push_back(spec);
          }
        }
      }
      if (options.pairs) add_pairs(specs, BenchSpec{t, payload, Placement::split, {}, options.check, std::nullopt},
                                   options, allowed, skipped);
    }
  }
  return specs;
}

// Shows nothing: the console is the summary, printed after the run.
class SummaryOnly : public benchmark::BenchmarkReporter {
 public:
  bool ReportContext(const Context&) override { return true; }
  void ReportRuns(const std::vector<Run>&) override {}
};

// Google Benchmark's rows only when asked for: --gb-table, or a
// --benchmark_format given on the command line.
bool summary_only(const Options& options) {
  return options.benchmark.display == ReportFormat::console && !options.benchmark.display_given && !options.gb_table &&
         !options.benchmark.list_tests;
}

std::unique_ptr<benchmark::BenchmarkReporter> display_reporter(const Options& options) {
  if (summary_only(options)) return std::make_unique<SummaryOnly>();
  return make_reporter(options.benchmark.display, std::cout, std::cerr,
                       options.benchmark.color.value_or(stdout_is_terminal()));
}

// Which consumer ran: "remote <A.B.C.D:PORT>" (with the name given, if one
// was), "spawned <path>[,<path>...]" or "command <words>".
std::string consumer_context(const Options& options) {
  if (options.remote) {
    const std::string given = fmt::format("{}:{}", options.remote->host, options.remote->port);
    return given == options.remote->endpoint ? fmt::format("remote {}", given)
                                             : fmt::format("remote {} ({})", options.remote->endpoint, given);
  }
  if (!options.consumer_command.empty()) {
    std::vector<std::string> words = options.consumer_command;
    if (const auto found = find_executable(words.front())) words.front() = *found;  // no {transport} in it
    return fmt::format("command {}", fmt::join(words, " "));
  }
  std::vector<std::string> paths;
  for (const Transport* t : options.transports) {
    std::string path = consumer_path(t->consumer);
    if (std::ranges::find(paths, path) == paths.end()) paths.push_back(std::move(path));
  }
  return fmt::format("spawned {}", fmt::join(paths, ","));
}

// "split=0,1 none=unpinned": the CPUs each placement of the run used.
std::string cpus_used(const Options& options, const std::vector<int>& allowed, const Topology& topology) {
  std::vector<std::string> used;
  for (const Placement p : options.placements) {
    const CpuAssignment cpus = assign_cpus(p, options.cpus, allowed, topology);
    if (!cpus.producer) {
      used.push_back(fmt::format("{}=unpinned", to_string(p)));
    } else if (options.remote) {
      used.push_back(fmt::format("{}={},remote", to_string(p), *cpus.producer));
    } else {
      used.push_back(fmt::format("{}={},{}", to_string(p), *cpus.producer, *cpus.consumer));
    }
  }
  if (options.pairs) used.push_back(fmt::format("pairs=every ordered pair of {}", fmt::join(allowed, ",")));
  return fmt::format("{}", fmt::join(used, " "));
}

// "ipc_bench <version>; <CPU model>; <kernel>; clock source <c>; CPUs <placement>=<p>,<c>":
// the console's first line and the line above the Markdown table.
std::string machine_line(const Options& options, const std::vector<int>& allowed, const Topology& topology) {
  std::string cpu = "unknown", kernel = "unknown", clocksource = "unknown";
  for (const auto& [key, value] : machine_fingerprint()) {
    if (key == "cpu_model") cpu = value;
    if (key == "kernel") kernel = value;
    if (key == "clocksource") clocksource = value;
  }
  // A build other than Release says so here, in the results it produced,
  // rather than in a line of its own on stderr (Google Benchmark's own
  // build type, Debian's "debug", does not matter).
  const std::string_view build = IPC_BENCH_BUILD_TYPE;
  const std::string not_release = build == "Release" ? "" : fmt::format(" ({} build: not for comparing timings)", build);
  return fmt::format("ipc_bench {}{}; {} ({} CPUs allowed); {}; clock source {}; CPUs {}", IPC_BENCH_VERSION, not_release,
                     cpu, allowed.size(), kernel, clocksource, cpus_used(options, allowed, topology));
}

// The CPUs the run pins, or all those allowed when a placement does not pin.
std::set<int> run_cpus(const std::vector<BenchSpec>& specs, const std::vector<int>& allowed) {
  std::set<int> cpus;
  for (const BenchSpec& spec : specs) {
    if (!spec.cpus.producer) return {allowed.begin(), allowed.end()};
    cpus.insert(*spec.cpus.producer);
    if (spec.cpus.consumer) cpus.insert(*spec.cpus.consumer);
  }
  return cpus;
}

void add_context(const Options& options, const std::vector<int>& allowed, const Topology& topology) {
  std::vector<std::string_view> placements;
  for (const Placement p : options.placements) placements.push_back(to_string(p));
  benchmark::AddCustomContext("ipc_bench_version", IPC_BENCH_VERSION);
  benchmark::AddCustomContext("ipc_bench_build_type", IPC_BENCH_BUILD_TYPE);
  for (const auto& [key, value] : machine_fingerprint()) benchmark::AddCustomContext(key, value);
  benchmark::AddCustomContext("placement", fmt::format("{}", fmt::join(placements, ",")));
  benchmark::AddCustomContext("allowed_cpus", fmt::format("{}", fmt::join(allowed, ",")));
  if (options.cpus) benchmark::AddCustomContext("cpus", fmt::format("{},{}", options.cpus->first, options.cpus->second));
  benchmark::AddCustomContext("cpus_used", cpus_used(options, allowed, topology));
  benchmark::AddCustomContext("topology", topology_context(topology, allowed));
  benchmark::AddCustomContext("timer", TickClock::instance().description());
  benchmark::AddCustomContext(
      "mean_timer", TickClock::instance().uses_tsc()
                        ? "the sum of the per-round-trip rdtsc stamps of the timed batch"
                        : fmt::format("the sum of the per-round-trip {} stamps of the timed batch (no usable TSC)",
                                      fallback_clock_name()));
  benchmark::AddCustomContext("explain_source", explain_source(options.remote.has_value()));
  benchmark::AddCustomContext("check", options.check == Check::full ? "full" : "sampled");
  benchmark::AddCustomContext("consumer", consumer_context(options));
  benchmark::AddCustomContext("timeout_s", fmt::format("{:g}", static_cast<double>(options.timeout.count()) / 1000));
  std::set<std::string> prepared;  // transports that share a daemon share its key
  for (const Transport* t : options.transports)
    if (t->prepare != nullptr && !options.remote)
      if (auto [key, value] = t->prepare(options.payloads, options.timeout); !key.empty() && prepared.insert(key).second)
        benchmark::AddCustomContext(key, value);
}

// The machine line, then the floor and noise line of each CPU pair: the
// Markdown's heading lines.
std::string with_floor_lines(const std::string& machine, const MachineProbes& probes) {
  std::string text = machine;
  for (const std::string& line : probes.lines()) text += "\n\n" + line;
  return text;
}

// --json and --benchmark_out, written by ipc_bench after the run.
std::vector<OutputFile> output_files(const Options& options) {
  std::vector<OutputFile> files;
  if (options.json_path) files.push_back({*options.json_path, ReportFormat::json});
  if (options.benchmark.out) files.push_back(*options.benchmark.out);
  return files;
}

int run(int argc, char** argv) {
  hold_standard_streams();
  const StopSignals stop_signals;
  const std::vector<int> allowed = allowed_cpus();
  const Topology topology = Topology::read();
  Options options;
  try {
    options = parse_options(argc, argv, allowed, topology);
    if (options.remote) resolve_remote_host(*options.remote);
  } catch (const HelpShown&) {
    return stdout_written();
  } catch (const UsageError& e) {
    tell("{} (see ipc_bench --help)", e.what());
    return 2;
  }
  if (options.list) {
    print_list();
    return stdout_written();
  }
  if (!shows_summary(options))
    for (const std::string& note : options.notes) tell("{}", note);
  if (!consumers_present(options)) return 1;

  std::vector<std::string> gb_args{argv[0]};
  gb_args.insert(gb_args.end(), options.benchmark.passed.begin(), options.benchmark.passed.end());
  std::vector<char*> gb_argv;
  for (std::string& arg : gb_args) gb_argv.push_back(arg.data());
  int gb_argc = static_cast<int>(gb_argv.size());
  gb_argv.push_back(nullptr);
  benchmark::Initialize(&gb_argc, gb_argv.data());
  if (gb_argc > 1) {
    tell("unknown or malformed Google Benchmark flag '{}' (see ipc_bench --help)", gb_argv[1]);
    return 2;
  }

  std::vector<Skipped> skipped;
  const std::vector<BenchSpec> specs = plan(options, allowed, topology, skipped);
  if (specs.empty()) {
    if (shows_summary(options))
      for (const Skipped& s : skipped)
        tell("skipping {}{}{}: {}", s.transport, s.payload ? fmt::format(" {}", format_size(*s.payload)) : "",
             s.placement ? fmt::format(" {}", to_string(*s.placement)) : "", s.reason);
    tell("nothing left to run: every benchmark asked for was skipped (the reasons are above)");
    return 2;
  }
  // Before any name of this run exists: what killed runs left (see ipc/stale_names.hpp).
  if (const std::string note = remove_stale_names_note(); !note.empty()) tell("{}", note);
  Session session(options);
  MachineProbes probes;
  for (const BenchSpec& spec : specs) {
    auto* b = benchmark::RegisterBenchmark(spec.name().c_str(),
                                           [&spec, &options, &session, &probes](benchmark::State& state) {
                                             measure(state, spec, options, session, probes);
                                           });
    b->UseManualTime()->Unit(benchmark::kNanosecond);
    if (options.iterations) {
      b->Iterations(static_cast<benchmark::IterationCount>(*options.iterations));
    } else if (spec.pair && !spec.rate) {
      b->Iterations(static_cast<benchmark::IterationCount>(kPairRoundTrips));
    } else if (spec.rate) {
      // At a fixed rate the length is a time, not Google Benchmark's search
      // for a batch of --benchmark_min_time: the rate times --duration.
      b->Iterations(static_cast<benchmark::IterationCount>(
          std::max<std::uint64_t>(1, *spec.rate * static_cast<std::uint64_t>(options.duration.count()) / 1000)));
    }
  }
  add_context(options, allowed, topology);
  const std::string machine = machine_line(options, allowed, topology);
  if (summary_only(options)) {
    print_out(stdout, "{}\n", wrap(machine, 2));
    (void)flush_stdout();  // a failure is asked again before each benchmark
  }
  // Before the run: what would spoil it is already there.  Printed after
  // it, beside the summary, where it is read, and only when something ran.
  const std::set<int> cpus = run_cpus(specs, allowed);
  std::vector<std::string> causes = machine_cautions(cpus, allowed.size(), topology, true);
  // After the machine's own check (a spinning probe would count as a busy
  // thread), before the first benchmark.
  probes.before(cpus, specs);
  benchmark::AddCustomContext("floor", probes.floor_context());

  SummaryReporter summary(display_reporter(options), specs);
  RunReporter reporter(summary, output_files(options), options.benchmark);
  const std::size_t matched = benchmark::RunSpecifiedBenchmarks(&reporter);
  session.finish();
  if (StopSignals::received() == 0) probes.after();
  for (const Session::Failure& failure : session.failures()) summary.mark_failed(failure.benchmark, failure.message);
  benchmark::Shutdown();
  if (matched == 0) {
    // Google Benchmark's own words name a regex the user may never have typed.
    tell("nothing left to run: --benchmark_filter={} matches none of the {} benchmarks ({}{})",
               options.benchmark.filter, specs.size(), specs.front().name(), specs.size() > 1 ? ", ..." : "");
    return 2;
  }
  const int signal = StopSignals::received();
  // A standard output that failed ended the run: the files, then one line.
  const std::optional<std::string> stdout_failed = stdout_gone();
  // After the run: what came up during it (still there), and the results'
  // own signs.  The load average is left out, which now counts this run.
  if (signal == 0 && !stdout_failed) {
    for (std::string& cause : machine_cautions(cpus, allowed.size(), topology, false)) causes.push_back(std::move(cause));
    for (std::string& cause : result_cautions(summary.rows())) causes.push_back(std::move(cause));
    if (auto cause = machine_tail_caution(summary.rows(), probes)) causes.push_back(std::move(*cause));
  }
  Cautions cautions;
  for (std::string& cause : causes)
    if (cautions.add(cause) && !stdout_failed) tell_caution(cause);
  int status = reporter.any_failed() || !session.failures().empty() ? 1 : 0;
  if (shows_summary(options) && !stdout_failed) {
    for (const std::string& line : probes.lines()) print_out(stdout, "{}\n", wrap(line, 2));
    print_summary(stdout, summary.rows(), skipped);
    if (options.explain) print_explanation(stdout, summary.rows());
  }
  std::vector<std::pair<std::string, std::string>> late_context{{"warnings", cautions.joined()}};
  for (auto& entry : probes.late_context()) late_context.push_back(std::move(entry));
  std::vector<std::string> errors = reporter.write_files(late_context);
  if (options.md_path) {
    if (auto error = write_output(*options.md_path, markdown_summary(summary.rows(), skipped, with_floor_lines(machine, probes), options.explain)))
      errors.push_back(std::move(*error));
  }
  for (const std::string& error : errors) {
    tell("{}", error);
    status = 1;
  }
  if (stdout_failed) {
    tell("cannot write standard output: {}{}", *stdout_failed,
         reporter.interrupted() ? fmt::format("; the run stopped at {}", *reporter.interrupted()) : "");
    return 1;
  }
  if (const auto error = flush_stdout()) {
    tell("{}", *error);
    status = 1;
  }
  if (signal != 0) {
    tell("interrupted by {}{}; consumers stopped", StopSignals::name(signal),
               reporter.interrupted() ? fmt::format(" at {}", *reporter.interrupted()) : "");
    return 128 + signal;
  }
  return status;
}

}  // namespace
}  // namespace ipc::bench

int main(int argc, char** argv) { return ipc::bench::run(argc, argv); }
