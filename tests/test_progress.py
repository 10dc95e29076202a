"""Progress lines: timed, with rates and the time left; a heartbeat for silent library calls."""

from __future__ import annotations

import time

from pipeline.progress import Progress, heartbeat


def test_pace_says_the_rate_and_the_time_left(capsys) -> None:
    log = Progress("demo")
    log.start()
    time.sleep(0.05)
    log.pace("reading lines", 1000, share=0.25)
    line = capsys.readouterr().err
    assert line.startswith("[demo ") and "reading lines: 1,000 (" in line
    assert "/s, 25%, ~" in line and "s left)" in line


def test_a_heartbeat_reports_while_a_call_runs() -> None:
    said: list[str] = []
    with heartbeat(said.append, "rounds", lambda: 7, every=0.02):
        time.sleep(0.15)
    assert said and all(s.startswith("rounds: 7 in ") for s in said)


def test_a_pacer_speaks_at_most_every_interval_and_when_done(capsys) -> None:
    step = Progress("demo").pacer("scored", every=3600)
    for done in range(1, 101):
        step(done, 100)
    lines = capsys.readouterr().err.splitlines()
    assert len(lines) == 1 and "scored: 100/100 (" in lines[0]
