"""`sim authz`: plays cells in a world, exit 0 when they agree with the matrix, 1 when a cell
differs, 2 on a bad matrix; the JSON report's shape."""

from __future__ import annotations

import json

from sim.authz.matrix import DEFAULT_MATRIX
from sim.cli import main


def test_one_operation_agrees_with_the_matrix(tmp_path):
    out = tmp_path / "authz.json"
    assert main(["authz", "--only", "processBooking.cancel", "--json", str(out), "-q"]) == 0
    doc = json.loads(out.read_text())
    assert doc["operations"] == ["processBooking.cancel"] and doc["violations"] == []
    cells = {c["caller"]: c for c in doc["cells"]}
    assert len(cells) == 9
    assert cells["other_customer"]["actual"] == "refused" and cells["other_customer"]["effects"] == {}
    assert cells["customer"]["actual"] == "allowed" and cells["customer"]["effects"].get("table.Booking")


def test_a_matrix_the_system_does_not_follow_is_a_violation(tmp_path):
    matrix = json.loads(DEFAULT_MATRIX.read_text())
    matrix["operations"]["processBooking.get"]["allow"].append("other_customer")   # what the system refuses
    path = tmp_path / "matrix.json"
    path.write_text(json.dumps(matrix))
    out = tmp_path / "authz.json"
    assert main(["authz", "--matrix", str(path), "--only", "processBooking.get", "--json", str(out), "-q"]) == 1
    (violation,) = json.loads(out.read_text())["violations"]
    assert violation["operation"] == "processBooking.get" and violation["caller"] == "other_customer"
    assert violation["expected"] == "allowed" and violation["actual"] == "refused"


def test_bad_input_is_exit_2(tmp_path, capsys):
    path = tmp_path / "matrix.json"
    path.write_text("{nope")
    assert main(["authz", "--matrix", str(path)]) == 2
    assert f"{path}:1: matrix: not JSON" in capsys.readouterr().err
    assert main(["authz", "--only", "noSuchOperation"]) == 2
