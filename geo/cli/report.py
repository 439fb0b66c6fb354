"""``python -m geo report card|deck|region``: the app's PDFs from the command line.

For monthly automation: the gmina card, the committee deck and the regional report (the
region, a powiat or a subregion) for a "stan na" date, written to ``--out`` (default: the
page's file name in the current folder). The documents are the same as the pages' (the same
builders of :mod:`geo.print`): the deck ends with the programme's monitoring slide (the
indicator file in effect) and, with ``--scenariusz NAZWA``, a saved scenario's slide; the
region's report ends with the monitoring section. Exit codes as for the rest of the CLI:
0 written, 1 an unknown gmina/powiat/subregion/scenario or a document that cannot be made
(``błąd: ...``), 2 usage.
"""

from __future__ import annotations

import argparse
import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any

from geo._fs import atomic_write_bytes
from geo.cli._echo import fail, say
from geo.config import Settings
from geo.core.text import fold
from geo.errors import UserError
from geo.pipeline import CoverageResult, run
from geo.present.formatting import fmt_date

__all__ = ["add_cli", "run_cli"]


_OUT_HELP = "plik PDF (domyślnie: nazwa jak na stronie, w bieżącym folderze)"


class _ScopeError(UserError, ValueError):
    """The area asked for is not in the data (the message lists the known ones)."""


def add_cli(sub: Any, date_type: Callable[[str], dt.date]) -> None:
    """Add ``report card|deck|region`` to the ``python -m geo`` parser (``sub``: its
    subparsers; ``date_type``: the CLI's RRRR-MM-DD parser)."""
    report = sub.add_parser("report", help="dokumenty PDF: karta gminy, prezentacja, raport")
    kinds = report.add_subparsers(dest="kind", required=True, parser_class=type(report))
    card = kinds.add_parser("card", help="karta gminy (PDF)")
    card.add_argument("--gmina", required=True, metavar="TERYT", help="kod TERYT gminy (7 cyfr)")
    deck = kinds.add_parser("deck", help="prezentacja dla komitetu (PDF 16:9)")
    deck.add_argument(
        "--scenariusz",
        metavar="NAZWA",
        default=None,
        help="zapisany scenariusz jako ostatni slajd (zapisany dla tego samego dnia stanu)",
    )
    region = kinds.add_parser("region", help="raport regionalny (PDF A4)")
    area = region.add_mutually_exclusive_group()
    area.add_argument("--powiat", metavar="KOD", help="kod powiatu (4 cyfry), np. 0605")
    area.add_argument("--podregion", metavar="NAZWA", help="nazwa podregionu OWES lub NUTS-3")
    region.add_argument(
        "--nuts3",
        action="store_true",
        help="przy nazwie wspólnej dla podregionu OWES i NUTS-3: NUTS-3 (domyślnie OWES)",
    )
    for parser in (card, deck, region):
        parser.add_argument("--as-of", type=date_type, default=None, help="stan na RRRR-MM-DD")
        parser.add_argument("--out", type=Path, default=None, help=_OUT_HELP)


def run_cli(args: argparse.Namespace, settings: Settings) -> int:
    """Write the PDF asked for; returns the exit code (1: ``błąd: ...`` on stderr)."""
    result = run(settings, args.as_of)
    try:
        pdf, name = _DOCUMENTS[args.kind](result, args, settings)
        out = args.out or Path(name)
        out.parent.mkdir(parents=True, exist_ok=True)
        atomic_write_bytes(out, pdf)
    except UserError as exc:
        return fail(exc)
    except OSError as exc:
        return fail(f"nie można zapisać pliku {args.out}: {exc.strerror}")
    note = " (DANE PRZYKŁADOWE, NIEKOMPLETNE)" if result.registry.is_sample else ""
    say(f"Zapisano {out} · stan na {fmt_date(result.as_of)}{note}", err=True)
    return 0


def _card(
    result: CoverageResult, args: argparse.Namespace, settings: Settings
) -> tuple[bytes, str]:
    from geo.present.profile import build_profile
    from geo.print.card import gmina_card_pdf

    teryt = args.gmina.strip()
    pdf = gmina_card_pdf(result, build_profile(result, teryt))
    return pdf, f"karta_gminy_{teryt}_{result.as_of:%Y-%m-%d}.pdf"


def _monitoring(result: CoverageResult, settings: Settings) -> tuple[Any, Any]:
    """``(watch, chosen)``: the indicator file in effect and its values on the date."""
    from geo.analysis.indicators import load_indicators, monitor
    from geo.store import Store

    with Store.from_settings(settings) as store:
        chosen = load_indicators(settings, store)
    watch = monitor(
        result.region.gminy, result.entities, result.plans, result.as_of, chosen.indicators
    )
    return watch, chosen


def _deck(
    result: CoverageResult, args: argparse.Namespace, settings: Settings
) -> tuple[bytes, str]:
    from geo.print.deck import presentation_pdf
    from geo.print.monitoring import monitoring_slide
    from geo.print.scenario import saved_scenario_slide
    from geo.store import Store

    extra = [monitoring_slide(result, *_monitoring(result, settings))]
    if args.scenariusz is not None:
        with Store.from_settings(settings) as store:
            definition = store.load_scenario(args.scenariusz).definition
        extra.append(saved_scenario_slide(result, definition, args.scenariusz))
    return presentation_pdf(result, extra=extra), f"prezentacja_{result.as_of:%Y-%m-%d}.pdf"


def _region(
    result: CoverageResult, args: argparse.Namespace, settings: Settings
) -> tuple[bytes, str]:
    from geo.print.report import ReportScope, regional_report_pdf, report_scopes

    scopes = report_scopes(result)
    scope: ReportScope = scopes[0]
    if args.powiat is not None:
        scope = _one(
            [s for s in scopes if s.kind == "powiat" and s.key == args.powiat.strip()],
            f"Nie ma powiatu o kodzie {args.powiat!r} w danych regionu",
            [f"{s.key} ({s.label})" for s in scopes if s.kind == "powiat"],
        )
    elif args.podregion is not None:
        wanted = fold(args.podregion)
        found = [s for s in scopes if s.kind == "podregion" and fold(_name(s)) == wanted]
        if len(found) > 1:  # the same name for an OWES and a NUTS-3 subregion
            column = "nuts3_nazwa" if args.nuts3 else "owes_podregion_nazwa"
            found = [s for s in found if s.key.startswith(f"{column}:")]
        scope = _one(
            found,
            f"Nie ma podregionu {args.podregion!r} w danych regionu",
            sorted({_name(s) for s in scopes if s.kind == "podregion"}),
        )
    name = f"raport_{fold(scope.label).replace(' ', '_')}_{result.as_of:%Y-%m-%d}.pdf"
    # the programme's indicators are regional: only the region's report has them
    watched = _monitoring(result, settings) if scope.kind == "region" else None
    return regional_report_pdf(result, scope, monitoring=watched), name


def _name(scope: Any) -> str:
    """A subregion scope's name (its key is ``column:name``)."""
    return str(scope.key.split(":", 1)[1])


def _one(found: list, missing: str, known: list[str]) -> Any:
    """The one area found; else an error naming the known ones."""
    if len(found) == 1:
        return found[0]
    listed = ", ".join(known) if known else "brak"
    raise _ScopeError(f"{missing}. Dostępne: {listed}.")


_DOCUMENTS: dict[
    str, Callable[[CoverageResult, argparse.Namespace, Settings], tuple[bytes, str]]
] = {
    "card": _card,
    "deck": _deck,
    "region": _region,
}
