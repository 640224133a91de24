"""What `python -m bot` does to its process once the bot is built (bot/runtime.py)."""

from __future__ import annotations

import gc
import sys

from bot import runtime


def test_settle_freezes_what_is_built_and_shortens_the_gil_switch_interval() -> None:
    before = sys.getswitchinterval()
    built = [object() for _ in range(10)]
    try:
        runtime.settle()
        assert sys.getswitchinterval() == runtime.SWITCH_INTERVAL < 0.005  # Python's default is 5 ms
        assert gc.get_freeze_count() >= len(built)
    finally:
        sys.setswitchinterval(before)


def test_python_m_bot_settles_the_process_after_building_and_before_polling() -> None:
    import inspect

    from bot import __main__ as entry

    source = inspect.getsource(entry.run)
    assert source.index("create_dispatcher(deps)") < source.index("settle()") < source.index("start_polling")
