"""Reading a JSON body safely: every way a body can be unreadable is a 400 problem saying
which, never a server error.

Python's parser recurses once per level of nesting (ten thousand ``[`` exhaust the stack) and
refuses integers of more than 4,300 digits with a ``ValueError``; neither is a JSON syntax error,
so both used to reach the server error handler. No request of this API nests more than a few
levels or needs a number of more than a few digits.
"""

from __future__ import annotations

import json
from typing import Any

from flask import Request
from webargs import core
from webargs.flaskparser import FlaskParser, is_json_request

from witness.api.problems import ApiProblem

#: nesting deeper than this is refused (the API's bodies nest two levels at most)
MAX_DEPTH = 32
#: a number written with more characters than this is refused (ids have ten digits)
MAX_NUMBER_LENGTH = 40

NOT_JSON = "The body is not valid JSON. Send a JSON object with 'Content-Type: application/json'."


class _Refused(ValueError):
    """A body the parser must not go on reading; the message says why."""


def _number(kind):
    def parse(text: str):
        if len(text) > MAX_NUMBER_LENGTH:
            raise _Refused(
                f"A number in the body is {len(text):,} characters long; numbers here have at "
                f"most {MAX_NUMBER_LENGTH}."
            )
        return kind(text)

    return parse


def _constant(name: str):
    # NaN and Infinity are not JSON, though Python's parser takes them.
    raise _Refused(NOT_JSON)


def _depth(value: Any) -> int:
    """How deeply ``value`` nests lists and objects, found without recursion."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict):
            item = list(item.values())
        if isinstance(item, list):
            deepest = max(deepest, depth)
            stack.extend((child, depth + 1) for child in item)
    return deepest


def read_json(raw: bytes) -> Any:
    """The JSON value of a request body, or ``ApiProblem(400)`` saying what is wrong with it;
    ``core.missing`` for an empty body."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ApiProblem(
            400,
            f"The body is not valid UTF-8 (byte {exc.start + 1} cannot be read). Send JSON "
            "encoded as UTF-8.",
        ) from exc
    if not text.strip():
        return core.missing
    too_deep = f"The body nests lists or objects more than {MAX_DEPTH} levels deep."
    try:
        value = json.loads(
            text, parse_int=_number(int), parse_float=_number(float), parse_constant=_constant
        )
    except _Refused as exc:
        raise ApiProblem(400, str(exc)) from exc
    except RecursionError as exc:
        raise ApiProblem(400, too_deep) from exc
    except ValueError as exc:  # json.JSONDecodeError among them
        raise ApiProblem(400, NOT_JSON) from exc
    if _depth(value) > MAX_DEPTH:
        raise ApiProblem(400, too_deep)
    return value


class BodyParser(FlaskParser):
    """webargs' parser, reading JSON bodies with ``read_json``."""

    def _raw_load_json(self, req: Request) -> Any:
        if not is_json_request(req):
            return core.missing
        return read_json(req.get_data(cache=True))
