// A consumer that starts and never answers: keeps a producer in its
// handshake, so that tests can look at what the producer created meanwhile.
#include <unistd.h>

int main() {
  for (;;) ::pause();
}
