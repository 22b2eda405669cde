import pytest


@pytest.fixture(autouse=True)
def _reset_addition():
    yield
    from evoforge.tasks import addition

    addition.configure()
