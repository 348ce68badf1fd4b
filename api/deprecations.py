"""What of /api/v1/ is deprecated, said once. Each operation listed here is answered with a
`Deprecation` header (RFC 9745: since when), a `Sunset` header once its end is set (RFC 8594)
and a `Link` to the API's documentation, and the schema marks it `deprecated`. A line in
api/CHANGELOG.md says what replaces it; it stays at least a year before it goes."""

from dataclasses import dataclass
from datetime import UTC, date, datetime
from email.utils import format_datetime


@dataclass(frozen=True)
class Deprecated:
    basename: str  # the router's name of the records, e.g. "figure"
    action: str  # the viewset's action, e.g. "list" or "retrieve"
    since: date
    sunset: date | None = None


# /api/v1/ 1.2.0 deprecates nothing.
DEPRECATED: tuple[Deprecated, ...] = ()


def find(basename, action) -> Deprecated | None:
    return next((d for d in DEPRECATED if (d.basename, d.action) == (basename, action)), None)


def headers(entry: Deprecated, docs: str) -> dict[str, str]:
    def moment(day: date) -> datetime:
        return datetime(day.year, day.month, day.day, tzinfo=UTC)

    found = {
        "Deprecation": f"@{int(moment(entry.since).timestamp())}",
        "Link": f'<{docs}>; rel="deprecation"',
    }
    if entry.sunset is not None:
        found["Sunset"] = format_datetime(moment(entry.sunset), usegmt=True)
    return found
