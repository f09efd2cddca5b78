"""The remote front's in-memory copy of instances' histories (protobuf events), capped by
bytes: what a turn sends without reading the store, and what ``claim_turns(known=...)``
reads to load only the events past it."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Collection, Iterable, Iterator, Mapping
from typing import Any

#: Default cap of the cached histories, in bytes of their protobuf encoding (serve's
#: ``history_cache_bytes``). Python objects take a few times more memory than that.
DEFAULT_CACHE_BYTES = 64 * 1024 * 1024


class HistoryCache:
    """Histories by instance ID, least recently stepped first; ``bytes`` is their size."""

    def __init__(self, max_bytes: int = DEFAULT_CACHE_BYTES) -> None:
        self.max_bytes = max_bytes
        self.bytes = 0
        self._hist: OrderedDict[str, list[Any]] = OrderedDict()
        self._ids: dict[str, set[int]] = {}
        self._size: dict[str, int] = {}

    def __contains__(self, iid: str) -> bool:
        return iid in self._hist

    def __len__(self) -> int:
        return len(self._hist)

    def __iter__(self) -> Iterator[str]:
        return iter(self._hist)

    def get(self, iid: str) -> list[Any] | None:
        return self._hist.get(iid)

    def ids(self, iid: str) -> set[int]:
        """The action ids the cached history of ``iid`` holds (empty when not cached)."""
        return self._ids.get(iid, set())

    def put(self, iid: str, events: list[Any]) -> None:
        self.forget(iid)
        self._hist[iid] = events
        self._ids[iid] = set()
        self._size[iid] = 0
        self._add(iid, events)

    def extend(self, iid: str, events: Iterable[Any]) -> None:
        """Append ``events`` to a cached history (nothing when ``iid`` is not cached)."""
        hist = self._hist.get(iid)
        if hist is None:
            return
        events = list(events)
        hist.extend(events)
        self._add(iid, events)
        self._hist.move_to_end(iid)

    def _add(self, iid: str, events: list[Any]) -> None:
        n = sum(e.ByteSize() for e in events)
        self._size[iid] += n
        self.bytes += n
        self._ids[iid].update(e.eventId for e in events if e.eventId >= 0)

    def forget(self, iid: str) -> None:
        if self._hist.pop(iid, None) is not None:
            self._ids.pop(iid, None)
            self.bytes -= self._size.pop(iid, 0)

    def clear(self) -> None:
        self._hist.clear()
        self._ids.clear()
        self._size.clear()
        self.bytes = 0

    def over(self, keep: Collection[str] = ()) -> list[str]:
        """The instances to forget, least recently stepped first, for the rest to fit
        ``max_bytes`` (never one in ``keep``: a turn in flight reads its cached copy)."""
        out = []
        excess = self.bytes - self.max_bytes
        for iid, n in ((i, self._size[i]) for i in self._hist):
            if excess <= 0:
                break
            if iid not in keep:
                out.append(iid)
                excess -= n
        return out

    def known(self) -> Known:
        return Known(self)


class Known(Mapping[str, int]):
    """The history length cached per instance (a live view), as ``claim_turns(known=...)``
    reads it."""

    def __init__(self, cache: HistoryCache) -> None:
        self._cache = cache

    def __getitem__(self, iid: str) -> int:
        h = self._cache.get(iid)
        if h is None:
            raise KeyError(iid)
        return len(h)

    def __iter__(self) -> Iterator[str]:
        return iter(self._cache)

    def __len__(self) -> int:
        return len(self._cache)
