"""How a database error is worded: a login the server refuses is not a refused write."""

from __future__ import annotations

import pytest

from db.failures import REFUSED, describe


class _FakeDriverError(Exception):
    """Stands for a driver's exception: its module decides which engine's codes apply."""


def _mysql_error(code: int, text: str) -> Exception:
    cls = type("OperationalError", (_FakeDriverError,), {"__module__": "pymysql.err"})
    return cls(code, text)


def _pg_error(sqlstate: str, text: str) -> Exception:
    cls = type("OperationalError", (_FakeDriverError,), {"__module__": "psycopg", "sqlstate": sqlstate})
    return cls(text)


def _where():
    return None, "the database"


@pytest.mark.parametrize("exc", [
    _mysql_error(1045, "Access denied for user 'accords_reader'@'127.0.0.1' (using password: YES)"),
    _pg_error("28P01", 'password authentication failed for user "accords_reader"'),
], ids=["mariadb", "postgresql"])
def test_a_login_the_server_refuses_is_said_to_be_a_login_failure(exc):
    message = describe(exc, True, _where)
    assert message.startswith("cannot log in: check the URL's user name and password ("), message
    assert REFUSED not in message


def test_a_write_the_reader_may_not_make_is_still_refused():
    message = describe(_mysql_error(1142, "INSERT command denied to user 'accords_reader'"), True, _where)
    assert message.startswith(REFUSED), message
