"""The one home of freshness: when what a public page or API answer shows last changed.

Every public response is keyed by the versions of the scopes it shows (hotline.models.
PublishedVersion): a report's pages by the reference data and its city's published reports,
pages about every city by the reference data and all published reports. A version moves only
when public data changes: a report is published or reopened (the workflow), reference data is
edited (the receivers below), or data is loaded in bulk (fixtures, demo data, a restore). A
draft's records change without moving anything, so drafts cannot be seen through an ETag, a
Last-Modified time or a page-cache miss. Published records themselves cannot change: the edit
guard refuses it until the report is reopened, which moves its city's version.
"""

import hashlib
import logging
import os
import threading
import time
import uuid
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from django.conf import settings
from django.core.cache import cache
from django.db import connections, router, transaction
from django.db.models.signals import post_delete, post_save
from django.utils import timezone

from hotline.models import (
    AppealCategory,
    CheckOperand,
    CheckRule,
    Department,
    Indicator,
    PublishedVersion,
    Region,
    ReportTable,
    Section,
    SharingMethod,
)

logger = logging.getLogger(__name__)

REFERENCE = "reference"
REPORTS = "reports"
# Edits of these change labels and rules that every published page may show.
REFERENCE_MODELS = (
    Region,
    Department,
    Section,
    ReportTable,
    Indicator,
    AppealCategory,
    SharingMethod,
    CheckRule,
    CheckOperand,
)


def city(slug: str) -> str:
    return f"city:{slug}"


def report_scopes(city_slug: str) -> tuple[str, ...]:
    """What a report's pages show: the reference data and the city's published reports (its
    other years are the trends, last year is what the figure checks compare with)."""
    return (REFERENCE, city(city_slug))


SITE_SCOPES = (REFERENCE, REPORTS)  # pages and lists about every city


@dataclass(frozen=True)
class Freshness:
    token: str  # changes whenever anything in the scopes changes
    last_modified: datetime | None


def read(scopes) -> Freshness:
    """The freshness of these scopes: from the shared cache when the site has one (no query),
    else in one query."""
    return read_each([scopes])[0]


def read_each(scope_sets) -> list[Freshness]:
    """The freshness of each of these sets of scopes (each city's report pages, say), all read
    together: from this process's memory while nothing it listens to says they changed, else
    from the shared cache when the site has one, else in one query for all."""
    scopes = sorted({scope for scope_set in scope_sets for scope in scope_set})
    own = connections[router.db_for_read(PublishedVersion)]
    if own.in_atomic_block and _wrote_versions(own):
        # Versions this thread's open transaction wrote are its own: kept nowhere until then.
        found = _with_defaults(scopes, _stored_versions(scopes))
    else:
        mark = _mark()  # before anything is read: a change committed after it moves the mark
        found = _remembered.get(scopes, mark)
        if found is None:
            found = _from_cache(scopes) if settings.FRESHNESS_IN_CACHE else None
            if found is None:
                found = _with_defaults(scopes, _stored_versions(scopes))
                if settings.FRESHNESS_IN_CACHE:
                    _to_cache(found)
            _remembered.put(found, mark)
    return [_freshness({scope: found[scope] for scope in scope_set}) for scope_set in scope_sets]


def _with_defaults(scopes, stored: dict) -> dict:
    return {scope: stored.get(scope, ("-", None)) for scope in scopes}


# The versions' query, built once per thread, connection and number of scopes: a page served
# from the cache of one process's memory reads the versions every time, and building the query
# through the ORM took as long as the rest of such a hit. Only the scopes asked for are read
# (SQLite parses every row's time as it fetches it: the cities' rows were a tenth of a hit).
_compiled = threading.local()


def _stored_versions(scopes) -> dict:
    scopes = list(scopes)
    alias = router.db_for_read(PublishedVersion)
    connection = connections[alias]
    built = getattr(_compiled, alias, None)
    if built is None or built[0] is not connection:
        built = (connection, {})
        setattr(_compiled, alias, built)
    compiled, params = built[1].get(len(scopes)), scopes
    if compiled is None:
        rows = PublishedVersion.objects.using(alias).filter(scope__in=scopes).order_by()
        compiler = rows.values_list("scope", "token", "changed_at").query.get_compiler(alias)
        sql, params = compiler.as_sql()
        converters = compiler.get_converters([column for column, _sql, _alias in compiler.select])
        compiled = (compiler, sql, converters)
        if list(params) == scopes:  # its parameters are the scopes: others bind theirs
            built[1][len(scopes)] = compiled
    compiler, sql, converters = compiled
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    if converters:  # Django's own: a time zone for SQLite's text, say
        rows = compiler.apply_converters(rows, converters)
    return {scope: (token, at) for scope, token, at in rows}


# Each set of versions' Freshness, made once: a page served from the cache asks on every hit.
_made_freshness: dict[frozenset, Freshness] = {}


def _freshness(found: dict) -> Freshness:
    versions = frozenset(found.items())
    made = _made_freshness.get(versions)
    if made is None:
        seed = "|".join(f"{scope}={found[scope][0]}" for scope in sorted(found))
        stamps = [at for _token, at in found.values() if at is not None]
        made = Freshness(hashlib.sha1(seed.encode()).hexdigest(), max(stamps) if stamps else None)
        if len(_made_freshness) >= 10_000:  # versions move for ever; the old are never asked
            _made_freshness.clear()
        _made_freshness[versions] = made
    return made


# Each process keeps the versions in its memory for as long as it can hear of every write
# that moves them, and VERSION_SECONDS at most: a cached page or a 304 then runs no query and
# no round trip. With Redis (a cache every process shares) a write deletes its scopes' entries
# in it once it commits, then announces it on a channel every process listens to; a process
# polls its subscription, a system call, where reading the versions from Redis was a round
# trip that cost a cached page a third of its speed. Without Redis, the processes of one machine
# hear of writes through a file that each makes one byte longer once it commits
# (FRESHNESS_SIGNAL_FILE): looking at its size costs a microsecond where the versions' query
# cost 0.05 ms on SQLite and 0.2 ms on PostgreSQL. A process that cannot hear (not yet
# subscribed, Redis down, no file) remembers nothing: it reads the shared cache, else the
# database. A reader that raced a write (read the database before the commit, cached after
# the delete) or a process that missed it (a writer killed between its commit and the
# announcement) is corrected within VERSION_SECONDS, twice that at worst.
VERSION_SECONDS = 30
CHANNEL = "freshness"


def _key(scope: str) -> str:
    return f"freshness:{scope}"


def _from_cache(scopes) -> dict | None:
    # A Redis that is down answers as empty (hotline.cache_guard): the database is read.
    cached = cache.get_many([_key(scope) for scope in scopes])
    if len(cached) < len(scopes):
        return None
    return {scope: cached[_key(scope)] for scope in scopes}


def _to_cache(found: dict) -> None:
    for scope, version in found.items():
        cache.add(_key(scope), version, VERSION_SECONDS)  # never over a newer delete's gap


def _mark():
    """What this process has heard of writes so far; None when it cannot hear of them."""
    if settings.FRESHNESS_IN_CACHE:
        heard = getattr(cache, "heard", None)  # only Redis announces (hotline.cache_guard)
        return None if heard is None else heard(CHANNEL)
    return _signal_mark()


def _signal_mark():
    """What the signal file looks like now; None when there is none."""
    path = settings.FRESHNESS_SIGNAL_FILE
    if not path:
        return None
    try:
        found = os.stat(path)
    except FileNotFoundError:
        try:  # the first reader of a new site: writes will make it longer
            Path(path).parent.mkdir(parents=True, exist_ok=True)
            open(path, "ab").close()
            found = os.stat(path)
        except OSError:
            return None
    except OSError:
        return None
    # The size alone would do, but for a file removed and written anew.
    return (found.st_ino, found.st_size, found.st_mtime_ns)


def _wrote_versions(connection) -> bool:
    return getattr(connection, "wrote_versions", False)


def _committed(scopes) -> None:
    """Every process hears of a write that moved these scopes, once it has committed."""
    if settings.FRESHNESS_IN_CACHE:
        cache.delete_many([_key(scope) for scope in scopes])
        announce = getattr(cache, "announce", None)
        if announce is not None:  # after the delete: a listener then reads the new versions
            announce(CHANNEL)
    elif settings.FRESHNESS_SIGNAL_FILE:
        path = Path(settings.FRESHNESS_SIGNAL_FILE)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            with open(path, "ab") as signal:  # appends are atomic: no write is lost to another
                signal.write(b".")
        except OSError:
            logger.exception("freshness: could not signal a change through %s", path)
    forget_remembered()


class _Remembered:
    """This process's copy of the versions, valid while what it heard of writes (_mark) stays
    the same."""

    def __init__(self):
        self.lock = threading.Lock()
        self.clear()

    def clear(self):
        with self.lock:
            self.mark, self.since, self.versions = None, 0.0, {}

    def _holds(self, mark) -> bool:
        return mark == self.mark and time.monotonic() - self.since < VERSION_SECONDS

    def get(self, scopes, mark) -> dict | None:
        with self.lock:
            if mark is None or not self._holds(mark):
                return None
            if not all(scope in self.versions for scope in scopes):
                return None
            return {scope: self.versions[scope] for scope in scopes}

    def put(self, found: dict, mark) -> None:
        if mark is None:
            return
        with self.lock:
            if not self._holds(mark):
                self.mark, self.since, self.versions = mark, time.monotonic(), {}
            self.versions.update(found)


_remembered = _Remembered()


_made = {}  # build -> (the version it was made for, what it made)


def kept(scope: str, build):
    """What `build()` makes of the data of `scope` (the catalogue's words that the API's rows
    copy), made by this process once per version of the scope: a correction moves the version,
    and the next reader makes it anew. Made from data newer than its version (a change that
    committed in between), it is only made again; made inside a transaction that wrote the
    scope, it is kept under a version no one else reads unless that transaction commits."""
    version = read([scope]).token
    found = _made.get(build)
    if found is None or found[0] != version:
        found = _made[build] = (version, build())
    return found[1]


def forget_remembered() -> None:
    """This process reads the versions from the database next time (a first visitor's read,
    as the query counts and the tests take it), and no transaction of this thread is taken to
    have written versions (its writes committed, or a test's rolled back)."""
    _remembered.clear()
    _made.clear()
    for connection in connections.all(initialized_only=True):
        connection.wrote_versions = False


def changed(*scopes: str) -> None:
    """Move these scopes to new versions, in the caller's transaction: readers see the new
    versions exactly when the change itself commits."""
    now = timezone.now()
    versions = [
        PublishedVersion(scope=scope, token=uuid.uuid4().hex, changed_at=now)
        for scope in sorted(set(scopes))  # one order, so that concurrent writers never deadlock
    ]
    # One statement (INSERT … ON CONFLICT DO UPDATE), for scopes new and known alike.
    PublishedVersion.objects.bulk_create(
        versions,
        update_conflicts=True,
        unique_fields=["scope"],
        update_fields=["token", "changed_at"],
    )
    # Until it commits; a rollback leaves it, which costs this thread's transactions the
    # memory, no more.
    connections[router.db_for_write(PublishedVersion)].wrote_versions = True
    transaction.on_commit(lambda: _committed(scopes))


def report_visibility_changed(report) -> None:
    """A report was published, or withdrawn from the public (reopened)."""
    changed(city(report.region.slug), REPORTS)


def cities_changed(slugs) -> None:
    """Published reports of these cities were written or removed in bulk (demo data)."""
    changed(*(city(slug) for slug in slugs), REPORTS)


def everything_changed() -> None:
    """After a bulk load or a restore: every scope moves, those never seen before included."""
    cities = Region.objects.cities().values_list("slug", flat=True)
    changed(REFERENCE, REPORTS, *(city(slug) for slug in cities))


def _reference_changed(sender, raw=False, **kwargs):
    if not raw:  # loaddata: load_fixtures moves everything once at the end
        changed(REFERENCE)


def connect_receivers():
    """Called once the apps are ready (hotline.apps). Running it again (Django may run an app's
    ready() twice) connects nothing more: a signal holds a function once per sender."""
    for model in REFERENCE_MODELS:
        post_save.connect(_reference_changed, sender=model)
        post_delete.connect(_reference_changed, sender=model)
