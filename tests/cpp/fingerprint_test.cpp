// machine_fingerprint against synthetic roots, and once against this machine.
#include "ipc/fingerprint.hpp"

#include <gtest/gtest.h>

#include <map>
#include <string>
#include <utility>
#include <vector>

#include "temp_tree.hpp"

namespace ipc {
namespace {

using test::TempTree;

const std::vector<std::string> kKeys{"cpu_model",  "kernel",         "clocksource", "governor",  "smt",
                                     "isolcpus",   "mitigations",    "virtualization", "compiler", "microcode",
                                     "bios",       "preemption",     "cpuidle",     "transparent_hugepages",
                                     "sched_settings"};

std::vector<std::string> keys(const std::vector<std::pair<std::string, std::string>>& fingerprint) {
  std::vector<std::string> result;
  for (const auto& entry : fingerprint) result.push_back(entry.first);
  return result;
}

std::map<std::string, std::string> as_map(const std::filesystem::path& root) {
  const auto fingerprint = machine_fingerprint(root);
  EXPECT_EQ(keys(fingerprint), kKeys);
  return {fingerprint.begin(), fingerprint.end()};
}

constexpr const char* kCpuinfo =
    "processor\t: 0\n"
    "vendor_id\t: GenuineIntel\n"
    "model name\t: Intel(R) Xeon(R) Gold 6248 CPU @ 2.50GHz\n"
    "flags\t\t: fpu vme de pse tsc msr hypervisor lahf_lm\n"
    "microcode\t: 0x5003604\n"
    "\n"
    "processor\t: 1\n"
    "model name\t: Intel(R) Xeon(R) Gold 6248 CPU @ 2.50GHz\n";

void full_machine(const TempTree& tree) {
  tree.write("proc/cpuinfo", kCpuinfo);
  tree.write("proc/sys/kernel/ostype", "Linux");
  tree.write("proc/sys/kernel/osrelease", "6.1.0-13-amd64");
  tree.write("sys/devices/system/clocksource/clocksource0/current_clocksource", "tsc");
  tree.write("sys/devices/system/cpu/cpu0/cpufreq/scaling_governor", "performance");
  tree.write("sys/devices/system/cpu/smt/control", "on");
  tree.write("sys/devices/system/cpu/smt/active", "1");
  tree.write("sys/devices/system/cpu/isolated", "2-3");
  tree.write("sys/devices/system/cpu/vulnerabilities/meltdown", "Not affected");
  tree.write("sys/devices/system/cpu/vulnerabilities/spectre_v1",
             "Mitigation: usercopy/swapgs barriers and __user pointer sanitization");
  tree.write("sys/devices/system/cpu/vulnerabilities/spec_store_bypass", "Vulnerable");
  tree.write("sys/hypervisor/type", "xen");
  tree.write("sys/class/dmi/id/bios_vendor", "SeaBIOS");
  tree.write("sys/class/dmi/id/bios_version", "1.16.2");
  tree.write("sys/class/dmi/id/bios_date", "04/01/2014");
  tree.write("proc/sys/kernel/version", "#1 SMP PREEMPT_DYNAMIC Debian 6.1.55-1 (2023-09-29)");
  tree.write("sys/kernel/debug/sched/preempt", "none (voluntary) full");
  tree.write("sys/devices/system/cpu/cpuidle/current_driver", "intel_idle");
  tree.write("sys/devices/system/cpu/cpu0/cpuidle/state0/name", "POLL");
  tree.write("sys/devices/system/cpu/cpu0/cpuidle/state0/latency", "0");
  tree.write("sys/devices/system/cpu/cpu0/cpuidle/state0/disable", "0");
  tree.write("sys/devices/system/cpu/cpu0/cpuidle/state1/name", "C6");
  tree.write("sys/devices/system/cpu/cpu0/cpuidle/state1/latency", "170");
  tree.write("sys/devices/system/cpu/cpu0/cpuidle/state1/disable", "1");
  tree.write("sys/kernel/mm/transparent_hugepage/enabled", "always [madvise] never");
  tree.write("proc/sys/kernel/sched_rt_runtime_us", "950000");
  tree.write("proc/sys/kernel/sched_autogroup_enabled", "1");
}

TEST(Fingerprint, ReadsEveryValueFromAFullTree) {
  const TempTree tree;
  full_machine(tree);
  const auto values = as_map(tree.root());
  EXPECT_EQ(values.at("cpu_model"), "Intel(R) Xeon(R) Gold 6248 CPU @ 2.50GHz");
  EXPECT_EQ(values.at("kernel"), "Linux 6.1.0-13-amd64");
  EXPECT_EQ(values.at("clocksource"), "tsc");
  EXPECT_EQ(values.at("governor"), "performance");
  EXPECT_EQ(values.at("smt"), "on");
  EXPECT_EQ(values.at("isolcpus"), "2-3");
  EXPECT_EQ(values.at("mitigations"), "1 mitigated, 1 vulnerable (spec_store_bypass), 1 not affected");
  EXPECT_EQ(values.at("virtualization"), "xen");
  const std::string& compiler = values.at("compiler");
  EXPECT_TRUE(compiler.starts_with("g++ ") || compiler.starts_with("clang ")) << compiler;
  EXPECT_EQ(values.at("microcode"), "0x5003604");
  EXPECT_EQ(values.at("bios"), "SeaBIOS 1.16.2 (04/01/2014)");
  EXPECT_EQ(values.at("preemption"), "voluntary (dynamic)");
  EXPECT_EQ(values.at("cpuidle"), "intel_idle: POLL 0 us, C6 170 us (disabled)");
  EXPECT_EQ(values.at("transparent_hugepages"), "madvise");
  EXPECT_EQ(values.at("sched_settings"), "sched_autogroup_enabled=1 sched_rt_runtime_us=950000");
}

TEST(Fingerprint, ThePreemptionModelFallsBackToTheKernelsBuild) {
  const TempTree tree;
  const auto model = [&tree](const char* version) {
    tree.write("proc/sys/kernel/version", version);
    return as_map(tree.root()).at("preemption");
  };
  EXPECT_EQ(model("#1 SMP PREEMPT_RT Debian 6.1.55-1"), "rt");
  EXPECT_EQ(model("#1 SMP PREEMPT Tue Jan 1"), "full");
  EXPECT_EQ(model("#1 SMP Debian 6.1.55-1"), "none or voluntary (the build does not say which)");
  EXPECT_TRUE(model("#1 SMP PREEMPT_DYNAMIC x").starts_with("dynamic"));
}

TEST(Fingerprint, AnEmptyOrMissingTreeIsUnknownEverywhere) {
  const TempTree tree;
  for (const auto& root : {tree.root(), tree.root() / "does-not-exist"}) {
    const auto values = as_map(root);
    for (const std::string& key : kKeys) {
      if (key != "compiler") {
        EXPECT_EQ(values.at(key), "unknown") << key;
      }
    }
    EXPECT_NE(values.at("compiler"), "unknown");
  }
}

TEST(Fingerprint, UnreadableEntriesAreUnknownToo) {
  const TempTree tree;
  // Directories where files belong, and empty files.
  tree.write("proc/cpuinfo/x", "");
  tree.write("sys/devices/system/clocksource/clocksource0/current_clocksource/x", "");
  tree.write("proc/sys/kernel/osrelease", "");
  tree.write("sys/devices/system/cpu/cpu0/cpufreq/scaling_governor", "");
  tree.write("sys/devices/system/cpu/vulnerabilities/subdir/x", "");
  const auto values = as_map(tree.root());
  for (const char* key : {"cpu_model", "kernel", "clocksource", "governor", "mitigations", "virtualization"})
    EXPECT_EQ(values.at(key), "unknown") << key;
}

TEST(Fingerprint, SummarisesVulnerabilities) {
  const TempTree tree;
  const std::string dir = "sys/devices/system/cpu/vulnerabilities/";
  tree.write(dir + "spectre_v2", "Mitigation: Retpolines; STIBP: disabled; RSB filling");
  tree.write(dir + "mds", "Mitigation: Clear CPU buffers; SMT vulnerable");
  tree.write(dir + "itlb_multihit", "KVM: Mitigation: VMX disabled");
  tree.write(dir + "spec_rstack_overflow", "Vulnerable: Safe RET, no microcode");
  tree.write(dir + "l1tf", "KVM: Vulnerable");
  tree.write(dir + "srbds", "Vulnerable");
  tree.write(dir + "meltdown", "Not affected");
  tree.write(dir + "mmio_stale_data", "Unknown: No mitigations");
  EXPECT_EQ(as_map(tree.root()).at("mitigations"),
            "3 mitigated, 3 vulnerable (l1tf, spec_rstack_overflow, srbds), 1 not affected, 1 unknown");

  const TempTree safe;
  safe.write(dir + "meltdown", "Not affected");
  EXPECT_EQ(as_map(safe.root()).at("mitigations"), "0 mitigated, 0 vulnerable, 1 not affected");
}

TEST(Fingerprint, SmtFromControlElseActive) {
  const struct {
    const char* control;  // nullptr: no file
    const char* active;
    const char* expected;
  } cases[] = {
      {"on", "1", "on"},          {"off", "0", "off"},         {"forceoff", nullptr, "off"},
      {"notsupported", "0", "off"}, {"notimplemented", "1", "on"}, {"notsupported", nullptr, "unknown"},
      {nullptr, "1", "on"},       {nullptr, nullptr, "unknown"}, {"strange", "2", "unknown"},
  };
  for (const auto& c : cases) {
    const TempTree tree;
    if (c.control) tree.write("sys/devices/system/cpu/smt/control", c.control);
    if (c.active) tree.write("sys/devices/system/cpu/smt/active", c.active);
    EXPECT_EQ(as_map(tree.root()).at("smt"), c.expected)
        << "control " << (c.control ? c.control : "-") << ", active " << (c.active ? c.active : "-");
  }
}

TEST(Fingerprint, IsolcpusEmptyMeansNone) {
  const TempTree tree;
  tree.write("sys/devices/system/cpu/isolated", "");
  EXPECT_EQ(as_map(tree.root()).at("isolcpus"), "none");
}

TEST(Fingerprint, VirtualizationFromCpuinfoFlagsWithoutSysHypervisor) {
  const TempTree virtual_machine;
  virtual_machine.write("proc/cpuinfo", kCpuinfo);
  EXPECT_EQ(as_map(virtual_machine.root()).at("virtualization"), "other");

  const TempTree bare_metal;
  bare_metal.write("proc/cpuinfo", "model name\t: X\nflags\t\t: fpu hypervisor_like tsc\n");
  EXPECT_EQ(as_map(bare_metal.root()).at("virtualization"), "none");
}

TEST(Fingerprint, KernelReleaseAloneWithoutOstype) {
  const TempTree tree;
  tree.write("proc/sys/kernel/osrelease", "6.18.44");
  EXPECT_EQ(as_map(tree.root()).at("kernel"), "6.18.44");
}

TEST(Fingerprint, ThisMachineHasEveryKeyFilledIn) {
  const auto fingerprint = machine_fingerprint();
  EXPECT_EQ(keys(fingerprint), kKeys);
  for (const auto& [key, value] : fingerprint) {
    EXPECT_FALSE(value.empty()) << key;
    std::cout << key << ": " << value << '\n';
  }
  EXPECT_EQ(machine_fingerprint("/").at(1).second.substr(0, 6), "Linux ");
}

}  // namespace
}  // namespace ipc
