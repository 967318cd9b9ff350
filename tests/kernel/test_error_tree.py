"""One error tree: every user-input error is an InputError, so `sim` exits 2 whichever verb meets it."""

import pytest

from sim.asl.errors import InvalidDefinition
from sim.asl.mocks import MockConfigError
from sim.aws.eventbridge import InvalidEventPattern
from sim.aws.eventbridge.put_events import PutEventsValidationError
from sim.errors import BackendUnreachable, InputError, UnknownName
from sim.replay.errors import ExportError
from sim.scenario.errors import ScenarioError
from sim.scenario.yamllines import YamlError
from sim.stripe.schema import SchemaError

INPUT_ERRORS = [BackendUnreachable, UnknownName, ScenarioError, ExportError, YamlError, InvalidDefinition,
                MockConfigError, InvalidEventPattern, PutEventsValidationError, SchemaError]


@pytest.mark.parametrize("cls", INPUT_ERRORS, ids=lambda c: c.__name__)
def test_every_user_input_error_is_an_input_error_and_drawn_in_the_tree(cls):
    import sim.errors

    assert issubclass(cls, InputError) and issubclass(cls, ValueError)
    assert cls.__name__ in sim.errors.__doc__


def test_yaml_error_keeps_its_line_and_message():
    err = YamlError("mapping values are not allowed here", 3)
    assert (err.line, err.message, str(err)) == (3, "mapping values are not allowed here",
                                                 "3: mapping values are not allowed here")


@pytest.mark.parametrize("exc", [InvalidEventPattern("bad"), MockConfigError("bad"), InvalidDefinition(["X: y"]),
                                 SchemaError("bad"), PutEventsValidationError("bad")], ids=lambda e: type(e).__name__)
def test_any_input_error_is_exit_2_whatever_the_verb(monkeypatch, capsys, exc):
    import sim.cli.version as version
    from sim.cli import main

    def boom(args):
        raise exc

    real_register = version.register

    def register(sub):  # the `version` verb, made to meet the error
        real_register(sub)
        sub.choices["version"].set_defaults(func=boom)

    monkeypatch.setattr(version, "register", register)
    assert main(["version"]) == 2
    assert "sim: error:" in capsys.readouterr().err
