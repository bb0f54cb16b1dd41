"""The attack campaign's figures: each attack test records how many attempts it made, how many the
product answered with a server error or another failure, and how many leaked or changed another
tenant's data (or let a forged request through).

Records are JSON lines appended to ``test-output/attacks.jsonl`` (or under ``$TEST_OUTPUT``), one
per test run, safe with pytest-xdist (one ``write`` of a short line on a file opened for appending).
``python -m tests.security.figures`` prints the table and a summary line; ``make attacks`` runs the
attack tests and then this.
"""

from __future__ import annotations

import json
import os
import sys
from collections import defaultdict
from pathlib import Path


def figures_path() -> Path:
    return Path(os.environ.get("TEST_OUTPUT", "test-output")) / "attacks.jsonl"


def record(attack: str, *, attempts: int, failures: int = 0, leaks: int = 0) -> None:
    """Append one test's figures for ``attack`` (a short name, e.g. "cross-tenant requests")."""
    path = figures_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    line = json.dumps({"attack": attack, "attempts": attempts, "failures": failures, "leaks": leaks}) + "\n"
    with open(path, "a", encoding="utf-8") as file:
        file.write(line)


def totals(path: Path) -> dict[str, dict[str, int]]:
    """Return the attempts, failures and leaks of each attack, summed over the recorded lines."""
    sums: dict[str, dict[str, int]] = defaultdict(lambda: {"attempts": 0, "failures": 0, "leaks": 0})
    for line in path.read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        for key in ("attempts", "failures", "leaks"):
            sums[row["attack"]][key] += row[key]
    return dict(sums)


def main() -> int:
    path = figures_path()
    if not path.exists():
        print(f"no attack figures at {path}: run the attack tests first (make attacks)")
        return 1
    sums = totals(path)
    width = max(len(name) for name in sums)
    print(f"{'attack'.ljust(width)}  attempts  failures  leaks")
    for name in sorted(sums):
        row = sums[name]
        print(f"{name.ljust(width)}  {row['attempts']:>8}  {row['failures']:>8}  {row['leaks']:>5}")
    overall = {key: sum(row[key] for row in sums.values()) for key in ("attempts", "failures", "leaks")}
    print(f"attack campaign: {overall['attempts']} attempts in {len(sums)} attacks, "
          f"{overall['failures']} failures, {overall['leaks']} leaks")
    print(json.dumps({"attacks": sums, **overall}))
    return 0 if overall["failures"] == overall["leaks"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
