#!/usr/bin/env bash
# The benchmark in one command: bench/run.sh (from any folder). It checks for wrk
# and nginx and installs them with apt-get when run as root (else it says what is
# missing), then runs bench/measure.py, which writes bench/RESULTS.md and keeps its
# logs in bench/out/. Everything listens on 127.0.0.1; a run takes 8 to 20 minutes
# (more when the machine is busy) and is stopped after 30.
#
# PostgreSQL: set BENCH_DATABASE_URL to a database the bench may EMPTY (it drops and
# creates every table), or leave it unset to have a throwaway cluster started in a
# temporary folder (needs the postgresql package, as .ci/run installs it).
set -euo pipefail

cd "$(dirname "$0")/.."

missing=()
command -v wrk >/dev/null || missing+=(wrk)
command -v nginx >/dev/null || missing+=(nginx)
if [ -z "${BENCH_DATABASE_URL:-}" ] && ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
    missing+=(postgresql)
fi
if [ ${#missing[@]} -gt 0 ]; then
    if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null; then
        echo "Installing ${missing[*]} ..."
        DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}" >/dev/null ||
            { apt-get update -q >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}" >/dev/null; }
    else
        echo "The benchmark needs: ${missing[*]}. Install them with:" >&2
        echo "  sudo apt-get install -y ${missing[*]}" >&2
        exit 1
    fi
fi
# The site and the test tools (aiosmtpd) in .venv, as `make test` installs them.
make -s .venv/.installed-dev
# The site's own modules compiled once, as a server has them after its first start
# (pip did the same for the packages). Where PYTHONDONTWRITEBYTECODE is set, every
# `flask` command would otherwise compile all of leadsite/ again, and the export's
# start-up would count that.
.venv/bin/python -m compileall -q leadsite wsgi.py

PYTHONPATH="$PWD" timeout 1800 .venv/bin/python bench/measure.py
