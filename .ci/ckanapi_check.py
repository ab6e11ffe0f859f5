"""CKAN compatibility check (issue 14 item 7): ckanapi's RemoteCKAN, unchanged, against a
running `gongshu serve --demo`. It lists, searches (Chinese text, facets), shows and reads
datasets through the CKAN Action API and asserts that it gets the same datasets and rows as
the platform's own API (/api/v1) shows the public; conditional data is refused.

Usage: python3 ckanapi_check.py BASE_URL
"""

import json
import sys
import urllib.parse
import urllib.request

import ckanapi

BASE = sys.argv[1].rstrip("/")
ckan = ckanapi.RemoteCKAN(BASE, user_agent="gongshu-ci-ckanapi-check")
checks = {"passed": 0}


def own(path):
    """The platform's own API, as the public calls it."""
    with urllib.request.urlopen(BASE + path) as res:
        return json.load(res)


def check(condition, what):
    if not condition:
        raise SystemExit(f"FAIL: {what}")
    checks["passed"] += 1
    print(f"ok - {what}")


# package_list: every open dataset the platform's own catalog export shows the public.
names = ckan.action.package_list()
exported = own("/api/v1/catalog/export.json")
open_codes = {e["code"] for e in exported if e["open_type"] in ("unconditional", "conditional")}
check(len(names) > 0, f"package_list lists {len(names)} datasets")
check(set(names) == open_codes, "package_list equals the open entries of /api/v1/catalog/export.json")
check(all(e["open_type"] != "not_open" for e in exported), "the public export holds no not-open entry")

# package_search: a Chinese query with facets, the same datasets as the platform's search.
q = "养老机构"
found = ckan.call_action(
    "package_search",
    {"q": q, "rows": 100, "facet.field": ["organization", "groups", "tags", "license_id"]},
)
mine = own("/api/v1/catalog/entries?" + urllib.parse.urlencode({"q": q, "per_page": 100}))
check(found["count"] == mine["total"] > 0, f"package_search q={q} counts {found['count']} like the platform")
check(
    {p["name"] for p in found["results"]} == {e["code"] for e in mine["entries"]},
    "package_search finds the platform's search results",
)
titles = [p["title"] for p in found["results"]]
check("养老机构名录" in titles, f"养老机构名录 is found: {titles}")
check(
    set(found["search_facets"]) == {"organization", "groups", "tags", "license_id"},
    "every asked facet is counted",
)
orgs = {i["display_name"]: i["count"] for i in found["search_facets"]["organization"]["items"]}
check(orgs.get("市民政局", 0) >= 1, f"the organization facet counts 市民政局: {orgs}")

# fq on a tag: only conditional datasets.
conditional = ckan.call_action("package_search", {"fq": "tags:有条件开放", "rows": 100})
check(conditional["count"] > 0, f"fq=tags:有条件开放 finds {conditional['count']} datasets")
check(
    all(p["license_id"] == "gongshu-conditional-open" for p in conditional["results"]),
    "every conditional result carries the conditional licence",
)

# package_show: the dataset, its organisation and its resources.
homes = next(p for p in found["results"] if p["title"] == "养老机构名录")
shown = ckan.action.package_show(id=homes["name"])
check(shown["organization"]["title"] == "市民政局", "package_show names the organisation")
check([r["format"] for r in shown["resources"]] == ["CSV", "JSON", "XLSX", "PARQUET"], "four resources")
check(all(r["datastore_active"] for r in shown["resources"]), "the demo data is in the datastore")

# datastore_search with filters: the rows the platform's data API returns, on the largest
# open dataset of the demo (企业登记信息), filtered on its most repeated text value.
companies = ckan.call_action("package_search", {"q": "企业登记信息", "rows": 10})
register = next(p for p in companies["results"] if p["title"] == "企业登记信息")
resource = register["resources"][0]["id"]
sample = ckan.action.datastore_search(resource_id=resource, limit=200)
best = None
for field in sample["fields"]:
    if field["type"] != "text" or field.get("masked"):
        continue
    values = [r[field["id"]] for r in sample["records"] if r.get(field["id"])]
    for v in set(values):
        if best is None or values.count(v) > best[2]:
            best = (field["id"], v, values.count(v))
column, value, _ = best
rows = ckan.action.datastore_search(resource_id=resource, filters={column: value}, limit=1000)
api_rows = own(
    f"/api/v1/entries/{register['name']}/data?"
    + urllib.parse.urlencode({column: f"eq.{value}", "limit": 1000})
)
counted = own(
    f"/api/v1/entries/{register['name']}/data/aggregate?"
    + urllib.parse.urlencode({column: f"eq.{value}", "measures": "count"})
)[0]["count"]
check(rows["total"] == counted > 1, f"datastore_search {column}={value} counts {rows['total']} rows like the data API")
check(rows["records"] == api_rows, f"datastore_search returns the data API's {len(api_rows)} rows")
stats = own(f"/api/v1/entries/{register['name']}/data/stats")
check(sample["total"] == stats["rows"], f"the unfiltered total is the {stats['rows']} rows the data API counts")

# Conditional data: refused to an anonymous caller with CKAN's authorization error.
cond = conditional["results"][0]
try:
    ckan.action.datastore_search(resource_id=cond["resources"][0]["id"], limit=1)
    raise SystemExit("FAIL: conditional data was served to an anonymous caller")
except ckanapi.NotAuthorized:
    check(True, f"conditional {cond['title']} is refused with NotAuthorized")

# A dataset the public may not see is not found.
try:
    ckan.action.package_show(id="no-such-dataset")
    raise SystemExit("FAIL: an unknown dataset was shown")
except ckanapi.NotFound:
    check(True, "an unknown dataset is NotFound")

print(f"ckanapi: {checks['passed']} passed, 0 failed")
