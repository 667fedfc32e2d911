#include "ipc/windows/error.hpp"

#include <fmt/format.h>

#include "ipc/windows/win32.hpp"

namespace ipc {

std::string win32_message(unsigned long code) {
  wchar_t* buffer = nullptr;
  const DWORD length = ::FormatMessageW(
      FORMAT_MESSAGE_ALLOCATE_BUFFER | FORMAT_MESSAGE_FROM_SYSTEM | FORMAT_MESSAGE_IGNORE_INSERTS, nullptr, code,
      MAKELANGID(LANG_NEUTRAL, SUBLANG_DEFAULT), reinterpret_cast<wchar_t*>(&buffer), 0, nullptr);
  if (length == 0 || buffer == nullptr) return fmt::format("Windows error {}", code);
  std::string text = win32::narrow(std::wstring_view(buffer, length));
  ::LocalFree(buffer);
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r' || text.back() == '.' || text.back() == ' '))
    text.pop_back();
  return fmt::format("{} (error {})", text, code);
}

void throw_last_error(const std::string& what) {
  const DWORD code = ::GetLastError();
  throw Error(fmt::format("{}: {}", what, win32_message(code)));
}

void throw_socket_error(const std::string& what) {
  const int code = ::WSAGetLastError();
  throw Error(fmt::format("{}: {}", what, win32_message(static_cast<unsigned long>(code))));
}

}  // namespace ipc
