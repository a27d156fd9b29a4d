"""Shared fixtures: a seeded generator for every test that draws random numbers; and a check,
at the end of the run, that the null device is still a device."""

from __future__ import annotations

import os
import stat

import numpy as np
import pytest


@pytest.fixture
def rng() -> np.random.Generator:
    return np.random.default_rng(20261121)


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """Fail the run if anything in it replaced the null device with a regular file."""
    if os.name == "posix" and not stat.S_ISCHR(os.stat(os.devnull).st_mode):
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
        print(f"\n{os.devnull} is no longer a device: a test or the code wrote over it "
              f"(restore it: rm -f {os.devnull} && mknod -m 666 {os.devnull} c 1 3)")
