#!/usr/bin/env python3
"""Convert Natural Earth 110m country outlines into crates/liaison-web/assets/world-110m.txt.

Source: the npm package `world-atlas` v2 (file `countries-110m.json`, TopoJSON with numeric
ISO 3166-1 ids), which repackages Natural Earth 1:110m Admin 0 countries.
Licences: Natural Earth data is in the public domain; world-atlas is ISC (c) Michael Bostock.

Output: one line per country, `ALPHA2<TAB>svg path data`, equirectangular projection into the
viewBox 0 0 1000 500 (x = (lon + 180) / 360 * 1000, y = (90 - lat) / 180 * 500), coordinates
rounded to 1 decimal, commands M/L/Z only. Rings that cross the antimeridian are unwrapped and
clipped to the map's left and right edges, so no horizontal stripes appear. Features without an
ISO numeric id (N. Cyprus, Somaliland) get `--`; Kosovo gets the user-assigned `XK`; the map
draws both kinds unlinked unless the code parses as an ISO code.

Re-run (needs network once; the build itself never does):
    mkdir -p target/worldmap && cd target/worldmap
    npm pack world-atlas@2 && tar xzf world-atlas-*.tgz
    python3 -m venv venv && ./venv/bin/pip install pycountry
    ./venv/bin/python ../../scripts/vendor-world-map.py package/countries-110m.json \
        > ../../crates/liaison-web/assets/world-110m.txt
"""

import json
import sys

import pycountry

W, H = 1000.0, 500.0
# Features without a numeric id in world-atlas, by name.
UNCODED = {"Kosovo": "XK", "N. Cyprus": "--", "Somaliland": "--"}


def decode_arcs(topo):
    sx, sy = topo["transform"]["scale"]
    tx, ty = topo["transform"]["translate"]
    arcs = []
    for arc in topo["arcs"]:
        x = y = 0
        points = []
        for dx, dy in arc:
            x += dx
            y += dy
            points.append((x * sx + tx, y * sy + ty))
        arcs.append(points)
    return arcs


def ring(arcs, indexes):
    points = []
    for i in indexes:
        arc = arcs[i] if i >= 0 else list(reversed(arcs[~i]))
        points.extend(arc if not points else arc[1:])
    return points


def unwrap(points):
    """Make longitudes continuous: a jump of more than 180 degrees is a crossing of the antimeridian."""
    out = [points[0]]
    for lon, lat in points[1:]:
        prev = out[-1][0]
        while lon - prev > 180:
            lon -= 360
        while lon - prev < -180:
            lon += 360
        out.append((lon, lat))
    return out


def clip(points, keep):
    """Sutherland-Hodgman against one vertical half-plane; keep(lon) -> (inside, edge lon)."""
    if not points:
        return points
    out = []
    for k in range(len(points)):
        a, b = points[k - 1], points[k]
        a_in, edge = keep(a[0])
        b_in, _ = keep(b[0])
        if b_in:
            if not a_in:
                out.append(cross(a, b, edge))
            out.append(b)
        elif a_in:
            out.append(cross(a, b, edge))
    return out


def cross(a, b, lon):
    t = (lon - a[0]) / (b[0] - a[0])
    return (lon, a[1] + t * (b[1] - a[1]))


def split(points):
    """The ring, unwrapped, as one or more pieces each within [-180, 180]."""
    points = unwrap(points)
    lo = min(p[0] for p in points)
    hi = max(p[0] for p in points)
    if lo >= -180 - 1e-9 and hi <= 180 + 1e-9:
        return [points]
    pieces = []
    for shift in (-360, 0, 360):
        moved = [(lon + shift, lat) for lon, lat in points]
        moved = clip(moved, lambda lon: (lon >= -180, -180))
        moved = clip(moved, lambda lon: (lon <= 180, 180))
        if len(moved) >= 3:
            pieces.append(moved)
    return pieces


def fmt(v):
    s = f"{v:.1f}"
    if s.endswith(".0"):
        s = s[:-2]
    return "0" if s == "-0" else s


def path(points):
    xy = []
    for lon, lat in points:
        x = min(max((lon + 180) / 360 * W, 0), W)
        y = min(max((90 - lat) / 180 * H, 0), H)
        p = (fmt(x), fmt(y))
        if not xy or xy[-1] != p:
            xy.append(p)
    if len(xy) > 1 and xy[0] == xy[-1]:
        xy.pop()
    if len(xy) < 3:
        return ""
    return "M" + "L".join(f"{x} {y}" for x, y in xy) + "Z"


def main():
    topo = json.load(open(sys.argv[1]))
    arcs = decode_arcs(topo)
    rows = []
    for g in topo["objects"]["countries"]["geometries"]:
        name = g["properties"]["name"]
        if g.get("id"):
            country = pycountry.countries.get(numeric=g["id"])
            if country is None:
                sys.exit(f"no ISO alpha-2 for numeric id {g['id']} ({name})")
            code = country.alpha_2
        else:
            code = UNCODED[name]
        polygons = g["arcs"] if g["type"] == "MultiPolygon" else [g["arcs"]]
        d = ""
        for polygon in polygons:
            for r in polygon:
                for piece in split(ring(arcs, r)):
                    d += path(piece)
        if d:
            rows.append((code, name, d))
    rows.sort()
    for code, _, d in rows:
        print(f"{code}\t{d}")


if __name__ == "__main__":
    main()
