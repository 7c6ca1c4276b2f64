"""``ossgrowth serve`` refuses a staging without a password, in one line."""

from __future__ import annotations

import pytest

from ossgrowth.cli import main


def test_staging_without_a_password_refuses_to_serve(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["--env", "staging", "serve", "--port", "1"])
    assert exited.value.code == 2
    captured = capsys.readouterr()
    assert captured.err == (
        "Error: staging needs a password: set OSSGROWTH_STAGING_PASSWORD "
        "(every route asks for it)\n"
    )
    assert captured.out == ""
