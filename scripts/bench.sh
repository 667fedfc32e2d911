#!/usr/bin/env bash
# Installs what is missing, builds (Release) and runs ipc_bench with its
# defaults.  Arguments are passed to ipc_bench: scripts/bench.sh -t pipe -p 4,4K
source "$(dirname "$0")/lib/setup.sh"
ensure_packages
build_tree "$repo/build/release" -DBUILD_TESTING=OFF >/dev/null
exec "$repo/build/release/bin/ipc_bench" "$@"
