# The admin import step runs a real worker on the test's database, as the import job tests do.
from ..importing.conftest import worker_env  # noqa: F401
