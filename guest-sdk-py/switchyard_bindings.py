"""Native bindings for unit tests: generates the `wit_world` module from `wit/policy.wit`
with `componentize-py bindings` (as `componentize` does inside a component) and puts it on
`sys.path`. A policy's `conftest.py` calls `ensure()` before anything imports the SDK.

The bindings go to `<base>/<hash of the WIT>/`, so a changed WIT regenerates them; `<base>` is
`$SWITCHYARD_BINDINGS_DIR` when set, else `.switchyard-bindings/` beside the WIT directory. componentize-py is found as the `componentize_py` module (pip
package `componentize-py`).
"""

import hashlib
import os
import subprocess
import sys
from pathlib import Path


def ensure(wit_dir: os.PathLike, world: str = "routing-policy") -> Path:
    """Makes `wit_world` importable; returns the directory holding it."""
    wit_dir = Path(wit_dir).resolve()
    digest = hashlib.sha256()
    for wit in sorted(wit_dir.glob("*.wit")):
        digest.update(wit.name.encode() + b"\0" + wit.read_bytes())
    base = os.environ.get("SWITCHYARD_BINDINGS_DIR") or wit_dir.parent / ".switchyard-bindings"
    out = Path(base) / digest.hexdigest()[:16]
    out.parent.mkdir(parents=True, exist_ok=True)
    if not (out / "wit_world" / "__init__.py").is_file():
        tmp = out.with_name(out.name + f".tmp{os.getpid()}")
        code = "import sys, componentize_py; sys.argv[0] = 'componentize-py'; componentize_py.script()"
        try:
            subprocess.run(
                [sys.executable, "-c", code, "-d", str(wit_dir), "-w", world, "bindings", str(tmp)],
                check=True,
                env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)},
            )
        except (OSError, subprocess.CalledProcessError) as err:
            raise RuntimeError(
                f"cannot generate Python bindings of {wit_dir} ({err}); "
                "install componentize-py: pip install componentize-py==0.25.0"
            ) from None
        try:
            tmp.rename(out)
        except OSError:
            if not out.is_dir():
                raise
    if str(out) not in sys.path:
        sys.path.insert(0, str(out))
    return out
