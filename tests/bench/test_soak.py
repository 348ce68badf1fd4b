"""The soak counts a worker that gunicorn replaced for cause, not one recycled as configured."""

from bench.soak import FAILED_WORKER

# Lines as gunicorn's arbiter and sync worker write them (gunicorn/arbiter.py, workers/sync.py).
LOG = """\
[2026-12-02 05:25:01 +0000] [100] [INFO] Booting worker with pid: 101
[2026-12-02 05:25:09 +0000] [100] [CRITICAL] WORKER TIMEOUT (pid:102)
[2026-12-02 05:25:09 +0000] [100] [ERROR] Worker (pid:102) was sent SIGKILL! Perhaps out of memory?
[2026-12-02 05:25:10 +0000] [100] [ERROR] Worker (pid:103) exited with code 1.
[2026-12-02 05:25:11 +0000] [100] [WARNING] Worker (pid:104) was sent SIGSEGV!
[2026-12-02 05:25:12 +0000] [105] [INFO] Autorestarting worker after current request.
[2026-12-02 05:25:12 +0000] [100] [INFO] Worker (pid:105) was sent SIGTERM!
"""


def test_workers_replaced_for_cause_are_counted_once_each():
    failed = {a or b for a, b in FAILED_WORKER.findall(LOG)}
    assert failed == {"102", "103", "104"}
