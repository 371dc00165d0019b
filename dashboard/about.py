"""The "About this model" page, in the manner of NetLogo's Info tab.

Its text is read from ``docs/MODEL.md`` (the model document) when the app is built, so
there is one copy: what it is, how it works, things to notice, things to try, references.
Lessons are scenarios from the library, in teaching order.
"""

from __future__ import annotations

import functools
import re
from pathlib import Path

from dyadsim.package_data import located

MODEL_DOC: Path = located("docs", "docs") / "MODEL.md"
"""The model document: shipped in the package (``dyadsim/docs``), or the repository's."""

#: Info-tab heading -> the model document's section (its heading's start).
SECTIONS: tuple[tuple[str, str], ...] = (
    ("What it is", "1. Purpose"),
    ("How it works", "3. Process overview"),
    ("Things to notice", "11. Things to notice"),
    ("Things to try", "12. Things to try"),
    ("Known limits", "9. Known limits"),
    ("References", "10. References"),
)

#: Lessons, in teaching order: a secure couple, the trap, its triggers, ways out; then a
#: life: where the pattern comes from (S7), whom we choose (S10), wounds in adult life (S6).
LESSONS: tuple[str, ...] = (
    "secure_secure", "anxious_avoidant_trap", "delayed_text", "softening", "antidote",
    "secure_base", "intermittent_reinforcement", "therapy_eft", "earned_security",
    "strange_situation", "familiar_partner", "new_wound",
)


@functools.cache
def doc_sections() -> dict[str, str]:
    """The model document's ``## `` sections, by heading."""
    text = MODEL_DOC.read_text(encoding="utf-8")
    parts = re.split(r"^## ", text, flags=re.MULTILINE)[1:]
    return {p.split("\n", 1)[0].strip(): p.split("\n", 1)[1].strip() for p in parts}


def section(start: str) -> str:
    """The body of the section whose heading starts with ``start``.

    Raises:
        KeyError: No section of the model document starts so (a test guards this).
    """
    for heading, body in doc_sections().items():
        if heading.startswith(start):
            return body
    raise KeyError(f"docs/MODEL.md has no section '{start}...'")
