"""Fixtures for the binding's tests. Run by meson (suite `python`) with
PYTHONPATH at the built package; EHCP_SOURCE_ROOT names the source tree
(default: two levels above bindings/python) and EHCP_BUILD_ROOT the meson
build directory (for the `ehcp` tool and the generated C)."""
import datetime as dt
import os
import pathlib

import pytest

import ehcp

HERE = pathlib.Path(__file__).resolve().parent
SOURCE_ROOT = pathlib.Path(os.environ.get("EHCP_SOURCE_ROOT", HERE.parents[2]))
BUILD_ROOT = pathlib.Path(os.environ["EHCP_BUILD_ROOT"]) if "EHCP_BUILD_ROOT" in os.environ else None
SAMPLE = SOURCE_ROOT / "examples" / "data"
TEST_DATA = SOURCE_ROOT / "test" / "data"
SAMPLE_AS_OF = dt.date(2025, 12, 31)


def D(iso: str) -> dt.date:
    return dt.date.fromisoformat(iso)


@pytest.fixture(scope="session")
def england():
    with ehcp.Calendar("england-and-wales") as cal:
        yield cal


@pytest.fixture(scope="session")
def sample():
    """The bundled sample: events.csv + attributes.csv (306 cases)."""
    with ehcp.CaseSet.read(SAMPLE / "events.csv", SAMPLE / "attributes.csv") as cs:
        yield cs


@pytest.fixture(scope="session")
def tool():
    """The `ehcp` command-line tool of the same build, if there is one."""
    if BUILD_ROOT is None or not (BUILD_ROOT / "tools" / "ehcp" / "ehcp").exists():
        pytest.skip("EHCP_BUILD_ROOT does not hold the ehcp tool")
    return str(BUILD_ROOT / "tools" / "ehcp" / "ehcp")
