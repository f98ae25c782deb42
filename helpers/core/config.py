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
class AreaSpec:
    """What params/areas.yaml asks for: `county: <code>` or `unitary: <code>`, and optionally
    which of its areas get reports. The rest is derived from the lookups
    (helpers.sources.places.resolve)."""

    kind: str  # "county" or "unitary"
    code: str
    report_areas: tuple[str, ...] | None
    path: Path


@dataclass(frozen=True)
class Areas:
    """The assessment's areas, resolved from an AreaSpec against the national areas table."""

    upper: str  # the county or unitary authority the assessment is for
    kind: str  # "county" or "unitary"
    districts: tuple[str, ...]  # its districts (none for a unitary authority)
    force_area: str
    force_parts: tuple[str, ...]  # the counties and unitary authorities the force area covers
    force_members: tuple[str, ...]  # every district and unitary authority in the force area
    region: str
    england: str
    report_areas: tuple[str, ...]

    @property
    def all_codes(self) -> tuple[str, ...]:
        """Every area the assessment shows, each once, the upper tier first."""
        codes = (
            self.upper,
            *self.districts,
            *self.force_parts,
            *self.force_members,
            self.force_area,
            self.region,
            self.england,
        )
        return tuple(dict.fromkeys(codes))


SPEC_KEYS = {"county", "unitary", "report_areas"}


@cache
def area_spec(folder: Path | None = None) -> AreaSpec:
    """params/areas.yaml, checked for shape (the codes themselves are checked against the
    lookups when they are resolved)."""
    path = (folder or paths.PARAMS) / "areas.yaml"
    data = load_params("areas", folder)
    unknown = sorted(set(data) - SPEC_KEYS)
    if unknown:
        raise ParamsError(
            f"unknown setting {', '.join(repr(k) for k in unknown)}",
            path=path,
            fix="the file names only 'county:' or 'unitary:' (and optionally 'report_areas:'); "
            "districts, the police force area and the region come from the lookups",
        )
    kinds = [k for k in ("county", "unitary") if k in data]
    if len(kinds) != 1:
        raise ParamsError(
            "name the area with exactly one of 'county:' or 'unitary:'"
            + (" (both are set)" if len(kinds) == 2 else ""),
            path=path,
            fix="e.g. 'county: <9-character ONS code>' or 'unitary: <code>'",
        )
    kind = kinds[0]
    code = require(data, kind, path, str).strip()  # a name is explained when it is resolved
    report = data.get("report_areas")
    if report is not None:
        report = tuple(
            _code(c, "report_areas", path) for c in require(data, "report_areas", path, list)
        )
        if not report:
            raise ParamsError(
                "report_areas is empty", path=path, fix="list at least one area, or remove it"
            )
    return AreaSpec(kind, code, report, path)


def _code(value: Any, key: str, path: Path) -> str:
    if not isinstance(value, str) or not GSS.match(value):
        raise ParamsError(
            f"'{key}' has {value!r}, which is not a GSS code (a letter and eight digits)",
            path=path,
            fix="use the area's 9-character ONS code (the build log and README list them)",
        )
    return value
