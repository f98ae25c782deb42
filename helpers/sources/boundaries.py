"""District boundaries (ONS GeoJSON, WGS84). Validated with the json module so that the build does
not need geopandas; charts read the stored file with geopandas."""

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
