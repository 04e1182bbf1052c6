"""Model build switches: what the spec asks of the model beyond the data (elastic targets, diagnosis views)."""

from __future__ import annotations

from dataclasses import dataclass

from planner.io.spec import ModelSpec


@dataclass(frozen=True)
class BuildOptions:
    """``elastic``: every target and deployment row may fall short at its price cap
    (planner.model.price_caps, from the data and the spec)."""

    elastic: bool = False
    # Diagnosis only: every yearly budget may be exceeded at this price per 万元, to find out how
    # much more investment the targets need and in which years.
    budget_overrun_penalty_wan_yuan: float | None = None

    @classmethod
    def from_spec(cls, spec: ModelSpec, elastic: bool | None = None) -> "BuildOptions":
        """Build switches from the spec; ``elastic`` overrides its [targets] mode."""
        return cls(elastic=spec.target_mode == "elastic" if elastic is None else elastic)
