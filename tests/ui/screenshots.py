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
    "dashboard-operators": ("binpack.db", "#view-operators", None),
    "dashboard-lineage": ("binpack.db", "#view-lineage", 3),
    "dashboard-usage": ("binpack.db", "#view-usage", None),
    "dashboard-failures": ("binpack.db", "#view-failures", None),
}


def main(out: Path) -> None:
    from evoforge.readers.ui.server import make

    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        os.environ["EVOFORGE_KEY_FILE"] = str(folder / "run-key")  # the user's own run key is not touched
        vector_run(folder / "arm.db", budget=3000, task="rastrigin")
        program_run(folder / "binpack.db")
        server = make(folder, 0)
        threading.Thread(target=server.serve_forever, daemon=True).start()
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
        finally:
            browser.close()
            server.shutdown()


if __name__ == "__main__":
    main(Path(sys.argv[1] if len(sys.argv) > 1 else "docs/img"))
