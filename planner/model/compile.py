"""The model as the arrays HiGHS takes: recorded block by block while the builder makes the Pyomo model.

The builder computes every block of columns and rows as numpy arrays first and builds the Pyomo
components from those arrays (``planner.model.build``). ``ModelArrays`` keeps the same arrays
beside the Pyomo model, so compiling is concatenation: nothing is read back out of Pyomo, and no
private attribute of any Pyomo class is touched. Columns come in variable declaration order and
rows in constraint declaration order, which is the order Pyomo's own ``LinearStandardFormCompiler``
gives; tests/test_compile.py checks that the Pyomo model, compiled by Pyomo's public writer, is
this matrix row for row.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace

import numpy as np


@dataclass
class Block:
    """A named run of consecutive columns or rows: the Pyomo component ``name`` and its index keys."""

    name: str
    first: int
    keys: Sequence

    def __len__(self) -> int:
        return len(self.keys)


@dataclass
class CompiledModel:
    """min c·x + offset  s.t.  row_lower <= A x <= row_upper,  col_lower <= x <= col_upper.

    ``A`` is stored row-wise (CSR: ``row_start``, ``col_index``, ``value``). ``column_blocks`` and
    ``row_blocks`` map positions back to the model's components: ``row_blocks[name]`` gives the first
    row and the index keys of a constraint component, ``column_blocks[name]`` the same for a variable.
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
    column_blocks: dict[str, Block] = field(repr=False)
    row_blocks: dict[str, Block] = field(repr=False)

    def row_name(self, position: int) -> str:
        """``component[key]`` of a row, for messages."""
        component, key = self.row_key(position)
        return f"{component}[{key}]"

    def row_key(self, position: int) -> tuple[str, object]:
        """(constraint component, index key) of a row position."""
        return _locate(self.row_blocks, position)

    def column_key(self, position: int) -> tuple[str, object]:
        """(variable component, index key) of a column position."""
        return _locate(self.column_blocks, position)

    def rows_of(self, component_name: str) -> dict:
        """Index key -> row position for one constraint component (empty if it has no rows)."""
        block = self.row_blocks.get(component_name)
        return {} if block is None else {key: block.first + j for j, key in enumerate(block.keys)}

    def column_slice(self, component_name: str) -> slice:
        """The columns of one variable component, in its key order (an empty slice if it has none)."""
        block = self.column_blocks.get(component_name)
        return slice(0, 0) if block is None else slice(block.first, block.first + len(block))


class GridKeys(Sequence):
    """The keys (a, b) for a in ``first`` for b in ``second``, in that order, without storing them
    (100,000 tuples of (measure, year) would take about 12 MB)."""

    def __init__(self, first: Sequence, second: Sequence) -> None:
        self.first, self.second = list(first), list(second)

    def __len__(self) -> int:
        return len(self.first) * len(self.second)

    def __getitem__(self, position):
        if isinstance(position, slice):
            return [self[j] for j in range(*position.indices(len(self)))]
        if position < 0:
            position += len(self)
        if not 0 <= position < len(self):
            raise IndexError(position)
        i, j = divmod(position, len(self.second))
        return (self.first[i], self.second[j])


def _locate(blocks: dict[str, Block], position: int) -> tuple[str, object]:
    for name, block in blocks.items():
        if block.first <= position < block.first + len(block):
            return name, block.keys[position - block.first]
    raise IndexError(position)


class ModelArrays:
    """Columns and rows of a model, recorded block by block in declaration order.

    ``add_columns`` returns the first column position of a block; rows refer to global column
    positions. Entries are COO triplets (``owner`` = row within the block).
    """

    def __init__(self) -> None:
        self.n_cols = 0
        self.n_rows = 0
        self.column_blocks: dict[str, Block] = {}
        self.row_blocks: dict[str, Block] = {}
        self._col_lower: list[np.ndarray] = []
        self._col_upper: list[np.ndarray] = []
        self._col_integer: list[np.ndarray] = []
        self._row_lower: list[np.ndarray] = []
        self._row_upper: list[np.ndarray] = []
        self._entry_row: list[np.ndarray] = []
        self._entry_col: list[np.ndarray] = []
        self._entry_value: list[np.ndarray] = []
        self.cost_columns = np.zeros(0, dtype=np.int64)
        self.cost_values = np.zeros(0)
        self._compiled: CompiledModel | None = None

    def add_columns(self, name: str, keys: list, lower: np.ndarray, upper: np.ndarray,
                    integer: np.ndarray | None = None) -> int:
        self._check_open()
        first = self.n_cols
        n = len(keys)
        self.column_blocks[name] = Block(name, first, keys if isinstance(keys, GridKeys) else list(keys))
        self._col_lower.append(np.broadcast_to(np.asarray(lower, dtype=float), (n,)))
        self._col_upper.append(np.broadcast_to(np.asarray(upper, dtype=float), (n,)))
        self._col_integer.append(np.zeros(n, dtype=bool) if integer is None
                                 else np.broadcast_to(np.asarray(integer, dtype=bool), (n,)))
        self.n_cols += n
        return first

    def add_rows(self, name: str, keys: list, owner: np.ndarray, columns: np.ndarray, values: np.ndarray,
                 lower: np.ndarray, upper: np.ndarray) -> int:
        self._check_open()
        first = self.n_rows
        n = len(keys)
        self.row_blocks[name] = Block(name, first, list(keys))
        self._row_lower.append(np.broadcast_to(np.asarray(lower, dtype=float), (n,)))
        self._row_upper.append(np.broadcast_to(np.asarray(upper, dtype=float), (n,)))
        self._entry_row.append(first + np.asarray(owner, dtype=np.int64))
        self._entry_col.append(np.asarray(columns, dtype=np.int64))
        self._entry_value.append(np.asarray(values, dtype=float))
        self.n_rows += n
        return first

    def _check_open(self) -> None:
        if self._compiled is not None:
            raise RuntimeError("the model was compiled already; blocks can no longer be added")

    def set_objective(self, columns: np.ndarray, values: np.ndarray) -> None:
        """Minimise sum_j values_j x_{columns_j}."""
        self.cost_columns = np.asarray(columns, dtype=np.int64)
        self.cost_values = np.asarray(values, dtype=float)

    def compile(self) -> CompiledModel:
        """The CSR matrix with rows in declaration order; repeated (row, column) entries are summed.

        Assembled once: the recorded blocks are then released (the compiled arrays hold them)."""
        if self._compiled is None:
            self._compiled = self._assemble()
            for parts in (self._entry_row, self._entry_col, self._entry_value):
                parts.clear()
        return self._compiled

    def _assemble(self) -> CompiledModel:
        concat = lambda parts, dtype: np.concatenate(parts) if parts else np.zeros(0, dtype=dtype)  # noqa: E731
        rows = concat(self._entry_row, np.int64)
        cols = concat(self._entry_col, np.int64)
        vals = concat(self._entry_value, float)
        width = max(1, self.n_cols)
        keys = rows * width + cols
        order = np.argsort(keys, kind="stable")
        keys, vals = keys[order], vals[order]
        if len(keys) > 1 and (keys[1:] == keys[:-1]).any():
            keys, first = np.unique(keys, return_index=True)
            vals = np.add.reduceat(vals, first)
        keep = vals != 0
        keys, vals = keys[keep], vals[keep]
        row_of = keys // width
        cost = np.zeros(self.n_cols)
        np.add.at(cost, self.cost_columns, self.cost_values)
        return CompiledModel(
            n_cols=self.n_cols, n_rows=self.n_rows, col_cost=cost, offset=0.0,
            col_lower=concat(self._col_lower, float).copy(), col_upper=concat(self._col_upper, float).copy(),
            is_integer=concat(self._col_integer, bool).copy(),
            row_lower=concat(self._row_lower, float).copy(), row_upper=concat(self._row_upper, float).copy(),
            row_start=np.concatenate([[0], np.cumsum(np.bincount(row_of, minlength=self.n_rows))]).astype(np.int64),
            col_index=(keys % width).astype(np.int64), value=vals,
            column_blocks=dict(self.column_blocks), row_blocks=dict(self.row_blocks),
        )


def compile_model(planning) -> CompiledModel:
    """The arrays of a built ``PlanningModel`` (its ``arrays``), assembled for HiGHS.

    Each caller gets its own bounds and costs (a session changes them for re-solves); the matrix
    arrays are shared and must not be written to."""
    compiled = planning.arrays.compile()
    return replace(compiled, col_cost=compiled.col_cost.copy(), col_lower=compiled.col_lower.copy(),
                   col_upper=compiled.col_upper.copy(), row_lower=compiled.row_lower.copy(),
                   row_upper=compiled.row_upper.copy())
