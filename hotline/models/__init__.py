from .catalogue import AppealCategory, Indicator, ReportTable, Section, SharingMethod
from .checks import CheckOperand, CheckRule
from .records import DataSharingRequest, EpisodeGuest, LivestreamEpisode, PolicyDocument
from .regions import Department, Region
from .reports import AnnualReport, AppealCount, Figure, ReportEvent

__all__ = [
    "AnnualReport",
    "AppealCategory",
    "AppealCount",
    "CheckOperand",
    "CheckRule",
    "DataSharingRequest",
    "Department",
    "EpisodeGuest",
    "Figure",
    "Indicator",
    "LivestreamEpisode",
    "PolicyDocument",
    "Region",
    "ReportEvent",
    "ReportTable",
    "Section",
    "SharingMethod",
]
