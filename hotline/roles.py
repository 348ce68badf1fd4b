"""Staff groups. Their names and permissions are created by migration 0002."""

DATA_ENTRY = "数据录入员"
REVIEWERS = "审核员"
PUBLISH_PERMISSION = "hotline.publish_annualreport"
