"""Background jobs in tests: a data-sharing register of any length, and the library's worker
(`manage.py db_worker`) run in another process on the test's database (the fixture
`worker_env`, in tests/conftest.py)."""

import subprocess
import sys

from django.conf import settings

HEADER = (
    "城市,年度,序号,行号,行政层级,共享部门,共享方式,共享主题,"
    "期间,共享诉求数据量,用途,审批,交付日期,备注\n"
)


def register(rows: int) -> bytes:
    """A data-sharing register of `rows` rows for the 2024 draft."""
    lines = [
        f"淮安市,2024,1,{n},淮安市,市审计局,U盘拷贝,主题{n},2020.1.1—2023.12.31,{n},审计分析,,2024.1.5,\n"
        for n in range(1, rows + 1)
    ]
    return (HEADER + "".join(lines)).encode()


def work(env, timeout=120, queue="default"):
    """Run every task queued on `queue` with the library's worker, then stop."""
    command = ["manage.py", "db_worker", "--batch", "--no-startup-delay", "--no-reload"]
    done = subprocess.run(
        [sys.executable, *command, "--queue-name", queue],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    assert done.returncode == 0, done.stderr[-3000:]


def start_worker(env) -> subprocess.Popen:
    """A worker that keeps running until stopped."""
    return subprocess.Popen(
        [sys.executable, "manage.py", "db_worker", "--no-startup-delay", "--no-reload"],
        cwd=settings.BASE_DIR,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
