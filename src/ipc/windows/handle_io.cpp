#include "handle_io.hpp"

#include <fmt/format.h>

#include "ipc/windows/error.hpp"

namespace ipc::windows {

ReadResult read_exact(HANDLE handle, std::span<std::byte> buf) {
  std::size_t done = 0;
  while (done < buf.size()) {
    DWORD got = 0;
    const DWORD want = static_cast<DWORD>(std::min<std::size_t>(buf.size() - done, 1u << 30));
    if (!::ReadFile(handle, buf.data() + done, want, &got, nullptr)) {
      const DWORD code = ::GetLastError();
      if (code == ERROR_BROKEN_PIPE && done == 0) return ReadResult::eof;
      if (code == ERROR_BROKEN_PIPE)
        throw Error(fmt::format("end of file after {} of {} bytes", done, buf.size()));
      throw Error(fmt::format("ReadFile: {}", win32_message(code)));
    }
    if (got == 0) {
      if (done == 0) return ReadResult::eof;
      throw Error(fmt::format("end of file after {} of {} bytes", done, buf.size()));
    }
    done += got;
  }
  return ReadResult::complete;
}

void write_all(HANDLE handle, std::span<const std::byte> buf) {
  std::size_t done = 0;
  while (done < buf.size()) {
    DWORD put = 0;
    const DWORD want = static_cast<DWORD>(std::min<std::size_t>(buf.size() - done, 1u << 30));
    if (!::WriteFile(handle, buf.data() + done, want, &put, nullptr)) throw_last_error("WriteFile");
    done += put;
  }
}

std::size_t available(HANDLE pipe) noexcept {
  DWORD bytes = 0;
  if (!::PeekNamedPipe(pipe, nullptr, 0, nullptr, &bytes, nullptr)) return 0;
  return bytes;
}

}  // namespace ipc::windows
