"""A life: childhood caregiving and the Strange Situation, then adult relationships.

The caregiver-child dyad and every adult couple run on the same episode rules as any couple
(:mod:`dyadsim.episode`, through the batch engine): the child is partner A, the caregiver
partner B. What carries a person from one relationship to the next is the working model
(:func:`dyadsim.rules.working_model_traits`) and the slow drift of the traits around the
prototype learned in childhood (:func:`dyadsim.rules.drift`).

Modules:

* :mod:`dyadsim.life.params`: the life course's parameters (the registry's second table).
* :mod:`dyadsim.life.caregiving`: caregivers, infancy, childhood years, traits at 18.
* :mod:`dyadsim.life.strange`: Ainsworth's Strange Situation and the A/B/C classifier.
* :mod:`dyadsim.life.market`: meeting and choosing partners (the familiarity bias).
* :mod:`dyadsim.life.lives`: one town's adult lives, year by year.
* :mod:`dyadsim.life.population`: many towns, locally or on Dask, resumable, to Parquet.

Importing this package loads nothing heavy.
"""
