"""The processes a bench run starts, all on 127.0.0.1, each stopped by its own pid:
the site and the floors under gunicorn (the site's own gunicorn.conf.py), nginx, a
throwaway SMTP server, the mail worker, and a throwaway PostgreSQL cluster.
"""

from __future__ import annotations

import functools
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
SECRET_KEY = "bench-only-secret-key-" + "x" * 24
BOOT_SECONDS = 300  # a loaded machine can take a minute to load the app


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for_port(port: int, process: subprocess.Popen, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(
                f"{process.args[:4]} stopped (exit {process.returncode})"
            )
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise RuntimeError(f"nothing listens on 127.0.0.1:{port} after {seconds} s")


class Process:
    """One child process with its log file; `stop()` ends it and only it."""

    def __init__(self, name: str, command: list[str], log_dir: Path, **popen) -> None:
        self.name = name
        self.log = open(log_dir / f"{name}.log", "ab")  # noqa: SIM115
        self.process = subprocess.Popen(
            command, stdout=self.log, stderr=subprocess.STDOUT, **popen
        )

    def stop(self, wait: float = 20) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(wait)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.log.close()


@functools.cache
def bench_site_dir() -> str:
    """A copy of `site/` whose sample posts count as hers: in production the site
    hides samples (`postnotes.hide_samples`), and the bench measures a real post."""
    target = Path(tempfile.mkdtemp(prefix="bench-site-")) / "site"
    shutil.copytree(ROOT / "site", target)
    for post in (target / "posts").glob("*.md"):
        text = post.read_text(encoding="utf-8")
        post.write_text(text.replace("\nsample: true\n", "\n"), encoding="utf-8")
    return str(target)


def site_environment(port: int, database_url: str, **extra: str) -> dict[str, str]:
    """The site as in production (APP_ENV=production) on 127.0.0.1:port."""
    return {
        **os.environ,
        "SITE_DIR": bench_site_dir(),
        "APP_ENV": "production",
        "SECRET_KEY": SECRET_KEY,
        "SITE_URL": f"http://127.0.0.1:{port}",
        "DATABASE_URL": database_url,
        "PORT": str(port),
        **extra,
    }


def cpu_ticks(pid: int) -> int:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])  # utime + stime


def wait_for_workers(master: int, workers: int, seconds: float) -> None:
    """Until `workers` children of the gunicorn master have loaded the app: each
    has used no CPU for a second (booting uses it all the time)."""
    deadline, before = time.monotonic() + seconds, None
    while time.monotonic() < deadline:
        children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
        try:
            now = {pid: cpu_ticks(int(pid)) for pid in children}
        except FileNotFoundError:
            now = None
        if now and len(now) >= workers and now == before:
            return
        before = now
        time.sleep(1)
    raise RuntimeError(f"gunicorn's workers not ready after {seconds} s")


def gunicorn(name: str, app: str, env: dict, log_dir: Path) -> Process:
    """`gunicorn -c gunicorn.conf.py APP` from the project folder, as deployed.

    It returns once every worker has loaded the app: the master listens at once,
    and keep-alive connections opened before the second worker is ready would all
    stay with the first one for the whole run, halving what is measured.
    """
    command = [PYTHON, "-m", "gunicorn", "-c", str(ROOT / "gunicorn.conf.py"), app]
    process = Process(name, command, log_dir, cwd=ROOT, env=env)
    wait_for_port(int(env["PORT"]), process.process, BOOT_SECONDS)
    workers = int(env.get("WEB_CONCURRENCY") or 2)  # as gunicorn.conf.py reads it
    wait_for_workers(process.process.pid, workers, BOOT_SECONDS)
    return process


def get(url: str, headers: dict | None = None) -> tuple[int, dict, bytes]:
    request = urllib.request.Request(url, headers=headers or {})
    with urllib.request.urlopen(request, timeout=120) as response:
        return response.status, dict(response.headers), response.read()


NGINX_CONF = """\
worker_processes {workers};
daemon off;
pid {out}/nginx.pid;
error_log {out}/nginx-error.log warn;
events {{ worker_connections 1024; }}
http {{
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    access_log off;
    client_body_temp_path {out}/nginx-body;
    proxy_temp_path {out}/nginx-proxy;
    fastcgi_temp_path {out}/nginx-fastcgi;
    uwsgi_temp_path {out}/nginx-uwsgi;
    scgi_temp_path {out}/nginx-scgi;
    sendfile on;
    tcp_nopush on;
    keepalive_timeout 65;
    include {site};
}}
"""


def nginx(name: str, port: int, site: str, out: Path) -> Process:
    """nginx in the foreground, its http settings as Debian's nginx.conf has them
    (less the access log), with `site` (server blocks, as a file in
    /etc/nginx/sites-enabled/ would hold them) written to `out/name/site.conf`."""
    if shutil.which("nginx") is None:
        raise RuntimeError("nginx is missing: sudo apt-get install -y nginx")
    folder = (out / name).resolve()
    folder.mkdir(parents=True, exist_ok=True)
    site_file = folder / "site.conf"
    site_file.write_text(site)
    conf = folder / "nginx.conf"
    workers = os.cpu_count() or 1
    conf.write_text(NGINX_CONF.format(workers=workers, out=folder, site=site_file))
    command = ["nginx", "-e", str(folder / "nginx-error.log"), "-c", str(conf)]
    process = Process(name, command, out)
    wait_for_port(port, process.process)
    return process


def smtp_sink(port: int, log_dir: Path) -> Process:
    """A real SMTP server that accepts every mail and keeps none (aiosmtpd)."""
    command = [PYTHON, "-m", "aiosmtpd", "-n", "-l", f"127.0.0.1:{port}"]
    process = Process("smtp", [*command, "-c", "aiosmtpd.handlers.Sink"], log_dir)
    wait_for_port(port, process.process)
    return process


def mail_worker(env: dict, log_dir: Path) -> Process:
    command = [PYTHON, "-m", "flask", "--app", "wsgi", "outbox", "work"]
    return Process("mail-worker", command, log_dir, cwd=ROOT, env=env)


class ThrowawayPostgres:
    """A PostgreSQL cluster in a temporary folder, as .ci/run starts one (as the
    `postgres` user when run as root); removed when stopped."""

    def __init__(self) -> None:
        found = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"))
        if not found:
            raise RuntimeError(
                "PostgreSQL is not installed (sudo apt-get install -y postgresql); "
                "or set BENCH_DATABASE_URL to a database the bench may empty"
            )
        self.bin = found[-1].parent
        self.folder = Path(tempfile.mkdtemp(prefix="leadsite-bench-pg-"))
        self.port = free_port()
        self.as_postgres = (
            ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        )
        if self.as_postgres:
            shutil.chown(self.folder, "postgres")
        data, log = self.folder / "data", self.folder / "postgres.log"
        self.run(["initdb", "-D", str(data), "-U", "postgres", "--auth=trust"])
        options = f"-c listen_addresses=127.0.0.1 -p {self.port} -k {self.folder}"
        self.run(
            ["pg_ctl", "-D", str(data), "-l", str(log), "-w", "-o", options, "start"]
        )
        self.data = data
        self.run(
            [
                "createdb",
                "-h",
                "127.0.0.1",
                "-p",
                str(self.port),
                "-U",
                "postgres",
                "bench",
            ]
        )
        self.url = f"postgresql://postgres@127.0.0.1:{self.port}/bench"

    def run(self, command: list[str]) -> None:
        full = [*self.as_postgres, str(self.bin / command[0]), *command[1:]]
        subprocess.run(full, check=True, cwd="/", capture_output=True)

    def stop(self) -> None:
        try:
            self.run(["pg_ctl", "-D", str(self.data), "-m", "fast", "stop"])
        finally:
            shutil.rmtree(self.folder, ignore_errors=True)
