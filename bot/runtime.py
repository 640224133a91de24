"""What `python -m bot` does to the process once everything is built (bench/updates.py does the same, so that
it measures the bot as it runs).

* `gc.freeze()`: what is built by now lives as long as the process (modules, aiogram's and pydantic's types,
  the translator). Out of the collector's sight, a full collection walks a few thousand objects instead of
  ~300 000 (~180 ms, every user waiting; measured with bench/updates.py).
* A GIL switch interval of 0.5 ms instead of Python's 5 ms. The database's writer thread (storage/db.py) needs
  the GIL back after every SQLite call; while the event loop is busy, Python hands it over only when the
  interval runs out, so a group commit of a few calls waited up to 5 ms a call and every person in it waited
  for that commit. At 0.5 ms commits land sooner under load; each handover costs the loop a couple of context
  switches, and the loop's own CPU per update did not change measurably (bench/updates.py: a wizard step
  went from 76 % to 82 % of the bare bot's rate, median of paired rounds, 9 rounds of 12 better).
"""

from __future__ import annotations

import gc
import sys

SWITCH_INTERVAL = 0.0005  # seconds


def settle() -> None:
    """Call once, after the bot is built and before it serves anyone."""
    gc.collect()
    gc.freeze()
    sys.setswitchinterval(SWITCH_INTERVAL)
