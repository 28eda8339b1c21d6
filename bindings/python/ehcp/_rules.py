"""Rule sets as data (include/ehcp/ruleset.h)."""
from __future__ import annotations

import os
from typing import Dict, Iterable, List, Mapping, NamedTuple, Optional, Union

from ._ehcp_cffi import ffi, lib
from ._errors import InvalidArgument, NotFoundError, check
from ._util import Owner, cstr, stext, text

#: The named conventions of a rule set (timescales.md defaults first).
OPTIONS = {
    "week_counting": ("t0_plus_7n", "t0_day1"),
    "review_clock": ("decision", "meeting"),
    "closure_window_end": ("inclusive", "exclusive"),
    "region": ("england-and-wales", "scotland", "northern-ireland", "none"),
}


class MilestoneDef(NamedTuple):
    """A milestone of a rule set: id (``"A5"``), name (``"final_plan"``),
    statutory or a local target, label and legal source."""
    id: str
    name: str
    statutory: bool
    label: str
    source: str


class RuleSet(Owner):
    """A statutory rule set: milestones, limits, exceptions and conventions.

    ``RuleSet()`` is the built-in ``england-2014``; ``RuleSet(None)`` an
    empty set. ``file`` (a path or a list of paths) and ``text`` load
    rule-set INI files on top (a file may say ``extends = england-2014``);
    ``options`` sets conventions such as ``{"week_counting": "t0_day1"}``.
    Errors raise with the library's message, e.g. ``"local.ini:7: ..."``.
    A rule set is only read once built: evaluators share it across threads.
    """

    _kind = "rule set"

    def __init__(self, base: Optional[str] = "england-2014", *,
                 file: Union[str, "os.PathLike[str]", Iterable[Union[str, "os.PathLike[str]"]], None] = None,
                 text: Optional[str] = None, source_name: str = "(text)",
                 options: Optional[Mapping[str, str]] = None) -> None:
        super().__init__()
        pr = ffi.new("ehcp_ruleset **")
        rc = lib.ehcp_ruleset_new(pr, cstr(base, "base") if base else ffi.NULL)
        if rc == lib.EHCP_ERR_NOT_FOUND:
            raise NotFoundError(f"unknown built-in rule set '{base}' (built in: england-2014)", rc)
        check(rc)
        self._own(pr[0], lib.ehcp_ruleset_free)
        try:
            files = [] if file is None else [file] if isinstance(file, (str, os.PathLike)) else list(file)
            for f in files:
                self.load_file(f)
            if text is not None:
                self.load_text(text, source_name)
            for k, v in (options or {}).items():
                self.set_option(k, v)
        except BaseException:
            self.close()
            raise

    def _mutable(self):
        p = self._p()
        if self._pins:
            raise InvalidArgument("this rule set is in use by an evaluator and can no longer change")
        return p

    def load_file(self, path: Union[str, "os.PathLike[str]"]) -> None:
        """Read a rule-set INI file into this set (checked whole first)."""
        p = self._mutable()
        check(lib.ehcp_ruleset_load_file(p, os.fsencode(path)), lib.ehcp_ruleset_errmsg, p)

    def load_text(self, text: str, source_name: str = "(text)") -> None:
        """Read rule-set INI text into this set, named ``source_name`` in errors."""
        p = self._mutable()
        raw = text.encode("utf-8")
        check(lib.ehcp_ruleset_load_string(p, raw, len(raw), cstr(source_name, "source_name")),
              lib.ehcp_ruleset_errmsg, p)

    def set_option(self, option: str, value: str) -> None:
        """Set a convention (see :data:`OPTIONS`)."""
        p = self._mutable()
        if lib.ehcp_ruleset_set_option(p, cstr(option, "option"), cstr(value, "value")) != lib.EHCP_OK:
            msg = text(lib.ehcp_ruleset_errmsg(p))
            if not msg:
                known = OPTIONS.get(option)
                msg = (f"unknown value '{value}' for option {option} (use {', '.join(known)})" if known
                       else f"unknown option '{option}' (use {', '.join(OPTIONS)})")
            raise InvalidArgument(msg)

    def option(self, option: str) -> Optional[str]:
        """The current value of a convention (None for an unknown option)."""
        return text(lib.ehcp_ruleset_option(self._p(), cstr(option, "option")))

    @property
    def options(self) -> Dict[str, str]:
        """Every convention and its value."""
        return {k: stext(lib.ehcp_ruleset_option(self._p(), cstr(k))) for k in OPTIONS}

    @property
    def name(self) -> str:
        return text(lib.ehcp_ruleset_name(self._p())) or ""

    @property
    def region(self) -> str:
        """The region its ``region`` convention names."""
        return text(lib.ehcp_region_name(lib.ehcp_ruleset_region(self._p()))) or "none"

    def __len__(self) -> int:
        return lib.ehcp_ruleset_count(self._p())

    @property
    def milestones(self) -> List[MilestoneDef]:
        """The milestones, in rule-set order."""
        p = self._p()
        mid, name, label, src = (ffi.new("const char **") for _ in range(4))
        stat = ffi.new("int *")
        out = []
        for i in range(lib.ehcp_ruleset_count(p)):
            lib.ehcp_ruleset_milestone(mid, name, stat, p, i)
            lib.ehcp_ruleset_milestone_text(label, src, p, i)
            out.append(MilestoneDef(stext(mid[0]), stext(name[0]), bool(stat[0]), stext(label[0]),
                                    stext(src[0])))
        return out

    def __repr__(self) -> str:
        return "<ehcp.RuleSet (closed)>" if self.closed else f"<ehcp.RuleSet {self.name} ({len(self)} milestones)>"
