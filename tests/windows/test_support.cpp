// test_support.hpp on Windows: processes through the Win32 API, leftovers
// as named kernel objects in this session's namespace.
#include "ipc/windows/win32.hpp"
#include <winternl.h>

#include <fmt/format.h>

#include <thread>

#include "test_support.hpp"
#include "ipc/child_process.hpp"
#include "ipc/consumer_path.hpp"
#include "ipc/error.hpp"

namespace ipc::test {
namespace {

std::string drain(HANDLE pipe) {
  std::string text;
  char buffer[4096];
  DWORD got = 0;
  while (::ReadFile(pipe, buffer, sizeof buffer, &got, nullptr) && got > 0) text.append(buffer, got);
  return text;
}

// NtOpenDirectoryObject and NtQueryDirectoryObject (ntdll): the object
// manager's directory listing, the only way to enumerate named objects.
using OpenDirectory = NTSTATUS(NTAPI*)(PHANDLE, ACCESS_MASK, POBJECT_ATTRIBUTES);
using QueryDirectory = NTSTATUS(NTAPI*)(HANDLE, PVOID, ULONG, BOOLEAN, BOOLEAN, PULONG, PULONG);
struct DirectoryEntry {
  UNICODE_STRING name;
  UNICODE_STRING type;
};
constexpr ACCESS_MASK kDirectoryQuery = 0x0001;

// An ntdll export, cast through void (*)(), the generic function pointer
// type GCC accepts without -Wcast-function-type; nullptr if absent.
template <class Function>
Function ntdll(const char* name) {
  return reinterpret_cast<Function>(
      reinterpret_cast<void (*)()>(::GetProcAddress(::GetModuleHandleW(L"ntdll.dll"), name)));
}

}  // namespace

CommandResult run_command(const std::vector<std::string>& argv, std::chrono::seconds limit,
                          const std::vector<std::string>& env) {
  SECURITY_ATTRIBUTES plain{sizeof(SECURITY_ATTRIBUTES), nullptr, FALSE};
  HANDLE out_r, out_w, err_r, err_w;
  if (!::CreatePipe(&out_r, &out_w, &plain, 0) || !::CreatePipe(&err_r, &err_w, &plain, 0))
    throw Error("CreatePipe failed");
  for (const std::string& entry : env) {
    const auto eq = entry.find('=');
    ::SetEnvironmentVariableA(entry.substr(0, eq).c_str(), entry.substr(eq + 1).c_str());
  }
  SpawnOptions options{Command(argv.front()), std::vector<std::string>(argv.begin() + 1, argv.end()),
                       {{out_w, 1}, {err_w, 2}}, std::nullopt};
  CommandResult result;
  std::optional<ChildProcess> child;
  try {
    child.emplace(ChildProcess::spawn(options));
  } catch (const Error& e) {
    result.err = e.what();
  }
  for (const std::string& entry : env) ::SetEnvironmentVariableA(entry.substr(0, entry.find('=')).c_str(), nullptr);
  ::CloseHandle(out_w);
  ::CloseHandle(err_w);
  std::string err;
  std::thread err_reader([&] { err = drain(err_r); });
  result.out = drain(out_r);
  err_reader.join();
  ::CloseHandle(out_r);
  ::CloseHandle(err_r);
  if (!child) return result;
  result.err = err;
  auto status = child->wait_for(limit);
  if (!status) status = child->kill_and_reap();
  result.exit_code = status->code;
  return result;
}

std::string built(const std::string& executable) { return consumer_path(executable); }

std::vector<std::string> leftovers_of(pid_t pid) {
  const auto open = ntdll<OpenDirectory>("NtOpenDirectoryObject");
  const auto query = ntdll<QueryDirectory>("NtQueryDirectoryObject");
  if (open == nullptr || query == nullptr) throw Error("ntdll lacks NtOpenDirectoryObject/NtQueryDirectoryObject");
  DWORD session = 0;
  ::ProcessIdToSessionId(::GetCurrentProcessId(), &session);
  // "Local\" is the session's BaseNamedObjects directory.
  const std::wstring path = L"\\Sessions\\" + std::to_wstring(session) + L"\\BaseNamedObjects";
  UNICODE_STRING name{static_cast<USHORT>(path.size() * 2), static_cast<USHORT>(path.size() * 2),
                      const_cast<wchar_t*>(path.c_str())};
  OBJECT_ATTRIBUTES attributes;
  InitializeObjectAttributes(&attributes, &name, 0, nullptr, nullptr);
  HANDLE directory = nullptr;
  if (const NTSTATUS status = open(&directory, kDirectoryQuery, &attributes); status < 0)
    throw Error(fmt::format("cannot list {}: NTSTATUS 0x{:08X}", fmt::to_string(std::string(path.begin(), path.end())),
                            static_cast<unsigned long>(status)));
  const std::wstring prefix = L"ipc_bench-" + std::to_wstring(pid) + L"-";
  std::vector<std::string> found;
  // One entry per call: wine 8 implements no other mode (STATUS_NOT_IMPLEMENTED).
  constexpr NTSTATUS kNoMoreEntries = static_cast<NTSTATUS>(0x8000001AL);
  alignas(8) std::byte buffer[4096];
  ULONG context = 0, length = 0;
  for (BOOLEAN restart = TRUE;; restart = FALSE) {
    const NTSTATUS status = query(directory, buffer, sizeof buffer, TRUE, restart, &context, &length);
    if (status == kNoMoreEntries) break;
    if (status < 0) {
      ::CloseHandle(directory);
      throw Error(fmt::format("NtQueryDirectoryObject: NTSTATUS 0x{:08X}", static_cast<unsigned long>(status)));
    }
    const auto* entry = reinterpret_cast<const DirectoryEntry*>(buffer);
    const std::wstring entry_name(entry->name.Buffer, entry->name.Length / 2);
    if (entry_name.starts_with(prefix)) found.emplace_back("Local/" + std::string(entry_name.begin(), entry_name.end()));
  }
  ::CloseHandle(directory);
  return found;
}

bool process_exists(pid_t pid) {
  const HANDLE process = ::OpenProcess(SYNCHRONIZE, FALSE, static_cast<DWORD>(pid));
  if (process == nullptr) return false;
  const bool running = ::WaitForSingleObject(process, 0) == WAIT_TIMEOUT;
  ::CloseHandle(process);
  return running;
}

pid_t own_pid() { return static_cast<pid_t>(::GetCurrentProcessId()); }

void kill_process(pid_t pid) {
  const HANDLE process = ::OpenProcess(PROCESS_TERMINATE, FALSE, static_cast<DWORD>(pid));
  if (process == nullptr) return;
  ::TerminateProcess(process, 137);
  ::CloseHandle(process);
}

const char* const kKilledFate = "was terminated";

bool freeze_process(pid_t pid) {
  using Suspend = NTSTATUS(NTAPI*)(HANDLE);
  const auto suspend = ntdll<Suspend>("NtSuspendProcess");
  const HANDLE process = ::OpenProcess(PROCESS_SUSPEND_RESUME, FALSE, static_cast<DWORD>(pid));
  if (suspend == nullptr || process == nullptr) return false;
  const bool done = suspend(process) >= 0;
  ::CloseHandle(process);
  return done;
}

std::string exits_with_status_1() { return built("false_consumer"); }

}  // namespace ipc::test
