"""Generates the WIT bindings the SDK imports before any test module loads."""

import sys
from pathlib import Path

SDK = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(SDK))

import switchyard_bindings  # noqa: E402

switchyard_bindings.ensure(SDK.parent / "wit")
