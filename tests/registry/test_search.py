"""Tests of geo/registry/search.py: the entity search of the fixes form and the registry page."""

from __future__ import annotations

from registry_samples import sample_entities

from geo.registry.search import NAME_AND_PLACE, REGISTRY_TEXT, matching


def test_search_folds_case_diacritics_and_spacing() -> None:
    entities = sample_entities()
    assert matching(entities, "lodz").tolist() == [True, False, False, False]
    assert matching(entities, "  ŁĄKA   w ").tolist() == [False, True, False, False]
    assert matching(entities, "   ").all()
    assert matching(entities.iloc[:0], "łąka").empty


def test_search_columns_differ_between_the_fix_form_and_the_registry_page() -> None:
    entities = sample_entities()
    # the operator and the gmina are searched on the registry page only
    assert not matching(entities, "leczna", NAME_AND_PLACE).any()
    assert matching(entities, "leczna", REGISTRY_TEXT).tolist() == [False, False, True, False]
    assert matching(entities, "zamosc", REGISTRY_TEXT).tolist() == [False, False, False, True]
    # an absent column counts as empty
    assert matching(entities.drop(columns="gmina"), "zamosc", REGISTRY_TEXT).iloc[3]
