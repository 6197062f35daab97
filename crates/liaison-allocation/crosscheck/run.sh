#!/usr/bin/env bash
# Cross-checks `liaison allocate` against the PyPI package `matching` (pinned below) on 1,000
# deterministic random instances; exits non-zero and prints the instance on any disagreement.
# The package is installed into a venv under target/ on first use.
# Usage: crates/liaison-allocation/crosscheck/run.sh PATH/TO/liaison [--count N] [--seed S]
set -euo pipefail
if [ $# -lt 1 ] || [ ! -x "$1" ]; then
  echo "usage: $0 PATH/TO/liaison [--count N] [--seed S]" >&2
  exit 2
fi
bin=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
shift
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../../.." && pwd)
version=1.4.3
venv="$root/target/crosscheck-venv"
if ! "$venv/bin/python" -c "import matching, sys; sys.exit(matching.__version__ != '$version')" 2>/dev/null; then
  echo "==> installing matching==$version into $venv" >&2
  rm -rf "$venv"
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check "matching==$version"
fi
exec "$venv/bin/python" "$here/crosscheck.py" --liaison "$bin" "$@"
