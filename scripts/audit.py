"""Audit the installed dependencies for known vulnerabilities with pip-audit.

pip-audit asks a vulnerability service (PyPI's per-release JSON, or OSV) about every pinned
release. Where neither answers (a build machine that reaches only a package mirror), the audit
cannot run: this says so loudly and exits 0, so that the rest of CI still runs; findings, when
the audit does run, fail it.
"""

import subprocess
import sys
import tempfile
import urllib.request
from importlib.metadata import distributions

SERVICES = {
    # A release that exists: the per-release JSON answers 200 where the service is reachable.
    "pypi": "https://pypi.org/pypi/pip/24.0/json",
    "osv": "https://api.osv.dev/v1/vulns/PYSEC-2021-66",
}


def reachable(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:  # noqa: S310 - fixed https URLs
            return response.status == 200
    except OSError:
        return False


def main() -> int:
    service = next((name for name, url in SERVICES.items() if reachable(url)), None)
    if service is None:
        print(
            "DEPENDENCY AUDIT NOT RUN: neither PyPI's per-release JSON nor OSV answers from "
            "this machine. Run `make audit` where one does; the pins are in constraints.txt.",
            file=sys.stderr,
        )
        return 0
    pins = sorted(
        f"{d.metadata['Name']}=={d.version}"
        for d in distributions()
        if d.metadata["Name"] and d.metadata["Name"].lower() != "dryport"
    )
    with tempfile.NamedTemporaryFile("w", suffix=".txt") as requirements:
        requirements.write("\n".join(pins) + "\n")
        requirements.flush()
        command = [sys.executable, "-m", "pip_audit", "--strict", "--no-deps", "--disable-pip",
                   "-s", service, "-r", requirements.name]  # fmt: skip
        print(f"pip-audit against {service}: {len(pins)} packages")
        return subprocess.call(command)  # noqa: S603 - our own interpreter and arguments


if __name__ == "__main__":
    sys.exit(main())
