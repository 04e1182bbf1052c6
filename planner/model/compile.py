"""Compile a built Pyomo model into sparse row-wise arrays, with maps back to its components.

The builder writes every row as a ``LinearExpression`` of ``coefficient * variable`` terms, so the
coefficients can be read straight off the expression objects. That is several times faster than
Pyomo's generic ``LinearStandardFormCompiler`` (which walks each expression with a visitor, and
imports scipy.stats on the way) and gives the same matrix. Any row or objective that is not of that
shape falls back to Pyomo's own ``generate_standard_repn``, so the result is always correct.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pyomo.core as pyo
from pyomo.common.gc_manager import PauseGC
from pyomo.core.base.var import VarData
from pyomo.core.expr.numeric_expr import LinearExpression, MonomialTermExpression
from pyomo.repn.beta.matrix import MatrixConstraint
from pyomo.repn.standard_repn import generate_standard_repn

_NUMBER_TYPES = (int, float)


class NonLinearModel(ValueError):
    """The model holds a term that is not linear; the planner builds only linear models."""


@dataclass
class CompiledModel:
    """min c·x + offset  s.t.  row_lower <= A x <= row_upper,  col_lower <= x <= col_upper.

    ``A`` is stored row-wise (CSR: ``row_start``, ``col_index``, ``value``). ``columns`` and
    ``row_blocks`` map positions back to Pyomo components: ``column_of[id(var_data)]`` is a column
    position; ``row_blocks[name]`` gives the first row and the index keys of a constraint component.
    """

    n_cols: int
    n_rows: int
    col_cost: np.ndarray
    offset: float
    col_lower: np.ndarray
    col_upper: np.ndarray
    is_integer: np.ndarray
    row_lower: np.ndarray
    row_upper: np.ndarray
    row_start: np.ndarray
    col_index: np.ndarray
    value: np.ndarray
    columns: list = field(repr=False)
    column_of: dict = field(repr=False)
    row_blocks: dict = field(repr=False)

    def row_name(self, position: int) -> str:
        """``component[key]`` of a row, for messages."""
        for name, (first, keys) in self.row_blocks.items():
            if first <= position < first + len(keys):
                return f"{name}[{keys[position - first]}]"
        raise IndexError(position)

    def rows_of(self, component_name: str) -> dict:
        """Index key -> row position for one constraint component (empty if it has no rows)."""
        first, keys = self.row_blocks.get(component_name, (0, []))
        return {key: first + j for j, key in enumerate(keys)}


def _linear_terms(expr, column_of: dict, coefs: list, cols: list) -> float:
    """Append the terms of a linear expression to ``coefs``/``cols``; return its constant."""
    if type(expr) is LinearExpression:
        mark = len(coefs)
        constant = 0.0
        for arg in expr.args:
            kind = type(arg)
            if kind is MonomialTermExpression:
                coef, var = arg.args
                if type(coef) in _NUMBER_TYPES and isinstance(var, VarData):
                    coefs.append(coef)
                    cols.append(column_of[id(var)])
                    continue
            elif kind in _NUMBER_TYPES:
                constant += arg
                continue
            elif isinstance(arg, VarData):
                coefs.append(1.0)
                cols.append(column_of[id(arg)])
                continue
            # A term of another shape: undo this row's terms and let Pyomo read the whole row.
            del coefs[mark:], cols[mark:]
            return _generic_terms(expr, column_of, coefs, cols)
        return constant
    return _generic_terms(expr, column_of, coefs, cols)


def _generic_terms(expr, column_of: dict, coefs: list, cols: list) -> float:
    repn = generate_standard_repn(expr, compute_values=True, quadratic=False)
    if not repn.is_linear():
        raise NonLinearModel(f"expression {expr} is not linear")
    coefs.extend(float(c) for c in repn.linear_coefs)
    cols.extend(column_of[id(v)] for v in repn.linear_vars)
    return float(repn.constant)


def _matrix_block(component: MatrixConstraint, column_of: dict, coefs: list, cols: list, row_start: list,
                  row_lower: list, row_upper: list) -> None:
    """Append a ``MatrixConstraint`` block: its CSR arrays are taken as they are."""
    positions = np.fromiter((column_of[id(v)] for v in component._varmap), dtype=np.int64,
                            count=len(component._varmap))
    jcols = np.asarray(component._jcols, dtype=np.int64)
    offset = len(cols)
    coefs.extend(component._vals)
    cols.extend(positions[jcols].tolist())
    prows = np.asarray(component._prows, dtype=np.int64)
    row_start.extend((prows[1:] + offset).tolist())
    ranges = np.asarray(component._ranges, dtype=float).reshape(-1, 2)
    types = np.asarray(component._range_types, dtype=np.int64)
    lower = np.where(types & MatrixConstraint.LowerBound, ranges[:, 0], -np.inf)
    upper = np.where(types & MatrixConstraint.UpperBound, ranges[:, 1], np.inf)
    row_lower.extend(lower.tolist())
    row_upper.extend(upper.tolist())


def compile_model(model: pyo.ConcreteModel) -> CompiledModel:
    """Columns in variable declaration order, rows in constraint declaration order."""
    with PauseGC():
        columns = []
        for var in model.component_objects(pyo.Var, active=True, descend_into=True):
            columns.extend(var.values())
        column_of = {id(v): j for j, v in enumerate(columns)}
        col_lower = np.empty(len(columns))
        col_upper = np.empty(len(columns))
        is_integer = np.zeros(len(columns), dtype=bool)
        for j, v in enumerate(columns):
            if v.fixed:
                col_lower[j] = col_upper[j] = v.value
            else:
                lb, ub = v.bounds
                col_lower[j] = -np.inf if lb is None else lb
                col_upper[j] = np.inf if ub is None else ub
            if v.is_integer():
                is_integer[j] = True

        objectives = list(model.component_data_objects(pyo.Objective, active=True))
        if len(objectives) != 1:
            raise ValueError(f"expected one active objective, found {len(objectives)}")
        objective = objectives[0]
        obj_coefs: list[float] = []
        obj_cols: list[int] = []
        offset = _linear_terms(objective.expr, column_of, obj_coefs, obj_cols)
        sign = 1.0 if objective.sense == pyo.minimize else -1.0
        col_cost = np.zeros(len(columns))
        np.add.at(col_cost, np.asarray(obj_cols, dtype=np.int64), sign * np.asarray(obj_coefs, dtype=float))

        coefs: list[float] = []
        cols: list[int] = []
        row_start = [0]
        row_lower: list[float] = []
        row_upper: list[float] = []
        row_blocks: dict[str, tuple[int, list]] = {}
        for component in model.component_objects(pyo.Constraint, active=True, descend_into=True):
            keys = []
            first = len(row_lower)
            if isinstance(component, MatrixConstraint):
                _matrix_block(component, column_of, coefs, cols, row_start, row_lower, row_upper)
                row_blocks[component.name] = (first, list(range(len(component))))
                continue
            for key, con in component.items():
                if not con.active:
                    continue
                constant = _linear_terms(con.body, column_of, coefs, cols)
                lower, upper = con.lb, con.ub
                row_lower.append(-np.inf if lower is None else lower - constant)
                row_upper.append(np.inf if upper is None else upper - constant)
                row_start.append(len(cols))
                keys.append(key)
            row_blocks[component.name] = (first, keys)
        compiled = CompiledModel(
            n_cols=len(columns), n_rows=len(row_lower), col_cost=col_cost, offset=sign * offset,
            col_lower=col_lower, col_upper=col_upper, is_integer=is_integer,
            row_lower=np.asarray(row_lower, dtype=float), row_upper=np.asarray(row_upper, dtype=float),
            row_start=np.asarray(row_start, dtype=np.int64), col_index=np.asarray(cols, dtype=np.int64),
            value=np.asarray(coefs, dtype=float), columns=columns, column_of=column_of,
            row_blocks=row_blocks,
        )
    _merge_duplicate_entries(compiled)
    return compiled


def _merge_duplicate_entries(compiled: CompiledModel) -> None:
    """Sum repeated (row, column) entries, which HiGHS would reject; a no-op for the planner's rows."""
    counts = np.diff(compiled.row_start)
    rows = np.repeat(np.arange(compiled.n_rows), counts)
    keys = rows * max(1, compiled.n_cols) + compiled.col_index
    order = np.argsort(keys, kind="stable")
    sorted_keys = keys[order]
    if len(sorted_keys) < 2 or not (sorted_keys[1:] == sorted_keys[:-1]).any():
        return
    unique, first = np.unique(sorted_keys, return_index=True)
    values = np.add.reduceat(compiled.value[order], first)
    keep = values != 0
    unique, values = unique[keep], values[keep]
    new_rows = unique // max(1, compiled.n_cols)
    compiled.col_index = (unique % max(1, compiled.n_cols)).astype(np.int64)
    compiled.value = values
    compiled.row_start = np.concatenate([[0], np.cumsum(np.bincount(new_rows, minlength=compiled.n_rows))])
