from __future__ import annotations

import pytest

from shequ.decisions.tests.factories import standard_register
from shequ.elections.tests.factories import owners_election


@pytest.fixture
def owners_vote(world):
    """Compound A's register (`standard_register`) and its owners'-committee election, voting from T0 + 7 days:
    candidates 甲, 乙, 丙 for 2 seats."""
    standard_register(world)
    return owners_election(world)
