"""The public API report: a committed snapshot that `make api-check` compares the code against.

    python api-report/api_report.py check    fail on a breaking change since the snapshot
    python api-report/api_report.py update   rewrite the snapshot (a release does it on purpose)

The snapshot is griffe's JSON dump of ``binance_coinm_futures`` as loaded from ``generated/``
(griffe follows the ``_runtime`` and ``testing`` links into ``signing_hook/`` and
``local_exchange/``), cut down to what the API is: docstrings, line numbers, file paths,
private names and attribute values are left out, so the file changes when the API does and a
review shows how. It travels with the repository, unlike a release tag.

The root re-exports the runtime's names lazily (``__getattr__``), which static analysis sees
as nothing; the runtime package, where ``__all__`` and the names are written, is therefore
compared as a public module of its own.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import griffe

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = "binance_coinm_futures"
SNAPSHOT = Path(__file__).resolve().parent / f"{PACKAGE}.json"
#: Where the lazily re-exported public names are defined, compared as public modules.
REEXPORTED_FROM = ("_runtime",)
_NOT_API = frozenset({"docstring", "lineno", "endlineno", "filepath", "imports", "analysis"})


def _is_private(name: str) -> bool:
    # A package's __main__ is a command line, not an importable API.
    dunder = name.startswith("__") and name.endswith("__")
    return name == "__main__" or (name.startswith("_") and not dunder)


def _pruned(node: dict[str, Any], *, keep_private_modules: bool) -> dict[str, Any]:
    """``node`` without what is not API. Private modules stay (the public names of the
    runtime are aliases into them); private names in them do not."""
    kept = {key: value for key, value in node.items() if key not in _NOT_API}
    if "lineno" in node:
        kept["lineno"] = kept["endlineno"] = 0  # griffe needs them to load the report back
    if node.get("kind") == "attribute":
        # A value is not API: __version__ changes every release, and griffe would call it a
        # break.
        kept.pop("value", None)
    members = node.get("members")
    if isinstance(members, dict):
        kept["members"] = {
            name: _pruned(member, keep_private_modules=keep_private_modules)
            for name, member in sorted(members.items())
            if not _is_private(name)
            or (keep_private_modules and member.get("kind") == "module" and name != "__main__")
            or name in REEXPORTED_FROM
        }
    return kept


def load_current() -> griffe.Module:
    module = griffe.load(
        PACKAGE,
        search_paths=[ROOT / "generated"],
        resolve_aliases=True,
        resolve_external=False,
    )
    assert isinstance(module, griffe.Module)
    return module


def report(module: griffe.Module) -> str:
    """The snapshot text of ``module``: stable, sorted, one line per field."""
    dumped = json.loads(module.as_json())
    return json.dumps(_pruned(dumped, keep_private_modules=True), indent=1, sort_keys=True) + "\n"


def load_report(text: str) -> griffe.Module:
    module = griffe.Module.from_json(text)
    assert isinstance(module, griffe.Module)
    # A collection of its own, in which the runtime's aliases resolve to their targets.
    griffe.ModulesCollection()[PACKAGE] = module
    return module


def _public_names(module: griffe.Object, prefix: str) -> dict[str, bool]:
    """Every public name reachable from ``module``: its path, and whether it resolves.

    griffe skips an alias it cannot resolve, so a public name whose target was renamed away,
    or a name dropped from ``__all__``, would otherwise pass unseen.
    """
    found: dict[str, bool] = {}
    exports = module.exports if isinstance(module, griffe.Module) else None
    for name in exports or ():
        found[f"{prefix}.{name} (in __all__)"] = name in module.members
    for name, member in module.members.items():
        if _is_private(name) and name not in REEXPORTED_FROM:
            continue
        path = f"{prefix}.{name}"
        if isinstance(member, griffe.Alias):
            try:
                member.final_target  # noqa: B018 - resolving is the check
            except (griffe.AliasResolutionError, griffe.CyclicAliasError):
                found[path] = False
            else:
                found[path] = True
            continue
        found[path] = True
        if isinstance(member, griffe.Module | griffe.Class):
            found.update(_public_names(member, path))
    return found


def _explained(change: griffe.Breakage) -> str:
    # griffe's own explanation names the file and line, which the report leaves out.
    where = change.obj.path
    if isinstance(change.old_value, griffe.Parameter) or isinstance(
        change.new_value, griffe.Parameter
    ):
        value = change.old_value if change.old_value is not None else change.new_value
        where = f"{where}({value.name})"
    return f"{where}: {change.kind.value}"


def breaking_changes(old: griffe.Module, new: griffe.Module) -> list[str]:
    """Each break from ``old`` to ``new``, explained; the root and the re-exporting runtime."""
    before, after = _public_names(old, PACKAGE), _public_names(new, PACKAGE)
    found = [
        f"{path}: public name removed or no longer defined"
        for path, resolved in before.items()
        if resolved and not after.get(path, False)
    ]
    pairs: list[tuple[griffe.Object, griffe.Object]] = [(old, new)]
    for name in REEXPORTED_FROM:
        old_module, new_module = old.members[name], new.members.get(name)
        if isinstance(old_module, griffe.Object) and isinstance(new_module, griffe.Object):
            pairs.append((old_module, new_module))
    for old_object, new_object in pairs:
        found += [
            _explained(change) for change in griffe.find_breaking_changes(old_object, new_object)
        ]
    return found


def main(argv: list[str]) -> int:
    command = argv[1] if len(argv) == 2 else ""
    if command == "update":
        SNAPSHOT.write_text(report(load_current()))
        print(f"api-report: wrote {SNAPSHOT.relative_to(ROOT)}")
        return 0
    if command != "check":
        print(__doc__)
        return 2
    if not SNAPSHOT.exists():
        print(f"api-report: {SNAPSHOT.relative_to(ROOT)} is missing. Fix: make api-update")
        return 1
    # Both sides go through the same JSON round trip, so only the API can differ.
    old = load_report(SNAPSHOT.read_text())
    current = report(load_current())
    changes = breaking_changes(old, load_report(current))
    if changes:
        print("api-check: breaking changes against the committed API report:")
        for change in changes:
            print(f"  {change}")
        print(
            "A break needs a major version. If it is meant, record it: make api-update, "
            "and say so in CHANGELOG.md"
        )
        return 1
    if current != SNAPSHOT.read_text():
        print(
            "api-check: no breaking change; the API grew or changed compatibly since the "
            "report. Record it with: make api-update"
        )
        return 0
    print("api-check: the public API matches the committed report")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
