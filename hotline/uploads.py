"""Uploaded files are what they claim to be before anything reads them as data.

Imports call `validate_upload(file, allowed=...)` first: a file too large, of a type not
allowed, or whose content is not of its claimed type is refused with a message that names it.
"""

import codecs
import json
import zipfile
from dataclasses import dataclass
from pathlib import PurePath

from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

XLSX, CSV, JSON = "xlsx", "csv", "json"
# UTF-8 with or without a BOM, else GB18030 (a superset of GBK), as Excel and WPS save CSV.
TEXT_ENCODINGS = ("utf-8-sig", "gb18030")
# A spreadsheet's XML compresses about tenfold; far more is a zip bomb, not a report.
MAX_UNZIPPED_RATIO = 100
CHUNK = 1 << 16


@dataclass(frozen=True)
class CheckedUpload:
    kind: str  # XLSX, CSV or JSON
    encoding: str = ""  # for CSV and JSON: the encoding the text decoded with


def claimed_kind(name: str) -> str:
    return PurePath(name or "").suffix.lower().lstrip(".")


def validate_upload(file, allowed=(XLSX, CSV, JSON), max_bytes=None) -> CheckedUpload:
    """Check size, type and content; leave the file at its start for the importer."""
    name = PurePath(getattr(file, "name", "") or "").name or _("the file")
    limit = settings.IMPORT_MAX_UPLOAD_BYTES if max_bytes is None else max_bytes
    size = getattr(file, "size", None)
    if size is None:
        file.seek(0, 2)
        size = file.tell()
    if size > limit:
        raise ValidationError(
            _("“%(name)s” is %(size)s; files up to %(limit)s can be imported.")
            % {"name": name, "size": filesizeformat(size), "limit": filesizeformat(limit)},
            code="too_large",
        )
    kind = claimed_kind(name)
    if kind not in allowed:
        raise ValidationError(
            _("“%(name)s” is not a file that can be imported here; use %(kinds)s.")
            % {"name": name, "kinds": ", ".join(f".{k}" for k in allowed)},
            code="type",
        )
    if size == 0:
        raise ValidationError(_("“%(name)s” is empty.") % {"name": name}, code="empty")
    file.seek(0)
    try:
        if kind == XLSX:
            return _check_xlsx(file, name, limit)
        return _check_text(file, name, kind)
    finally:
        file.seek(0)


def _not_what_it_claims(name, kind):
    return ValidationError(
        _("“%(name)s” is not really a %(kind)s file; nothing was imported.")
        % {"name": name, "kind": kind.upper()},
        code="content",
    )


def _check_xlsx(file, name, limit):
    try:
        with zipfile.ZipFile(file) as archive:
            entries = archive.infolist()
            names = {entry.filename for entry in entries}
            unzipped = sum(entry.file_size for entry in entries)
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        raise _not_what_it_claims(name, XLSX) from None
    if "[Content_Types].xml" not in names or not any(n.startswith("xl/") for n in names):
        raise _not_what_it_claims(name, XLSX)
    if unzipped > limit * MAX_UNZIPPED_RATIO:
        raise ValidationError(
            _("“%(name)s” unpacks to %(size)s, far more than a spreadsheet of figures.")
            % {"name": name, "size": filesizeformat(unzipped)},
            code="too_large",
        )
    return CheckedUpload(XLSX)


def _check_text(file, name, kind):
    """Read in chunks, whatever the size: no NUL byte, text in one of TEXT_ENCODINGS, and for
    JSON a list of records, parsed one record at a time."""
    for encoding in TEXT_ENCODINGS:
        file.seek(0)
        decoder = codecs.getincrementaldecoder(encoding)("strict")
        try:
            while chunk := file.read(CHUNK):
                if b"\x00" in chunk:
                    raise _not_what_it_claims(name, kind)
                decoder.decode(chunk)
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            continue
        break
    else:
        raise ValidationError(
            _("“%(name)s” is not text in UTF-8 or GB18030 (GBK); save it as UTF-8 and try again.")
            % {"name": name},
            code="encoding",
        )
    if kind == JSON:
        from hotline.importing.readers import Refused, iter_json_array

        file.seek(0)
        try:
            for _record in iter_json_array(codecs.getreader(encoding)(file)):
                pass
        except (json.JSONDecodeError, RecursionError):
            raise _not_what_it_claims(name, kind) from None
        except (ValueError, Refused):
            pass  # JSON, but not a list of records: the importer says so in its own words
    return CheckedUpload(kind, encoding)
