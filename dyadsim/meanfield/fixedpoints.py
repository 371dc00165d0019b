"""Fixed points of the map: the Jacobian, its eigenvalues' class, and a search from many starts.

The model is discrete in time, so a fixed point ``x* = F(x*)`` is stable when every
eigenvalue ``mu`` of the Jacobian ``DF(x*)`` has ``|mu| < 1``; it is oscillatory (a spiral)
when the leading eigenvalue is complex. :func:`classify` also takes the eigenvalues of a
flow ``x' = f(x)`` (real parts against 0), for the textbook cases.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
from scipy import optimize

from dyadsim.meanfield.map import _IDX, CLOSENESS, STATE, MeanField, label
from dyadsim.registry import PARTNERS

_FEEDBACK = np.array([i for i, name in enumerate(STATE)
                      if not name.endswith((".satisfaction", ".inconsistency"))])

Kind = Literal["map", "flow"]

FIXED_TOL = 1e-9
"""A fixed point's residual ``max |F(x) - x|`` must be below this."""
SAME_POINT = 1e-5
"""Two fixed points closer than this (max norm) are the same point."""


def jacobian(mf: MeanField, x: np.ndarray, h: float = 1e-7) -> np.ndarray:
    """The Jacobian ``DF(x)`` of a one-row map by central differences."""
    x = np.asarray(x, dtype=float).reshape(-1)
    n = x.size
    cols = np.concatenate([x[:, None] + h * np.eye(n), x[:, None] - h * np.eye(n)], axis=1)
    wide = MeanField(np.repeat(mf.matrix[:1], 2 * n, axis=0))
    fx = wide.step(cols)
    return (fx[:, :n] - fx[:, n:]) / (2.0 * h)


def classify(eigenvalues: np.ndarray, kind: Kind = "map", tol: float = 1e-9) -> str:
    """Name a fixed point from its Jacobian's eigenvalues (Strogatz's classes, any dimension).

    For a map (``kind="map"``) an eigenvalue is stable when ``|mu| < 1``; for a flow
    (``kind="flow"``) when ``Re(lambda) < 0``. Returns ``"stable node"``, ``"stable
    spiral"``, ``"unstable node"``, ``"unstable spiral"``, ``"saddle"`` (stable and unstable
    directions) or ``"centre"`` (a neutral direction, not hyperbolic). A spiral is
    oscillatory: its slowest (stable) or fastest-growing (unstable) mode is a complex pair.
    """
    ev = np.asarray(eigenvalues, dtype=complex).reshape(-1)
    growth = np.abs(ev) - 1.0 if kind == "map" else ev.real
    if np.any(np.abs(growth) <= tol):
        return "centre"
    if np.all(growth < 0):
        stability = "stable"
    elif np.all(growth > 0):
        stability = "unstable"
    else:
        return "saddle"
    lead = ev[np.argmax(growth)]
    return f"{stability} {'spiral' if abs(lead.imag) > tol else 'node'}"


@dataclass(frozen=True)
class FixedPoint:
    """A fixed point of the map for one parameter set.

    Attributes:
        state: The state vector (in :data:`STATE` order).
        eigenvalues: The Jacobian's eigenvalues, largest modulus first.
        kind: :func:`classify`'s name for it (``"stable spiral"``, ``"saddle"``...).
        label: What the outcome classifier would call a run resting there.
        residual: ``max |F(x) - x|``.
        hazard: The per-episode dissolution hazard there.
        leading: The largest-modulus eigenvalue of the variables that feed back (all but
            satisfaction and inconsistency): how fast, and whether spiralling, the
            dynamics return.
    """

    state: np.ndarray
    eigenvalues: np.ndarray
    kind: str
    label: str
    residual: float
    hazard: float
    leading: complex = 0j

    @property
    def stable(self) -> bool:
        """Whether nearby orbits return to it (every ``|mu| < 1``)."""
        return self.kind.startswith("stable")

    @property
    def oscillatory(self) -> bool:
        """Whether its leading mode is a complex pair (orbits spiral in or out)."""
        return self.kind.endswith("spiral") or self.kind == "centre"

    def as_dict(self) -> dict[str, Any]:
        """Plain values, for tables and JSON."""
        lead = self.leading
        return {"kind": self.kind, "label": self.label, "stable": self.stable,
                "leading_modulus": float(abs(lead)), "leading_eigenvalue": str(lead),
                "residual": self.residual, "hazard": self.hazard,
                **{name: float(v) for name, v in zip(STATE, self.state, strict=True)}}


def describe(mf: MeanField, x: np.ndarray) -> FixedPoint:
    """Residual, Jacobian eigenvalues, class and label of a point of a one-row map."""
    x = np.asarray(x, dtype=float).reshape(-1)
    residual = float(np.max(np.abs(mf.step(x[:, None])[:, 0] - x)))
    jac = jacobian(mf, x)
    ev = np.linalg.eigvals(jac)
    ev = ev[np.argsort(-np.abs(ev), kind="stable")]
    # satisfaction feeds back on nothing, and at a fixed point (no surprise) neither does
    # inconsistency: their eigenvalues (1 - their rate) say nothing about how the
    # pursue-withdraw dynamics relax, so the leading mode is read without them
    core = np.linalg.eigvals(jac[np.ix_(_FEEDBACK, _FEEDBACK)])
    lead = complex(core[np.argmax(np.abs(core))])
    return FixedPoint(x, ev, classify(ev), str(label(x[:, None])[0]), residual,
                      float(mf.hazard(x[:, None])[0]), lead)


def starts(mf: MeanField, extra: int = 4, seed: int = 0) -> np.ndarray:
    """Initial states that probe each basin: shape ``(len(STATE), k)`` for a one-row map.

    The model's own initial state; each partner deep in pursuit against the other's
    withdrawal; both withdrawn and far apart; both calm and close; and ``extra`` states
    drawn from a generator seeded with ``seed`` (uniform on each variable's range).
    """
    base = mf.initial()[:, 0]
    out = [base]

    def state(**values: float) -> np.ndarray:
        x = base.copy()
        for key, value in values.items():
            x[_IDX[key.replace("__", ".")]] = value
        return x

    trap = {"dyad__closeness": 0.15}
    for k, who in enumerate(PARTNERS):
        other = PARTNERS[1 - k]
        out.append(state(**trap, **{f"{who}__activation": 0.9, f"{who}__pursuit": 0.8,
                                    f"{who}__trust": 0.2, f"{other}__withdrawal": 0.8,
                                    f"{other}__activation": 0.5}))
    out.append(state(partner_a__withdrawal=0.8, partner_b__withdrawal=0.8,
                     partner_a__trust=0.3, partner_b__trust=0.3, dyad__closeness=0.05))
    out.append(state(partner_a__trust=0.95, partner_b__trust=0.95, dyad__closeness=0.8))
    rng = np.random.default_rng(seed)
    for _ in range(extra):
        x = rng.uniform(0.0, 1.0, len(STATE))
        x[[_IDX[f"{w}.inconsistency"] for w in PARTNERS]] = 0.0
        out.append(x)
    return np.stack(out, axis=1)


def fixed_points(
    params: np.ndarray | Mapping[str, Any],
    guesses: np.ndarray | None = None,
    settle_steps: int = 3000,
) -> list[FixedPoint]:
    """Every fixed point found for one parameter set, stable ones first.

    Orbits from :func:`starts` (and any ``guesses``, shape ``(len(STATE), k)``) are iterated
    ``settle_steps`` episodes; their end points, the midpoints between distinct end points
    (where a saddle between two basins lies) and the guesses are then solved exactly for
    ``F(x) = x`` with :func:`scipy.optimize.root` (Powell's hybrid method). Solutions with a
    residual below :data:`FIXED_TOL` and inside the state's range are kept once each.
    """
    mf = MeanField(params)
    if mf.n != 1:
        raise ValueError(f"fixed_points takes one parameter set, got {mf.n} rows")
    x0 = starts(mf)
    if guesses is not None:
        x0 = np.concatenate([x0, np.asarray(guesses, dtype=float).reshape(len(STATE), -1)],
                            axis=1)
    wide = MeanField(np.repeat(mf.matrix, x0.shape[1], axis=0))
    x = x0
    for _ in range(settle_steps):
        x = wide.step(x)
    ends = _unique(list(x.T))
    candidates = list(ends)
    for i in range(len(ends)):
        for j in range(i + 1, len(ends)):
            for w in (0.25, 0.5, 0.75):
                candidates.append((1 - w) * ends[i] + w * ends[j])
    if guesses is not None:
        candidates.extend(np.asarray(guesses, dtype=float).reshape(len(STATE), -1).T)

    def residual(v: np.ndarray) -> np.ndarray:
        return mf.step(v[:, None])[:, 0] - v

    found: list[np.ndarray] = []
    for guess in candidates:
        sol = optimize.root(residual, guess, method="hybr", options={"xtol": 1e-13})
        xs = sol.x
        if np.max(np.abs(residual(xs))) < FIXED_TOL and np.all(np.abs(xs - 0.5) < 0.5 + 1e-9):
            found.append(xs)
    points = [describe(mf, p) for p in _unique(found)]
    return sorted(points, key=lambda fp: (not fp.stable, fp.label, fp.state[CLOSENESS]))


def _unique(points: list[np.ndarray], tol: float = SAME_POINT) -> list[np.ndarray]:
    kept: list[np.ndarray] = []
    for p in points:
        if all(np.max(np.abs(p - q)) > tol for q in kept):
            kept.append(p)
    return kept
