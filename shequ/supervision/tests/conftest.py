import pytest

from shequ.appeals import calendar
from shequ.supervision import policies


@pytest.fixture(autouse=True)
def _fresh_policy_cache():
    policies.clear_cache()
    calendar.clear_cache()
    yield
    policies.clear_cache()
    calendar.clear_cache()


@pytest.fixture(autouse=True)
def _supervision_media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def file_appeal(world):
    """File an appeal through the service: `file_appeal(category="lift", urgency="emergency")`."""
    from shequ.appeals import services
    from shequ.appeals.models import Category

    def make(
        *,
        reporter=None,
        category: str = "lift",
        place=None,
        kind: str = "help",
        text: str = "1号楼电梯困人",
        **kwargs,
    ):
        return services.appeal_create(
            reporter=reporter or world.resident_a,
            kind=kind,
            category=Category.objects.get(code=category),
            place=place or world.household_a,
            text=text,
            **kwargs,
        )

    return make
