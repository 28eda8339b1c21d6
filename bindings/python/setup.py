"""setuptools entry for cffi's integration: `cffi_modules` compiles the
extension `ehcp._ehcp_cffi` from ehcp_build.py (API mode) when pip builds
the package. Metadata is in pyproject.toml; where libehcp is found is in
ehcp_build.py (_library_settings)."""
from setuptools import setup

setup(cffi_modules=["ehcp_build.py:ffibuilder"])
