"""Parts of registration that keep more of a person register here to be told of an erasure."""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

ON_ERASE: list[Callable[[Any, dict], None]] = []
