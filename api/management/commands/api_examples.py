"""Writes api/examples.json: a real answer and body for every operation of the API, read from
Huai'an's 2023 report, which api/schema.py gives the schema as its examples. Run it on a fresh
database with the fixtures (`manage.py load_fixtures`) after a change to what the API shows."""

import json
import re
from pathlib import Path

from django.core.management.base import BaseCommand
from drf_spectacular.generators import SchemaGenerator
from rest_framework.test import APIClient

import api

PATH_PARAMETER = re.compile(r"\{(\w+)\}")
CITY, YEAR = "huaian", 2023
# Bodies that no answer shows: the workflow's reason and a staff sign-in.
BODIES = {
    "/api/v1/reports/{city}/{year}/reopen/": {
        "reason": "市统计局更正了 2023 年常住人口，需修订每十万人指标。"
    },
    "/api/v1/auth/token/": {"username": "reviewer", "password": "correct horse battery staple"},
}
TOKEN = {"token": "9944b09199c62bcf9418ad846dd0e4bbdfc6ee4b"}
# Answers that are not paginated but long: their first rows, as a list's example is one page of one.
SHORTENED = {"/api/v1/provinces/jiangsu/{year}/": 3}
# Where a record's own name in the URL is found in its answer.
KEYS = {"id": "id", "code": "code", "slug": "slug"}


class Command(BaseCommand):
    help = "Write api/examples.json from Huai'an's 2023 report (load the fixtures first)."

    def handle(self, *args, **options):
        schema = SchemaGenerator().get_schema(request=None, public=True)
        client = APIClient(headers={"accept-language": "zh-hans"}, SERVER_NAME="localhost")
        examples = {}
        for path, operations in sorted(schema["paths"].items()):
            entry = examples.setdefault(path, {})
            if "get" in operations and not PATH_PARAMETER.search(path):
                names = {p["name"] for p in operations["get"].get("parameters", [])}
                query = {"page_size": 1}
                if "city" in names:
                    query["city"] = CITY
                if "year" in names:
                    query["year"] = YEAR
                entry["get"] = client.get(path, query).json()
        for path in sorted(schema["paths"]):
            names = PATH_PARAMETER.findall(path)
            if not names:
                continue
            values = {"city": CITY, "year": YEAR}
            key = next((n for n in names if n in KEYS), None)
            if key is not None:
                collection = path[: path.index("{")]
                found = examples[collection]["get"]["results"]
                if not found:
                    self.stderr.write(f"{path}: no record in {CITY} {YEAR}, no example")
                    continue
                values[key] = found[0][KEYS[key]]
            entry = examples.setdefault(path, {})
            entry["path"] = {name: values[name] for name in names}
            if "get" in schema["paths"][path]:
                url = path.format(**values)
                entry["get"] = client.get(url).json()
                if path in SHORTENED:
                    entry["get"]["results"] = entry["get"]["results"][: SHORTENED[path]]
        for path, body in BODIES.items():
            examples[path]["body"] = body
        examples["/api/v1/auth/token/"]["post"] = TOKEN
        target = Path(api.__file__).with_name("examples.json")
        target.write_text(json.dumps(examples, ensure_ascii=False, indent=1) + "\n", "utf-8")
        self.stdout.write(f"{target}: {len(examples)} paths")
