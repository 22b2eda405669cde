"""Screenshots of each dashboard view for docs/dashboard.md, from real short runs (needs chromium):

PYTHONPATH=src python tests/ui/screenshots.py docs/img
"""

from __future__ import annotations

import os
import sys
import tempfile
import threading
from pathlib import Path

from PIL import Image

sys.path.insert(0, str(Path(__file__).parent))

from browser import Browser
from ui_helpers import program_run, vector_run

VIEWS = {  # picture name: (run, section, candidate to select)
    "dashboard-runs": ("arm.db", "#view-runs", None),
    "dashboard-summary": ("arm.db", "#view-summary", None),
    "dashboard-score": ("arm.db", "#view-score", None),
    "dashboard-archive": ("arm.db", "#view-archive", None),
    "dashboard-improvements": ("arm.db", "#view-improvements", None),
    "dashboard-candidates": ("binpack.db", "#view-candidates", None),
    "dashboard-operators": ("binpack.db", "#view-operators", None),
    "dashboard-lineage": ("binpack.db", "#view-lineage", 3),
    "dashboard-usage": ("binpack.db", "#view-usage", None),
    "dashboard-failures": ("binpack.db", "#view-failures", None),
}


def compare_runs(folder: Path) -> Path:
    """Seeds of three configurations on sphere (two differ only in task.dim) and one run on Rastrigin."""
    import evoforge

    for name, recipe, options in (("ga-d5", "ga", {"dim": 5}), ("ga-d10", "ga", {"dim": 10}), ("cma", "cma-es", {})):
        for seed in range(3):
            evoforge.evolve("sphere", recipe, budget=600, seed=seed, executor="inprocess", task_options=options,
                            out=folder / f"{name}-{seed}.db")  # fmt: skip
    evoforge.evolve("rastrigin", "ga", budget=600, seed=0, executor="inprocess", out=folder / "rastrigin.db")
    return folder


def shoot(browser: Browser, url: str, selector: str, png: Path) -> None:
    browser.open(url)
    browser.wait(f"!!document.querySelector('{selector} table, {selector} canvas, {selector} svg')")
    browser.screenshot(png, selector)
    Image.open(png).convert("RGB").quantize(64).save(png, optimize=True)  # small files for the docs
    print(f"wrote {png} ({png.stat().st_size // 1024} KB)")


def main(out: Path) -> None:
    from evoforge.readers.ui.server import make

    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp, tempfile.TemporaryDirectory() as other:
        folder = Path(tmp)
        os.environ["EVOFORGE_KEY_FILE"] = str(folder / "run-key")  # the user's own run key is not touched
        vector_run(folder / "arm.db", budget=3000, task="rastrigin")
        program_run(folder / "binpack.db")
        server, groups = make(folder, 0), make(compare_runs(Path(other)), 0)
        for each in (server, groups):
            threading.Thread(target=each.serve_forever, daemon=True).start()
        browser = Browser(folder / "profile", width=1100, height=1400)
        try:
            for name, (run, selector, select) in VIEWS.items():
                browser.open(f"http://127.0.0.1:{server.server_address[1]}/?run={run}")
                browser.wait(f"!!document.querySelector('{selector} table, {selector} canvas, {selector} svg')")
                if select is not None:
                    circle = f"#lineage-svg circle[data-id='{select}']"
                    browser.js(f'document.querySelector("{circle}").dispatchEvent(new MouseEvent("click"))')
                    browser.wait("!!document.querySelector('#diff')")
                png = browser.screenshot(out / f"{name}.png", selector)
                Image.open(png).convert("RGB").quantize(64).save(png, optimize=True)  # small files for the docs
                print(f"wrote {png} ({png.stat().st_size // 1024} KB)")
            url = f"http://127.0.0.1:{groups.server_address[1]}/"
            shoot(browser, url, "#view-compare", out / "dashboard-compare.png")
        finally:
            browser.close()
            server.shutdown()
            groups.shutdown()


if __name__ == "__main__":
    main(Path(sys.argv[1] if len(sys.argv) > 1 else "docs/img"))
