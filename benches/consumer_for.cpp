#include "consumer_for.hpp"

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "ipc/consumer_path.hpp"

namespace ipc::bench {

Command consumer_for(const Transport& transport, const Options& options) {
  if (options.consumer_command.empty()) return consumer_path(transport.consumer);
  std::vector<std::string> words = options.consumer_command;
  constexpr std::string_view kPlaceholder = "{transport}";
  for (std::string& word : words) {
    for (auto at = word.find(kPlaceholder); at != std::string::npos; at = word.find(kPlaceholder, at + transport.name.size()))
      word.replace(at, kPlaceholder.size(), transport.name);
  }
  if (const auto found = find_executable(words.front())) words.front() = *found;
  return Command(std::move(words));
}

}  // namespace ipc::bench
