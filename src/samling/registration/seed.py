"""The seed events: one YAML file per event in ``events/``, named ``<event id>.yaml``.

    events = load_events(Path("events"))
    event = load_event_file(Path("events/klimakronsj-2021.yaml"))

A bad file raises :class:`SeedError` whose message names the file and the field, e.g.
``events/x.yaml: registration.deadline: must have a timezone offset``.
"""

from __future__ import annotations

from pathlib import Path

import yaml
from pydantic import ValidationError

from samling.registration.model import Event, describe_config_errors

# src/samling/registration/seed.py -> the repository root, where events/ lives in a checkout.
DEFAULT_EVENTS_DIR = Path(__file__).resolve().parents[3] / "events"


class SeedError(ValueError):
    """A seed file that cannot become an event. ``path`` is the file; ``fields`` maps dotted
    field paths to what is wrong (empty for files that are not readable YAML)."""

    def __init__(self, path: Path, message: str, fields: dict[str, str] | None = None) -> None:
        self.path = path
        self.fields = dict(fields or {})
        super().__init__(f"{path}: {message}")


class _PlainLoader(yaml.SafeLoader):
    """YAML without implicit timestamps: ``2021-06-21T23:59:59`` stays a string, so a missing
    offset is caught by the model exactly as in a JSON request instead of PyYAML quietly
    making a naive datetime (or, for ``2021-11-11``, a date the JSON API would never send)."""


_PlainLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def read_event_data(path: Path) -> dict:
    """The raw mapping in a seed file; :class:`SeedError` when it is not a YAML mapping."""
    path = Path(path)
    try:
        with path.open(encoding="utf-8") as handle:
            data = yaml.load(handle, Loader=_PlainLoader)  # noqa: S506 - a SafeLoader subclass
    except OSError as exc:
        raise SeedError(path, f"cannot be read ({exc.strerror or exc})") from None
    except UnicodeDecodeError:
        raise SeedError(path, "is not UTF-8 text") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark is not None else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise SeedError(path, f"{where}not valid YAML ({problem})") from None
    if not isinstance(data, dict):
        raise SeedError(path, "must be a YAML mapping with the event's fields")
    return data


def load_event_file(path: Path) -> Event:
    """One seed file as an :class:`Event`; its ``id`` must match the file name."""
    path = Path(path)
    data = read_event_data(path)
    try:
        event = Event.model_validate(data)
    except ValidationError as exc:
        fields = describe_config_errors(exc)
        first_path, first_message = next(iter(fields.items()))
        where = f"{first_path}: " if first_path else ""
        more = f" (and {len(fields) - 1} more)" if len(fields) > 1 else ""
        raise SeedError(path, f"{where}{first_message}{more}", fields) from None
    if event.id != path.stem:
        raise SeedError(path, f"id: {event.id!r} must match the file name {path.stem!r}", {"id": "must match the file name"})
    return event


def load_events(directory: Path = DEFAULT_EVENTS_DIR) -> list[Event]:
    """Every ``*.yaml`` / ``*.yml`` file in ``directory``, sorted by file name."""
    directory = Path(directory)
    if not directory.is_dir():
        raise SeedError(directory, "is not a directory of seed events")
    files = sorted([*directory.glob("*.yaml"), *directory.glob("*.yml")])
    return [load_event_file(path) for path in files]
