""".ci/audit.py, the pip-audit step of .ci/run: a finding fails CI loudly, unreachable advisory
data is one "skipped" line and exit 0, never a silent pass. pip-audit is replaced by a stub that
answers as pip-audit does in each case."""

import json
import subprocess
import sys
import textwrap

import pytest

from .helpers import ROOT

SCRIPT = ROOT / ".ci" / "audit.py"
UNREACHABLE = "pip-audit: advisory data unreachable, skipped"


def audit(tmp_path, report=None, exit_code=0, stderr=""):
    """Run .ci/audit.py with a pip-audit stub that writes `report` and exits `exit_code`."""
    stub = tmp_path / "pip-audit"
    stub.write_text(
        textwrap.dedent(
            f"""\
            #!{sys.executable}
            import sys
            args = sys.argv[1:]
            report = {json.dumps(report)!r}
            if report != "null":
                open(args[args.index("--output") + 1], "w").write(report)
            sys.stderr.write({stderr!r})
            sys.exit({exit_code})
            """
        )
    )
    stub.chmod(0o755)
    return subprocess.run(
        [sys.executable, str(SCRIPT), str(ROOT / "requirements" / "lock-dev.txt")],
        env={"PIP_AUDIT": str(stub), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def dependency(name, version="1.0", vulns=()):
    return {"name": name, "version": version, "vulns": list(vulns)}


def skipped(name):
    return {"name": name, "skip_reason": f"Dependency not found on PyPI: {name} (1.0)"}


VULN = {
    "id": "GHSA-xxxx-yyyy-zzzz",
    "aliases": ["CVE-2099-0001"],
    "fix_versions": ["5.2.99"],
    "description": "A made-up advisory.",
}


def test_a_known_vulnerability_fails_loudly(tmp_path):
    report = {"dependencies": [dependency("django", "5.2.20", [VULN]), dependency("pillow")]}
    result = audit(tmp_path, report, exit_code=1)
    assert result.returncode == 1
    assert "pip-audit: 1 KNOWN VULNERABILITIES in lock-dev.txt" in result.stdout
    assert "django 5.2.20: GHSA-xxxx-yyyy-zzzz (fixed in 5.2.99)" in result.stdout


def test_no_finding_passes_with_the_number_audited(tmp_path):
    report = {"dependencies": [dependency("django"), dependency("pillow"), skipped("local")]}
    result = audit(tmp_path, report)
    assert (result.returncode, result.stdout) == (
        0,
        "pip-audit: no known vulnerabilities in 2 pinned packages; 1 could not be looked up\n",
    )


def test_every_package_skipped_is_reported_as_unreachable_not_as_a_pass(tmp_path):
    # What pip-audit does when its advisory service answers 404 to each look-up: exit 0.
    result = audit(tmp_path, {"dependencies": [skipped("django"), skipped("pillow")]})
    assert result.returncode == 0
    assert result.stdout.startswith(UNREACHABLE)
    assert "no known vulnerabilities" not in result.stdout


def test_a_connection_error_is_reported_as_unreachable_and_does_not_fail(tmp_path):
    error = "Traceback ...\nrequests.exceptions.ConnectionError: Max retries exceeded\n"
    result = audit(tmp_path, None, exit_code=1, stderr=error)
    assert (result.returncode, result.stdout) == (
        0,
        f"{UNREACHABLE} (requests.exceptions.ConnectionError: Max retries exceeded)\n",
    )


@pytest.mark.slow
def test_the_real_pip_audit_reads_the_lock_file(tmp_path):
    """On this machine, advisory data may or may not be reachable: either answer is one line."""
    result = subprocess.run(
        [sys.executable, str(SCRIPT)], capture_output=True, text=True, timeout=600, check=False
    )
    assert result.stdout.startswith(("pip-audit: no known", UNREACHABLE, "=====")), result.stderr
    assert result.returncode == (1 if result.stdout.startswith("=====") else 0)
