"""Generates the WIT bindings (`wit_world`) the SDK imports, before the tests load."""

from pathlib import Path

import switchyard_bindings

switchyard_bindings.ensure(Path(__file__).resolve().parent / "wit")
