"""``python -m geo users ...``: editor accounts managed by the operator on the server.

The command line is the only way to create an account (the dashboard has no sign-up). The
password is typed twice at a hidden prompt or read from the first line of standard input,
never taken from the command line (it would stay in the shell history and the process list).
Hashing and the rules for passwords live in :mod:`geo.store.auth`; this module only reads
arguments, prompts and prints.
"""

from __future__ import annotations

import argparse
import getpass
import sys
from typing import Any

from geo.cli._echo import fail, say
from geo.config import Settings
from geo.store import Store, StoreError, normalize_login
from geo.store.auth import AuthError, add_user, change_password

__all__ = ["add_cli", "run_cli"]


def add_cli(subparsers: Any) -> None:
    """Add the ``users`` command to the ``python -m geo`` parser."""
    users = subparsers.add_parser("users", help="konta redaktorów (import, poprawki)")
    actions = users.add_subparsers(dest="action", required=True, parser_class=type(users))
    add = actions.add_parser("add", help="dodaj konto; hasło z klawiatury lub ze stdin")
    add.add_argument("login")
    passwd = actions.add_parser("password", help="ustaw nowe hasło konta")
    passwd.add_argument("login")
    remove = actions.add_parser("remove", help="usuń konto")
    remove.add_argument("login")
    actions.add_parser("list", help="wypisz konta")


def _read_password() -> str:
    """The password from the terminal (asked twice) or the first line of standard input."""
    if sys.stdin is not None and sys.stdin.isatty():
        first = getpass.getpass("Hasło: ")
        second = getpass.getpass("Powtórz hasło: ")
        if first != second:
            raise AuthError("Hasła się różnią.")
        return first
    line = sys.stdin.readline() if sys.stdin is not None else ""
    return line.rstrip("\r\n")


def _operator() -> str:
    """Who runs the command, as written to the audit log."""
    try:
        return f"{getpass.getuser()} (konsola)"
    except (OSError, KeyError):  # no user name in the environment
        return "konsola"


def _run(store: Store, args: argparse.Namespace, by: str) -> None:
    """Carry out one ``users`` action, printing what was done."""
    if args.action == "list":
        for account in store.users():
            say(f"{account.login}\tutworzone {account.created_at:%Y-%m-%d %H:%M} UTC")
        return
    if args.action == "remove":
        store.remove_user(args.login, user=by)
        say(f"Usunięto konto „{normalize_login(args.login)}”.")
        return
    normalize_login(args.login)  # a bad login is refused before asking for a password
    password = _read_password()
    if args.action == "add":
        name = add_user(store, args.login, password, by=by)
        say(f"Utworzono konto „{name}”.")
    else:
        change_password(store, args.login, password, by=by)
        say(f"Zmieniono hasło konta „{normalize_login(args.login)}”.")


def run_cli(args: argparse.Namespace, settings: Settings) -> int:
    """Run ``python -m geo users ...``; returns the exit code."""
    by = _operator()
    try:
        with Store.from_settings(settings) as store:
            _run(store, args, by)
            return 0
    except (AuthError, StoreError) as exc:
        return fail(exc)
