"""Markdown tables for the benchmark scripts, printed and kept for a file."""


class Report:
    """Markdown tables printed as they come and kept for the results file."""

    def __init__(self):
        self.lines = []
        self.figures = {}

    def table(self, title, header, rows):
        lines = [f"### {title}", "", "| " + " | ".join(header) + " |"]
        lines.append("|" + "---|" * len(header))
        lines += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
        self.add("\n".join(lines) + "\n")

    def add(self, text):
        print(text, flush=True)
        self.lines.append(text)
