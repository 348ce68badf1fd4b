"""A preview that keeps what it checked (import_records with `checked_to`) is written as it
was checked once confirmed (import_checked): the same records, history and links as an
import of the file, and nothing at all when what it checked has changed since."""

import io
import pickle

import pytest
from django.db import transaction

from hotline.importing import exporting
from hotline.importing.columns import spec_for
from hotline.importing.service import import_checked, import_records
from hotline.models import AnnualReport, DataSharingRequest, Department, Region

from ..hotline import factories as f
from .conftest import data, run

pytestmark = pytest.mark.django_db

FILE = data("sharing-gbk.csv")
CHANGED = FILE.replace(b"36184", b"36185")  # line 3 changed, the others as stored


def preview(tmp_path, content, name="共享登记.csv"):
    path = tmp_path / "checked"
    with path.open("wb") as checked_to:
        outcome = run("datasharingrequest", content, name, dry_run=True, checked_to=checked_to)
    assert outcome.ok, outcome.messages()
    return path


def confirm(path, user, name="共享登记.csv"):
    with path.open("rb") as stream:
        return import_checked("datasharingrequest", stream, file_name=name, user=user)


def stored(report):
    """Every record of the report, its links and its history, as an import leaves them."""
    records = []
    for request in DataSharingRequest.private_objects.filter(report=report).order_by("line"):
        history = [
            (
                h.history_type,
                h.history_user_id,
                h.history_change_reason,
                h.records,
                sorted(link.department_id for link in h.recipients.all()),
            )
            for h in request.history.order_by("history_id")
        ]
        values = {k: v for k, v in vars(request).items() if k not in ("_state", "id")}
        links = (
            sorted(request.recipients.values_list("pk", flat=True)),
            sorted(request.methods.values_list("pk", flat=True)),
        )
        records.append((values, links, history))
    return records


@pytest.mark.parametrize("before", [None, FILE], ids=["creates", "updates"])
def test_a_confirmed_preview_writes_what_importing_the_file_writes(
    tmp_path, draft_2024, data_entry_user, before
):
    content = CHANGED if before else FILE
    if before:
        run("datasharingrequest", before, "a.csv", user=data_entry_user)
    with transaction.atomic():
        imported = run("datasharingrequest", content, "共享登记.csv", user=data_entry_user)
        expected = stored(draft_2024)
        transaction.set_rollback(True)
    path = preview(tmp_path, content)

    outcome = confirm(path, data_entry_user)

    assert outcome.summary() == imported.summary()
    assert (outcome.rows, outcome.new, outcome.updated) == (
        4,
        0 if before else 4,
        1 if before else 0,
    )
    assert len(outcome.log) == len(imported.log)
    assert stored(draft_2024) == expected


def _record_changed(report):
    request = DataSharingRequest.private_objects.get(report=report, line=3)
    request.records = 1
    request.save()


def _unchanged_record_changed(report):
    request = DataSharingRequest.private_objects.get(report=report, line=1)
    request.purpose = "另作他用"
    request.save()


def _link_changed(report):
    request = DataSharingRequest.private_objects.get(report=report, line=1)
    request.recipients.add(f.make_department())


def _published(report):
    AnnualReport.private_objects.filter(pk=report.pk).update(status=AnnualReport.Status.PUBLISHED)


@pytest.mark.parametrize(
    "change",
    [_record_changed, _unchanged_record_changed, _link_changed, _published],
)
def test_what_changed_since_the_preview_makes_it_write_nothing(
    tmp_path, draft_2024, data_entry_user, change
):
    run("datasharingrequest", FILE, "a.csv")
    path = preview(tmp_path, CHANGED)
    change(draft_2024)
    before = stored(draft_2024)

    assert confirm(path, data_entry_user) is None

    assert stored(draft_2024) == before


def test_a_record_created_since_the_preview_makes_it_write_nothing(
    tmp_path, draft_2024, data_entry_user
):
    path = preview(tmp_path, FILE)
    line_4 = FILE.decode("gbk").splitlines()
    run("datasharingrequest", "\n".join([line_4[0], line_4[-1]]).encode(), "other.csv")
    before = stored(draft_2024)
    assert len(before) == 1

    assert confirm(path, data_entry_user) is None

    assert stored(draft_2024) == before


def test_a_department_removed_since_the_preview_makes_it_write_nothing(
    tmp_path, draft_2024, data_entry_user
):
    department = f.make_department(draft_2024.region, name="市测试局")
    path = preview(tmp_path, FILE.replace("市审计局".encode("gbk"), "市测试局".encode("gbk")))
    Department.objects.filter(pk=department.pk).delete()

    assert confirm(path, data_entry_user) is None

    assert not DataSharingRequest.private_objects.filter(report=draft_2024).exists()


def test_a_report_deleted_since_the_preview_makes_it_write_nothing(
    tmp_path, draft_2024, data_entry_user
):
    path = preview(tmp_path, FILE)
    AnnualReport.private_objects.filter(pk=draft_2024.pk).delete()

    assert confirm(path, data_entry_user) is None

    assert not DataSharingRequest.private_objects.filter(report_id=draft_2024.pk).exists()


def test_a_preview_with_errors_keeps_no_counts_to_confirm(tmp_path, draft_2024, data_entry_user):
    path = tmp_path / "checked"
    with path.open("wb") as checked_to:
        outcome = run(
            "datasharingrequest", FILE.replace(b"36184", b"-1"), dry_run=True, checked_to=checked_to
        )
    assert not outcome.ok

    assert confirm(path, data_entry_user) is None

    assert not DataSharingRequest.private_objects.filter(report=draft_2024).exists()


def test_only_a_preview_that_writes_nothing_keeps_what_it_checked(tmp_path):
    # Regions: later rows may name what earlier ones create, so their preview writes (and
    # rolls back); what it checked is not kept, and their import reads the file again.
    out = io.BytesIO()
    exporting.write(spec_for("region"), Region.objects.all(), "csv", out)
    path = tmp_path / "checked"
    with path.open("wb") as checked_to:
        outcome = import_records(
            "region", io.BytesIO(out.getvalue()), file_name="r.csv", dry_run=True,
            checked_to=checked_to,
        )  # fmt: skip
    assert outcome.ok and outcome.skipped == Region.objects.count(), outcome.messages()
    assert path.stat().st_size == 0


def test_a_file_cut_short_or_of_other_models_writes_nothing(tmp_path, draft_2024, data_entry_user):
    path = preview(tmp_path, FILE)
    whole = path.read_bytes()
    path.write_bytes(whole[: len(whole) // 2])  # its worker killed while writing it
    assert confirm(path, data_entry_user) is None

    # Written before a deployment that changed the model's columns.
    path.write_bytes(whole)
    with path.open("rb") as stream:
        batch, counts = pickle.load(stream), pickle.load(stream)
    batch.fields = batch.fields[:-1]
    path.write_bytes(pickle.dumps(batch) + pickle.dumps(counts))
    assert confirm(path, data_entry_user) is None

    assert not DataSharingRequest.private_objects.filter(report=draft_2024).exists()
    path.write_bytes(whole)
    assert confirm(path, data_entry_user).new == 4
