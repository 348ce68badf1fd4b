"""`make mutation`: mutmut on each core module against the tests that cover it, then the table.

    python -m tests.mutation.run                          # every module of modules.txt
    python -m tests.mutation.run hotline/parsing.py       # only these
    python -m tests.mutation.run --survivors              # retry only the last run's survivors
    python -m tests.mutation.run --table                  # the table of the last runs, no run

Each module runs in its own scratch directory (var/mutation/<module>/: links to the repository,
and a pyproject.toml with the [tool.mutmut] section of that module), one module at a time, on
SQLite in memory (each mutmut child has its own database). With MUTATION_DATABASE_URL naming a
PostgreSQL database (or --database), its test database is made once per module and kept between
mutants, with one child: several times faster where the tests need the database. A survivor
whose change is listed in equivalent.md is reviewed; any other is printed with its diff, and the
command exits 1. The table is also written to var/mutation/table.md.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
SCRATCH = ROOT / "var" / "mutation"
MODULES = HERE / "modules.txt"
EQUIVALENT = HERE / "equivalent.md"
# What mutmut must copy beside the mutated package for the tests to run (settings, templates,
# fixtures, translations, the other apps).
SKIPPED = {".git", ".venv", "var", "mutants", "staticfiles", "__pycache__"}

# mutmut's exit codes (mutmut.stats.status_by_exit_code): a timeout or a crash is a kill.
KILLED = {1, 3, 24, 36, 152, 255, -24, -11, -9}
SURVIVED = {0, 35}
NO_TEST = {5, 33}


@dataclass
class Mutant:
    name: str
    function: str
    lines: tuple[str, ...]  # the changed lines, "-…" then "+…", stripped after the sign

    @property
    def key(self):
        return (self.function, frozenset(self.lines))


@dataclass
class Result:
    module: str
    total: int = 0
    killed: int = 0
    survived: int = 0
    no_test: int = 0
    unlisted: list[Mutant] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def score(self) -> float:
        return 100 * self.killed / self.total if self.total else 0.0


def read_modules(path: Path = MODULES) -> dict[str, list[str]]:
    """module → the test files (or test ids) that cover it; one line each, `module: tests…`."""
    modules = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            module, _, tests = line.partition(":")
            modules[module.strip()] = tests.split()
    return modules


def read_equivalent(path: Path = EQUIVALENT) -> dict[str, Counter]:
    """module → the reviewed equivalent mutants, keyed by function and changed lines.

    equivalent.md has a `## module` heading per module and one ```diff block per mutant: a
    first line `# function: why`, then the line as written (-) and as mutated (+)."""
    listed: dict[str, Counter] = {}
    module = None
    text = path.read_text(encoding="utf-8") if path.exists() else ""
    for heading, block in re.findall(r"^## `?([^`\n]+)`?$|^```diff\n(.*?)^```", text, re.M | re.S):
        if heading:
            module = heading.strip()
            continue
        lines = block.splitlines()
        function = lines[0].lstrip("# ").split(":", 1)[0].strip()
        changed = frozenset(normalise_line(line) for line in lines[1:] if line[:1] in "+-")
        listed.setdefault(module, Counter())[(function, changed)] += 1
    return listed


def normalise_line(line: str) -> str:
    return line[0] + " ".join(line[1:].split())


def scratch_dir(module: str) -> Path:
    return SCRATCH / module.removesuffix(".py").replace("/", ".")


def prepare(module: str, tests: list[str], keep: bool, database: str | None) -> Path:
    """A directory that looks like the repository to mutmut, configured for one module."""
    where = scratch_dir(module)
    if where.exists() and not keep:
        shutil.rmtree(where)
    where.mkdir(parents=True, exist_ok=True)
    package = module.split("/")[0]
    others = []
    for entry in sorted(ROOT.iterdir()):
        if entry.name in SKIPPED or entry.name.startswith(".") or entry.name == "pyproject.toml":
            continue
        link = where / entry.name
        if not link.is_symlink():
            link.symlink_to(entry)
        if entry.name not in {package, "tests"}:
            others.append(entry.name)
    section = {
        "source_paths": [package],
        "only_mutate": [module],
        "also_copy": others,
        "pytest_add_cli_args_test_selection": tests,
        # Tables from the models, not 5 migrations, for each mutant's session: the suite checks
        # elsewhere that the migrations match the models.
        "pytest_add_cli_args": ["-p", "no:cacheprovider", "--no-migrations"]
        + (["--reuse-db", "-p", "tests.mutation.plugin"] if database else []),
        # A mutant's time limit is (its tests' time + this) × 15: the tests' time leaves out
        # the session's setup (the database, the fixtures), which takes seconds on a busy
        # machine; without it a slow start would count as a kill.
        "timeout_constant": 10.0,
    }
    config = "\n".join(f"{key} = {json.dumps(value)}" for key, value in section.items())
    pyproject = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    (where / "pyproject.toml").write_text(f"{pyproject}\n[tool.mutmut]\n{config}\n", "utf-8")
    return where


def open_mutants(module: str, where: Path) -> list[str]:
    """The mutants of the last run that no test killed."""
    meta = where / "mutants" / f"{module}.meta"
    if not meta.exists():
        return []
    codes = json.loads(meta.read_text(encoding="utf-8"))["exit_code_by_key"]
    return [name for name, code in codes.items() if code not in KILLED]


def fresh_test_database(url: str) -> None:
    """Drop the test databases of the last run: their tables may be of older models. mutmut
    runs pytest several times in one process (the stats, the clean run, the forced failure,
    then the mutants forked from it), and each session names its database after the last one's:
    test_<name>, test_test_<name>, …; the mutants' is the last of these."""
    import dj_database_url
    import psycopg
    from psycopg import sql

    settings = dj_database_url.parse(url)
    with psycopg.connect(
        host=settings["HOST"] or None,
        port=settings["PORT"] or None,
        user=settings["USER"] or None,
        password=settings["PASSWORD"] or None,
        dbname="postgres",
        autocommit=True,
    ) as connection:
        names = connection.execute(
            "SELECT datname FROM pg_database WHERE datname ~ %s",
            [f"^(test_)+{re.escape(settings['NAME'])}$"],
        ).fetchall()
        for (name,) in names:
            connection.execute(sql.SQL("DROP DATABASE {}").format(sql.Identifier(name)))


def run_mutmut(where: Path, children: int, names=(), database: str | None = None) -> None:
    env = {**os.environ, "DEBUG": "0"}
    if database:
        env["DATABASE_URL"] = database
    else:
        # SQLite in memory: every child its own database, no name shared with anyone.
        env.pop("DATABASE_URL", None)
    mutmut = Path(sys.executable).with_name("mutmut")
    with open(where / "mutmut.log", "w", encoding="utf-8") as log:
        status = subprocess.call(
            [str(mutmut), "run", "--max-children", str(children), *names],
            cwd=where,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    if status:
        raise SystemExit(f"mutmut failed in {where} (exit {status}); see {where / 'mutmut.log'}")


def describe(names: list[str]) -> list[dict]:
    """Run inside a scratch directory: each mutant's function and changed lines."""
    from mutmut.mutation.diff_apply import get_diff_for_mutant
    from mutmut.utils.format_utils import orig_function_and_class_names_from_key

    described = []
    for name, path in names:
        function, cls = orig_function_and_class_names_from_key(name)
        diff = get_diff_for_mutant(name, path=path).splitlines()[2:]
        lines = [normalise_line(line) for line in diff if line[:1] in "+-" and line[1:].strip()]
        described.append(
            {"name": name, "function": f"{cls}.{function}" if cls else function, "lines": lines}
        )
    return described


def collect(module: str, where: Path, listed: Counter) -> Result:
    meta = json.loads((where / "mutants" / f"{module}.meta").read_text(encoding="utf-8"))
    result = Result(module)
    open_mutants = []
    for name, code in meta["exit_code_by_key"].items():
        result.total += 1
        if code in KILLED:
            result.killed += 1
        elif code in NO_TEST:
            result.no_test += 1
            open_mutants.append(name)
        else:  # survived, suspicious, or never run
            result.survived += 1
            open_mutants.append(name)
    if open_mutants:
        output = subprocess.run(
            [sys.executable, str(Path(__file__)), "--describe", module, *open_mutants],
            cwd=where,
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        remaining = Counter(listed)
        for item in json.loads(output):
            mutant = Mutant(item["name"], item["function"], tuple(item["lines"]))
            if remaining[mutant.key] > 0:
                remaining[mutant.key] -= 1
            else:
                result.unlisted.append(mutant)
    return result


def table(results: list[Result]) -> str:
    rows = [
        "| module | mutants | killed | survived | no test | score |",
        "|---|---|---|---|---|---|",
    ]
    for r in results:
        rows.append(
            f"| `{r.module}` | {r.total:,} | {r.killed:,} | {r.survived:,} | {r.no_test:,} "
            f"| {r.score:.1f} % |"
        )
    return "\n".join(rows)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("modules", nargs="*", help="modules of modules.txt (default: all)")
    parser.add_argument("--max-children", type=int, default=2, help="mutmut's children (2)")
    parser.add_argument(
        "--database",
        default=os.environ.get("MUTATION_DATABASE_URL"),
        help="a PostgreSQL URL whose test database is kept between mutants (one child)",
    )
    parser.add_argument("--keep", action="store_true", help="reuse the last run's results")
    parser.add_argument(
        "--survivors", action="store_true", help="run again only the last run's survivors"
    )
    parser.add_argument("--table", action="store_true", help="only print the last runs' table")
    parser.add_argument("--describe", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args.describe:
        module, *names = args.describe
        print(json.dumps(describe([(name, module) for name in names])))
        return 0

    modules = read_modules()
    unknown = [m for m in args.modules if m not in modules]
    if unknown:
        parser.error(f"not in {MODULES.relative_to(ROOT)}: {', '.join(unknown)}")
    equivalent = read_equivalent()
    results = []
    for module in args.modules or modules:
        if args.table:
            where = scratch_dir(module)
            if (where / "mutants" / f"{module}.meta").exists():
                results.append(collect(module, where, equivalent.get(module, Counter())))
            continue
        started = time.monotonic()
        print(f"{module}: mutmut against {' '.join(modules[module])}", flush=True)
        where = prepare(module, modules[module], args.keep or args.survivors, args.database)
        retry = open_mutants(module, where) if args.survivors else []
        if retry:
            # mutmut measures again which tests reach which function only for tests of a new
            # name: a test made stronger under its old name would never meet the survivors.
            (where / "mutants" / "mutmut-stats.json").unlink(missing_ok=True)
        if not args.survivors or retry:
            if args.database:
                fresh_test_database(args.database)
            # One child on a kept database: two would run their tests in it at once.
            children = 1 if args.database else args.max_children
            run_mutmut(where, children, retry, args.database)
        result = collect(module, where, equivalent.get(module, Counter()))
        result.seconds = time.monotonic() - started
        print(
            f"  {result.total} mutants, {result.killed} killed, {result.score:.1f} % "
            f"in {result.seconds / 60:.1f} min",
            flush=True,
        )
        results.append(result)

    print()
    print(table(results))
    unlisted = [(r.module, m) for r in results for m in r.unlisted]
    if unlisted:
        print(f"\n{len(unlisted)} survivors not in {EQUIVALENT.relative_to(ROOT)}:")
        for module, mutant in unlisted:
            print(f"\n{module} · {mutant.function} ({mutant.name})")
            for line in mutant.lines:
                print(f"    {line}")
    SCRATCH.mkdir(parents=True, exist_ok=True)
    (SCRATCH / "table.md").write_text(
        f"Measured {time.strftime('%Y-%m-%d')}\n\n{table(results)}\n", encoding="utf-8"
    )
    return 1 if unlisted else 0


if __name__ == "__main__":
    sys.exit(main())
