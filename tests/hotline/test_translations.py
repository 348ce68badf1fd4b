"""`make messages` keeps every translation: each msgid of the committed catalogue is one that
xgettext finds in the code (not only one that was added to the .po by hand), so extracting
again drops none, and leaves none untranslated or fuzzy. A `_()` inside an f-string is the
usual culprit: xgettext reads the whole f-string as one literal and never sees the call."""

import gettext
import os
import shlex
import shutil
import subprocess
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

ROOT = Path(__file__).resolve().parents[2]
LOCALE = ROOT / "locale"
# The languages of the committed catalogues (the Makefile extracts for each).
LANGUAGES = sorted(po.parts[-3] for po in LOCALE.glob("*/LC_MESSAGES/django.po"))
# Which files makemessages reads for the "django" domain; anything else need not be copied.
EXTENSIONS = {".py", ".html", ".txt"}
GETTEXT_TOOLS = ("xgettext", "msgmerge", "msgattrib", "msgfmt")


def makemessages_arguments():
    """The arguments `make messages` gives makemessages, read from the Makefile, so that the test
    extracts exactly as the Makefile does."""
    for line in (ROOT / "Makefile").read_text().splitlines():
        words = shlex.split(line) if "makemessages" in line and not line.startswith("#") else []
        if "makemessages" in words:
            arguments = words[words.index("makemessages") + 1 :]
            assert not any("$" in a for a in arguments), arguments
            return arguments
    raise AssertionError("the Makefile has no makemessages command")


def ignored_patterns(arguments):
    return [a.removeprefix("--ignore=") for a in arguments if a.startswith("--ignore=")]


def copy_sources(destination, ignored):
    """The files makemessages would read, and the locale folder, copied under `destination`:
    makemessages writes its catalogue (and temporary files beside the templates) where it
    reads, and the committed ones must stay as they are."""

    def skip(folder, names):
        left_out = set()
        for name in names:
            path = Path(folder, name)
            if path.is_dir():
                if name.startswith(".") or name in ignored or name == "node_modules":
                    left_out.add(name)
            elif path.suffix not in EXTENSIONS and Path(folder).name != "LC_MESSAGES":
                left_out.add(name)
        return left_out

    shutil.copytree(ROOT, destination, ignore=skip)


def catalogue(po: Path, mo: Path) -> dict:
    """What readers get from `po`, compiled as compilemessages does: fuzzy and untranslated
    entries are left out, as are obsolete ones (`#~`)."""
    subprocess.run(["msgfmt", "--check-format", "-o", str(mo), str(po)], check=True)
    with mo.open("rb") as file:
        messages = dict(gettext.GNUTranslations(file)._catalog)
    messages.pop("", None)  # the header: its dates change with every extraction
    return messages


@pytest.fixture
def gettext_tools():
    missing = [tool for tool in GETTEXT_TOOLS if shutil.which(tool) is None]
    if missing:
        reason = f"GNU gettext is missing ({', '.join(missing)}): apt-get install gettext"
        if os.environ.get("CI"):
            pytest.fail(f"{reason}: in CI the translation tests must run, not skip")
        pytest.skip(reason)


@pytest.mark.parametrize("language", LANGUAGES)
def test_make_messages_loses_no_translation(
    language, gettext_tools, tmp_path, settings, monkeypatch
):
    arguments = makemessages_arguments()
    source = tmp_path / "source"
    copy_sources(source, set(ignored_patterns(arguments)))
    settings.LOCALE_PATHS = [source / "locale"]
    monkeypatch.chdir(source)  # makemessages reads the current folder
    call_command("makemessages", *arguments, verbosity=0, stdout=StringIO())

    po = Path("LC_MESSAGES", "django.po")
    before = catalogue(LOCALE / language / po, tmp_path / "before.mo")
    after = catalogue(source / "locale" / language / po, tmp_path / "after.mo")
    lost = sorted(str(msgid) for msgid in before if msgid not in after)
    changed = sorted(
        str(msgid) for msgid in before if msgid in after and after[msgid] != before[msgid]
    )
    assert not lost, f"make messages would drop these translations (xgettext misses them): {lost}"
    assert not changed, f"make messages would change these translations: {changed}"


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_committed_mo_is_the_committed_po_compiled(language, gettext_tools, tmp_path):
    po = LOCALE / language / "LC_MESSAGES" / "django.po"
    with po.with_suffix(".mo").open("rb") as file:
        committed = dict(gettext.GNUTranslations(file)._catalog)
    committed.pop("", None)
    assert committed == catalogue(po, tmp_path / "django.mo"), "run make messages"
