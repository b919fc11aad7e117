"""The report of ``skstim synthesize --report DIR`` and ``skstim evaluate --report DIR``.

A markdown file (``DIR/report.md``) and PNG figures that a data holder can hand to an
ethics board: what was done (input, rows, people, classes, every synthesis parameter the
stimuli file records), example stimuli beside per-class aggregates of the real rows,
utility, the privacy checks with their baselines, the utility/privacy trade-off (or where
to find it) and the caveats. Every number comes from the run (or from the stimuli file it
read or wrote); nothing is taken from elsewhere.

By default the report holds no real row: a class's real rows are drawn only as their
mean and standard deviation per time step, and only where they come from at least
``min_people`` people. Real rows themselves are drawn only with ``private=True``: every
such figure is marked ``PRIVATE DATA - do not share`` and the report's files are made
readable by their owner only. User text (labels, column and file names) is escaped.

Each file is written atomically (a temporary file in ``DIR``, then renamed), the figures
first and ``report.md`` last, so that the report never links to a missing figure. A
report already in ``DIR`` is replaced only with ``overwrite=True``: its ``report.md`` and
the figures it links are removed first, so that no stale figure survives. The
figures are drawn with matplotlib's Agg canvas, without pyplot: no display is needed and
the caller's matplotlib backend is left alone.
"""

from ._evaluation import evaluation_report
from ._markdown import REPORT_NAME
from ._synthesis import synthesis_report

__all__ = ["REPORT_NAME", "synthesis_report", "evaluation_report"]
