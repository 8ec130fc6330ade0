#!/usr/bin/env bash
# Lighthouse on the home, post, free-resource, waitlist and contact pages, in one
# command: bench/lighthouse.sh. It installs Lighthouse from package-lock.json into
# bench/node_modules (npm ci) the first time, serves the site as in production
# (gunicorn behind nginx, on 127.0.0.1 only), and writes the JSON reports under
# bench/out/ and a summary table into bench/RESULTS.md. Needs Node 18 or newer,
# Chromium (CHROME_PATH, default /usr/bin/chromium) and nginx. The install takes
# up to 10 minutes (stopped then), the run about 2 and is stopped after 15.
set -euo pipefail

cd "$(dirname "$0")"

for tool in node npm nginx; do
    command -v "$tool" >/dev/null || {
        echo "Lighthouse needs $tool: sudo apt-get install -y nodejs npm nginx" >&2
        exit 1
    }
done
chromium="${CHROME_PATH:-/usr/bin/chromium}"
[ -x "$chromium" ] || {
    echo "Lighthouse needs Chromium at $chromium: sudo apt-get install -y chromium" >&2
    exit 1
}
if [ ! -x node_modules/.bin/lighthouse ]; then
    timeout 600 npm ci --no-audit --no-fund
fi

cd ..
# The site in .venv, as `make test` installs it.
make -s .venv/.installed-dev
PYTHONPATH="$PWD" timeout 900 .venv/bin/python bench/lighthouse.py
