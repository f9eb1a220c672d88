"""Test-wide settings: keep test runs out of the user's embedding cache."""

from __future__ import annotations

import os
import shutil
import tempfile

# Set at import, before any test module creates an encoder; one folder for the whole run so
# the use-m3 load snapshot and cached sentence vectors are shared between tests. The folder
# (about 82 MB: the snapshot) is removed when the run ends; every run used to leave one in /tmp.
_CACHE: str | None = None
if "ALIGN_TEST_KEEP_CACHE" not in os.environ:
    _CACHE = os.environ["ALIGN_CACHE_DIR"] = tempfile.mkdtemp(prefix="align-test-cache-")


def pytest_unconfigure(config) -> None:  # noqa: ANN001
    if _CACHE is not None:
        shutil.rmtree(_CACHE, ignore_errors=True)
