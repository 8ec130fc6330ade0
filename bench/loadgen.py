"""A small HTTP/1.1 load generator for form POSTs, where every answer counts.

wrk measures the pages; for signups we need more than rates: which address got
which answer, so that every signup answered "thank you" (302) can be looked up in
the database afterwards. Each of the keep-alive connections sends its
share of the POSTs one after another, and the run ends when all are answered, so
no request is ever cut off half-way. It runs in one asyncio loop, which costs the
2-core machine a little CPU, the same for the site and its floor.
"""

from __future__ import annotations

import asyncio
import ipaddress
import itertools
import time
from dataclasses import dataclass, field
from urllib.parse import quote


@dataclass
class Outcome:
    """Every POST's address, answer and time, and the run's length."""

    answers: list[tuple[str, int, float]] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def requests(self) -> int:
        return len(self.answers)

    @property
    def rps(self) -> float:
        return self.requests / self.seconds

    def percentile_us(self, share: float) -> float:
        times = sorted(latency for _, _, latency in self.answers)
        return times[min(len(times) - 1, int(share * len(times)))] * 1e6

    def statuses(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for _, status, _ in self.answers:
            counts[str(status)] = counts.get(str(status), 0) + 1
        return counts

    def accepted(self) -> set[str]:
        """The addresses answered with the redirect to the thank-you page."""
        return {email for email, status, _ in self.answers if status in (302, 303)}


async def read_answer(reader: asyncio.StreamReader) -> tuple[int, bool]:
    """Read one response; its status, and whether the server closes."""
    status = int((await reader.readline()).split()[1])
    length, closes = 0, False
    while (line := await reader.readline()) not in (b"\r\n", b""):
        name, _, value = line.decode("latin-1").partition(":")
        name = name.strip().lower()
        if name == "content-length":
            length = int(value)
        elif name == "connection" and "close" in value.lower():
            closes = True
    await reader.readexactly(length)
    return status, closes


# Each POST comes from an address of its own, as visitors do (through nginx, which
# passes it on in X-Forwarded-For): 198.18.0.0/15 is the range set aside for
# benchmarks (RFC 2544). One counter for the whole run, so no address repeats.
BENCH_NETWORK = ipaddress.ip_network("198.18.0.0/15")
_addresses = itertools.count(1)


def next_client() -> str:
    return str(BENCH_NETWORK[next(_addresses) % BENCH_NETWORK.num_addresses])


async def one_connection(port, path, fields, count, headers, outcome, label):
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    extra = "".join(f"{name}: {value}\r\n" for name, value in headers.items())
    try:
        for number in range(count):
            email = f"bench-{label}-{number}@example.com"
            body = (f"{fields}&" if fields else "") + "email=" + quote(email)
            head = (
                f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
                "Content-Type: application/x-www-form-urlencoded\r\n"
                f"X-Forwarded-For: {next_client()}\r\n"
                f"Content-Length: {len(body)}\r\n{extra}\r\n"
            )
            started = time.perf_counter()
            writer.write((head + body).encode())
            await writer.drain()
            status, closes = await read_answer(reader)
            outcome.answers.append((email, status, time.perf_counter() - started))
            if closes:
                writer.close()
                reader, writer = await asyncio.open_connection("127.0.0.1", port)
    finally:
        writer.close()


def post_forms(
    port: int,
    path: str,
    fields: str,
    total: int,
    run: str,
    headers: dict[str, str] | None = None,
    connections: int = 16,
) -> Outcome:
    """POST the url-encoded `fields` plus a new address each, `total` times over
    `connections` keep-alive connections, with `headers` (a browser's); return
    every answer."""
    outcome = Outcome()

    async def main() -> None:
        await asyncio.gather(
            *(
                one_connection(
                    port,
                    path,
                    fields,
                    total // connections,
                    headers or {},
                    outcome,
                    f"{run}-{n}",
                )
                for n in range(connections)
            )
        )

    started = time.perf_counter()
    asyncio.run(main())
    outcome.seconds = time.perf_counter() - started
    return outcome
