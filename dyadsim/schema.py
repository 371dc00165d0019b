"""The layout of a dyad's numbers: parameter vectors, the state tuple, recorded columns.

Every engine keeps a partner's parameters as a vector in :data:`PARTNER_FIELDS` order, the
dyad's parameters as a vector in :data:`DYAD_FIELDS` order, and a partner's state as a tuple
in :data:`STATE_VARS` order. The stage functions of :mod:`dyadsim.episode` read and write
them through the named positions below (``F_*`` partner fields, ``D_*`` dyad fields, ``S_*``
state variables); Numba freezes these module globals as compile-time constants.

Nothing here imports Mesa: the batch engine and the mean field load without it.
"""

from __future__ import annotations

import numpy as np

from dyadsim.registry import PARTNER_FIELDS, PARTNERS, REGISTRY

PARAM_NAMES: tuple[str, ...] = tuple(REGISTRY)
"""Columns of a parameter matrix: every registry parameter, in registry order."""

DYAD_FIELDS: tuple[str, ...] = tuple(
    n.split(".", 1)[1] for n in PARAM_NAMES if n.startswith("dyad."))
"""The dyad's parameter names (the part after ``dyad.``), in registry order."""

PARTNER_PARAM_INDEX: np.ndarray = np.array(
    [[PARAM_NAMES.index(f"{who}.{f}") for f in PARTNER_FIELDS] for who in PARTNERS])
"""Shape ``(2, len(PARTNER_FIELDS))``: where each partner's fields sit in a parameter row."""

DYAD_PARAM_INDEX: np.ndarray = np.array([PARAM_NAMES.index(f"dyad.{f}") for f in DYAD_FIELDS])
"""Where the dyad's fields sit in a parameter row."""

STATE_VARS: tuple[str, ...] = (
    "activation",
    "pursuit",
    "withdrawal",
    "perceived_availability",
    "received",
    "trust",
    "inconsistency",
    "fatigue",
    "satisfaction",
    "threat",
    "availability",
    "pressure",
    "intrusion",
    "ambiguous",
    "lapsed",
    "discomfort",
    "detachment",
    "load",
    "approach",
    "repair",
)
"""Every state variable a partner carries, as recorded each step (``partner_a.<name>``)."""

SLOW_VARS: tuple[str, ...] = (
    "activation", "pursuit", "withdrawal", "trust", "inconsistency", "fatigue", "satisfaction",
    "discomfort", "detachment", "load", "approach",
)
"""The state that carries over between episodes. The rest of :data:`STATE_VARS` (what was
offered, seen, felt and drawn this episode) is recomputed by each episode before it is read."""

N_STATE = len(STATE_VARS)
TRAJECTORY_COLUMNS: tuple[str, ...] = (
    "step", "dyad.closeness", "dyad.dissolved",
    *(f"{who}.{var}" for who in PARTNERS for var in STATE_VARS),
)
"""Columns of a recorded trajectory, on either engine."""
N_RECORD = len(TRAJECTORY_COLUMNS) - 1
"""Numbers recorded per step (every column but ``step``)."""


def _positions(names: tuple[str, ...]) -> dict[str, int]:
    return {name: i for i, name in enumerate(names)}


_F = _positions(PARTNER_FIELDS)
F_RESP, F_REASS, F_LAPSE = _F["responsiveness"], _F["reassurance"], _F["lapse_rate"]
F_BIAS, F_PROTEST = _F["interpretation_bias"], _F["protest_intensity"]
F_PREF, F_SENS = _F["preferred_closeness"], _F["intrusion_sensitivity"]
F_TOL = _F["closeness_tolerance"]
F_THETA, F_GAIN, F_SUPP = _F["threat_threshold"], _F["threat_gain"], _F["suppression"]
F_UPTAKE, F_SOOTHE = _F["comfort_uptake"], _F["self_soothing"]
F_PGAIN, F_PERSIST, F_WGAIN = _F["pursuit_gain"], _F["protest_persistence"], _F[
    "withdrawal_gain"]
F_EXIT, F_TRUST0 = _F["exit_propensity"], _F["trust0"]
F_TRATE, F_REPAIR, F_CONTINGENT = _F["trust_rate"], _F["repair_tendency"], _F[
    "contingent_reassurance"]

_D = _positions(DYAD_FIELDS)
D_NOISE, D_AMBIG, D_STRESS, D_C0 = _D["noise"], _D["ambiguity"], _D["stress"], _D["closeness0"]
D_UW, D_DW, D_BURN = _D["unavailability_weight"], _D["distance_weight"], _D["burnout_weight"]
D_ARATE, D_BRATE, D_CRATE = _D["activation_rate"], _D["behaviour_rate"], _D["closeness_rate"]
D_IRATE, D_DAMP = _D["inconsistency_rate"], _D["inconsistency_damping"]
D_SRATE, D_FRATE, D_FREC = _D["satisfaction_rate"], _D["fatigue_rate"], _D["fatigue_recovery"]
D_DISS = _D["dissolution_rate"]
D_DRATE, D_XRATE, D_REPAIR = _D["discomfort_rate"], _D["detachment_rate"], _D["repair_effect"]
D_LRATE, D_LSIZE, D_LREC = _D["life_event_rate"], _D["life_event_size"], _D[
    "life_event_recovery"]
D_INDIV = _D["individuality"]

_S = _positions(STATE_VARS)
S_ACT, S_PUR, S_WD, S_PERC = _S["activation"], _S["pursuit"], _S["withdrawal"], _S[
    "perceived_availability"]
S_TRUST, S_INC, S_FAT, S_SAT = _S["trust"], _S["inconsistency"], _S["fatigue"], _S[
    "satisfaction"]
S_THR, S_AVAIL, S_PRES, S_INTR = _S["threat"], _S["availability"], _S["pressure"], _S[
    "intrusion"]
S_AMB, S_LAPSED = _S["ambiguous"], _S["lapsed"]
S_DISC, S_DET, S_LOAD, S_REP = _S["discomfort"], _S["detachment"], _S["load"], _S["repair"]
S_APPR, S_RECV = _S["approach"], _S["received"]

SLOW_INDEX: tuple[int, ...] = tuple(_S[name] for name in SLOW_VARS)
"""Where each of :data:`SLOW_VARS` sits in the state tuple."""


def partner_vectors(row: np.ndarray) -> np.ndarray:
    """The two partners' parameter vectors of one parameter row: shape ``(2, fields)``."""
    return np.ascontiguousarray(np.asarray(row, dtype=float)[..., PARTNER_PARAM_INDEX])


def dyad_vector(row: np.ndarray) -> np.ndarray:
    """The dyad's parameter vector of one parameter row (or rows)."""
    return np.ascontiguousarray(np.asarray(row, dtype=float)[..., DYAD_PARAM_INDEX])


def param_slot(name: str) -> tuple[int, int]:
    """Where a parameter lives in the engines' vectors: (0 A, 1 B or 2 dyad; position)."""
    group, _, short = name.partition(".")
    if group == "dyad":
        return 2, DYAD_FIELDS.index(short)
    return PARTNERS.index(group), PARTNER_FIELDS.index(short)
