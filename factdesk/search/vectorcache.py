"""A disk cache of embedding vectors, keyed by model, prefix kind and exact text.

Encoding 14,000 fact-checks takes minutes on a laptop CPU; the same texts come back at every
index rebuild and every evaluation run, so each vector is computed once per model. The cache
is a directory with two append-only files per model: ``keys.bin`` (16-byte digests) and
``vectors.f32`` (rows of float32). Vectors are appended before their keys, so a crash
mid-write leaves at most unreachable rows, never a key pointing at garbage; an exclusive
``flock`` keeps two processes from interleaving their appends.
"""

from __future__ import annotations

import fcntl
import hashlib
from collections.abc import Sequence
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

KEY_BYTES = 16


class VectorCache:
    """Vectors of one dimension, stored under ``root`` and looked up by :meth:`key`."""

    def __init__(self, root: Path, dim: int) -> None:
        self.root = root
        self.dim = dim
        self._index: dict[bytes, int] | None = None
        self._vectors: NDArray[np.float32] = np.zeros((0, dim), dtype=np.float32)

    @staticmethod
    def key(model_id: str, kind: str, text: str) -> bytes:
        """The cache key of ``text`` encoded by ``model_id`` with prefix ``kind``."""
        digest = hashlib.sha256(f"{model_id}\x00{kind}\x00{text}".encode())
        return digest.digest()[:KEY_BYTES]

    @property
    def _keys_path(self) -> Path:
        return self.root / "keys.bin"

    @property
    def _vectors_path(self) -> Path:
        return self.root / "vectors.f32"

    def _load(self) -> dict[bytes, int]:
        if self._index is not None:
            return self._index
        index: dict[bytes, int] = {}
        if self._keys_path.exists() and self._vectors_path.exists():
            raw_keys = self._keys_path.read_bytes()
            vectors = np.fromfile(self._vectors_path, dtype=np.float32)
            rows = min(len(raw_keys) // KEY_BYTES, vectors.size // self.dim)
            self._vectors = vectors[: rows * self.dim].reshape(rows, self.dim)
            for row in range(rows):
                index[raw_keys[row * KEY_BYTES : (row + 1) * KEY_BYTES]] = row
        self._index = index
        return index

    def __len__(self) -> int:
        return len(self._load())

    def get_many(self, keys: Sequence[bytes]) -> dict[bytes, NDArray[np.float32]]:
        """The cached vectors among ``keys`` (missing keys are simply absent)."""
        index = self._load()
        return {k: self._vectors[index[k]] for k in keys if k in index}

    def put_many(self, keys: Sequence[bytes], vectors: NDArray[np.float32]) -> None:
        """Append ``vectors`` (one row per key) to the cache, on disk and in memory."""
        if len(keys) != len(vectors):
            raise ValueError("put_many needs one vector per key")
        if not keys:
            return
        index = self._load()
        block = np.ascontiguousarray(vectors, dtype=np.float32).reshape(len(keys), self.dim)
        self.root.mkdir(parents=True, exist_ok=True)
        with open(self.root / "lock", "a") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            try:
                # Another process may have appended since we loaded: align on what is there.
                on_disk = self._vectors_path.stat().st_size if self._vectors_path.exists() else 0
                keys_size = self._keys_path.stat().st_size if self._keys_path.exists() else 0
                rows = min(on_disk // (4 * self.dim), keys_size // KEY_BYTES)
                with open(self._vectors_path, "r+b" if on_disk else "wb") as fh:
                    fh.truncate(rows * 4 * self.dim)
                    fh.seek(rows * 4 * self.dim)
                    fh.write(block.tobytes())
                with open(self._keys_path, "r+b" if keys_size else "wb") as fh:
                    fh.truncate(rows * KEY_BYTES)
                    fh.seek(rows * KEY_BYTES)
                    fh.write(b"".join(keys))
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)
        # Reload lazily next time so rows written by other processes are seen too.
        if rows == len(index):
            self._vectors = np.concatenate([self._vectors, block])
            for offset, k in enumerate(keys):
                index[k] = rows + offset
        else:
            self._index = None
