"""The mean-field limit of the rules: a deterministic map, its fixed points and its cycles.

One episode of the model is a map ``x_{t+1} = F(x_t)`` on the dyad's slow state once its
three random draws are replaced by their expectations:

* a lapse (``u < lapse_rate``) becomes the lapse rate itself (availability is linear in it);
* an ambiguous episode (``u < ambiguity``) becomes the ambiguity rate (perceived
  availability is a mixture, linear in the indicator);
* the observation noise ``noise * z`` becomes its mean, 0;
* the exit draw does not feed back on the state; it becomes the per-episode hazard, and a
  deterministic orbit carries the probability that the couple is still together.

:meth:`MeanField.step` calls the functions of :mod:`dyadsim.rules` in the schedule of
:class:`dyadsim.model.DyadModel` (signal, perceive, appraise, act, dyad), on arrays of many
parameter rows at once. With noise, ambiguity and lapses at zero it *is* the model, and it
reproduces the batch engine's trajectory to rounding (tested).

The model is discrete in time, so the analysis is that of a map: a fixed point ``x* = F(x*)``
is stable when every eigenvalue ``mu`` of the Jacobian ``DF(x*)`` has ``|mu| < 1``; it is
oscillatory (a spiral) when the leading eigenvalue is complex; a complex pair leaving the
unit circle is a Neimark-Sacker (discrete Hopf) bifurcation, a real eigenvalue through +1 a
fold. :func:`classify` also takes the eigenvalues of a flow ``x' = f(x)`` (real parts
against 0), for the textbook cases.

State (:data:`STATE`): for each partner activation, pursuit, withdrawal, trust,
inconsistency, fatigue and satisfaction; then the dyad's closeness. The per-episode
quantities (availability, perception, threat, pressure, intrusion) are recomputed in each
step from these, as in the model.

The package holds one idea per module:

``map``          the state layout, the compiled iteration and :class:`MeanField`, and
                 :func:`label` (what the classifier would call a state);
``fixedpoints``  :func:`jacobian`, :func:`classify`, :class:`FixedPoint`, :func:`describe`,
                 :func:`starts` and the search :func:`fixed_points`;
``orbits``       :func:`attractors`: where orbits of many rows end, a point or a cycle.
"""

from __future__ import annotations

from dyadsim.meanfield.fixedpoints import (
    FIXED_TOL,
    SAME_POINT,
    FixedPoint,
    Kind,
    classify,
    describe,
    fixed_points,
    jacobian,
    starts,
)
from dyadsim.meanfield.map import (
    CLOSENESS,
    M_ACT,
    M_FAT,
    M_INC,
    M_PUR,
    M_SAT,
    M_TRUST,
    M_WD,
    PARTNER_STATE,
    STATE,
    Label,
    MeanField,
    label,
    pursue_withdraw,
)
from dyadsim.meanfield.orbits import CONVERGED, CYCLE_AMPLITUDE, Attractors, attractors

__all__ = [
    "CLOSENESS", "CONVERGED", "CYCLE_AMPLITUDE", "FIXED_TOL", "M_ACT", "M_FAT", "M_INC",
    "M_PUR", "M_SAT", "M_TRUST", "M_WD", "PARTNER_STATE", "SAME_POINT", "STATE", "Attractors",
    "FixedPoint", "Kind", "Label", "MeanField", "attractors", "classify", "describe",
    "fixed_points", "jacobian", "label", "pursue_withdraw", "starts",
]
