"""The binding covers the C API: every function the umbrella header's
modules declare is declared to cffi and callable through the extension."""
import re


import ehcp
from ehcp._ehcp_cffi import lib
from conftest import HERE, SOURCE_ROOT


def declared_in_headers():
    include = SOURCE_ROOT / "include"
    umbrella = (include / "ehcp.h").read_text()
    names = set()
    for header in re.findall(r'#include "(ehcp/\w+\.h)"', umbrella):
        text = re.sub(r"^#.*$", "", (include / header).read_text(), flags=re.M)
        for decl in re.findall(r"EHCP_EXPORT\s+([^;{]*?)\(", text):
            names.add(re.findall(r"(\w+)\s*$", decl)[0])
    return names


def test_every_header_function_is_bound():
    declared = declared_in_headers()
    assert len(declared) > 100
    cdef = (HERE.parent / "ehcp_build.py").read_text()
    in_cdef = set(re.findall(r"\b(ehcp_\w+)\(", cdef))
    assert sorted(declared - in_cdef) == []
    assert sorted(n for n in declared if not hasattr(lib, n)) == []


def test_public_names():
    for name in ehcp.__all__:
        assert hasattr(ehcp, name), name
    assert (HERE.parent / "ehcp" / "py.typed").exists()
