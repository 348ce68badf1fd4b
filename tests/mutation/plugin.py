"""make mutation on PostgreSQL: each pytest session closes its database connections at its end,
so that the sessions mutmut forks from that process open their own instead of sharing its
socket."""


def pytest_unconfigure(config):
    from django.db import connections

    connections.close_all()
