"""The registry workflow: versions of sources, not files (geo.io.registry reads the files).

One module per concept: ``keys`` (stable entity keys), ``diff`` (what a version changes),
``review`` (an upload read and compared before it is stored), ``report`` (its validation
report), ``fixes`` (manual fixes: choosing, checking, applying), ``search`` (finding entities)
and ``export`` (formula-safe downloads).
"""
