"""The privacy checks as the commands print them and as the report shows them: intervals,
one block per attacker, the worst attack; summaries of older versions still shown."""

import re

import numpy as np
import pytest

from skstim.cli._privacy_text import format_privacy
from skstim.cli.report._markdown import _Writer
from skstim.cli.report._sections import _privacy_section
from skstim.datasets import make_sleep_apnea
from skstim.evaluation import quick_privacy_checks

INTERVAL = re.compile(r"(-?\d+\.\d+) \\?\[(-?\d+\.\d+), (-?\d+\.\d+)\\?\]")
NEW_KEYS = ("has_power", "share_of_power", "sampling_rate", "sampling_rate_assumed")


@pytest.fixture(scope="module")
def summary():
    """The checks of 20 real rows plus noise against 6 people's rows."""
    data = make_sleep_apnea(n_subjects=6, n_windows=12, sampling_rate=1.0, random_state=1)
    rng = np.random.default_rng(0)
    X = data.X[::4] + 0.3 * rng.normal(size=data.X[::4].shape)
    return quick_privacy_checks(X, data.X, data.groups, data.input_shape, 0, n_resamples=200)


def _old_schema(summary):
    """``summary`` as versions before the intervals wrote it: one attacker, no worst case."""
    def strip(record):
        return {k: v for k, v in record.items() if not k.endswith("_ci") and k not in NEW_KEYS}

    return {"n_stimuli_checked": summary["n_stimuli_checked"],
            "n_real_rows": summary["n_real_rows"],
            "distance_to_closest_record": strip(summary["distance_to_closest_record"]),
            "reidentification": strip(summary["reidentification"])}


def _no_power(summary):
    """``summary`` where no attacker had power."""
    reason = "no attacker has power: none links the held-back real rows above chance"
    return {**summary, "worst_case": {"attacker": None, "reason": reason}}


def _intervals(text):
    """``(value, low, high)`` of every figure with an interval in ``text``."""
    return [tuple(float(v) for v in match) for match in INTERVAL.findall(text)]


# --------------------------------------------------------------------- the printout

def test_every_printed_figure_has_its_interval(summary):
    lines = format_privacy(summary)
    text = "\n".join(lines)
    found = _intervals(text)
    # 4 distance figures; per attacker: accuracy, 2 mean posteriors, share of power,
    # share linked; the worst attack's share
    assert len(found) == 4 + 2 * 5 + 1
    for value, low, high in found:
        assert low <= value <= high
    assert "re-identification (summary-feature attacker)" in text
    assert "re-identification (HRV attacker)" in text and "1 Hz assumed" in text


def test_the_last_line_names_the_worst_attack(summary):
    worst = summary["worst_case"]
    assert worst["attacker"] is not None  # six people who differ: the attackers have power
    name = {"reidentification": "summary-feature attacker",
            "reidentification_hrv": "HRV attacker"}[worst["attacker"]]
    last = format_privacy(summary)[-1]
    assert last.startswith(f"  worst attack: the {name}")
    assert f"{worst['share_of_power']:.3f} [{worst['share_of_power_ci'][0]:.3f}, " in last

    last = format_privacy(_no_power(summary), indent="")[-1]
    assert last == f"worst attack: none ({_no_power(summary)['worst_case']['reason']})"


def test_an_old_summary_prints_without_intervals(summary):
    old = _old_schema(summary)
    lines = format_privacy(old)
    text = "\n".join(lines)
    assert "[" not in text and "HRV" not in text
    assert f"top-1 accuracy {old['reidentification']['real_held_back_top1_accuracy']:.3f}," in text
    assert lines[-1] == ("  worst attack: not recorded (a summary written before the attackers "
                         "were compared)")


def test_a_skipped_attacker_prints_its_reason(summary):
    skipped = {**summary, "reidentification_hrv": {"skipped": "the HRV attacker needs more"}}
    text = "\n".join(format_privacy(skipped))
    assert "re-identification (HRV attacker): skipped (the HRV attacker needs more)" in text
    assert "re-identification (summary-feature attacker): random forest" in text


# ------------------------------------------------------------------------ the report

def _section(privacy, directory):
    return _privacy_section(_Writer(directory), privacy, against="the private rows")


def _table_rows(text, first_header):
    """The rows of the markdown table whose header starts with ``first_header``."""
    lines = text.splitlines()
    start = next(k for k, line in enumerate(lines) if line.startswith(f"| {first_header} |"))
    rows = []
    for line in lines[start + 2:]:
        if not line.startswith("|"):
            break
        rows.append([cell.strip() for cell in line.strip("|").split(" | ")])
    return rows


def test_the_report_shows_intervals_attackers_and_the_worst_attack(summary, tmp_path):
    text = _section(summary, tmp_path)
    for value, low, high in _intervals(text):
        assert low <= value <= high
    for line in format_privacy(summary):  # every printed figure, in the report
        for number in re.findall(r"-?\d+\.\d+", line):
            assert number in text, (number, line)
    rows = _table_rows(text, "attacker")
    assert {row[0] for row in rows} == {"summary-feature attacker", "HRV attacker"}
    accuracy = [row for row in rows if row[1].startswith("top-1 accuracy")]
    assert len(accuracy) == 2 and all(INTERVAL.search(row[3]) for row in accuracy)
    distance = _table_rows(text, "measure")
    assert all(INTERVAL.search(row[1]) for row in distance[:3])
    assert "**Worst attack.** The " in text
    names = {path.name for path in tmp_path.iterdir()}
    assert {"privacy_distance.png", "privacy_reidentification.png"} <= names

    text = _section(_no_power(summary), tmp_path / "none")
    assert "**Worst attack.** None (no attacker has power" in text


def test_the_report_renders_an_old_summary(summary, tmp_path):
    text = _section(_old_schema(summary), tmp_path)
    assert "[" not in text.replace("![", "")  # no interval; only the figures' links
    rows = _table_rows(text, "attacker")
    assert {row[0] for row in rows} == {"summary-feature attacker"}
    assert "**Worst attack.** Not recorded" in text
    assert "written before intervals were recorded" in text
    markdown_it = pytest.importorskip("markdown_it")
    html = markdown_it.MarkdownIt("commonmark").enable("table").render(text)
    assert html.count("<table>") == 2


def test_the_report_renders_the_new_summary_as_markdown(summary, tmp_path):
    markdown_it = pytest.importorskip("markdown_it")
    text = _section(summary, tmp_path)
    html = markdown_it.MarkdownIt("commonmark").enable("table").render(text)
    assert html.count("<table>") == 2 and "<a href" not in html  # brackets are no links
    value, low, high = _intervals(text)[0]
    assert f"{value:.3f} [{low:.3f}, {high:.3f}]" in html
