"""planner: least-cost measure portfolios for city pollution-and-carbon co-control (减污降碳协同增效)."""

__version__ = "0.1.0"
