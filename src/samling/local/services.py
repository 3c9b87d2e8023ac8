"""Loading the four Chalice apps into one process.

Each is a module named ``app``; a plain import of the second would return the first, so each
``services/<name>/app.py`` is loaded by path under a module name of its own.
"""
from __future__ import annotations

import importlib.util
import os
import sys
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

from samling.platform.settings import SERVICES


def repo_root() -> Path:
    override = os.environ.get("SAMLING_ROOT")
    if override:
        return Path(override)
    return Path(__file__).resolve().parents[3]


@dataclass
class Service:
    name: str
    module: ModuleType

    @property
    def app(self) -> Any:
        return self.module.app

    def queue_handlers(self) -> list[tuple[Any, int]]:
        from chalice.app import SQSEventConfig

        return [(self.app.handler_map[s.name], s.batch_size) for s in self.app.event_sources
                if isinstance(s, SQSEventConfig)]

    def schedules(self) -> list[tuple[str, Any]]:
        from chalice.app import ScheduledEventConfig

        return [(s.name, self.app.handler_map[s.name]) for s in self.app.event_sources
                if isinstance(s, ScheduledEventConfig)]


def load_service(name: str) -> Service:
    module_name = f"samling_service_{name}"
    if module_name in sys.modules:
        return Service(name, sys.modules[module_name])
    path = repo_root() / "services" / name / "app.py"
    # a service's own modules live in chalicelib/ beside app.py, as chalice packages them
    if (path.parent / "chalicelib").is_dir() and str(path.parent) not in sys.path:
        sys.path.insert(0, str(path.parent))
    spec = importlib.util.spec_from_file_location(module_name, path)
    if spec is None or spec.loader is None:
        raise RuntimeError(f"cannot load {path}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[module_name] = module
    spec.loader.exec_module(module)
    return Service(name, module)


def load_all() -> dict[str, Service]:
    return {name: load_service(name) for name in SERVICES}
