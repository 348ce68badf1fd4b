from . import guard  # noqa: F401 (the edit guard's receivers)
from .catalogue import AppealCategory, Indicator, ReportTable, Section, SharingMethod
from .checks import CheckOperand, CheckRule
from .imports import ImportJob, ImportUpload
from .records import DataSharingRequest, EpisodeGuest, LivestreamEpisode, PolicyDocument
from .regions import Department, Region
from .reports import WORKFLOW, AnnualReport, AppealCount, Figure, ReportEvent, ReportLocked
from .versions import PublishedVersion

__all__ = [
    "WORKFLOW",
    "AnnualReport",
    "AppealCategory",
    "AppealCount",
    "CheckOperand",
    "CheckRule",
    "DataSharingRequest",
    "Department",
    "EpisodeGuest",
    "Figure",
    "ImportJob",
    "ImportUpload",
    "Indicator",
    "LivestreamEpisode",
    "PolicyDocument",
    "PublishedVersion",
    "Region",
    "ReportEvent",
    "ReportLocked",
    "ReportTable",
    "Section",
    "SharingMethod",
]
