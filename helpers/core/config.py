"""Parameter files in params/: loaded once, validated, with errors that point at the line."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from helpers.core import paths
from helpers.core.errors import ParamsError

GSS = re.compile(r"^[EWSNK]\d{8}$")


def load_yaml(path: Path) -> Any:
    """Parse a YAML file; a syntax error names the file, line and column."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        raise ParamsError(
            "the parameter file is missing",
            path=path,
            fix="restore it from git (git checkout -- params/)",
        ) from exc
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise ParamsError(
            f"malformed YAML{where}: {problem}",
            path=path,
            fix="fix the YAML syntax (indentation, colons, quotes)",
        ) from exc


def load_params(name: str, folder: Path | None = None) -> dict:
    """Load params/<name>.yaml as a mapping."""
    path = (folder or paths.PARAMS) / f"{name}.yaml"
    data = load_yaml(path)
    if not isinstance(data, dict):
        raise ParamsError(
            "expected a mapping of settings at the top level",
            path=path,
            fix="see the comments in the file for its settings",
        )
    return data


def require(mapping: dict, key: str, path: Path, kind: type | tuple[type, ...]) -> Any:
    if key not in mapping:
        raise ParamsError(
            f"the setting '{key}' is missing",
            path=path,
            fix=f"add '{key}:' (see README.md, Parameters)",
        )
    value = mapping[key]
    if not isinstance(value, kind):
        raise ParamsError(
            f"the setting '{key}' should be a {_kind_name(kind)}, not {value!r}",
            path=path,
            fix=f"correct '{key}'",
        )
    return value


def _kind_name(kind) -> str:
    kinds = kind if isinstance(kind, tuple) else (kind,)
    return " or ".join(
        {str: "text", list: "list", dict: "mapping", int: "number"}.get(k, k.__name__)
        for k in kinds
    )


@dataclass(frozen=True)
class Areas:
    county: str
    districts: tuple[str, ...]
    force_unitaries: tuple[str, ...]
    force_area: str
    region: str
    england: str
    report_areas: tuple[str, ...]

    @property
    def force_districts(self) -> tuple[str, ...]:
        """The local authorities that make up the force area."""
        return (*self.districts, *self.force_unitaries)

    def members(self) -> dict[str, list[str]]:
        """The local authorities each reported area adds up from: each force authority itself,
        the county from its districts, the force area from all of them."""
        groups = {code: [code] for code in self.force_districts}
        groups[self.county] = list(self.districts)
        groups[self.force_area] = list(self.force_districts)
        return groups

    @property
    def all_codes(self) -> tuple[str, ...]:
        return (self.county, *self.force_districts, self.force_area, self.region, self.england)


@cache
def areas(folder: Path | None = None) -> Areas:
    """params/areas.yaml, validated."""
    path = (folder or paths.PARAMS) / "areas.yaml"
    data = load_params("areas", folder)
    values: dict[str, Any] = {}
    for key in ("county", "force_area", "region", "england"):
        values[key] = _code(require(data, key, path, str), key, path)
    for key in ("districts", "force_unitaries", "report_areas"):
        items = require(data, key, path, list)
        values[key] = tuple(_code(c, key, path) for c in items)
    known = {values["county"], *values["districts"]}
    stray = [c for c in values["report_areas"] if c not in known]
    if stray:
        raise ParamsError(
            f"report_areas has {', '.join(stray)}, which is not the county or one of its districts",
            path=path,
            fix="list only codes from 'county' and 'districts'",
        )
    return Areas(**values)


def _code(value: Any, key: str, path: Path) -> str:
    if not isinstance(value, str) or not GSS.match(value):
        raise ParamsError(
            f"'{key}' has {value!r}, which is not a GSS code (a letter and eight digits)",
            path=path,
            fix="use the 9-character ONS code",
        )
    return value
