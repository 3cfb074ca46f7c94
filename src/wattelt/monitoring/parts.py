"""The stored parts of a published cube (`PublishedPart`): the unsuppressed figures of
one scope-year that count the residents of one district, as `cube.collect_parts` gives
them. A republish reads the parts of the districts that did not change, asks the
indicators for the ones that did (their districts only), and links the sum
(`cube.merge_parts`): the same figures as asking for every district again, at the cost
of what changed.
"""

from __future__ import annotations

import json
import zlib
from collections.abc import Collection, Mapping

from .cube import Area, Parts, _Collected, _Value
from .models import PublishedCube, PublishedPart


def _area(value: object) -> Area:
    return tuple(value) if isinstance(value, list) else value


def dump_part(found: _Collected) -> bytes:
    data = {
        "families": {family: sorted(items) for family, items in found.families.items()},
        "domains": list(found.domain_order),
        "districts": {str(d): name for d, name in found.district_names.items()},
        "values": [
            [*key, value.count, value.residents, value.extras.get("mean")]
            for key, value in found.values.items()
        ],
    }
    return zlib.compress(json.dumps(data, separators=(",", ":")).encode(), 1)


def load_part(payload: bytes) -> _Collected:
    data = json.loads(zlib.decompress(payload))
    found = _Collected()
    found.families = {family: set(items) for family, items in data["families"].items()}
    found.domain_order = {domain: n for n, domain in enumerate(data["domains"])}
    found.district_names = {int(d): name for d, name in data["districts"].items()}
    for family, item, period, area, age, count, residents, mean in data["values"]:
        value = _Value(count, residents)
        if mean is not None:
            value.extras["mean"] = mean
        found.values[family, item, period, _area(area), age] = value
    return found


def stored_parts(
    cube_id: int, leave_out: Collection[int] = (), only: Collection[int] | None = None
) -> Parts:
    """The stored parts of that cube, except those of the districts `leave_out` (or only
    those of the districts `only`)."""
    rows = PublishedPart.objects.filter(cube_id=cube_id).exclude(district_id__in=list(leave_out))
    if only is not None:
        rows = rows.filter(district_id__in=list(only))
    return {
        district: load_part(bytes(payload))
        for district, payload in rows.values_list("district_id", "payload")
    }


def store_parts(
    cube: PublishedCube, parts: Mapping[int, _Collected], replaced: Collection[int] | None
) -> None:
    """Write the cube's parts (in the caller's transaction): every part when `replaced`
    is None, else those of the districts `replaced` (a district without figures now
    loses its part)."""
    old = PublishedPart.objects.filter(cube=cube)
    if replaced is not None:
        old = old.filter(district_id__in=list(replaced))
    old.delete()
    PublishedPart.objects.bulk_create(
        PublishedPart(cube=cube, district_id=district, payload=dump_part(found))
        for district, found in parts.items()
        if replaced is None or district in replaced
    )


def same_figures(asked: Parts, stored: Parts) -> bool:
    """Whether parts asked for now hold exactly the figures of the stored ones (compared
    as stored, so a mean's float is compared as it would be kept): then linking and
    suppressing them again would give the cube already published."""
    if set(asked) != set(stored):
        return False
    return all(load_part(dump_part(asked[d])) == stored[d] for d in asked)
