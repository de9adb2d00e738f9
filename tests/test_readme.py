"""The README's example runs as printed and its promises hold."""

import re
from pathlib import Path

README = Path(__file__).resolve().parents[1] / "README.md"


def readme_example():
    text = README.read_text()
    return re.search(r"## Example\n\n```python\n(.*?)```", text, re.S).group(1)


def test_readme_example_fits_scores_and_saves(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    exec(compile(readme_example(), str(README), "exec"), {})
    out = capsys.readouterr().out
    accuracy = float(re.search(r"test accuracy: ([0-9.]+)", out).group(1))
    few = float(re.search(r"with 100 labels: ([0-9.]+)", out).group(1))
    assert accuracy > 0.95 and few > 0.85
    assert (tmp_path / "dbn_digits.joblib").exists()


def test_readme_is_short_and_speaks_of_no_history():
    text = README.read_text()
    assert len(text.splitlines()) <= 150
    history = ["issue [0-9]+", "before" + " issue", r"\b[0-9a-f]{7}\b"]
    assert not re.search("|".join(history), text, re.I)
