"""Every passage's unit vectors in one file beside the BM25 index, read a passage at a time.

The units collection in Chroma is their source (any worker can rebuild this file from it, as it
rebuilds BM25 from the stored tokens), but reading a few vectors from a local Chroma collection
loads its whole vector segment into the process: 720 MB of resident memory for a question's
first ten passages at 100k passages. From this file a question reads only its passages' rows,
with ``os.pread`` (no memory map: the rows read do not stay resident in the process).

Files (written with the BM25 index, for the same passage ids in the same order):
- ``units.npy``: one row per unit, passage by passage in the index's order, units in order;
- ``units-index.npz``: ``offsets`` (passage i's rows are ``offsets[i]`` to ``offsets[i + 1]``)
  and the stamp of the passage ids they were written for.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterable
from pathlib import Path

import numpy as np

VECTORS = "units.npy"
INDEX = "units-index.npz"
COPY_ROWS = 8192  # rows moved at a time when the file is put in passage order


class UnitVectors:
    def __init__(self, path: Path, offsets: np.ndarray, dim: int, data_offset: int) -> None:
        self.path = path
        self.offsets = offsets
        self.dim = dim
        self.data_offset = data_offset  # where the rows start, after the .npy header

    def read(self, positions: list[int]) -> list[np.ndarray | None]:
        """The unit vectors (rows in unit order) of the passages at ``positions`` among the
        index's ids; None for a passage with none stored."""
        row_bytes = self.dim * 4
        out: list[np.ndarray | None] = []
        fd = os.open(self.path, os.O_RDONLY)
        try:
            for position in positions:
                start, end = int(self.offsets[position]), int(self.offsets[position + 1])
                if start == end:
                    out.append(None)
                    continue
                data = os.pread(fd, (end - start) * row_bytes, self.data_offset + start * row_bytes)
                out.append(np.frombuffer(data, dtype=np.float32).reshape(end - start, self.dim))
        finally:
            os.close(fd)
        return out

    @classmethod
    def write(
        cls,
        folder: Path,
        stamp: str,
        positions: dict[str, int],
        pages: Iterable[tuple[list[str], list[int], list]],
        total: int,
    ) -> UnitVectors | None:
        """Write the files from ``pages`` of (passage ids, unit numbers, vectors) covering at
        most ``total`` units; ``positions`` maps a passage id to its place among the ids of
        ``stamp``. Returns the written files, or None when the pages outnumber ``total`` (the
        store changed while it was read)."""
        arrived = folder / (VECTORS + ".arrived")  # rows as Chroma returns them
        tmp = folder / (VECTORS + ".tmp")
        try:
            matrix: np.ndarray | None = None
            owner = np.full(total, -1, dtype=np.int64)
            number = np.zeros(total, dtype=np.int64)
            row = 0
            for passage_ids, ns, vectors in pages:
                if row + len(passage_ids) > total:  # written to while being read: not a whole copy
                    return None
                block = np.asarray(vectors, dtype=np.float32)
                if matrix is None:
                    shape = (total, block.shape[1])
                    matrix = np.lib.format.open_memmap(arrived, mode="w+", dtype=np.float32, shape=shape)
                matrix[row : row + len(block)] = block
                owner[row : row + len(block)] = [positions.get(pid, -1) for pid in passage_ids]
                number[row : row + len(block)] = ns
                row += len(block)
            kept = np.flatnonzero(owner[:row] >= 0)
            order = kept[np.lexsort((number[kept], owner[kept]))]
            offsets = np.searchsorted(owner[order], np.arange(len(positions) + 1), side="left")
            dim = 1 if matrix is None else matrix.shape[1]
            rows = np.lib.format.open_memmap(
                tmp, mode="w+", dtype=np.float32, shape=(max(1, len(order)), dim)
            )
            for start in range(0, len(order) if matrix is not None else 0, COPY_ROWS):
                rows[start : start + COPY_ROWS] = matrix[order[start : start + COPY_ROWS]]
            rows.flush()
            del rows, matrix
            np.savez(folder / (INDEX + ".tmp.npz"), offsets=offsets, stamp=np.array(stamp))
            (folder / (INDEX + ".tmp.npz")).replace(folder / INDEX)
            tmp.replace(folder / VECTORS)
        finally:
            for path in (arrived, tmp):
                with contextlib.suppress(OSError):
                    path.unlink()
        return cls.load(folder, stamp)

    @classmethod
    def load(cls, folder: Path, stamp: str) -> UnitVectors | None:
        """The saved vectors when they were written for the ids of ``stamp``, else None. Raises
        FileNotFoundError when there are none (an index saved before this file existed)."""
        with np.load(folder / INDEX) as index:
            if str(index["stamp"]) != stamp:
                return None
            offsets = index["offsets"]
        path = folder / VECTORS
        with path.open("rb") as f:
            version = np.lib.format.read_magic(f)
            header = (
                np.lib.format.read_array_header_1_0
                if version == (1, 0)
                else np.lib.format.read_array_header_2_0
            )
            shape, _, dtype = header(f)
            if dtype != np.float32 or len(shape) != 2 or shape[0] < offsets[-1]:
                raise ValueError(f"{path} is not the unit vectors its index describes")
            return cls(path, offsets, int(shape[1]), f.tell())
