"""Model build switches: what the spec asks of the model beyond the data (elastic targets, diagnosis views)."""

from __future__ import annotations

from dataclasses import dataclass

from planner.io.spec import ModelSpec

# Default elastic penalties: far above any plausible abatement cost, so a shortfall is chosen
# only when a target cannot be met at all within the budget.
DEFAULT_PENALTY_WAN_YUAN_PER_T = 1_000.0
DEFAULT_PENALTY_WAN_YUAN_PER_UNIT = 10_000.0


@dataclass(frozen=True)
class BuildOptions:
    """``elastic``: every target and deployment row may fall short at a penalty (万元 per t or unit)."""

    elastic: bool = False
    penalty_wan_yuan_per_t: float = DEFAULT_PENALTY_WAN_YUAN_PER_T
    penalty_wan_yuan_per_unit: float = DEFAULT_PENALTY_WAN_YUAN_PER_UNIT
    # Diagnosis only: every yearly budget may be exceeded at this price per 万元, to find out how
    # much more investment the targets need and in which years.
    budget_overrun_penalty_wan_yuan: float | None = None

    @classmethod
    def from_spec(cls, spec: ModelSpec, elastic: bool | None = None) -> "BuildOptions":
        """Build switches from the spec; ``elastic`` overrides its [targets] mode."""
        return cls(
            elastic=spec.target_mode == "elastic" if elastic is None else elastic,
            penalty_wan_yuan_per_t=spec.penalty_wan_yuan_per_t,
            penalty_wan_yuan_per_unit=spec.penalty_wan_yuan_per_unit,
        )
