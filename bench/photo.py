"""Benchmark of the photo checks: time and memory of check_portrait against a bare decode, and bombs.

Run from the project root:

    .venv/bin/python bench/photo.py        (or: .venv/bin/python -m bench.photo)

1. On a 12 MP phone JPEG (4000x3000, EXIF orientation 6) it compares ``check_portrait`` with the
   bare ``Image.open + load + ImageOps.exif_transpose`` of the same file, interleaved in one run:
   the median wall time of 7 runs each, the tracemalloc peak, and the growth of peak RSS measured
   in a fresh subprocess (Pillow's pixel buffers are invisible to tracemalloc).
   Targets: at most 1.5x the bare decode time, at most 150 MB extra.
2. Decompression bombs (a 40000x40000 PNG, a JPEG header claiming 60000x60000) through
   ``check_portrait`` and ``check_scan``: time to rejection (< 1 s) and extra memory (< 50 MB).
"""

from __future__ import annotations

import io
import resource
import statistics
import subprocess
import sys
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # `python bench/photo.py` puts bench/, not the root, on sys.path
    sys.path.insert(0, str(ROOT))

from PIL import Image, ImageOps  # noqa: E402

from domain.portrait import check_portrait  # noqa: E402
from domain.scans import check_scan  # noqa: E402

CORPUS = ROOT / "tests" / "data" / "corpus"
PHOTO = CORPUS / "images" / "exif_orientation" / "photo_12mp_orient6.jpg"
BOMBS = [
    CORPUS / "images" / "bombs" / "png_bomb_40000x40000_1bit.png",
    CORPUS / "images" / "bombs" / "jpeg_header_60000x60000.jpg",
]
RUNS = 7
MAX_RATIO = 1.5
MAX_EXTRA_MB = 150.0
BOMB_MAX_S = 1.0
BOMB_MAX_MB = 50.0


def bare_decode(data: bytes) -> object:
    im = Image.open(io.BytesIO(data))
    im.load()
    return ImageOps.exif_transpose(im)


def smart(data: bytes) -> object:
    return check_portrait(data)


def scan(data: bytes) -> object:
    return check_scan(data)


TASKS: dict[str, Callable[[bytes], object]] = {"bare": bare_decode, "portrait": smart, "scan": scan}


def warm_up() -> None:
    """Load the cascade, pillow-heif and numpy paths once, on a small picture."""
    buf = io.BytesIO()
    Image.new("RGB", (640, 800), (230, 230, 230)).save(buf, "JPEG")
    check_portrait(buf.getvalue())
    check_scan(buf.getvalue())
    bare_decode(buf.getvalue())


def traced_peak_mb(fn: Callable[[bytes], object], data: bytes) -> float:
    tracemalloc.start()
    try:
        fn(data)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return peak / 2**20


def rss_growth_mb(task: str, path: Path) -> float:
    """Growth of peak RSS for one call, in a fresh interpreter, after imports and a warm-up."""
    out = subprocess.run(
        [sys.executable, str(Path(__file__).resolve()), "--rss", task, str(path)],
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )
    return float(out.stdout.strip())


def _status_kib(field: str) -> int | None:
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1])
    except OSError:
        pass
    return None


def _reset_peak_rss() -> bool:
    """Linux: make the peak-RSS mark (VmHWM) equal to the current RSS."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        return False
    return True


def child_rss(task: str, path: str) -> None:
    """Print how far peak RSS rose above the post-warm-up RSS during one call, in MB.

    ``ru_maxrss`` is no use here: Linux carries the parent's peak into a child across fork+exec.
    The per-process VmHWM from /proc, reset after the warm-up, is exact.
    """
    data = Path(path).read_bytes()
    warm_up()
    if _reset_peak_rss() and (before := _status_kib("VmRSS")) is not None:
        TASKS[task](data)
        after = _status_kib("VmHWM") or before
    else:  # not Linux: the best we have
        before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        TASKS[task](data)
        after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(f"{max(0, after - before) / 1024:.1f}")


def verdict(ok: bool) -> str:
    return "PASS" if ok else "FAIL"


def photo_bench() -> bool:
    data = PHOTO.read_bytes()
    warm_up()
    result = check_portrait(data)
    print(f"file: {PHOTO.relative_to(ROOT)} ({len(data) / 2**20:.2f} MB, 4000x3000, EXIF orientation 6)")
    print(
        f"check_portrait -> issues={[i.code for i in result.issues]} "
        f"jpeg={result.width}x{result.height} @ {result.dpi} dpi, {len(result.jpeg or b'') / 1024:.0f} KB"
    )
    bare_times: list[float] = []
    smart_times: list[float] = []
    for _ in range(RUNS):  # interleaved, so both see the same machine load
        for fn, times in ((bare_decode, bare_times), (smart, smart_times)):
            start = time.perf_counter()
            fn(data)
            times.append(time.perf_counter() - start)
    bare_t, smart_t = statistics.median(bare_times), statistics.median(smart_times)
    ratio = smart_t / bare_t
    bare_traced, smart_traced = traced_peak_mb(bare_decode, data), traced_peak_mb(smart, data)
    bare_rss, smart_rss = rss_growth_mb("bare", PHOTO), rss_growth_mb("portrait", PHOTO)
    print(f"{'':34}{'median time':>12}{'tracemalloc peak':>18}{'peak RSS growth':>17}")
    for name, t, traced, rss in (
        ("bare open+load+exif_transpose", bare_t, bare_traced, bare_rss),
        ("check_portrait", smart_t, smart_traced, smart_rss),
    ):
        print(f"{name:34}{t * 1000:>10.1f}ms{traced:>15.1f} MB{rss:>14.1f} MB")
    time_ok = ratio <= MAX_RATIO
    mem_ok = max(smart_rss, smart_traced) <= MAX_EXTRA_MB
    print(f"ratio check_portrait / bare decode: {ratio:.2f}x (target <= {MAX_RATIO}x) {verdict(time_ok)}")
    print(
        f"extra memory of check_portrait: {max(smart_rss, smart_traced):.1f} MB "
        f"(target <= {MAX_EXTRA_MB:.0f} MB) {verdict(mem_ok)}"
    )
    return time_ok and mem_ok


def bomb_bench() -> bool:
    all_ok = True
    print()
    print(f"{'bomb':34}{'check':>15}{'outcome':>18}{'time':>10}{'traced':>10}{'RSS growth':>12}")
    for path in BOMBS:
        data = path.read_bytes()
        for task in ("portrait", "scan"):
            fn = TASKS[task]
            start = time.perf_counter()
            result = fn(data)
            elapsed = time.perf_counter() - start
            traced = traced_peak_mb(fn, data)
            rss = rss_growth_mb(task, path)
            issues = getattr(result, "issues", ())
            code = issues[0].code if issues else "ACCEPTED"
            ok = elapsed < BOMB_MAX_S and max(traced, rss) < BOMB_MAX_MB and code == "image-too-large"
            all_ok &= ok
            print(
                f"{path.name:34}{'check_' + task:>15}{code:>18}{elapsed * 1000:>8.1f}ms"
                f"{traced:>7.1f} MB{rss:>9.1f} MB  {verdict(ok)}"
            )
    print(f"bombs: rejected in < {BOMB_MAX_S:.0f} s with < {BOMB_MAX_MB:.0f} MB extra: {verdict(all_ok)}")
    return all_ok


def main() -> int:
    if len(sys.argv) == 4 and sys.argv[1] == "--rss":
        child_rss(sys.argv[2], sys.argv[3])
        return 0
    ok = photo_bench()
    ok = bomb_bench() and ok
    print()
    print(f"overall: {verdict(ok)}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
