"""What the records app tells the rest of the site, which it never imports (reports/, api/)."""

from django.dispatch import Signal

# Sent once a report's publication has committed, with `report`: the public site may prepare
# what its first readers will ask for (reports.prewarm).
report_published = Signal()
