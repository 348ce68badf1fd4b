"""What `make bench` concludes from its measurements (bench/run.py)."""

from bench.run import Measured, databases_compared


def _list(rps, healthz_rps):
    return Measured(median_ms=10.0, p99_ms=20.0, rps=rps, ratio=rps / healthz_rps)


def test_the_databases_are_compared_by_their_share_of_the_trivial_view_measured_beside_each():
    # The machine half as fast during PostgreSQL's run: the same share of /healthz passes.
    sqlite, postgresql = _list(600, 4_400), _list(300, 2_200)
    line = databases_compared(sqlite, postgresql)
    assert line[4] == "1.00" and line[-1] == "PASS"
    assert "raw 0.50" in line[3]
    # A list slower on PostgreSQL than on SQLite, on a machine as fast in both runs, fails.
    assert databases_compared(_list(600, 4_400), _list(500, 4_400))[-1] == "FAIL"
