"""The "About this model" page's text, in the manner of NetLogo's Info tab.

Its text is read from ``docs/ABOUT.md`` (written for teachers) when the app is built, so
there is one copy: what it is, how it works, how to use it, things to notice, things to
try, extending the model, related models, known limits, references. The developer's model
document (``docs/MODEL.md``) is not shown here. Lessons are scenarios from the library, in
teaching order.
"""

from __future__ import annotations

import functools
import re
from pathlib import Path

from dyadsim.package_data import located

ABOUT_DOC: Path = located("docs", "docs") / "ABOUT.md"
"""The About page's text: shipped in the package (``dyadsim/docs``), or the repository's."""

#: Info-tab heading -> the About document's section (its heading's start), in page order.
SECTIONS: tuple[tuple[str, str], ...] = (
    ("What is it?", "What is it?"),
    ("How it works", "How it works"),
    ("How to use it", "How to use it"),
    ("Things to notice", "Things to notice"),
    ("Things to try", "Things to try"),
    ("Extending the model", "Extending the model"),
    ("Related models", "Related models"),
    ("Known limits", "Known limits"),
    ("References", "References"),
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
    """The About document's ``## `` sections, by heading.

    What comes before the first section is not shown: it says what the file is.
    """
    text = ABOUT_DOC.read_text(encoding="utf-8")
    parts = re.split(r"^## ", text, flags=re.MULTILINE)[1:]
    return {p.split("\n", 1)[0].strip(): p.split("\n", 1)[1].strip() for p in parts}


def section(start: str) -> str:
    """The body of the section whose heading starts with ``start``.

    Raises:
        KeyError: No section of the About document starts so (a test guards this).
    """
    for heading, body in doc_sections().items():
        if heading.startswith(start):
            return body
    raise KeyError(f"docs/ABOUT.md has no section '{start}...'")
