"""The collector pause of bulk steps: off inside, the previous state after, in every case."""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator

import pytest

from geo._gc import paused_gc


@pytest.fixture(autouse=True)
def _collector_on() -> Iterator[None]:
    gc.enable()
    yield
    gc.enable()


def test_pause_and_resume() -> None:
    with paused_gc():
        assert not gc.isenabled()
    assert gc.isenabled()


def test_nested_pauses_resume_at_the_outermost() -> None:
    with paused_gc():
        with paused_gc():
            assert not gc.isenabled()
        assert not gc.isenabled()
    assert gc.isenabled()


def test_an_error_inside_still_resumes() -> None:
    with pytest.raises(ValueError), paused_gc():
        raise ValueError("boom")
    assert gc.isenabled()


def test_a_collector_switched_off_by_the_caller_stays_off() -> None:
    gc.disable()
    with paused_gc():
        pass
    assert not gc.isenabled()


def test_as_decorator() -> None:
    @paused_gc()
    def inside() -> bool:
        return gc.isenabled()

    assert inside() is False
    assert gc.isenabled()


def test_overlapping_threads_resume_when_the_last_one_ends() -> None:
    entered = threading.Event()
    release = threading.Event()

    def worker() -> None:
        with paused_gc():
            entered.set()
            release.wait(timeout=10)

    thread = threading.Thread(target=worker)
    with paused_gc():
        thread.start()
        assert entered.wait(timeout=10)
    # This thread's pause ended while the worker's still runs.
    assert not gc.isenabled()
    release.set()
    thread.join(timeout=10)
    assert gc.isenabled()


def test_pipeline_steps_leave_the_collector_on(tmp_path, gminy_06, terc_pl) -> None:
    from geo.analysis.locate import locate_entities
    from geo.io.registry import read_registry
    from geo.store import Store

    path = tmp_path / "r.csv"
    path.write_text("nazwa;typ;teryt\nCIS Lublin;CIS;0663011\n", encoding="utf-8")
    parsed = read_registry(path)
    assert gc.isenabled()
    with Store(f"sqlite:///{tmp_path / 's.sqlite'}") as store:
        store.import_version("test", parsed.frame)
        assert gc.isenabled()
        frame = store.current_entities()
        assert gc.isenabled()
    located = locate_entities(frame, gminy_06, terc_pl, "06")
    assert gc.isenabled()
    assert located["teryt_gminy"].tolist() == ["0663011"]
