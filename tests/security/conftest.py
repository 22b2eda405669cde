import pytest

from evoforge import bwrap


@pytest.fixture(params=["bwrap", "guard"])
def isolation(request, monkeypatch):
    """Run a test once behind bwrap and once with the fallback guard alone."""
    if request.param == "bwrap":
        monkeypatch.delenv("EVOFORGE_NO_BWRAP", raising=False)
    else:
        monkeypatch.setenv("EVOFORGE_NO_BWRAP", "1")
    bwrap.probe.cache_clear()
    if request.param == "bwrap" and not bwrap.probe().available:
        pytest.skip(f"bwrap unavailable: {bwrap.probe().detail}")
    yield request.param
    bwrap.probe.cache_clear()

