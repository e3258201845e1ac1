import pytest

from shequ.supervision import policies


@pytest.fixture(autouse=True)
def _fresh_policy_cache():
    policies.clear_cache()
    yield
    policies.clear_cache()
