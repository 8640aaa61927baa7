"""PostgreSQL, with a bound on every wait for the server's answer.

`statement_timeout` makes a slow statement fail on the server, and libpq's
`connect_timeout` bounds connecting; neither helps when a server (or the network
to it) stops answering on a connection that is already open, as persistent
connections are. Here every wait for an answer gives up after
OPTIONS["answer_timeout"] seconds with an OperationalError, which visitors see as
the 503 page, and the check Django runs on a reused connection gives up after one
second: a hung database costs a request a few seconds, never a worker.
"""

import psycopg
from django.db.backends.postgresql import base

HEALTH_CHECK_TIMEOUT = 1  # seconds for the "SELECT 1" on a reused connection


class Connection(psycopg.Connection):
    answer_timeout = None  # seconds; None waits as long as it takes

    def wait(self, gen, interval=0.1, timeout=None):
        # Raises psycopg's _WaitTimeout, an OperationalError, when time is up.
        return super().wait(gen, interval, self.answer_timeout if timeout is None else timeout)


class DatabaseWrapper(base.DatabaseWrapper):
    def get_connection_params(self):
        params = super().get_connection_params()
        self.answer_timeout = params.pop("answer_timeout", None) or None
        return params

    def get_new_connection(self, conn_params):
        connection = super().get_new_connection(conn_params)
        # psycopg builds its own class; this one only changes how long `wait` waits.
        connection.__class__ = Connection
        connection.answer_timeout = self.answer_timeout
        return connection

    def is_usable(self):
        if self.connection is None:
            return False
        self.connection.answer_timeout = HEALTH_CHECK_TIMEOUT
        try:
            return super().is_usable()
        finally:
            self.connection.answer_timeout = self.answer_timeout
