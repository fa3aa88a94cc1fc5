"""Check the dev lock file against the advisory databases with pip-audit (run by .ci/run).

    .venv/bin/python .ci/audit.py [requirements/lock-dev.txt]

Exit 0 and one line when nothing is known against any pinned version, or when advisory data
cannot be reached: pip-audit asks PyPI's JSON API about each package, and where only the package
index answers, pip-audit reports every package "skipped" and exits 0 (or dies on a connection
error). That is printed as "pip-audit: advisory data unreachable, skipped", never as a pass.
Exit 1, with every finding printed, when a pinned version has a known vulnerability that
.ci/audit-ignore does not list (one advisory id a line, with a comment saying why it does not
apply; the fix is usually `make lock`).
"""

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
IGNORE_FILE = ROOT / ".ci" / "audit-ignore"


def ignored_ids():
    if not IGNORE_FILE.exists():
        return set()
    lines = (line.split("#", 1)[0].strip() for line in IGNORE_FILE.read_text().splitlines())
    return {line for line in lines if line}


def run_pip_audit(lock):
    command = os.environ.get("PIP_AUDIT") or str(Path(sys.executable).with_name("pip-audit"))
    with tempfile.TemporaryDirectory() as folder:
        report = Path(folder) / "report.json"
        result = subprocess.run(
            [command, "--disable-pip", "--requirement", str(lock), "--progress-spinner", "off"]
            + ["--format", "json", "--output", str(report)],
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
        )
        try:
            return json.loads(report.read_text()), result
        except (OSError, ValueError):
            return None, result


def main(argv):
    lock = Path(argv[1]) if len(argv) > 1 else ROOT / "requirements" / "lock-dev.txt"
    report, result = run_pip_audit(lock)
    if report is None:
        last = (result.stderr.strip().splitlines() or ["no report"])[-1][:300]
        print(f"pip-audit: advisory data unreachable, skipped ({last})")
        return 0
    dependencies = report.get("dependencies", [])
    skipped = [d for d in dependencies if "skip_reason" in d]
    audited = [d for d in dependencies if "skip_reason" not in d]
    if not audited:
        print(
            f"pip-audit: advisory data unreachable, skipped "
            f"(none of the {len(dependencies)} pinned packages could be looked up)"
        )
        return 0
    ignore = ignored_ids()
    findings = [
        (dependency, vuln)
        for dependency in audited
        for vuln in dependency.get("vulns", [])
        if not ({vuln["id"], *vuln.get("aliases", [])} & ignore)
    ]
    note = f"; {len(skipped)} could not be looked up" if skipped else ""
    if not findings:
        print(f"pip-audit: no known vulnerabilities in {len(audited)} pinned packages{note}")
        return 0
    print("=" * 78)
    print(f"pip-audit: {len(findings)} KNOWN VULNERABILITIES in {lock.name}{note}")
    for dependency, vuln in findings:
        fixed = ", ".join(vuln.get("fix_versions", [])) or "no fixed release yet"
        print(f"  {dependency['name']} {dependency['version']}: {vuln['id']} (fixed in {fixed})")
        description = " ".join(vuln.get("description", "").split())
        if description:
            print(f"      {description[:200]}")
    print("Raise the bound in pyproject.toml if needed and run `make lock`, or list the id")
    print("in .ci/audit-ignore with the reason it does not apply.")
    print("=" * 78)
    return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
