"""District boundaries (ONS GeoJSON, WGS84), validated with the json module; the polygons of
authorities created since the file's vintage are unions (shapely) of those they replaced. Charts
read the stored file with geopandas."""

from __future__ import annotations

import json
from pathlib import Path

from helpers.core.errors import DataError
from helpers.sources.tabular import RESTORE_FIX

POLYGONS = {"Polygon", "MultiPolygon"}


def read_district_boundaries(path: str | Path, codes: list[str] | None = None) -> dict:
    """Return a GeoJSON FeatureCollection of district polygons keyed by `lad19cd`/`lad19nm`,
    optionally only the given district codes (all must be present)."""
    path = Path(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise DataError("the boundary file is missing", path=path, fix=RESTORE_FIX) from exc
    except json.JSONDecodeError as exc:
        raise DataError(
            f"the boundary file is not valid JSON ({exc})", path=path, fix=RESTORE_FIX
        ) from exc
    features = data.get("features") if isinstance(data, dict) else None
    if data.get("type") != "FeatureCollection" or not isinstance(features, list):
        raise DataError(
            "the boundary file is not a GeoJSON FeatureCollection", path=path, fix=RESTORE_FIX
        )
    for i, feature in enumerate(features):
        props = feature.get("properties") or {}
        geometry = feature.get("geometry") or {}
        for key in ("lad19cd", "lad19nm"):
            if not props.get(key):
                raise DataError(f"feature {i} has no '{key}' property", path=path, fix=RESTORE_FIX)
        if geometry.get("type") not in POLYGONS or not geometry.get("coordinates"):
            raise DataError(
                f"feature {i} ({props['lad19cd']}) has no polygon geometry",
                path=path,
                fix=RESTORE_FIX,
            )
    if codes is not None:
        by_code = {f["properties"]["lad19cd"]: f for f in features}
        missing = sorted(set(codes) - set(by_code))
        if missing:
            raise DataError(
                f"the boundary file has no polygon for {', '.join(missing)}",
                path=path,
                fix="use a boundary file that covers every configured district",
            )
        features = [by_code[c] for c in codes]
    return {"type": "FeatureCollection", "features": features}


def read_boundaries(path: str | Path, areas, changes) -> dict:
    """Every current English district and unitary authority's polygon, keyed by `area_code`
    (and `area_name`): the December 2019 polygons, with each authority created since then
    drawn as the union of the 2019 districts it replaced (`changes`, from
    helpers.sources.places). A current authority with no polygon stops the build."""
    from shapely.geometry import mapping, shape
    from shapely.ops import unary_union

    path = Path(path)
    collection = read_district_boundaries(path)
    by_code = {f["properties"]["lad19cd"]: f for f in collection["features"]}
    local = areas[areas["tier"].isin(["lower", "single"])]
    replaced = changes[changes["old_type"] == "District"].groupby("new_code")["old_code"]
    features, missing = [], []
    for code, name in zip(local["area_code"], local["area_name"], strict=True):
        if code in by_code:
            geometry = by_code[code]["geometry"]
        else:
            old = replaced.get_group(code) if code in replaced.groups else []
            old = [by_code[c] for c in old if c in by_code]
            if not old:
                missing.append(code)
                continue
            geometry = mapping(unary_union([shape(f["geometry"]) for f in old]))
        properties = {"area_code": code, "area_name": name}
        features.append({"type": "Feature", "properties": properties, "geometry": geometry})
    if missing:
        raise DataError(
            f"the boundary file has no polygon for {', '.join(missing)}",
            path=path,
            fix="use a boundary file that covers every current district (or its predecessors)",
        )
    return {"type": "FeatureCollection", "features": features}
