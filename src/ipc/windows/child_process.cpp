#include "ipc/child_process.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <mutex>
#include <vector>

#include "ipc/windows/error.hpp"
#include "ipc/windows/win32.hpp"

namespace ipc {
namespace {

// The exit code TerminateProcess gives a consumer we kill: 137, what a shell
// reports for SIGKILL, so that scripts reading both platforms see one value.
constexpr UINT kKilledExitCode = 137;

// The job every consumer joins.  Never closed by us: when ipc_bench exits or
// is killed, the kernel closes the last handle and KILL_ON_JOB_CLOSE ends
// every consumer still in it ("Job Objects", JOBOBJECT_BASIC_LIMIT_INFORMATION).
UniqueHandle kill_on_close_job() {
  UniqueHandle job(::CreateJobObjectW(nullptr, nullptr));
  if (!job) throw_last_error("CreateJobObject");
  JOBOBJECT_EXTENDED_LIMIT_INFORMATION limits{};
  limits.BasicLimitInformation.LimitFlags = JOB_OBJECT_LIMIT_KILL_ON_JOB_CLOSE;
  if (!::SetInformationJobObject(job.get(), JobObjectExtendedLimitInformation, &limits, sizeof limits))
    throw_last_error("SetInformationJobObject");
  return job;
}

HANDLE consumer_job() {
  static const HANDLE job = kill_on_close_job().release();
  return job;
}

// Each consumer's own job, nested in consumer_job(), by pid until reaped:
// what the consumer starts joins it, and ends with it.
struct ChildJobs {
  std::mutex mutex;
  std::map<pid_t, UniqueHandle> jobs;
};

ChildJobs& child_jobs() {
  static ChildJobs jobs;
  return jobs;
}

// One argument quoted so that CommandLineToArgvW and the C runtime give it
// back unchanged: backslashes double only before a quote or the closing
// quote ("Parsing C++ command-line arguments", Microsoft C runtime rules).
void append_quoted(std::wstring& line, const std::wstring& arg) {
  if (!line.empty()) line += L' ';
  if (!arg.empty() && arg.find_first_of(L" \t\n\v\"") == std::wstring::npos) {
    line += arg;
    return;
  }
  line += L'"';
  for (auto it = arg.begin();; ++it) {
    std::size_t backslashes = 0;
    while (it != arg.end() && *it == L'\\') {
      ++it;
      ++backslashes;
    }
    if (it == arg.end()) {
      line.append(backslashes * 2, L'\\');
      break;
    }
    if (*it == L'"') {
      line.append(backslashes * 2 + 1, L'\\');
    } else {
      line.append(backslashes, L'\\');
    }
    line += *it;
  }
  line += L'"';
}

// A handle the child inherits: made inheritable for the spawn only.
class InheritedHandle {
 public:
  explicit InheritedHandle(HANDLE handle) : handle_(handle) {
    if (!::SetHandleInformation(handle_, HANDLE_FLAG_INHERIT, HANDLE_FLAG_INHERIT))
      throw_last_error("SetHandleInformation");
  }
  InheritedHandle(const InheritedHandle&) = delete;
  InheritedHandle& operator=(const InheritedHandle&) = delete;
  ~InheritedHandle() { ::SetHandleInformation(handle_, HANDLE_FLAG_INHERIT, 0); }

 private:
  HANDLE handle_;
};

// A copy of one of our standard handles for a child slot the caller did not
// map: the consumer writes its one-line errors to our stderr, as on Linux.
UniqueHandle own_std_handle(DWORD which) {
  const HANDLE ours = ::GetStdHandle(which);
  if (ours == nullptr || ours == INVALID_HANDLE_VALUE) return {};
  HANDLE copy = nullptr;
  if (!::DuplicateHandle(::GetCurrentProcess(), ours, ::GetCurrentProcess(), &copy, 0, FALSE,
                         DUPLICATE_SAME_ACCESS))
    return {};
  return UniqueHandle(copy);
}

std::optional<ExitStatus> exit_status(HANDLE process) {
  if (::WaitForSingleObject(process, 0) != WAIT_OBJECT_0) return std::nullopt;
  DWORD code = 0;
  if (!::GetExitCodeProcess(process, &code)) return ExitStatus{static_cast<int>(kKilledExitCode), 0};
  return ExitStatus{static_cast<int>(code), 0};
}

}  // namespace

std::string ExitStatus::describe() const {
  const auto unsigned_code = static_cast<std::uint32_t>(code);
  if (unsigned_code == kKilledExitCode) return fmt::format("was terminated (exit code {})", code);
  // NTSTATUS error values (0xC...): the process died of an exception.
  if ((unsigned_code & 0xF0000000u) == 0xC0000000u) return fmt::format("crashed with exception 0x{:08X}", unsigned_code);
  return fmt::format("exited with status {}", code);
}

ChildProcess ChildProcess::spawn(const SpawnOptions& options) {
  std::wstring line;
  for (const std::string& word : options.command.words()) append_quoted(line, win32::widen(word));
  for (const std::string& arg : options.args) append_quoted(line, win32::widen(arg));

  STARTUPINFOEXW startup{};
  startup.StartupInfo.cb = sizeof startup;
  startup.StartupInfo.dwFlags = STARTF_USESTDHANDLES;
  HANDLE* std_slots[3] = {&startup.StartupInfo.hStdInput, &startup.StartupInfo.hStdOutput,
                          &startup.StartupInfo.hStdError};
  std::vector<HANDLE> inherit;
  for (const auto& [handle, slot] : options.fd_map) {
    if (slot >= 0 && slot <= 2) *std_slots[slot] = handle;
    if (std::find(inherit.begin(), inherit.end(), handle) == inherit.end()) inherit.push_back(handle);
  }
  UniqueHandle own_std[3];
  const DWORD std_ids[3] = {STD_INPUT_HANDLE, STD_OUTPUT_HANDLE, STD_ERROR_HANDLE};
  for (int slot = 0; slot < 3; ++slot) {
    if (*std_slots[slot] != nullptr) continue;
    own_std[slot] = own_std_handle(std_ids[slot]);
    if (!own_std[slot]) continue;
    *std_slots[slot] = own_std[slot].get();
    inherit.push_back(own_std[slot].get());
  }
  std::vector<std::unique_ptr<InheritedHandle>> inheritable;
  for (HANDLE h : inherit) inheritable.push_back(std::make_unique<InheritedHandle>(h));

  // Only the handles listed here cross into the child, however many others
  // are inheritable at this moment (PROC_THREAD_ATTRIBUTE_HANDLE_LIST); and
  // the child is in the job from its creation (PROC_THREAD_ATTRIBUTE_JOB_LIST,
  // Windows 10): were ipc_bench killed between CreateProcess and a later
  // AssignProcessToJobObject, the child would outlive it, suspended.
  SIZE_T size = 0;
  ::InitializeProcThreadAttributeList(nullptr, 2, 0, &size);
  std::vector<std::byte> attributes_storage(size);
  auto* attributes = reinterpret_cast<LPPROC_THREAD_ATTRIBUTE_LIST>(attributes_storage.data());
  if (!::InitializeProcThreadAttributeList(attributes, 2, 0, &size))
    throw_last_error("InitializeProcThreadAttributeList");
  struct AttributesGuard {
    LPPROC_THREAD_ATTRIBUTE_LIST list;
    ~AttributesGuard() { ::DeleteProcThreadAttributeList(list); }
  } attributes_guard{attributes};
  if (!inherit.empty() && !::UpdateProcThreadAttribute(attributes, 0, PROC_THREAD_ATTRIBUTE_HANDLE_LIST, inherit.data(),
                                                       inherit.size() * sizeof(HANDLE), nullptr, nullptr))
    throw_last_error("UpdateProcThreadAttribute");
  HANDLE job = consumer_job();
  UniqueHandle own_job = kill_on_close_job();
  HANDLE jobs[2] = {job, own_job.get()};
  if (!::UpdateProcThreadAttribute(attributes, 0, PROC_THREAD_ATTRIBUTE_JOB_LIST, jobs, sizeof jobs, nullptr, nullptr))
    throw_last_error("UpdateProcThreadAttribute");
  startup.lpAttributeList = attributes;

  const std::wstring executable = win32::widen(options.command.executable());
  PROCESS_INFORMATION info{};
  // Suspended until it is pinned: it runs no instruction on another CPU.
  if (!::CreateProcessW(executable.c_str(), line.data(), nullptr, nullptr, !inherit.empty(),
                        CREATE_SUSPENDED | EXTENDED_STARTUPINFO_PRESENT, nullptr, nullptr, &startup.StartupInfo,
                        &info)) {
    const DWORD code = ::GetLastError();
    throw Error(fmt::format("cannot start {}: {}", options.command.executable(), win32_message(code)));
  }
  UniqueHandle thread(info.hThread);
  ChildProcess child(static_cast<pid_t>(info.dwProcessId), UniqueHandle(info.hProcess));
  // A batch file runs in a cmd.exe that wine starts without the attribute
  // list: put that one in the job now (its own children follow it there).
  BOOL in_job = FALSE;
  if (!::IsProcessInJob(info.hProcess, job, &in_job) || (!in_job && !::AssignProcessToJobObject(job, info.hProcess))) {
    const DWORD code = ::GetLastError();
    child.kill_and_reap();
    throw Error(fmt::format("cannot start {}: not in ipc_bench's job: {}", options.command.executable(),
                            win32_message(code)));
  }
  // Where nested jobs are refused (wine before they were implemented), what
  // the consumer starts ends with ipc_bench, through the shared job, instead.
  if (::IsProcessInJob(info.hProcess, own_job.get(), &in_job) &&
      (in_job || ::AssignProcessToJobObject(own_job.get(), info.hProcess))) {
    const std::scoped_lock lock(child_jobs().mutex);
    child_jobs().jobs.emplace(child.pid_, std::move(own_job));
  }
  if (options.cpu) {
    if (*options.cpu < 0 || *options.cpu >= 64 ||
        !::SetProcessAffinityMask(info.hProcess, DWORD_PTR{1} << static_cast<unsigned>(*options.cpu))) {
      const DWORD code = ::GetLastError();
      child.kill_and_reap();
      throw Error(fmt::format("cannot pin {} to CPU {}: {}", options.command.executable(), *options.cpu,
                              win32_message(code)));
    }
  }
  if (::ResumeThread(info.hThread) == static_cast<DWORD>(-1)) {
    const DWORD code = ::GetLastError();
    child.kill_and_reap();
    throw Error(fmt::format("cannot start {}: ResumeThread: {}", options.command.executable(), win32_message(code)));
  }
  return child;
}

std::optional<ExitStatus> ChildProcess::peek() const {
  if (status_) return status_;
  return exit_status(handle_.get());
}

std::optional<ExitStatus> ChildProcess::wait_for(std::chrono::milliseconds timeout) {
  if (status_) return status_;
  if (::WaitForSingleObject(handle_.get(), static_cast<DWORD>(std::max<std::int64_t>(timeout.count(), 0))) !=
      WAIT_OBJECT_0)
    return std::nullopt;
  end_group();
  status_ = exit_status(handle_.get());
  return status_;
}

void ChildProcess::kill() const noexcept {
  if (pid_ <= 0 || status_ || !handle_) return;
  // Through our handle, so that a recycled pid can never be hit.
  ::TerminateProcess(handle_.get(), kKilledExitCode);
  end_group();
}

void ChildProcess::end_group() const noexcept {
  if (pid_ <= 0 || status_) return;
  const std::scoped_lock lock(child_jobs().mutex);
  const auto it = child_jobs().jobs.find(pid_);
  if (it == child_jobs().jobs.end()) return;
  ::TerminateJobObject(it->second.get(), kKilledExitCode);
}

ExitStatus ChildProcess::kill_and_reap() noexcept {
  if (!status_) {
    kill();
    ::WaitForSingleObject(handle_.get(), INFINITE);
    status_ = exit_status(handle_.get()).value_or(ExitStatus{static_cast<int>(kKilledExitCode), 0});
  }
  const std::scoped_lock lock(child_jobs().mutex);
  child_jobs().jobs.erase(pid_);
  return *status_;
}

void kill_all_children() noexcept {
  // Every consumer not yet reaped is in the job (a reaped one is gone).
  try {
    ::TerminateJobObject(consumer_job(), kKilledExitCode);
  } catch (...) {
  }
}

}  // namespace ipc
