#include "options.hpp"

#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <limits>
#include <string_view>
#include <utility>
#include <vector>

#include "fanout_option.hpp"
#include "ipc/parse.hpp"
#include "platform.hpp"
#include "remote_option.hpp"
#include "wrap.hpp"

namespace ipc::bench {
namespace {

constexpr std::string_view kBenchmarkFlagPrefix = "--benchmark_";

std::string all_transport_names() {
  std::string names;
  for (const Transport& t : transports()) names += fmt::format("{}{}", names.empty() ? "" : ", ", t.name);
  return names;
}

// The transports to run.  One this system refuses (Transport::unavailable)
// is left out with a note; if that leaves none, the refusal is the error.
std::vector<const Transport*> resolve_transports(const std::vector<std::string>& names, std::vector<std::string>& notes,
                                                std::vector<std::pair<std::string, std::string>>& unavailable) {
  std::vector<const Transport*> named;
  if (names.empty()) {
    for (const Transport& t : transports()) named.push_back(&t);
  }
  for (const std::string& name : names) {
    const Transport* t = find_transport(name);
    if (!t) throw UsageError(fmt::format("unknown transport '{}' (known: {})", name, all_transport_names()));
    if (std::ranges::find(named, t) == named.end()) named.push_back(t);
  }
  std::vector<const Transport*> chosen;
  std::string last_refusal;
  for (const Transport* t : named) {
    if (std::string why = unavailable_here(*t); !why.empty()) {
      last_refusal = fmt::format("{} is not available here: {}", t->name, why);
      notes.push_back("skipping " + last_refusal);
      unavailable.emplace_back(t->name, why);
    } else {
      chosen.push_back(t);
    }
  }
  if (chosen.empty()) throw UsageError(last_refusal);
  return chosen;
}

std::vector<std::size_t> resolve_payloads(const std::vector<std::string>& texts,
                                          const std::vector<const Transport*>& chosen) {
  std::vector<std::size_t> payloads;
  for (const std::string& text : texts.empty() ? std::vector<std::string>{"4"} : texts) {
    const auto size = parse_size(text);
    if (!size)
      throw UsageError(fmt::format("invalid payload '{}': expected a size of at least 1 byte such as 64, 4K or 1M", text));
    // Refused only when no chosen transport can carry it, or the user named
    // that one transport alone; otherwise plan() skips the pairs that do not fit.
    std::string first_refusal;
    const bool fits_one = std::ranges::any_of(chosen, [&](const Transport* t) {
      std::string why = payload_refusal(*t, *size);
      if (first_refusal.empty()) first_refusal = why;
      return why.empty();
    });
    if (!fits_one || (chosen.size() == 1 && !first_refusal.empty())) throw UsageError(first_refusal);
    if (std::ranges::find(payloads, *size) == payloads.end()) payloads.push_back(*size);
  }
  return payloads;
}

// "pairs" taken out of the --placement texts: whether it was there.
// Refused in one line where there is no pair to measure or the pair is not
// ipc_bench's to choose.
bool take_pairs(std::vector<std::string>& texts, const std::vector<int>& allowed, bool cpus_given, bool remote) {
  const auto erased = std::erase(texts, std::string("pairs"));
  if (erased == 0) return false;
  if (allowed.size() < 2)
    throw UsageError(fmt::format("--placement pairs needs two CPUs, and this process may use one (CPU {})",
                                 allowed.empty() ? -1 : allowed.front()));
  if (cpus_given) throw UsageError("--placement pairs measures every pair of allowed CPUs: give it without --cpus");
  if (remote) throw UsageError("--placement pairs needs both processes on this machine: give it without --remote");
  return true;
}

std::vector<Placement> resolve_placements(const std::vector<std::string>& texts, const std::vector<int>& allowed,
                                          bool pairs) {
  std::vector<Placement> placements;
  for (const std::string& text : texts) {
    const auto placement = parse_placement(text);
    if (!placement)
      throw UsageError(
          fmt::format("unknown placement '{}' (known: split, same, none, smt, llc, cross_llc, cross_node, pairs)", text));
    if (std::ranges::find(placements, *placement) == placements.end()) placements.push_back(*placement);
  }
  if (placements.empty() && !pairs) placements.push_back(allowed.size() >= 2 ? Placement::split : Placement::same);
  return placements;
}

std::pair<int, int> parse_cpu_pair(const std::string& text) {
  const auto comma = text.find(',');
  const auto bad = [&] { return UsageError(fmt::format("invalid --cpus '{}': expected two CPU numbers, A,B", text)); };
  if (comma == std::string::npos) throw bad();
  int cpus[2];
  const std::string_view parts[2] = {std::string_view(text).substr(0, comma), std::string_view(text).substr(comma + 1)};
  for (int i = 0; i < 2; ++i) {
    const auto [end, ec] = std::from_chars(parts[i].data(), parts[i].data() + parts[i].size(), cpus[i]);
    if (parts[i].empty() || ec != std::errc{} || end != parts[i].data() + parts[i].size() || cpus[i] < 0) throw bad();
  }
  return {cpus[0], cpus[1]};
}

// Two outputs written to one file would leave only the last: refused, under
// whatever spelling (./F, a symbolic link, a/../F).  Throws UsageError.
void refuse_shared_outputs(const Options& options) {
  std::vector<std::pair<const char*, std::filesystem::path>> outputs;
  const auto resolved = [](const std::string& path) {
    // Absolute first: weakly_canonical leaves a relative path whose first
    // part does not exist as it is.  One that cannot be resolved compares
    // as written.
    std::error_code ec;
    const auto absolute = std::filesystem::absolute(path, ec);
    if (ec) return std::filesystem::path(path).lexically_normal();
    const auto canonical = std::filesystem::weakly_canonical(absolute, ec);
    return (ec ? absolute : canonical).lexically_normal();
  };
  if (options.json_path) outputs.emplace_back("--json", resolved(*options.json_path));
  if (options.md_path) outputs.emplace_back("--md", resolved(*options.md_path));
  if (options.benchmark.out) outputs.emplace_back("--benchmark_out", resolved(options.benchmark.out->path));
  for (std::size_t i = 0; i < outputs.size(); ++i)
    for (std::size_t j = i + 1; j < outputs.size(); ++j)
      if (outputs[i].second == outputs[j].second)
        throw UsageError(fmt::format("{} and {} name the same file", outputs[i].first, outputs[j].first));
}

// --help in 100 columns: CLI11 prints the names and value in 30, then each
// description line as given, so the descriptions are wrapped to the rest.
constexpr std::size_t kHelpNameColumns = 30;
std::string described(std::string_view text) { return wrap(text, 0, kConsoleColumns - kHelpNameColumns); }

// An option's value by its name only (N, FILE, LIST): CLI11's own adds its
// type and validators ("TEXT ...", "ENUM:value in {...} OR {1,0}").
class HelpFormatter : public CLI::Formatter {
 public:
  std::string make_option_opts(const CLI::Option* option) const override {
    return option->get_type_name().empty() ? "" : " " + option->get_type_name();
  }
};

Check parse_check(const std::string& text) {
  if (text == "sampled") return Check::sampled;
  if (text == "full") return Check::full;
  throw UsageError(fmt::format("invalid --check '{}': expected sampled or full", text));
}

}  // namespace

std::vector<std::string> split_consumer_command(std::string_view text) {
  refuse_quoting(text);
  std::vector<std::string> words;
  constexpr std::string_view kSpace = " \t\n\r\f\v";
  for (std::size_t start = text.find_first_not_of(kSpace); start != std::string_view::npos;) {
    const std::size_t end = std::min(text.find_first_of(kSpace, start), text.size());
    words.emplace_back(text.substr(start, end - start));
    start = text.find_first_not_of(kSpace, end);
  }
  if (words.empty()) throw UsageError("--consumer-cmd: the command is empty");
  return words;
}

// --rate's entries: "closed", or a rate of 1 to 10 M messages per second.
std::vector<std::optional<std::uint64_t>> parse_rates(const std::vector<std::string>& texts) {
  constexpr std::uint64_t kMaxRate = 10'000'000;
  std::vector<std::optional<std::uint64_t>> rates;
  for (const std::string& text : texts) {
    std::optional<std::uint64_t> rate;
    if (text != "closed") {
      rate = parse_rate(text);
      if (!rate || *rate > kMaxRate)
        throw UsageError(fmt::format("invalid --rate '{}': expected messages per second from 1 to 10M (1k, 10k) or "
                                     "closed", text));
    }
    if (std::ranges::find(rates, rate) == rates.end()) rates.push_back(rate);
  }
  return rates;
}

std::optional<WarmUp> parse_warm_up(std::string_view text) {
  if (text == "0") return WarmUp{0, std::chrono::milliseconds(0)};
  std::chrono::milliseconds::rep unit = 0;  // 0: a round-trip count
  if (text.ends_with("ms")) {
    unit = 1;
    text.remove_suffix(2);
  } else if (text.ends_with("s")) {
    unit = 1000;
    text.remove_suffix(1);
  }
  const auto value = parse_count(text);
  if (!value) return std::nullopt;
  if (unit == 0) return WarmUp{*value, std::chrono::milliseconds(0)};
  if (*value > 3'600'000 / static_cast<std::uint64_t>(unit)) return std::nullopt;  // an hour at most
  return WarmUp{0, std::chrono::milliseconds(static_cast<std::chrono::milliseconds::rep>(*value) * unit)};
}

Options parse_options(int argc, const char* const* argv, const std::vector<int>& allowed_cpus,
                      const Topology& topology) {
  Options options;
  std::vector<const char*> ours{argv[0]};
  for (int i = 1; i < argc; ++i) {
    if (std::string_view(argv[i]).starts_with(kBenchmarkFlagPrefix)) {
      options.benchmark_flags.emplace_back(argv[i]);
    } else {
      ours.push_back(argv[i]);
    }
  }

  CLI::App app("ipc_bench: round-trip latency of inter-process communication mechanisms.\n"
               "Flags starting with --benchmark_ go to Google Benchmark.",
               "ipc_bench");
  app.formatter(std::make_shared<HelpFormatter>());
  app.get_formatter()->column_width(kHelpNameColumns);
  app.set_help_flag("-h,--help", "print this help and exit");
  std::vector<std::string> transport_names, payload_texts, placement_texts;
  std::string cpus_text, iterations_text, repetitions_text, warm_up_text, json_path;
  std::string timeout_text, md_path, check_text;
  app.add_flag("--list", options.list, "list the transports and exit");
  app.add_option("-t,--transports", transport_names, described("transports to run, comma-separated (default: all)"))
      ->delimiter(',')
      ->type_name("LIST");
  app.add_option("-p,--payload", payload_texts,
                 described("payload sizes in bytes, comma-separated: 4,64,4K,1M (default: 4)"))
      ->delimiter(',')
      ->type_name("SIZES");
  app.add_option("--placement", placement_texts,
                 described("split (two CPUs; default when two are allowed), same (one CPU), none (unpinned), smt, "
                           "llc, cross_llc, cross_node (two CPUs chosen by topology, where the machine has them), "
                           "pairs (every ordered pair of allowed CPUs, a short run each); comma-separated"))
      ->delimiter(',')
      ->type_name("LIST");
  app.add_option("--cpus", cpus_text, described("CPUs for the producer and the consumer"))->type_name("A,B");
  app.add_option("-n,--iterations", iterations_text,
                 described("timed round trips per benchmark (default: Google Benchmark decides)"))
      ->type_name("N");
  app.add_option("-r,--repetitions", repetitions_text,
                 described("repeat each benchmark N times; the summary shows the median and the coefficient of "
                           "variation"))
      ->type_name("N");
  app.add_option("--warmup", warm_up_text,
                 described("untimed round trips before timing: a count (2000) or a time (50ms, 1s); default 50ms"))
      ->type_name("N|TIME");
  app.add_option("--timeout", timeout_text, described("seconds to wait for any one pong (default: 5)"))
      ->type_name("SECONDS");
  app.add_option("--json", json_path, described("write Google Benchmark JSON to FILE"))->type_name("FILE");
  app.add_option("--md", md_path, described("write the summary as a GitHub-flavoured Markdown table to FILE"))
      ->type_name("FILE");
  app.add_flag("--gb-table", options.gb_table,
               described("also show Google Benchmark's own rows (as does an explicit --benchmark_format=console)"));
  std::string consumer_command_text;
  auto* consumer_command =
      app.add_option("--consumer-cmd", consumer_command_text,
                     described("start \"CMD ARGS\" in place of the built-in consumer, with the transport's "
                               "arguments after them; split at spaces (no quoting); {transport} becomes the "
                               "transport's name"))
          ->type_name("CMD");
  std::string remote_text, token;
  auto* remote = app.add_option("--remote", remote_text,
                                described("run against a consumer started by hand at HOST:PORT (tcp_consumer or "
                                          "udp_consumer --listen); -t tcp_nodelay, tcp_nagle or udp"))
                     ->type_name("HOST:PORT");
  auto* token_option =
      app.add_option("--token", token, described("with --remote: the consumer's --token"))->type_name("SECRET");
  if (!remote_available()) {
    // Still parsed, to be refused in a line that says why; not offered.
    remote->group("");
    token_option->group("");
  }
  auto* check_option = app.add_option("--check", check_text,
                 described("how much of every pong to compare: sampled (default: whole up to 256 bytes, above "
                           "the sequence at both ends and one moving 8-byte word) or full (every byte)"))
      ->type_name("sampled|full");
  std::vector<std::string> fanout_texts;
  app.add_option("--fanout", fanout_texts,
                 described("consumers each ping goes to, comma-separated (1,2,4,8; at most 64): the round trip "
                           "ends at the last pong, and each receiver's delivery latency is reported (default 1)"))
      ->delimiter(',')
      ->type_name("LIST");
  std::vector<std::string> rate_texts;
  std::string duration_text;
  app.add_option("--rate", rate_texts,
                 described("open loop: messages per second, comma-separated (1k, 10k, 100k; k = 1000), or closed "
                           "for the closed loop (the default); latency counts from when each ping was due"))
      ->delimiter(',')
      ->type_name("LIST");
  auto* duration_option =
      app.add_option("--duration", duration_text,
                     described("open loop: how long each rate runs when -n is not given (500ms, 5s; default 1s)"))
          ->type_name("TIME");
  app.add_flag("--timing-cost", options.timing_cost,
               described("after each timed batch, run as many round trips without timestamps and report "
                         "timing_cost = timed / clock-free wall time (doubles the run time)"));
  app.add_flag("--explain", options.explain,
               described("a table below the summary (and in --md): per round trip and side, system calls, "
                         "switches, migrations, page faults"));

  try {
    app.parse(static_cast<int>(ours.size()), ours.data());
  } catch (const CLI::CallForHelp&) {
    std::fputs(app.help().c_str(), stdout);
    throw HelpShown{};
  } catch (const CLI::ParseError& e) {
    throw UsageError(e.what());
  }

  if (check_option->count() > 0) options.check = parse_check(check_text);
  options.transports = resolve_transports(transport_names, options.notes, options.unavailable);
  options.payloads = resolve_payloads(payload_texts, options.transports);
  options.pairs = take_pairs(placement_texts, allowed_cpus, !cpus_text.empty(), remote->count() > 0);
  options.placements = resolve_placements(placement_texts, allowed_cpus, options.pairs);
  if (!cpus_text.empty()) options.cpus = parse_cpu_pair(cpus_text);
  for (const Placement placement : options.placements) {
    try {
      (void)assign_cpus(placement, options.cpus, allowed_cpus, topology);
    } catch (const std::exception& e) {
      throw UsageError(e.what());
    }
  }
  if (!iterations_text.empty()) {
    // Google Benchmark counts iterations in a signed 64-bit integer.
    constexpr auto kMaxIterations = static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max());
    options.iterations = parse_count(iterations_text);
    if (!options.iterations || *options.iterations > kMaxIterations)
      throw UsageError(fmt::format("invalid --iterations '{}': expected a whole number from 1 to {}", iterations_text,
                                   kMaxIterations));
  }
  if (!repetitions_text.empty()) {
    options.repetitions = parse_count(repetitions_text);
    if (!options.repetitions || *options.repetitions > 10000)
      throw UsageError(fmt::format("invalid --repetitions '{}': expected a whole number from 1 to 10000", repetitions_text));
  }
  if (!warm_up_text.empty()) {
    const auto warm_up = parse_warm_up(warm_up_text);
    if (!warm_up)
      throw UsageError(fmt::format("invalid --warmup '{}': expected round trips (2000), a time (50ms, 1s) or 0", warm_up_text));
    options.warm_up = options.pair_warm_up = *warm_up;
  }
  // Parsed here rather than by CLI11, whose conversion error is not one line of ours.
  double timeout_seconds = 5;
  if (!timeout_text.empty()) {
    const auto [end, ec] = std::from_chars(timeout_text.data(), timeout_text.data() + timeout_text.size(), timeout_seconds);
    if (ec != std::errc{} || end != timeout_text.data() + timeout_text.size() || !std::isfinite(timeout_seconds) ||
        timeout_seconds < 0.001 || timeout_seconds > 86400)
      throw UsageError(fmt::format("invalid --timeout '{}': expected seconds between 0.001 and 86400", timeout_text));
  }
  options.timeout = std::chrono::milliseconds(static_cast<std::int64_t>(std::llround(timeout_seconds * 1000)));
  options.benchmark = parse_benchmark_flags(options.benchmark_flags);
  if (options.repetitions) {
    // Passed as Google Benchmark's flag, not Benchmark::Repetitions(), which
    // would add "/repeats:N" to every name: -r 3 and
    // --benchmark_repetitions=3 run the same benchmarks, so they name them
    // the same for compare.py and the CI trackers.
    if (std::ranges::any_of(options.benchmark_flags,
                            [](const std::string& flag) { return flag.starts_with("--benchmark_repetitions"); }))
      throw UsageError("give -r or --benchmark_repetitions, not both");
    options.benchmark.passed.push_back(fmt::format("--benchmark_repetitions={}", *options.repetitions));
  }
  for (const char* name : {"--json", "--md"})
    if (app.get_option(name)->count() > 0 && app.get_option(name)->as<std::string>().empty())
      throw UsageError(fmt::format("{} needs a file name", name));
  if (!json_path.empty()) {
    check_writable(json_path, "--json");
    options.json_path = json_path;
  }
  if (!md_path.empty()) {
    check_writable(md_path, "--md");
    options.md_path = md_path;
  }
  if (options.benchmark.out) check_writable(options.benchmark.out->path, "--benchmark_out");
  refuse_shared_outputs(options);
  if (!rate_texts.empty()) options.rates = parse_rates(rate_texts);
  if (duration_option->count() > 0) {
    const auto duration = parse_warm_up(duration_text);
    if (!duration || duration->round_trips != 0 || duration->duration.count() <= 0)
      throw UsageError(fmt::format("invalid --duration '{}': expected a time such as 500ms or 5s", duration_text));
    if (std::ranges::all_of(options.rates, [](const auto& r) { return !r.has_value(); }))
      throw UsageError("--duration goes with --rate (the closed loop's length is -n or Google Benchmark's choice)");
    if (!iterations_text.empty()) throw UsageError("give -n or --duration, not both");
    options.duration = duration->duration;
  }
  if (consumer_command->count() > 0) options.consumer_command = split_consumer_command(consumer_command_text);
  if (remote->count() > 0) {
    const RemoteContext context{transport_names, options.transports, !placement_texts.empty(),
                                !options.consumer_command.empty()};
    options.remote = resolve_remote(remote_text, token_option->count() > 0, token, context, options.placements);
  } else if (token_option->count() > 0) {
    throw UsageError("--token goes with --remote");
  }
  options.fanouts = parse_fanouts(fanout_texts, options, transport_names.size() == 1);
  return options;
}

}  // namespace ipc::bench
