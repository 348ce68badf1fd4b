"""gunicorn's settings for this site, as README "Deploying" runs it:

    .venv/bin/gunicorn -c gunicorn.conf.py

Everything that differs between machines comes from the environment.
"""

import os

wsgi_app = "hotline.wsgi"
bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8001")
# Sync workers, one request each: about two per core. Each holds one database connection (or
# DATABASE_POOL_SIZE): keep the budget of README "Deploying".
workers = int(os.environ.get("GUNICORN_WORKERS", "4"))
# A worker busy longer than this is killed and replaced. Pages, PDFs and downloads are bounded
# well within it; the admin's import of IMPORT_MAX_ROWS rows is what needs the most (README
# "Import and export"), so lower both together.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "120"))
graceful_timeout = 30
# Each worker is replaced after about this many requests: whatever memory it gathered (its
# page cache is bounded by PAGE_CACHE_MAX_ENTRIES) goes back, the restarts spread out.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "1000"))
max_requests_jitter = max_requests // 10
# The application is loaded once, before the workers fork: they start faster and share it.
preload_app = True
# gunicorn 27 opens a control socket at one path per user and host, which every instance on the
# machine would share: off (nothing here uses gunicornc).
control_socket_disable = True
