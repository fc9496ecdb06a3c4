"""gunicorn settings for dryport: ``gunicorn -c gunicorn.conf.py wsgi:app``.

gunicorn also reads this file by itself when started in this folder; options given on its
command line win. Each setting here can be changed through the environment (see
docs/DEPLOYMENT.md).
"""

import gc
import multiprocessing
import os

wsgi_app = "wsgi:app"

# Behind a reverse proxy on the same host: listen on loopback only. Another host's proxy
# needs e.g. GUNICORN_BIND=0.0.0.0:8000 (and FORWARDED_ALLOW_IPS set to that proxy).
bind = [os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")]

# Processes and threads per process. The app keeps nothing in memory between requests, so
# any number of them, on any number of hosts, can serve one PostgreSQL database.
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count() * 2 + 1))
# A thread reads its request from the client itself: a slow client (slowloris, a bad mobile
# link, when nothing buffers in front) holds one for as long as it trickles. With two per
# worker, a handful of them held every thread of a worker, and the requests that worker
# accepted meanwhile waited behind them (15-30 % of the others, straight at gunicorn).
# Eight per worker leave threads free; a thread still waiting for a request's headers holds
# no database connection. The proxy (docs/DEPLOYMENT.md, section 5) buffers whole requests
# and is the real defence.
threads = int(os.environ.get("GUNICORN_THREADS", "8"))

# A departure's waybills as one PDF take seconds; nothing takes a minute.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "60"))
# On SIGTERM (or a reload), a worker stops taking connections and finishes the requests it
# has, for up to this long; then it is killed, and the database rolls back whatever
# transaction it left open. No request is committed halfway.
graceful_timeout = int(os.environ.get("GUNICORN_GRACEFUL_TIMEOUT", "30"))
keepalive = 5

# Every worker opens its own database connections and starts its own webhook sender after
# the fork; nothing of the kind may be shared across it.
preload_app = False

# Logs to standard output and error, one line per request; the service manager keeps them.
# The first field is the client as the proxy saw it (X-Forwarded-For), the second the peer.
accesslog = "-"
errorlog = "-"
access_log_format = '%({x-forwarded-for}i)s %(h)s "%(r)s" %(s)s %(b)s %(M)sms "%(a)s"'

# Proxies whose X-Forwarded-Proto gunicorn believes (the app's own PROXY_COUNT decides for
# the client address). gunicorn reads FORWARDED_ALLOW_IPS itself; the default is loopback.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1,::1")

# gunicorn's control socket sits at one path per user ($HOME/.gunicorn/gunicorn.ctl), shared
# by every server that user runs; signals and the service manager do its work here.
control_socket_disable = True


def post_worker_init(worker):
    """The app is loaded: what it built (models, mappers, schemas, translations) lives as
    long as the worker, so the garbage collector stops walking it. Otherwise each full
    collection walks it all: about 80 ms, every thousand or so requests, during which both
    of the worker's threads stand still, with whatever row or database lock they hold."""
    gc.freeze()
