"""The entity-relationship diagram of the schema, as a Mermaid ``erDiagram`` drawn from the models.

paracelsus (a test and development dependency) writes the diagram from
``db.models.metadata``; the README shows it (GitHub draws Mermaid) and the
web schema page draws the copy in ``db/web/schema.mmd`` with the vendored
Mermaid. ``tests/test_erd.py`` regenerates both and fails when either has
drifted from the models.

Usage: ``python -m db.erd`` prints the diagram; ``python -m db.erd --update``
rewrites the README's diagram and ``db/web/schema.mmd`` in a checkout.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SCHEMA_MERMAID = Path(__file__).resolve().parent / "web" / "schema.mmd"
README = ROOT / "README.md"
START, END = "<!-- erd:start (python -m db.erd --update) -->", "<!-- erd:end -->"
_BLOCK = re.compile(re.escape(START) + r"\n.*?" + re.escape(END), re.DOTALL)


def mermaid() -> str:
    """The schema as Mermaid erDiagram text: every table, its columns (keys marked) and its foreign keys."""
    from paracelsus.transformers.mermaid import Mermaid

    from .models import metadata

    text = str(Mermaid(metadata, "preserve-order", omit_comments=True))
    return "\n".join(line.rstrip() for line in text.strip().splitlines()) + "\n"


def readme_block(diagram: str) -> str:
    """The README's diagram: the Mermaid text in a fenced block, between its markers."""
    return f"{START}\n```mermaid\n{diagram}```\n{END}"


def with_diagram(readme: str, diagram: str) -> str:
    """The README text with its diagram block replaced; ValueError when its markers are missing."""
    if _BLOCK.search(readme) is None:
        raise ValueError(f"README.md has no {START} ... {END} block")
    return _BLOCK.sub(lambda _: readme_block(diagram), readme, count=1)


def update() -> list[Path]:
    """Rewrite the README's diagram and db/web/schema.mmd from the models; the files changed."""
    diagram = mermaid()
    changed = []
    readme = README.read_text(encoding="utf-8")
    new_readme = with_diagram(readme, diagram)
    if new_readme != readme:
        README.write_text(new_readme, encoding="utf-8")
        changed.append(README)
    if not SCHEMA_MERMAID.exists() or SCHEMA_MERMAID.read_text(encoding="utf-8") != diagram:
        SCHEMA_MERMAID.write_text(diagram, encoding="utf-8")
        changed.append(SCHEMA_MERMAID)
    return changed


def main(argv: list[str]) -> int:
    if argv == ["--update"]:
        for path in update():
            print(f"rewrote {path.relative_to(ROOT)}")
        return 0
    if argv:
        print("usage: python -m db.erd [--update]", file=sys.stderr)
        return 2
    sys.stdout.write(mermaid())
    return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main(sys.argv[1:]))
