"""Hermetic tests: the report cache that `prooflens check` and the server share lives in a
folder of this test session, never in the user's cache (a cached verdict would make a
test that means to verify something read it back instead)."""

from __future__ import annotations

import os
import tempfile

_CACHE = tempfile.mkdtemp(prefix="prooflens-test-cache-")
os.environ["PROOFLENS_CACHE_DIR"] = _CACHE
