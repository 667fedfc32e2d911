// ipc/io.hpp on Windows: ReadFile and WriteFile on blocking anonymous pipes,
// and the handshake's wait for a pipe (PeekNamedPipe: Windows has no poll()
// for pipes).
#include <fmt/format.h>

#include "ipc/consumer.hpp"
#include "ipc/io.hpp"
#include "ipc/windows/error.hpp"
#include "ipc/windows/win32.hpp"

namespace ipc {

ReadResult read_exact(NativeHandle handle, std::span<std::byte> buf) {
  std::size_t done = 0;
  while (done < buf.size()) {
    DWORD got = 0;
    const DWORD want = static_cast<DWORD>(std::min<std::size_t>(buf.size() - done, 1u << 30));
    if (!::ReadFile(handle, buf.data() + done, want, &got, nullptr)) {
      const DWORD code = ::GetLastError();
      if (code != ERROR_BROKEN_PIPE) throw Error(fmt::format("ReadFile: {}", win32_message(code)));
      got = 0;  // the writer is gone: end of file
    }
    if (got == 0) {
      if (done == 0) return ReadResult::eof;
      throw Error(fmt::format("short message: peer closed after {} of {} bytes", done, buf.size()));
    }
    done += got;
  }
  return ReadResult::complete;
}

void write_all(NativeHandle handle, std::span<const std::byte> buf) {
  std::size_t done = 0;
  while (done < buf.size()) {
    DWORD put = 0;
    const DWORD want = static_cast<DWORD>(std::min<std::size_t>(buf.size() - done, 1u << 30));
    if (!::WriteFile(handle, buf.data() + done, want, &put, nullptr)) throw_last_error("WriteFile");
    done += put;
  }
}

AnonymousPipe::AnonymousPipe() {
  HANDLE r = nullptr, w = nullptr;
  // Not inheritable: ChildProcess lends the child its ends for the spawn only.
  if (!::CreatePipe(&r, &w, nullptr, 0)) throw_last_error("CreatePipe");
  read_end.reset(r);
  write_end.reset(w);
}

NativeHandle standard_input() noexcept { return ::GetStdHandle(STD_INPUT_HANDLE); }
NativeHandle standard_output() noexcept { return ::GetStdHandle(STD_OUTPUT_HANDLE); }

void Consumer::await_readable(NativeHandle pipe, std::string_view waiting_for) {
  await(
      [pipe] {
        DWORD bytes = 0;
        // A broken pipe is "readable" too: the read then tells what happened.
        return !::PeekNamedPipe(pipe, nullptr, 0, nullptr, &bytes, nullptr) || bytes > 0;
      },
      waiting_for);
}

}  // namespace ipc
