import pytest


@pytest.fixture
def weights_dir(tmp_path, monkeypatch):
    d = tmp_path / "weights"
    monkeypatch.setenv("EVOFORGE_WEIGHTS_DIR", str(d))
    monkeypatch.setenv("EVOFORGE_CACHE_DIR", str(tmp_path / "cache"))  # the tiny model is built here
    return d
