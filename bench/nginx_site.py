"""deploy/nginx/leadsite.conf, made runnable on 127.0.0.1 for the bench and
Lighthouse: the documented config itself, with only what needs a real server taken
out or pointed elsewhere. Every change is listed in SUBSTITUTIONS, each must match
as often as stated (so a changed deploy file stops the bench instead of being
quietly skipped), and the result is written next to the run's logs to be read.

What is taken out: the two servers that only redirect (plain HTTP to HTTPS, www.
to the bare domain) and TLS (certificates and `ssl_*`; Chromium treats 127.0.0.1
as a secure origin). What is pointed elsewhere: the listen address, the upstream
port, the micro-cache folder and the static files' folder. Everything else, the
micro-cache rules, gzip, proxy headers, the locations, runs as written.
"""

from __future__ import annotations

import re
from pathlib import Path

from servers import ROOT

DEPLOYED = ROOT / "deploy" / "nginx" / "leadsite.conf"

# (pattern, replacement, how many times it must match). Replacements are formatted
# with port, app_port, cache and instance.
SUBSTITUTIONS = [
    (r"listen 443 ssl http2;", "listen 127.0.0.1:{port};", 1),
    (r"\n *listen \[::\]:443 ssl http2;", "", 1),
    (r"\n *ssl_[a-z_]+ [^;]*;", "", 7),
    (r"server 127\.0\.0\.1:8000;", "server 127.0.0.1:{app_port};", 1),
    (r"/var/cache/nginx/leadsite", "{cache}", 1),
    (r"/srv/leadsite/instance", "{instance}", 1),
]


def server_blocks(text: str) -> list[tuple[int, int]]:
    """Start and end of each top-level `server { ... }` block."""
    blocks = []
    for match in re.finditer(r"^server \{", text, flags=re.M):
        depth, index = 0, match.end() - 1
        while True:
            depth += {"{": 1, "}": -1}.get(text[index], 0)
            index += 1
            if depth == 0:
                break
        blocks.append((match.start(), index))
    return blocks


def without_redirect_servers(text: str) -> str:
    """The config less the servers whose only job is a `return 301`."""
    for start, end in reversed(server_blocks(text)):
        block = text[start:end]
        if "return 301" in block and "proxy_pass" not in block:
            text = text[:start] + text[end:]
    return text


def bench_config(port: int, app_port: int, cache: Path, instance: Path) -> str:
    """The deployed site config, on 127.0.0.1:port in front of gunicorn on
    app_port, with its micro-cache in `cache`."""
    text = without_redirect_servers(DEPLOYED.read_text())
    values = {"port": port, "app_port": app_port, "cache": cache, "instance": instance}
    for pattern, replacement, times in SUBSTITUTIONS:
        text, found = re.subn(pattern, replacement.format(**values), text)
        if found != times:
            raise RuntimeError(
                f"{DEPLOYED.name}: {pattern!r} matched {found} times, not {times}: "
                "update bench/nginx_site.py to the new config"
            )
    return text
