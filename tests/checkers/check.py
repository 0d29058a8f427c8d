"""Independent checkers for Kohero's open data (issue 21), run by the tests.

    check.py ics FILE      -> JSON: the events as Python's icalendar reads them
    check.py geojson FILE  -> JSON: geojson-validator's structure and geometry findings
    check.py atom FILE     -> JSON: the entries as Python's XML parser reads them
"""
import json
import logging
import sys

logging.disable(logging.CRITICAL)


def ics(path):
    import icalendar

    with open(path, "rb") as f:
        cal = icalendar.Calendar.from_ical(f.read())
    zones = [str(z["TZID"]) for z in cal.walk("VTIMEZONE")]
    events = []
    for e in cal.walk("VEVENT"):
        start = e.decoded("DTSTART")
        end = e.decoded("DTEND")
        events.append(
            {
                "uid": str(e["UID"]),
                "summary": str(e["SUMMARY"]),
                "sequence": int(e.get("SEQUENCE", 0)),
                "status": str(e.get("STATUS", "")),
                "start_utc": start.astimezone(__import__("datetime").timezone.utc).isoformat(),
                "minutes": int((end - start).total_seconds() // 60),
                "tzid": str(e["DTSTART"].params.get("TZID", "")),
                "location": str(e.get("LOCATION", "")),
            }
        )
    return {"name": str(cal.get("X-WR-CALNAME", "")), "zones": zones, "events": events}


def geojson(path):
    import geojson_validator

    with open(path) as f:
        data = json.load(f)
    structure = geojson_validator.validate_structure(data, check_crs=False)
    geometries = geojson_validator.validate_geometries(data)
    return {
        "structure": structure,
        "invalid": geometries["invalid"],
        "problematic": geometries["problematic"],
        "features": len(data.get("features", [])),
    }


def atom(path):
    import xml.etree.ElementTree as ET

    ns = {"a": "http://www.w3.org/2005/Atom"}
    root = ET.parse(path).getroot()
    return {
        "title": root.findtext("a:title", namespaces=ns),
        "id": root.findtext("a:id", namespaces=ns),
        "entries": [
            {
                "title": e.findtext("a:title", namespaces=ns),
                "id": e.findtext("a:id", namespaces=ns),
                "updated": e.findtext("a:updated", namespaces=ns),
                "link": e.find("a:link", ns).get("href"),
            }
            for e in root.findall("a:entry", ns)
        ],
    }


if __name__ == "__main__":
    kind, path = sys.argv[1], sys.argv[2]
    print(json.dumps({"ics": ics, "geojson": geojson, "atom": atom}[kind](path), ensure_ascii=False))
