"""Ids in web paths: a route's `{name:id}` takes 1 to 18 ASCII digits and gives an int.

Starlette's `int` convertor takes any count of digits, and int() refuses more than 4,300: a
path with 4,301 was a 500 and a traceback in the log for anyone who asked, where a number past
every id is no page (a 404). Eighteen digits stay below PostgreSQL's bigint (2^63 - 1).
Registered when `tidings.web` is imported, before any of its routes is built.
"""

from __future__ import annotations

from starlette.convertors import Convertor, register_url_convertor

MAX_DIGITS = 18


class IdConvertor(Convertor[int]):
    regex = f"[0-9]{{1,{MAX_DIGITS}}}"

    def convert(self, value: str) -> int:
        return int(value)

    def to_string(self, value: int) -> str:
        return str(int(value))


register_url_convertor("id", IdConvertor())
