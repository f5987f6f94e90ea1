#!/usr/bin/env bash
# make bench: build bench/.venv (the pinned peers plus our package from this checkout), then
# run the benchmark, which writes bench/results.md and bench/results.png.
# Arguments go to bench/run.py, e.g. `bash bench/run.sh --calls 200 --rounds 1`.
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON=${PYTHON:-python3}
VENV=bench/.venv
PIP=("$VENV/bin/python" -m pip install --quiet)
STAMP=$VENV/.installed

stale() {
	[[ -f $STAMP ]] || return 0
	local input
	for input in bench/requirements*.txt bench/run.sh pyproject.toml; do
		[[ $input -nt $STAMP ]] && return 0
	done
	return 1
}

if stale; then
	rm -rf "$VENV"
	"$PYTHON" -m venv "$VENV"
	"${PIP[@]}" --upgrade pip
	# The testing extra: the bench server checks requests with the local exchange's rules.
	"${PIP[@]}" -r bench/requirements.txt -e '.[testing]'
	# binance-common 4.7.0, which the official SDK pins, asks for a certifi release the
	# registry does not serve yet; certifi is only a CA bundle and every call here is plain
	# HTTP on loopback, so the SDK and binance-common go in without their dependency checks.
	"${PIP[@]}" --no-deps -r bench/requirements-nodeps.txt
	# binance-futures-connector and python-binance both ship a top-level `binance` package:
	# in one site-packages each overwrites the other's __init__.py. The connector gets its own
	# directory, which bench/run.py puts on PYTHONPATH for the connector's runs only.
	"${PIP[@]}" --no-deps --target "$VENV/isolated/binance-futures-connector" \
		-r bench/requirements-isolated.txt
	touch "$STAMP"
fi

exec "$VENV/bin/python" bench/run.py "$@"
