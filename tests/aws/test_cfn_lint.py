"""`sim stack template` passes cfn-lint (no errors, no warnings); the linter does catch the
StreamEnabled property CloudFormation does not have, so this check can fail."""

from __future__ import annotations

import contextlib
import io
import json
import subprocess
import sys
from pathlib import Path

from sim.cli import main


def _template() -> dict:
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        assert main(["stack", "template"]) == 0
    return json.loads(out.getvalue())


def _lint(template: dict, tmp_path: Path) -> subprocess.CompletedProcess:
    path = tmp_path / "template.json"
    path.write_text(json.dumps(template, indent=2))
    exe = Path(sys.executable).with_name("cfn-lint")
    return subprocess.run([str(exe), str(path)], capture_output=True, text=True, timeout=300)


def test_stack_template_passes_cfn_lint(tmp_path):
    template = _template()
    out = _lint(template, tmp_path)
    assert out.returncode == 0, out.stdout + out.stderr
    streamed = [r for r in template["Resources"].values()
                if r["Type"] == "AWS::DynamoDB::Table" and "StreamSpecification" in r["Properties"]]
    assert streamed and all(r["Properties"]["StreamSpecification"] == {"StreamViewType": "NEW_AND_OLD_IMAGES"}
                            for r in streamed)


def test_cfn_lint_rejects_the_api_only_stream_property(tmp_path):
    template = _template()
    table = next(r for r in template["Resources"].values() if "StreamSpecification" in r.get("Properties", {}))
    table["Properties"]["StreamSpecification"]["StreamEnabled"] = True
    out = _lint(template, tmp_path)
    assert out.returncode != 0 and "E3002" in out.stdout and "StreamEnabled" in out.stdout
