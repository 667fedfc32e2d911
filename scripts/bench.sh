#!/usr/bin/env bash
# Installs what is missing, builds (Release) and runs ipc_bench with its
# defaults.  Arguments are passed to ipc_bench: scripts/bench.sh -t pipe -p 4,4K
source "$(dirname "$0")/lib/setup.sh"
ensure_packages
build_tree "$release_tree" -DBUILD_TESTING=OFF
exec "$release_tree/bin/ipc_bench" "$@"
