"""Typed exceptions for the library's error codes (include/ehcp/common.h)."""
from __future__ import annotations

from typing import Optional

from ._ehcp_cffi import ffi, lib


class Error(Exception):
    """Base of every exception ehcp raises.

    ``code`` is the library's negative ``enum ehcp_error`` value and
    ``message`` the library's own message (an object's ``*_errmsg()``, a date
    parser's reason, or ``ehcp_strerror(code)`` when there is nothing more
    precise). ``str(exc)`` is the message.
    """

    code: int = -99
    #: the text that failed to parse, for date parsing errors
    input: Optional[str] = None

    def __init__(self, message: str, code: Optional[int] = None):
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code

    def __str__(self) -> str:
        return self.message


class NoMemoryError(Error, MemoryError):
    """EHCP_ERR_NOMEM: an allocation failed."""
    code = lib.EHCP_ERR_NOMEM


class InvalidArgument(Error, ValueError):
    """EHCP_ERR_INVALID: an argument is invalid (unknown name, bad option...)."""
    code = lib.EHCP_ERR_INVALID


class ParseError(Error, ValueError):
    """EHCP_ERR_PARSE: text (a date, a file, a rule set) could not be parsed."""
    code = lib.EHCP_ERR_PARSE


class RangeError(Error, ValueError):
    """EHCP_ERR_RANGE: a date or count is outside the supported range."""
    code = lib.EHCP_ERR_RANGE


class FileError(Error, OSError):
    """EHCP_ERR_IO: a file could not be opened or read (an OSError)."""
    code = lib.EHCP_ERR_IO


class NotFoundError(Error, LookupError):
    """EHCP_ERR_NOT_FOUND: the requested item (a built-in rule set...) does not exist."""
    code = lib.EHCP_ERR_NOT_FOUND


class LimitError(Error):
    """EHCP_ERR_LIMIT: a safety limit was hit (recurrence expansion, a huge rule file)."""
    code = lib.EHCP_ERR_LIMIT


_BY_CODE = {cls.code: cls for cls in (NoMemoryError, InvalidArgument, ParseError, RangeError,
                                      FileError, NotFoundError, LimitError)}


def strerror(code: int) -> str:
    """The library's short description of an error code (``ehcp_strerror``)."""
    return ffi.string(lib.ehcp_strerror(code)).decode()


def error_for(code: int, message: Optional[str] = None) -> Error:
    """The exception for a library return code, carrying ``message`` (or
    ``ehcp_strerror(code)`` when the message is empty or absent)."""
    cls = _BY_CODE.get(code, Error)
    return cls(message or strerror(code), code)


def check(code: int, errmsg=None, obj=None) -> int:
    """Raise for a negative library return code; return ``code`` otherwise.
    ``errmsg(obj)`` is the object's ``*_errmsg`` function."""
    if code >= 0:
        return code
    message = None
    if errmsg is not None and obj is not None:
        text = errmsg(obj)
        if text != ffi.NULL:
            message = ffi.string(text).decode("utf-8", "replace")
    raise error_for(code, message)
