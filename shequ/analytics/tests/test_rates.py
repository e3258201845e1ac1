"""The three rates on a built dataset with answers computed by hand."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from shequ.analytics.rates import party_rates, party_rates_by_month, place_rates
from shequ.analytics.rollups import rollup_refresh
from shequ.appeals.services import appeal_transition
from shequ.core import clock
from shequ.core.jobs import run_once

SH = ZoneInfo("Asia/Shanghai")


def at(*args) -> datetime:
    return datetime(*args, tzinfo=SH)


def step(when, appeal, actor, action, **data):
    with clock.frozen(when):
        return appeal_transition(appeal=appeal, actor=actor, action=action, **data)


@pytest.fixture
def dataset(world, file_appeal):
    """Company X, November 2026 (hand computation in the test below)."""
    x = world.handler_x

    def filed(when, urgency="normal", **kw):
        with clock.frozen(when):
            return file_appeal(urgency=urgency, **kw)

    a1 = filed(at(2026, 11, 2, 9), urgency="emergency")  # accept due 09:30
    step(at(2026, 11, 2, 9, 10), a1, x, "accept")
    step(at(2026, 11, 2, 10), a1, x, "resolve", text="修好了")
    step(at(2026, 11, 2, 12), a1, world.resident_a, "rate", solved=True, rating="satisfied")

    a2 = filed(at(2026, 11, 3, 9))  # accept due 11:00, accepted late
    step(at(2026, 11, 3, 12), a2, x, "accept")
    step(at(2026, 11, 3, 15), a2, x, "resolve", text="修好了")
    step(at(2026, 11, 4, 9), a2, world.resident_a, "rate", solved=True, rating="basically")

    a3 = filed(at(2026, 11, 4, 9))
    step(at(2026, 11, 4, 10), a3, x, "accept")
    step(at(2026, 11, 4, 16), a3, x, "resolve", text="修好了")
    step(at(2026, 11, 5, 9), a3, world.resident_a, "rate", solved=False, rating="unsatisfied")  # reopens

    filed(at(2026, 11, 5, 9))  # a4: never accepted

    a5 = filed(at(2026, 11, 6, 9))
    step(at(2026, 11, 6, 9, 30), a5, x, "accept")
    step(at(2026, 11, 6, 11), a5, x, "resolve", text="修好了")  # left unrated → closed unrated on the 13th
    with clock.frozen(at(2026, 11, 13, 12)):
        run_once(now=clock.now())

    a6 = filed(at(2026, 10, 30, 9))  # October dispatch, rated in November
    step(at(2026, 10, 30, 9, 20), a6, x, "accept")
    step(at(2026, 10, 31, 9), a6, x, "resolve", text="修好了")
    step(at(2026, 11, 2, 9), a6, world.resident_a, "rate", solved=True, rating="satisfied")

    y = filed(
        at(2026, 11, 2, 9), reporter=world.resident_b, place=world.household_b
    )  # company Y: not counted
    step(at(2026, 11, 2, 9, 5), y, world.handler_y, "accept")
    return world


def test_company_rates_match_the_hand_computation(dataset, django_assert_max_num_queries):
    world = dataset
    rollup_refresh()
    with django_assert_max_num_queries(2):  # freshness check (1) + one aggregate over the rollups
        rates = party_rates(party_ids=[world.company_x.pk, world.company_y.pk], month="2026-11")
    x = rates[world.company_x.pk]
    # dispatched in November: a1..a5 = 5; accepted within the limit: a1, a3, a5 = 3
    assert (x.dispatched, x.accepted_in_time) == (5, 3)
    assert x.response_rate == pytest.approx(0.6)
    # rated in November: a1, a2, a3, a6 = 4; solved: a1, a2, a6 = 3; 满意+基本满意: a1, a2, a6 = 3
    assert (x.rated, x.solved, x.satisfied) == (4, 3, 3)
    assert x.resolution_rate == pytest.approx(0.75) and x.satisfaction_rate == pytest.approx(0.75)
    # composite 0.30 × 0.6 + 0.35 × 0.75 + 0.35 × 0.75 = 0.705
    assert x.composite == pytest.approx(0.705)
    y = rates[world.company_y.pk]
    assert (y.dispatched, y.accepted_in_time, y.rated) == (1, 1, 0)
    # one dispatch, nothing rated: 样本不足, and its worst case counts the missing rates as 0
    assert y.resolution_rate is None and y.composite is None and not y.sufficient
    assert y.worst_case_score == pytest.approx(0.3)


def test_october_and_the_monthly_series(dataset):
    world = dataset
    october = party_rates(party_ids=[world.company_x.pk], month="2026-10")[world.company_x.pk]
    assert (october.dispatched, october.accepted_in_time, october.rated) == (1, 1, 0)
    series = party_rates_by_month(party_id=world.company_x.pk, months=3, upto="2026-11")
    assert [r.month for r in series] == ["2026-09", "2026-10", "2026-11"]
    assert series[0].composite is None
    assert series[1].response_rate == 1.0 and series[2].composite == pytest.approx(0.705)


def test_weights_are_configurable(dataset, settings):
    settings.SHEQU_RATE_WEIGHTS = (1, 0, 0)
    x = party_rates(party_ids=[dataset.company_x.pk], month="2026-11")[dataset.company_x.pk]
    assert x.composite == pytest.approx(0.6)


def test_rates_per_place(dataset):
    world = dataset
    rates = place_rates(place_ids=[world.compound_a.pk, world.compound_b.pk], month="2026-11")
    assert rates[world.compound_a.pk].dispatched == 5
    assert rates[world.compound_b.pk].dispatched == 1


def test_no_data_means_no_rate(world):
    r = party_rates(party_ids=[world.company_x.pk], month="2026-11")[world.company_x.pk]
    assert r.response_rate is None and r.composite is None and r.counts["dispatched"] == 0


def test_bad_month_is_refused(world):
    from shequ.core.errors import Invalid

    with pytest.raises(Invalid):
        party_rates(party_ids=[world.company_x.pk], month="2026-13")


def test_rates_per_place_of_one_party(dataset):
    world = dataset
    mine = place_rates(
        place_ids=[world.compound_a.pk, world.compound_b.pk], month="2026-11", party_id=world.company_x.pk
    )
    assert mine[world.compound_a.pk].dispatched == 5 and mine[world.compound_b.pk].dispatched == 0
