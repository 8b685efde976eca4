"""`vouch serve`, counting what the response cache answered, for bench/bench_cache_parts.py.

Run as a script (never imported by the service): the first argument is a file where the
counts are written every half second (uvicorn ends the process by its signal, so no exit
hook runs); the rest are `vouch` arguments. It wraps
ResponseCache.get whatever its signature (the code before issue 25 item 3 returned the
kept answer, the code after returns it with what was found), so the same count is taken
of both; `api` is whichever code PYTHONPATH names first.
"""

from __future__ import annotations

import json
import sys
import threading
import time
from pathlib import Path
from typing import Any

from api import response_cache
from api.cli.vouch import main

counts = {"hits": 0, "asked": 0}
_get = response_cache.ResponseCache.get


def counted(self: response_cache.ResponseCache, *args: Any) -> Any:
    found = _get(self, *args)
    kept = found[0] if isinstance(found, tuple) else found
    counts["asked"] += 1
    counts["hits"] += kept is not None
    return found


def writing(path: Path) -> None:
    while True:
        path.write_text(json.dumps(counts))
        time.sleep(0.5)


if __name__ == "__main__":
    response_cache.ResponseCache.get = counted  # type: ignore[method-assign]
    threading.Thread(target=writing, args=(Path(sys.argv[1]),), daemon=True).start()
    sys.exit(main(sys.argv[2:]))
