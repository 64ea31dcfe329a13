"""Puts the Python SDK on the path and generates the WIT bindings before the tests import it."""

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
sys.path.insert(0, str(ROOT / "guest-sdk-py"))

import switchyard_bindings  # noqa: E402

switchyard_bindings.ensure(ROOT / "wit")
