"""Test-wide settings: keep test runs out of the user's embedding cache."""

from __future__ import annotations

import os
import tempfile

# Set at import, before any test module creates an encoder; one folder for the whole run so
# the use-m3 load snapshot and cached sentence vectors are shared between tests.
if "ALIGN_TEST_KEEP_CACHE" not in os.environ:
    os.environ["ALIGN_CACHE_DIR"] = tempfile.mkdtemp(prefix="align-test-cache-")
