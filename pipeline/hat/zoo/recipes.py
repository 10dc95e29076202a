"""The zoo's recipes as params.yaml lists them (``hat.zoo``), and the family split.

TUNING families may be looked at freely while designing and tuning our player; HELD-OUT families
are only trained and played by the stage, which takes the promotion metric and the floors from
them, so their rates estimate how our bot fares with kinds of bots it was never tuned for.
"""

from __future__ import annotations

from typing import Any

from pipeline.config import ConfigError
from pipeline.hat.zoo.base import Recipe
from pipeline.hat.zoo.count_bots import LsaRecipe, PpmiSvdRecipe
from pipeline.hat.zoo.fasttext_bots import FastTextRecipe
from pipeline.hat.zoo.word2vec_bots import Word2VecRecipe

KINDS: dict[str, type[Recipe]] = {
    cls.family: cls for cls in (FastTextRecipe, Word2VecRecipe, PpmiSvdRecipe, LsaRecipe)
}
TUNING, HELD_OUT = "tuning", "held_out"


def make_recipe(name: str, spec: dict[str, Any]) -> Recipe:
    """One recipe from its params.yaml entry ``{family, seed, params}``."""
    try:
        cls = KINDS[spec["family"]]
        return cls(name, int(spec["seed"]), dict(spec["params"]))
    except KeyError as exc:
        raise ConfigError(
            f"hat.zoo.recipes.{name}: needs family (one of {', '.join(KINDS)}), seed and params;"
            f" got {sorted(spec)}"
        ) from exc


def zoo_recipes(zoo: dict[str, Any]) -> dict[str, Recipe]:
    """Every recipe of ``hat.zoo``, checked to belong to exactly one side of the split."""
    sides = {TUNING: set(zoo["tuning_families"]), HELD_OUT: set(zoo["held_out_families"])}
    if both := sides[TUNING] & sides[HELD_OUT]:
        raise ConfigError(f"hat.zoo: families both tuned on and held out: {sorted(both)}")
    recipes = {name: make_recipe(name, spec) for name, spec in zoo["recipes"].items()}
    stray = [n for n, r in recipes.items() if r.family not in sides[TUNING] | sides[HELD_OUT]]
    if stray:
        raise ConfigError(f"hat.zoo: recipes of a family on neither side of the split: {stray}")
    return recipes


def side_of(recipe: Recipe, zoo: dict[str, Any]) -> str:
    """The recipe's side of the split: ``TUNING`` or ``HELD_OUT``."""
    return TUNING if recipe.family in zoo["tuning_families"] else HELD_OUT
