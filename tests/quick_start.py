"""Make each test's app start faster (tests only; production is untouched).

Every test builds a new app, so the work an app repeats at start-up is paid over a
thousand times. Three pieces of it give the same result every time in a test run,
so they are done once (the first two through public hooks, the third by wrapping
werkzeug's `Rule._compile_builder`; should a werkzeug release change that method,
every app fails to start, not just a test):
- templates: one Jinja bytecode cache for every app of the process, so each
  template is compiled once (the cache checks the source, so an edit still shows);
- the static files' `.gz`/`.br` copies: the same bytes in, the same bytes out, so
  they are made once per process instead of once per app;
- the URL rules' builders: werkzeug writes and compiles a small Python function
  for each rule of each new app (most of an app's start-up). The function
  depends only on the rule's text, parts and defaults, and reads the rule's own
  converters when called, so one is made per distinct rule and bound to each.
And one cost tests need not pay: password hashes are still argon2id, but with the
library's lowest work factors (production's take about 0.5 s of CPU to hash and
check a password, and admin tests sign in hundreds of times).
"""

from __future__ import annotations

import functools
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from argon2 import PasswordHasher
from flask import Flask
from jinja2 import BytecodeCache
from jinja2.bccache import Bucket
from werkzeug.routing import Rule

from leadsite import assets
from leadsite.admin import accounts


class MemoryBytecodeCache(BytecodeCache):
    """Compiled templates kept in memory for the whole test process."""

    def __init__(self) -> None:
        self.compiled: dict[str, bytes] = {}

    def load_bytecode(self, bucket: Bucket) -> None:
        if bucket.key in self.compiled:
            bucket.bytecode_from_string(self.compiled[bucket.key])

    def dump_bytecode(self, bucket: Bucket) -> None:
        self.compiled[bucket.key] = bucket.bytecode_to_string()


def shared_builders(make_builder):
    """`Rule._compile_builder`, made once per distinct rule (see above)."""
    made = {}

    def builder(rule: Rule, append_unknown: bool = True):
        defaults = sorted((rule.defaults or {}).items(), key=repr)
        key = (rule.rule, tuple(rule._trace), repr(defaults), append_unknown)
        if key not in made:
            made[key] = make_builder(rule, append_unknown)
        return made[key]

    return builder


@contextmanager
def quick_start() -> Iterator[None]:
    """Apply the savings above until the block ends."""
    with pytest.MonkeyPatch.context() as patch:
        options = {**Flask.jinja_options, "bytecode_cache": MemoryBytecodeCache()}
        patch.setattr(Flask, "jinja_options", options)
        patch.setattr(
            assets, "compressed_copies", functools.cache(assets.compressed_copies)
        )
        patch.setattr(Rule, "_compile_builder", shared_builders(Rule._compile_builder))
        patch.setattr(
            accounts,
            "hasher",
            PasswordHasher(time_cost=1, memory_cost=8, parallelism=1),
        )
        accounts.dummy_hash.cache_clear()
        yield
    accounts.dummy_hash.cache_clear()
