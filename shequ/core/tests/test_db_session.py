"""The PostgreSQL session the product runs in: JIT off (config/settings.py, DB_JIT)."""

import pytest
from django.db import connection


@pytest.mark.django_db
def test_postgresql_sessions_do_not_jit_compile():
    """A capped count over a big community passes jit_above_cost and spent 45–47 ms compiling for a
    short query; the product's connections switch JIT off."""
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only")
    with connection.cursor() as cur:
        cur.execute("SHOW jit")
        assert cur.fetchone()[0] == "off"
