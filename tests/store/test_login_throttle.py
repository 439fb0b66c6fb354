"""Login throttling under concurrency (SQLite and PostgreSQL), the lockout bound and the cap
on concurrent password checks (geo/store/logins.py, geo/store/auth.py)."""

from __future__ import annotations

import datetime as dt
import threading
from collections import Counter
from collections.abc import Callable

import pytest
from db_backends import db_url  # noqa: F401 - fixture

from geo.store import Store, auth
from geo.store import logins as limits

PASSWORD = "Zielona-Łąka-2026"
T0 = dt.datetime(2026, 3, 1, 9, 0, tzinfo=dt.UTC)


@pytest.fixture()
def store(db_url: str):  # noqa: F811
    with Store(db_url) as opened:
        auth.add_user(opened, "ewa", PASSWORD)
        yield opened


@pytest.fixture()
def many_slots(monkeypatch: pytest.MonkeyPatch) -> None:
    """Enough password-check slots that only the store's throttling decides."""
    monkeypatch.setattr(auth, "_slots", threading.BoundedSemaphore(64))


def _race(attempts: list[Callable[[], object]]) -> list[str]:
    """Run ``attempts`` in threads released at once; each answer as text ("ok" = logged in).

    The attempts pass a fixed ``now``: on a slow machine a race may last longer than the
    first delay (1 s), and a later attempt would rightly be allowed.
    """
    barrier = threading.Barrier(len(attempts))
    answers: list[str] = [""] * len(attempts)

    def run(i: int) -> None:
        barrier.wait()
        try:
            attempts[i]()
            answers[i] = "ok"
        except auth.AuthError as exc:
            answers[i] = str(exc)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(attempts))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=300)
    return answers


def _checked(answers: list[str]) -> int:
    """How many attempts had their password checked (a wrong password or a login)."""
    return sum(a in ("ok", auth.FAILED_LOGIN) for a in answers)


def _own_store(url: str, work: Callable[[Store], object]) -> Callable[[], object]:
    # Each attempt on its own Store (engine): like separate workers or app instances.
    def attempt() -> object:
        with Store(url) as own:
            return work(own)

    return attempt


@pytest.mark.usefixtures("many_slots")
def test_parallel_attempts_of_one_client_get_one_password_check(
    store: Store,
    db_url: str,  # noqa: F811
) -> None:
    client = auth.Client("203.0.113.7")
    attempts = [
        _own_store(
            db_url, lambda s: auth.authenticate(s, "ewa", "złe hasło", client=client, now=T0)
        )
        for _ in range(8)
    ]
    answers = _race(attempts)
    assert _checked(answers) == 1, Counter(answers)
    assert store.client_state("203.0.113.7").failures == 1


@pytest.mark.usefixtures("many_slots")
def test_a_burst_with_the_right_password_checks_only_one(
    store: Store,
    db_url: str,  # noqa: F811
) -> None:
    client = auth.Client("203.0.113.8")
    guesses = [f"zgadywane-{i}" for i in range(19)] + [PASSWORD]
    answers = _race(
        [
            _own_store(db_url, lambda s, g=g: auth.authenticate(s, "ewa", g, client=client, now=T0))
            for g in guesses
        ]
    )
    assert _checked(answers) == 1, Counter(answers)


@pytest.mark.usefixtures("many_slots")
def test_made_up_logins_from_one_client_are_throttled(store: Store) -> None:
    client = auth.Client("198.51.100.1")
    answers = _race(
        [
            lambda i=i: auth.authenticate(store, f"zmyslony{i}", "x" * 12, client=client, now=T0)
            for i in range(12)
        ]
    )
    assert _checked(answers) == 1, Counter(answers)
    with pytest.raises(auth.AuthError, match="Spróbuj ponownie za 1 s"):
        later = T0 + dt.timedelta(milliseconds=500)
        auth.authenticate(store, "jeszcze-inny", "x" * 12, client=client, now=later)


@pytest.mark.usefixtures("many_slots")
def test_parallel_attempts_from_many_clients_stop_at_the_login_limit(store: Store) -> None:
    answers = _race(
        [
            lambda i=i: auth.authenticate(
                store, "ewa", "złe", client=auth.Client(f"10.1.0.{i}"), now=T0
            )
            for i in range(25)
        ]
    )
    assert _checked(answers) == limits.LOGIN_MAX_FAILURES, Counter(answers)


def test_a_locked_login_is_freed_when_its_window_ends(store: Store) -> None:
    for i in range(limits.LOGIN_MAX_FAILURES):
        with pytest.raises(auth.AuthError, match="Nieprawidłowy"):
            auth.authenticate(store, "ewa", "złe", client=auth.Client(f"10.2.0.{i}"), now=T0)
    # Attempts while locked (any client, even the right password) are refused and counted
    # nowhere: they do not push the end of the lockout.
    for minute in range(1, 15):
        with pytest.raises(auth.AuthError, match="Zbyt wiele"):
            when = T0 + dt.timedelta(minutes=minute)
            auth.authenticate(store, "ewa", PASSWORD, client=auth.Client("10.2.1.1"), now=when)
    assert store.login_state("ewa").failures == limits.LOGIN_MAX_FAILURES
    assert store.client_state("10.2.1.1").failures == 0
    end = T0 + limits.LOGIN_WINDOW
    assert auth.authenticate(store, "ewa", PASSWORD, client=auth.Client("10.9.9.9"), now=end)


def test_one_failure_every_quarter_hour_never_locks_the_login(store: Store) -> None:
    attacker = auth.Client("192.0.2.66")
    now = T0
    for _ in range(3 * limits.LOGIN_MAX_FAILURES):
        with pytest.raises(auth.AuthError, match="Nieprawidłowy"):
            auth.authenticate(store, "ewa", "złe", client=attacker, now=now)
        now += limits.MAX_DELAY + dt.timedelta(seconds=1)
    # The owner, from her own computer, logs in at once.
    session = auth.authenticate(store, "ewa", PASSWORD, client=auth.Client("10.0.0.5"), now=now)
    assert session.login == "ewa"


def test_the_cap_on_password_checks_refuses_without_counting(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(auth, "_slots", threading.BoundedSemaphore(2))
    running, peak = [0], [0]
    lock = threading.Lock()
    real_verify = auth.verify_password

    def observed(password_hash: str, password: str) -> bool:
        with lock:
            running[0] += 1
            peak[0] = max(peak[0], running[0])
        try:
            return real_verify(password_hash, password)
        finally:
            with lock:
                running[0] -= 1

    monkeypatch.setattr(auth, "verify_password", observed)
    answers = _race(
        [
            lambda i=i: auth.authenticate(store, f"k{i}", "złe", client=auth.Client(f"10.3.0.{i}"))
            for i in range(16)
        ]
    )
    counts = Counter(answers)
    assert peak[0] <= 2 and counts[auth.FAILED_LOGIN] >= 2
    assert counts[auth.BUSY] + counts[auth.FAILED_LOGIN] == 16
    busy = [i for i, a in enumerate(answers) if a == auth.BUSY]
    assert busy and all(store.client_state(f"10.3.0.{i}").failures == 0 for i in busy)


def test_the_cap_comes_from_the_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(auth, "_slots", None)
    monkeypatch.setenv("PES_MAX_PASSWORD_CHECKS", "3")
    slots = auth._password_slots()
    assert [slots.acquire(blocking=False) for _ in range(4)] == [True, True, True, False]
