"""Manual fixes of entities, stored so that they outlive re-imports of their source.

A fix is addressed by the source name and the entity's stable key
(:func:`geo.registry.keys.stable_keys`), so it applies to every later version of the source
(:func:`geo.registry.fixes.apply_fixes` applies them; this module only stores them). A new fix
of the same kind replaces the active one; revoked and replaced fixes stay listed. The value is
checked here, at the storage boundary, whoever calls.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import replace
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from geo.store.audit import log_change
from geo.store.engine import Database, inserted_id
from geo.store.models import FixInfo, StoreError, as_utc, clean_user, now
from geo.store.sources import source_id, validate_source
from geo.store.tables import fixes_table

__all__ = ["FIX_KINDS", "Fixes", "validate_fix"]

#: Kinds of manual fixes and their Polish names.
FIX_KINDS: dict[str, str] = {
    "gmina": "przypisanie gminy",
    "wspolrzedne": "współrzędne",
    "duplikat": "oznaczenie duplikatu",
    "gminy_obslugiwane": "gminy obsługiwane",
}
_CODE_RE = re.compile(r"\d{7}")


def _finite(value: object, low: float, high: float, label: str) -> float:
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise StoreError(f"{label} musi być liczbą.") from None
    if not math.isfinite(number) or not low <= number <= high:
        raise StoreError(f"{label} musi mieścić się w zakresie {low:g}…{high:g}.")
    return number


def validate_fix(kind: object, value: object) -> dict[str, Any]:
    """The fix's value in canonical form, or StoreError (Polish)."""
    if kind not in FIX_KINDS:
        raise StoreError(f"Nieznany rodzaj poprawki {kind!r}; dostępne: {', '.join(FIX_KINDS)}.")
    if not isinstance(value, dict):
        raise StoreError("Wartość poprawki musi być słownikiem.")
    if kind == "gmina":
        code = str(value.get("teryt") or "").strip()
        if not _CODE_RE.fullmatch(code):
            raise StoreError("Poprawka gminy wymaga 7-cyfrowego kodu TERYT gminy.")
        return {"teryt": code}
    if kind == "wspolrzedne":
        return {
            "szerokosc": _finite(value.get("szerokosc"), -90, 90, "Szerokość geograficzna"),
            "dlugosc": _finite(value.get("dlugosc"), -180, 180, "Długość geograficzna"),
        }
    if kind == "duplikat":
        original = str(value.get("duplikat_z") or "").strip()
        if not original:
            raise StoreError("Wskaż wpis, którego duplikatem jest ten podmiot.")
        return {"duplikat_z": original}
    raw = value.get("gminy")
    codes = [str(c).strip() for c in raw] if isinstance(raw, list | tuple) else []
    if not codes or not all(_CODE_RE.fullmatch(c) for c in codes):
        raise StoreError("Gminy obsługiwane podaj jako listę 7-cyfrowych kodów TERYT gmin.")
    return {"gminy": list(dict.fromkeys(codes))}


def _entity_key(entity: object, source: str, kind: str, canonical: dict[str, Any]) -> str:
    """The fixed entity's stable key, or :class:`StoreError` (Polish)."""
    key = str(entity).strip() if isinstance(entity, str) else ""
    if not key or len(key) > 2000:
        raise StoreError("Nie wskazano podmiotu, którego dotyczy poprawka.")
    if kind == "duplikat" and canonical["duplikat_z"] in (key, f"{source}:{key}"):
        raise StoreError("Podmiot nie może być duplikatem samego siebie.")
    return key


def _insert_fix(conn: Connection, fix: FixInfo) -> FixInfo:
    """Write ``fix`` as the active one of its kind for its entity; returns it with its id."""
    f = fixes_table
    conn.execute(
        sa.update(f)
        .where(f.c.source == fix.source, f.c.entity == fix.entity, f.c.kind == fix.kind, f.c.active)
        .values(active=False, revoked_at=fix.created_at, revoked_by=fix.created_by)
    )
    fix_id = inserted_id(
        conn.execute(
            sa.insert(f).values(
                source=fix.source,
                entity=fix.entity,
                entity_name=fix.entity_name,
                kind=fix.kind,
                value=json.dumps(fix.value, ensure_ascii=False),
                note=fix.note,
                created_at=fix.created_at,
                created_by=fix.created_by,
                active=True,
            )
        )
    )
    return replace(fix, id=fix_id)


class Fixes(Database):
    """Store operations recording, revoking and listing manual fixes."""

    @staticmethod
    def _fix_info(row: Any) -> FixInfo:
        return FixInfo(
            id=int(row.id),
            source=row.source,
            entity=row.entity,
            entity_name=row.entity_name,
            kind=row.kind,
            value=json.loads(row.value),
            note=row.note,
            created_at=as_utc(row.created_at),
            created_by=row.created_by,
            active=bool(row.active),
            revoked_at=as_utc(row.revoked_at) if row.revoked_at is not None else None,
            revoked_by=row.revoked_by,
        )

    def add_fix(
        self,
        source: str,
        entity: str,
        kind: str,
        value: dict[str, Any],
        *,
        entity_name: str | None = None,
        note: str | None = None,
        user: str | None = None,
    ) -> FixInfo:
        """Record a manual fix of one entity; it replaces an earlier fix of the same kind.

        Parameters
        ----------
        source : str
            Name of an imported source.
        entity : str
            The entity's stable key within the source (:func:`geo.registry.keys.stable_keys`).
        kind, value :
            See :class:`FixInfo`; checked here (codes of 7 digits, coordinates in range).
        entity_name, note, user : optional
            Shown in the list of fixes and written to the audit log.

        Raises
        ------
        StoreError
            On an unknown source, kind or an invalid value; nothing is written then.
        """
        name = validate_source(source)
        canonical = validate_fix(kind, value)
        key = _entity_key(entity, name, kind, canonical)
        user = clean_user(user)
        shown = str(entity_name)[:500] if entity_name else None
        note = (note.strip() or None) if isinstance(note, str) else None
        fix = FixInfo(0, name, key, shown, kind, canonical, note, now(), user, True, None, None)

        def work(conn: Connection) -> FixInfo:
            source_id(conn, name, create=False)
            if kind == "duplikat":
                self._check_original(conn, canonical["duplikat_z"], name, key)
            info = _insert_fix(conn, replace(fix, created_at=now()))
            details = f"Źródło „{name}”, podmiot „{shown or key}”: {info.describe()}."
            log_change(conn, "poprawka", details + (f" Uwaga: {note}" if note else ""), user)
            return info

        return self._write(work)

    @staticmethod
    def _check_original(conn: Connection, original: str, source: str, key: str) -> None:
        """A duplicate must point at an entity that is not itself marked as a duplicate."""
        f = fixes_table
        marked = conn.execute(
            sa.select(f.c.source, f.c.entity, f.c.value).where(f.c.kind == "duplikat", f.c.active)
        ).all()
        for row in marked:
            if f"{row.source}:{row.entity}" == original:
                raise StoreError(
                    "Wskazany wpis sam jest oznaczony jako duplikat; wskaż wpis, który ma "
                    "pozostać liczony."
                )
            if json.loads(row.value).get("duplikat_z") == f"{source}:{key}":
                raise StoreError(
                    "Inne wpisy wskazują ten podmiot jako oryginał; nie można go oznaczyć "
                    "jako duplikatu."
                )

    def revoke_fix(self, fix_id: int, user: str | None = None) -> FixInfo:
        """Withdraw an active fix (it stays listed as revoked)."""
        try:
            key = int(fix_id)
        except (TypeError, ValueError):
            raise StoreError(f"Nieprawidłowy numer poprawki: {fix_id!r}.") from None
        user = clean_user(user)
        f = fixes_table

        def work(conn: Connection) -> FixInfo:
            row = conn.execute(sa.select(f).where(f.c.id == key).with_for_update()).first()
            if row is None:
                raise StoreError(f"Nie ma poprawki o numerze {key}.")
            if not row.active:
                raise StoreError(f"Poprawka nr {key} została już wycofana lub zastąpiona.")
            stamp = now()
            conn.execute(
                sa.update(f)
                .where(f.c.id == key)
                .values(active=False, revoked_at=stamp, revoked_by=user)
            )
            info = self._fix_info(row)
            log_change(
                conn,
                "wycofanie poprawki",
                f"Źródło „{info.source}”, podmiot „{info.entity_name or info.entity}”: wycofano "
                f"poprawkę nr {key} ({info.describe()}).",
                user,
            )
            return replace(info, active=False, revoked_at=stamp, revoked_by=user)

        return self._write(work)

    def fixes(self, *, active_only: bool = True, source: str | None = None) -> list[FixInfo]:
        """Manual fixes, oldest first (only the active ones unless ``active_only=False``)."""
        f = fixes_table
        query = sa.select(f).order_by(f.c.id)
        if active_only:
            query = query.where(f.c.active)
        if source is not None:
            query = query.where(f.c.source == validate_source(source))
        with self._read() as conn:
            return [self._fix_info(r) for r in conn.execute(query)]
