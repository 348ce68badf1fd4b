"""Imports land in the audit history like any other change: a history row per record
created or changed, with the importing user and "导入 <file>" as the reason, and the
many-to-many links as simple_history keeps them."""

import pytest
from simple_history.utils import get_history_manager_for_model

from hotline.models import DataSharingRequest, Figure

from .conftest import data, run

pytestmark = pytest.mark.django_db


def test_created_records_have_their_history_with_user_and_file(draft_2024, data_entry_user):
    run("datasharingrequest", data("sharing-gbk.csv"), "共享登记.csv", user=data_entry_user)
    request = DataSharingRequest.private_objects.get(report=draft_2024, line=2)
    (record,) = request.history.all()
    assert (record.history_type, record.history_user, record.history_change_reason) == (
        "+",
        data_entry_user,
        "导入 共享登记.csv",
    )
    assert (record.records, record.scope) == (110709, "噪声污染\t物业管理：“小区”问题")
    # The links as they were, as simple_history records them on a save.
    assert sorted(str(link.department) for link in record.recipients.all()) == [
        "市人大",
        "市委组织部",
    ]
    assert sorted(link.sharingmethod.code for link in record.methods.all()) == ["disc", "usb"]
    through = {
        link.pk
        for link in DataSharingRequest.recipients.through.objects.filter(datasharingrequest=request)
    }
    assert {link.id for link in record.recipients.all()} == through


def test_a_changed_record_gets_a_change_row_and_an_unchanged_one_none(
    draft_2024, data_entry_user, reviewer_user
):
    run("datasharingrequest", data("sharing-gbk.csv"), "a.csv", user=data_entry_user)
    changed = data("sharing-gbk.csv").replace(b"36184", b"36185")
    outcome = run("datasharingrequest", changed, "b.csv", user=reviewer_user)
    assert (outcome.updated, outcome.skipped) == (1, 3)
    request = DataSharingRequest.private_objects.get(report=draft_2024, line=3)
    latest = request.history.first()
    assert (latest.history_type, latest.history_user, latest.history_change_reason) == (
        "~",
        reviewer_user,
        "导入 b.csv",
    )
    assert latest.records == 36185
    assert latest.prev_record.records == 36184
    # The change is what the admin's history page shows.
    assert [c.field for c in latest.diff_against(latest.prev_record).changes] == ["records"]
    assert [str(link.department) for link in latest.recipients.all()] == ["金湖县检察院"]
    unchanged = DataSharingRequest.private_objects.get(report=draft_2024, line=1)
    assert unchanged.history.count() == 1


def test_a_dry_run_writes_no_history(draft_2024):
    run("figure", data("figures-gbk.csv"), "f.csv", dry_run=True)
    assert not Figure.history.filter(report=draft_2024).exists()


def test_an_imports_history_rows_are_the_ones_simple_history_writes(
    draft_2024, data_entry_user, reviewer_user
):
    """The importer writes its history rows from the records' values (hotline.importing.
    service: Run._history), not through the library: each column as bulk_history_create()
    writes it for the same records, who, when and why, created and then changed."""
    history = get_history_manager_for_model(DataSharingRequest)
    columns = [f.attname for f in history.model._meta.concrete_fields if not f.primary_key]

    def written_and_the_librarys(content, name, user, history_type):
        before = history.count()
        run("datasharingrequest", content, name, user=user)
        written = list(history.order_by("history_id")[before:].values_list(*columns))
        rows = list(history.order_by("history_id")[before:])
        records = DataSharingRequest.private_objects.filter(pk__in=[r.id for r in rows])
        history.bulk_history_create(
            list(records),
            update=history_type == "~",
            default_user=rows[0].history_user,
            default_change_reason=rows[0].history_change_reason,
            default_date=rows[0].history_date,
        )
        made = list(history.order_by("history_id")[before + len(rows) :].values_list(*columns))
        return sorted(written), sorted(made)

    written, made = written_and_the_librarys(data("sharing-gbk.csv"), "a.csv", data_entry_user, "+")
    assert len(written) == 4 and written == made
    changed = data("sharing-gbk.csv").replace(b"36184", b"36185")
    written, made = written_and_the_librarys(changed, "b.csv", reviewer_user, "~")
    assert len(written) == 1 and written == made
