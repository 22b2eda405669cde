"""A task's drawing of its world (``draw(ax)``, e.g. the hard maze's walls) as plain JSON, so that
``evoforge plot`` shows it without loading the task: readers never import what a run file names.

The run calls the task's ``draw`` once on a throwaway matplotlib axis (:func:`record`) and stores what
it drew as data (meta ``drawing``): lines, polygons, ellipses, points and short texts, in data
coordinates. ``plot`` redraws them (:func:`replay`) from that data alone, checking every value first:
the run file may come from elsewhere."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

VERSION = 1
MAX_ITEMS = 500  # items of one drawing
MAX_POINTS = 20_000  # vertices and points of one drawing, all items together
MAX_TEXT = 80
STYLES = ("-", "--", "-.", ":", "None")
MARKERS = ("o", "s", "^", "v", "<", ">", "D", "d", "x", "+", "*", ".", "p", "h", "H", "8", "P", "X")


def record(draw: Callable[[Any], None]) -> dict[str, Any] | None:
    """What ``draw(ax)`` draws, as JSON data; None when matplotlib is missing or drawing fails (the
    drawing is an extra: it never ends a run). Uses a bare ``Figure``: no pyplot, no backend switch."""
    try:
        from matplotlib.figure import Figure

        ax = Figure().add_subplot()
        draw(ax)
        ax.get_xlim()  # settle the view limits, so that transforms to data coordinates are final
        items = [*_lines(ax), *_patches(ax), *_collections(ax), *_texts(ax)]
    except Exception:
        return None
    return {"version": VERSION, "items": _within_limits(items)}


def replay(ax: Any, drawing: Any) -> bool:
    """Draw a stored drawing on ``ax``; False (and nothing drawn) when ``drawing`` is not one. Items
    that do not check out (bad numbers, unknown styles) are skipped."""
    if not isinstance(drawing, dict) or drawing.get("version") != VERSION or not isinstance(drawing.get("items"), list):
        return False
    from matplotlib.patches import Ellipse, Polygon

    for item in _within_limits([i for i in drawing["items"] if isinstance(i, dict)]):
        kind = item.get("type")
        if kind == "line":
            xy = _points(item.get("xy"))
            if xy:
                marker = item.get("marker") if item.get("marker") in MARKERS else None
                style = item.get("style") if item.get("style") in STYLES else "-"
                ax.plot(
                    [p[0] for p in xy],
                    [p[1] for p in xy],
                    color=_color(item.get("color")) or (0, 0, 0, 1),
                    lw=_size(item.get("lw"), 1.5),
                    ls=style,
                    marker=marker,
                    ms=_size(item.get("size"), 6.0),
                )
        elif kind == "polygon":
            xy = _points(item.get("xy"))
            if len(xy) >= 2:
                ax.add_patch(Polygon(xy, closed=True, **_faces(item)))
        elif kind == "ellipse":
            center, width, height = _points([item.get("xy")]), _number(item.get("width")), _number(item.get("height"))
            if center and width is not None and height is not None:
                angle = _number(item.get("angle")) or 0.0
                ax.add_patch(Ellipse(center[0], abs(width), abs(height), angle=angle, **_faces(item)))
        elif kind == "points":
            xy = _points(item.get("xy"))
            if xy:
                ax.scatter(
                    [p[0] for p in xy],
                    [p[1] for p in xy],
                    s=_size(item.get("size"), 20.0, high=500.0),
                    color=_color(item.get("color")) or (0, 0, 0, 1),
                )
        elif kind == "text":
            at, text = _points([item.get("xy")]), item.get("text")
            if at and isinstance(text, str) and text:
                color = _color(item.get("color")) or (0, 0, 0, 1)
                size = _size(item.get("size"), 10.0, high=40.0)
                ax.text(*at[0], text[:MAX_TEXT], color=color, fontsize=size, parse_math=False)
    return True


# -- recording ---------------------------------------------------------------------------------------
def _to_data(ax: Any, transform: Any, xy: Any) -> list[list[float]]:
    """Points drawn with ``transform`` in the data coordinates of ``ax``."""
    import numpy as np

    xy = np.asarray(xy, dtype=float).reshape(-1, 2)
    if transform is not ax.transData:
        xy = ax.transData.inverted().transform(transform.transform(xy))
    return [[float(x), float(y)] for x, y in xy]


def _rgba(color: Any) -> list[float] | None:
    from matplotlib.colors import to_rgba

    try:
        return [float(c) for c in to_rgba(color)]
    except (TypeError, ValueError):
        return None


def _lines(ax: Any) -> list[dict[str, Any]]:
    items = []
    for line in ax.lines:
        marker = line.get_marker()
        style = line.get_linestyle()
        items.append(
            {
                "type": "line",
                "xy": _to_data(ax, line.get_transform(), line.get_xydata()),
                "color": _rgba(line.get_color()),
                "lw": float(line.get_linewidth()),
                "style": style if style in STYLES else "-",
                "marker": marker if marker in MARKERS else None,
                "size": float(line.get_markersize()),
            }
        )
    return items


def _patches(ax: Any) -> list[dict[str, Any]]:
    from matplotlib.patches import Ellipse

    items = []
    for patch in ax.patches:
        faces = {
            "face": _rgba(patch.get_facecolor()) if patch.get_fill() else None,
            "edge": _rgba(patch.get_edgecolor()),
            "lw": float(patch.get_linewidth()),
        }
        if isinstance(patch, Ellipse) and patch.get_data_transform() is ax.transData:  # Circle included
            center = [float(v) for v in patch.get_center()]
            item = {"type": "ellipse", "xy": center, "width": float(patch.get_width())}
            items.append({**item, "height": float(patch.get_height()), "angle": float(patch.get_angle()), **faces})
            continue
        transform = patch.get_transform()
        for polygon in patch.get_path().to_polygons(None, closed_only=False):
            items.append({"type": "polygon", "xy": _to_data(ax, transform, polygon), **faces})
    return items


def _collections(ax: Any) -> list[dict[str, Any]]:
    from matplotlib.collections import LineCollection, PathCollection

    items: list[dict[str, Any]] = []
    for coll in ax.collections:
        colors = coll.get_edgecolor() if isinstance(coll, LineCollection) else coll.get_facecolor()
        color = _rgba(colors[0]) if len(colors) else None
        if isinstance(coll, LineCollection):
            for segment in coll.get_segments():
                xy = _to_data(ax, coll.get_transform(), segment)
                items.append({"type": "line", "xy": xy, "color": color, "lw": float(coll.get_linewidth()[0])})
        elif isinstance(coll, PathCollection):
            sizes = coll.get_sizes()
            xy = _to_data(ax, coll.get_offset_transform(), coll.get_offsets())
            items.append({"type": "points", "xy": xy, "color": color, "size": float(sizes[0]) if len(sizes) else 20.0})
    return items


def _texts(ax: Any) -> list[dict[str, Any]]:
    items = []
    for text in ax.texts:
        xy = _to_data(ax, text.get_transform(), [text.get_position()])[0]
        items.append(
            {
                "type": "text",
                "xy": xy,
                "text": text.get_text()[:MAX_TEXT],
                "color": _rgba(text.get_color()),
                "size": float(text.get_fontsize()),
            }
        )
    return items


# -- checking ----------------------------------------------------------------------------------------
def _within_limits(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The first items up to :data:`MAX_ITEMS` and :data:`MAX_POINTS` points in all."""
    kept, points = [], 0
    for item in items[:MAX_ITEMS]:
        xy = item.get("xy")
        points += len(xy) if isinstance(xy, list) else 1
        if points > MAX_POINTS:
            break
        kept.append(item)
    return kept


def _number(value: Any) -> float | None:
    ok = isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)
    return float(value) if ok else None


def _points(value: Any) -> list[tuple[float, float]]:
    """``[[x, y], ...]`` with finite numbers; [] when anything in it is not."""
    if not isinstance(value, list) or len(value) > MAX_POINTS:
        return []
    out = []
    for point in value:
        if not isinstance(point, list) or len(point) != 2:
            return []
        x, y = _number(point[0]), _number(point[1])
        if x is None or y is None:
            return []
        out.append((x, y))
    return out


def _color(value: Any) -> tuple[float, ...] | None:
    """An RGBA list of four numbers in [0, 1], else None."""
    if not isinstance(value, list) or len(value) != 4:
        return None
    parts = [_number(v) for v in value]
    return tuple(parts) if all(p is not None and 0.0 <= p <= 1.0 for p in parts) else None  # type: ignore[misc]


def _size(value: Any, default: float, high: float = 20.0) -> float:
    number = _number(value)
    return default if number is None or not 0.0 <= number <= high else number


def _faces(item: dict[str, Any]) -> dict[str, Any]:
    face, edge = _color(item.get("face")), _color(item.get("edge"))
    return {"facecolor": face or "none", "edgecolor": edge or "none", "lw": _size(item.get("lw"), 1.0)}
