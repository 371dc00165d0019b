"""Attachment stability from infancy (Strange Situation B) to age 18 (secure traits).

Issue 16 items 3 and 9. Children of caregivers from the default Beta laws grow up on the
model's rules (:func:`dyadsim.life.caregiving.grow_up`): infancy, the Strange Situation, then
seventeen childhood years in which the caregiving may change (``life.care_change_rate``) and
the traits drift towards each year's working model around the infant prototype. Secure at 18
means both traits below :data:`SECURE_CUT` (0.5, the middle of the trait scale; it makes the
secure share at 18 about the B share in infancy). Stability is the phi correlation of B with
secure-at-18, with agreement and Cohen's kappa, pooled over root seeds; at three rates of
change in caregiving (0, the default 0.1, 0.3).

Claims (tolerances written after a first probe of the default): at the default the phi's 95%
interval lies inside the span of the longitudinal findings, from no continuity (Lewis,
Feiring & Rosenthal 2000) to kappa .44 (Waters et al. 2000), i.e. within [0, 0.44]; and
stability falls as caregiving changes more often (Waters et al. 2000: change went with
negative life events): phi at rate 0 above phi at rate 0.3. Opie et al.'s (2021) r = .28 is
for early childhood only (infancy to preschool) and is shown for comparison. Fraley's (2002)
figures were not found (notes/literature16.md).
"""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from dyadsim.life import caregiving, strange
from dyadsim.life.params import life_params
from dyadsim.life.seeds import person_seeds
from dyadsim.report import PALETTE, Report, experiment_args
from dyadsim.stats import Z95

NAME = "attachment_stability"
ROOTS, TINY_ROOTS = 4, 2
SECURE_CUT = 0.5
RATES = (0.0, 0.1, 0.3)
DEFAULT_RATE = 0.1
SPAN = (0.0, 0.44)
OPIE_R, WATERS_KAPPA = 0.28, 0.44


def secure_at_18(adult: np.ndarray) -> np.ndarray:
    """Both traits below :data:`SECURE_CUT`."""
    return (adult[:, 0] < SECURE_CUT) & (adult[:, 1] < SECURE_CUT)


def stability(infant_b: np.ndarray, adult_secure: np.ndarray) -> dict[str, float]:
    """Phi (with a Fisher-z 95% interval), agreement and Cohen's kappa."""
    x, y = infant_b.astype(float), adult_secure.astype(float)
    n = x.size
    phi = float(np.corrcoef(x, y)[0, 1])
    half = Z95 / np.sqrt(n - 3)
    agree = float(np.mean(x == y))
    chance = float(x.mean() * y.mean() + (1 - x.mean()) * (1 - y.mean()))
    return {"phi": phi, "low": float(np.tanh(np.arctanh(phi) - half)),
            "high": float(np.tanh(np.arctanh(phi) + half)), "agreement": agree,
            "kappa": (agree - chance) / (1 - chance), "infant B": float(x.mean()),
            "secure at 18": float(y.mean()), "children": n}


def main(argv: list[str] | None = None) -> Path:
    """Run the experiment and write its report; return the report folder."""
    args = experiment_args(NAME, __doc__, reps=10_000, tiny_reps=800, argv=argv)
    started = time.perf_counter()
    roots = [args.seed + k for k in range(TINY_ROOTS if args.tiny else ROOTS)]
    rows = []
    for rate in RATES:
        life = life_params({"life.care_change_rate": rate})
        kids = [caregiving.grow_up(person_seeds(root, 0, args.reps), life) for root in roots]
        b = np.concatenate([k.strange == strange.SECURE for k in kids])
        adult = np.concatenate([k.adult for k in kids])
        rows.append({"care change rate (per year)": rate, **stability(b, secure_at_18(adult))})
    print(f"{NAME}: simulations took {time.perf_counter() - started:.1f} s")
    table = pd.DataFrame(rows)
    report = Report(args)
    report.table("table", table,
                 f"Stability of security from the Strange Situation (B) to 18 (both traits < "
                 f"{SECURE_CUT}): phi with Fisher-z 95% intervals, agreement, Cohen's kappa; "
                 f"{args.reps:,} children x {len(roots)} root seeds ({roots[0]}-{roots[-1]}) "
                 f"per rate. For comparison: Opie et al. 2021 r = .28 (infancy to preschool), "
                 f"Waters et al. 2000 72% agreement, kappa .44 (1 to 21 years, N = 50), Lewis "
                 f"et al. 2000 no continuity (1 to 18 years, N = 84).")
    fig = go.Figure()
    fig.add_trace(go.Scatter(
        x=table["care change rate (per year)"], y=table["phi"], mode="lines+markers",
        name="model phi (95% CI)", line={"color": PALETTE[0]},
        error_y={"type": "data", "symmetric": False, "array": table["high"] - table["phi"],
                 "arrayminus": table["phi"] - table["low"]}))
    fig.add_hline(y=OPIE_R, line={"dash": "dash", "color": PALETTE[1]},
                  annotation_text="Opie et al. 2021 r = .28 (early childhood)")
    fig.add_hline(y=WATERS_KAPPA, line={"dash": "dot", "color": PALETTE[2]},
                  annotation_text="Waters et al. 2000 kappa = .44")
    fig.add_hline(y=0.0, line={"dash": "dot", "color": "grey"},
                  annotation_text="Lewis et al. 2000: no continuity")
    fig.update_layout(title="Security from infancy to 18",
                      xaxis_title="chance per year that the caregiving changes",
                      yaxis_title="phi (B at 1 year, secure at 18)", yaxis={"range": [-0.1, 0.6]})
    report.figure("stability", fig)

    default = rows[RATES.index(DEFAULT_RATE)]
    in_span = SPAN[0] <= default["low"] and default["high"] <= SPAN[1]
    falls = rows[0]["phi"] > rows[-1]["phi"]
    report.number("phi", default["phi"])
    report.number("phi_ci", [default["low"], default["high"]])
    report.number("agreement", default["agreement"])
    report.number("kappa", default["kappa"])
    report.number("phi_by_rate", {str(r["care change rate (per year)"]): r["phi"] for r in rows})
    report.number("within_longitudinal_span", in_span)
    report.number("falls_with_changes_in_care", falls)
    report.number("agrees", bool(in_span and falls))
    return report.write()


if __name__ == "__main__":
    main()
