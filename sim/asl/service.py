"""The Step Functions API served by the interpreter (what boto3 `sfn` calls reach in a World).

Methods take the API's request dict (boto3 parameter names) and return the response dict, with
datetimes where botocore expects timestamps; AWS's errors are `ServiceError(code, message)`.
`handle("StartExecution", params)` dispatches by operation name. Finished executions are kept
compactly (history as tuples, payloads as JSON text) for DescribeExecution/GetExecutionHistory.
"""

from __future__ import annotations

import base64
import json
import pickle
import re
import zlib
from datetime import datetime
from typing import Any

from sim.asl import express, redrive, start
from sim.asl.activities import ActivityError
from sim.asl.errors import InvalidDefinition, StatesError
from sim.asl.history import render_event
from sim.asl.integrations import Integrations
from sim.asl.machine import compile_definition
from sim.rng import Rng

_NAME_RE = re.compile(r"^[A-Za-z0-9\-_]{1,80}$")


def _pack(events: list) -> bytes:
    """A finished history as one compressed blob (a few hundred bytes for a typical run)."""
    return zlib.compress(pickle.dumps(events, protocol=pickle.HIGHEST_PROTOCOL), 1)


def _unpack(blob: bytes) -> list:
    return pickle.loads(zlib.decompress(blob))


class ServiceError(Exception):
    """An AWS API error: `code` (e.g. "ExecutionDoesNotExist"), `message`, HTTP `status`."""

    def __init__(self, code: str, message: str, status: int = 400):
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message
        self.status = status


class _StateMachine:
    __slots__ = ("arn", "name", "definition", "machine", "role_arn", "type", "created", "updated", "revision",
                 "logging", "tracing")


class _Record:
    """A finished execution, kept small."""

    __slots__ = ("arn", "sm_arn", "name", "status", "start", "stop", "input_text", "output_text", "error", "cause",
                 "events", "definition", "role_arn", "sm_name", "sm_updated", "map_run_arn", "redrive_count",
                 "redrive_date")


class StepFunctionsService:
    def __init__(self, scheduler, integrations=None, account: str = "123456789012", region: str = "us-east-1",
                 rng=None, keep_finished: int = 100_000):
        self.scheduler = scheduler
        self.account = account
        self.region = region
        self.rng = rng if rng is not None else Rng(0).child("sfn")
        self.integrations = integrations if integrations is not None else Integrations(region=region,
                                                                                         account=account)
        self.integrations.start_execution = self._start_child
        self.machines: dict[str, _StateMachine] = {}
        self.executions: dict[str, Any] = {}  # arn -> engine.Execution (running) or _Record (finished)
        self.by_machine: dict[str, list[str]] = {}
        self.map_runs: dict[str, Any] = {}  # mapRunArn -> maprun.MapRun
        self.map_runs_by_execution: dict[str, list[str]] = {}
        self._redrivable: dict[str, Any] = {}  # arn -> the finished engine.Execution (FAILED/TIMED_OUT/ABORTED)
        self.keep_finished = keep_finished
        self.status_listeners: list = []  # called with each finished Standard execution's record

    # -- dispatch ----------------------------------------------------------------------------------
    def handle(self, operation: str, params: dict | None = None) -> dict:
        method = getattr(self, re.sub(r"(?<!^)(?=[A-Z])", "_", operation).lower(), None)
        if method is None or operation.startswith("_"):
            raise ServiceError("UnknownOperationException", f"Operation {operation} is not supported", 400)
        return method(params or {})

    def _now(self) -> datetime:
        return self.scheduler.clock.now()

    def _sm_arn(self, name: str) -> str:
        return f"arn:aws:states:{self.region}:{self.account}:stateMachine:{name}"

    def _machine(self, arn: str | None) -> _StateMachine:
        sm = self.machines.get(arn or "")
        if sm is None:
            if not arn or ":stateMachine:" not in arn:
                raise ServiceError("InvalidArn", f"Invalid Arn: 'Resource type not valid in this context: {arn}'")
            raise ServiceError("StateMachineDoesNotExist", f"State Machine Does Not Exist: '{arn}'")
        return sm

    def _execution(self, arn: str | None):
        if arn and ":express:" in arn:
            raise ServiceError("InvalidArn", express.EXPRESS_ARN_MESSAGE)
        ex = self.executions.get(arn or "")
        if ex is None:
            if not arn or ":execution:" not in arn:
                raise ServiceError("InvalidArn", f"Invalid Arn: 'Resource type not valid in this context: {arn}'")
            raise ServiceError("ExecutionDoesNotExist", f"Execution Does Not Exist: '{arn}'")
        return ex

    @staticmethod
    def _compile(definition: Any):
        try:
            return compile_definition(definition)
        except InvalidDefinition as exc:
            raise ServiceError("InvalidDefinition", str(exc)) from None

    @staticmethod
    def _check_express(machine) -> None:
        try:
            express.check_definition(machine.definition)
        except InvalidDefinition as exc:
            raise ServiceError("InvalidDefinition", str(exc)) from None

    # -- state machines ------------------------------------------------------------------------------
    def create_state_machine(self, req: dict) -> dict:
        name = req.get("name", "")
        if not _NAME_RE.match(name or ""):
            raise ServiceError("InvalidName", f"Invalid Name: '{name}'")
        definition = req.get("definition")
        if not isinstance(definition, str):
            raise ServiceError("ValidationException", "1 validation error detected: Value null at 'definition' "
                                                      "failed to satisfy constraint: Member must not be null")
        machine = self._compile(definition)
        arn = self._sm_arn(name)
        sm_type = req.get("type", "STANDARD")
        if sm_type not in ("STANDARD", "EXPRESS"):
            raise ServiceError("ValidationException", f"Value '{sm_type}' at 'type' failed to satisfy constraint")
        if sm_type == "EXPRESS":
            self._check_express(machine)
        existing = self.machines.get(arn)
        if existing is not None:
            if existing.definition == definition and existing.role_arn == req.get("roleArn") \
                    and existing.type == sm_type:
                return {"stateMachineArn": arn, "creationDate": existing.created}
            raise ServiceError("StateMachineAlreadyExists", f"State Machine Already Exists: '{arn}'")
        sm = _StateMachine()
        sm.arn, sm.name, sm.definition, sm.machine = arn, name, definition, machine
        sm.role_arn = req.get("roleArn") or f"arn:aws:iam::{self.account}:role/StepFunctionsRole"
        sm.type = sm_type
        sm.created = sm.updated = self._now()
        sm.revision = self.rng.uuid4()
        sm.logging = req.get("loggingConfiguration") or {"level": "OFF", "includeExecutionData": False}
        sm.tracing = req.get("tracingConfiguration") or {"enabled": False}
        self.machines[arn] = sm
        self.by_machine.setdefault(arn, [])
        return {"stateMachineArn": arn, "creationDate": sm.created}

    def update_state_machine(self, req: dict) -> dict:
        sm = self._machine(req.get("stateMachineArn"))
        if "definition" in req:
            machine = self._compile(req["definition"])
            if sm.type == "EXPRESS":
                self._check_express(machine)
            sm.machine = machine
            sm.definition = req["definition"]
        if "roleArn" in req:
            sm.role_arn = req["roleArn"]
        if "loggingConfiguration" in req:
            sm.logging = req["loggingConfiguration"]
        if "tracingConfiguration" in req:
            sm.tracing = req["tracingConfiguration"]
        sm.updated = self._now()
        sm.revision = self.rng.uuid4()
        return {"updateDate": sm.updated, "revisionId": sm.revision}

    def describe_state_machine(self, req: dict) -> dict:
        sm = self._machine(req.get("stateMachineArn"))
        return {"stateMachineArn": sm.arn, "name": sm.name, "status": "ACTIVE", "definition": sm.definition,
                "roleArn": sm.role_arn, "type": sm.type, "creationDate": sm.created,
                "loggingConfiguration": sm.logging, "tracingConfiguration": sm.tracing, "revisionId": sm.revision}

    def delete_state_machine(self, req: dict) -> dict:
        arn = req.get("stateMachineArn")
        if arn and ":stateMachine:" not in arn:
            raise ServiceError("InvalidArn", f"Invalid Arn: '{arn}'")
        self.machines.pop(arn or "", None)
        return {}

    def list_state_machines(self, req: dict) -> dict:
        items = [{"stateMachineArn": sm.arn, "name": sm.name, "type": sm.type, "creationDate": sm.created}
                 for sm in sorted(self.machines.values(), key=lambda s: s.name)]
        return self._listing("stateMachines", items, req)

    # -- executions ----------------------------------------------------------------------------------------
    def _parse_input(self, text: Any) -> str:
        if text is None:
            return "{}"
        if not isinstance(text, str):
            raise ServiceError("InvalidExecutionInput", "Invalid State Machine Execution Input: input must be a string")
        try:
            json.loads(text)
        except ValueError as exc:
            raise ServiceError("InvalidExecutionInput",
                               f"Invalid State Machine Execution Input: '{exc.msg}'") from None
        return text

    def start_execution(self, req: dict, *, _express_ok: bool = True) -> dict:
        sm = self._machine(req.get("stateMachineArn"))
        input_text = self._parse_input(req.get("input"))
        name = req.get("name")
        if name is not None and not _NAME_RE.match(name):
            raise ServiceError("InvalidName", f"Invalid Name: '{name}'")
        name = name or self.rng.uuid4()
        if sm.type == "EXPRESS":
            run = self._launch(sm, input_text, name, req.get("traceHeader"), express_run=True)
            return {"executionArn": run.arn, "startDate": run.start_date}
        arn = f"arn:aws:states:{self.region}:{self.account}:execution:{sm.name}:{name}"
        existing = self.executions.get(arn)
        if existing is not None:
            if getattr(existing, "status", None) == "RUNNING" and existing.input_text == input_text:
                return {"executionArn": arn, "startDate": existing.start_date}
            raise ServiceError("ExecutionAlreadyExists", f"Execution Already Exists: '{arn}'")
        run = self._launch(sm, input_text, name, req.get("traceHeader"))
        return {"executionArn": run.arn, "startDate": run.start_date}

    def _launch(self, sm: _StateMachine, input_text: str, name: str, _trace=None, parent_rng=None,
                express_run: bool = False):
        rng = (parent_rng or self.rng).child(name)
        if express_run:
            # AWS keeps nothing of an Express execution to describe later: it is not registered
            arn = express.execution_arn(self.region, self.account, sm.name, name, rng.uuid4())
            return start(sm.definition, input_text, scheduler=self.scheduler, rng=rng,
                         integrations=self.integrations, name=name, state_machine_arn=sm.arn,
                         role_arn=sm.role_arn, machine=sm.machine, execution_arn=arn, redrive_count=None)
        run = start(sm.definition, input_text, scheduler=self.scheduler, rng=rng, integrations=self.integrations,
                    name=name, state_machine_arn=sm.arn, role_arn=sm.role_arn, machine=sm.machine)
        run.sm_definition = sm.definition
        run.sm_updated = sm.updated
        run.map_run_hook = self._map_run_event
        self.executions[run.arn] = run
        self.by_machine.setdefault(sm.arn, []).append(run.arn)
        run.listeners.append(self._finished)
        return run

    def _start_child(self, call, params: dict):
        """states:startExecution from a Task: the child runs on the same scheduler."""
        try:
            sm = self._machine(params.get("StateMachineArn"))
            value = params.get("Input", {})
            text = value if isinstance(value, str) else json.dumps(value, separators=(",", ":"))
            self._parse_input(text)
            name = params.get("Name") or call.run.rng.uuid4()
            arn = f"arn:aws:states:{self.region}:{self.account}:execution:{sm.name}:{name}"
            if arn in self.executions:
                raise ServiceError("ExecutionAlreadyExists", f"Execution Already Exists: '{arn}'")
            return self._launch(sm, text, name, parent_rng=call.run.rng, express_run=sm.type == "EXPRESS")
        except ServiceError as exc:
            raise StatesError(f"StepFunctions.{exc.code}Exception" if not exc.code.endswith("Exception")
                              else f"StepFunctions.{exc.code}", exc.message) from None

    def _map_run_event(self, map_run, child) -> None:
        """A Distributed Map started a Map Run (child None) or one of its child executions."""
        if child is None:
            self.map_runs[map_run.arn] = map_run
            self.map_runs_by_execution.setdefault(map_run.execution_arn, []).append(map_run.arn)
            return
        child.map_run_hook = self._map_run_event
        self.executions[child.arn] = child
        child.listeners.append(self._finished)

    def _finished(self, run) -> None:
        rec = _Record()
        rec.arn, rec.sm_arn, rec.name, rec.status = run.arn, run.state_machine_arn, run.name, run.status
        rec.start, rec.stop = run.start_date, run.stop_date
        rec.input_text, rec.output_text = run.input_text, run.output_text
        rec.error, rec.cause = run.error, run.cause
        rec.events = _pack(run.history.events)
        rec.definition = getattr(run, "sm_definition", None)
        rec.role_arn = run.role_arn
        rec.sm_name = run.context_base.state_machine["Name"]
        rec.sm_updated = getattr(run, "sm_updated", None)
        rec.map_run_arn = getattr(run, "map_run_arn", None)
        rec.redrive_count, rec.redrive_date = run.redrive_count, run.redrive_date
        self.executions[rec.arn] = rec
        if run.status in redrive.REDRIVABLE and rec.map_run_arn is None:
            self._redrivable[rec.arn] = run
        for listener in self.status_listeners:
            listener(rec)

    @staticmethod
    def _status(ex) -> str:
        return ex.status

    def start_sync_execution(self, req: dict) -> dict:
        sm = self._machine(req.get("stateMachineArn"))
        if sm.type != "EXPRESS":
            raise ServiceError("StateMachineTypeNotSupported",
                               "This operation is not supported by this type of state machine")
        input_text = self._parse_input(req.get("input"))
        name = req.get("name")
        if name is not None and not _NAME_RE.match(name):
            raise ServiceError("InvalidName", f"Invalid Name: '{name}'")
        run = self._launch(sm, input_text, name or self.rng.uuid4(), express_run=True)
        if self.scheduler.in_task():
            self.scheduler.wait(run.task)
        else:
            self.scheduler.run_until_complete(run.task)
        return express.sync_response(run, sm.arn, input_text)

    def describe_execution(self, req: dict) -> dict:
        ex = self._execution(req.get("executionArn"))
        status = ex.status
        start = ex.start if isinstance(ex, _Record) else ex.start_date
        out = {"executionArn": ex.arn, "stateMachineArn": ex.sm_arn if isinstance(ex, _Record) else ex.state_machine_arn,
               "name": ex.name, "status": status, "startDate": start, "input": ex.input_text,
               "inputDetails": {"included": True}, "redriveCount": ex.redrive_count}
        if ex.redrive_date is not None:
            out["redriveDate"] = ex.redrive_date
        if status != "RUNNING":
            out["stopDate"] = ex.stop if isinstance(ex, _Record) else ex.stop_date
        reason = self._not_redrivable(ex)
        if getattr(ex, "map_run_arn", None) and status in redrive.REDRIVABLE:
            out["redriveStatus"] = "REDRIVABLE_BY_MAP_RUN"
        else:
            out["redriveStatus"] = "NOT_REDRIVABLE" if reason else "REDRIVABLE"
        if reason and status in ("RUNNING", "SUCCEEDED"):
            out["redriveStatusReason"] = reason
        if status == "SUCCEEDED":
            out["output"] = ex.output_text
            out["outputDetails"] = {"included": True}
        if ex.error is not None:
            out["error"] = ex.error
        if ex.cause is not None:
            out["cause"] = ex.cause
        map_run_arn = getattr(ex, "map_run_arn", None)
        if map_run_arn:
            out["mapRunArn"] = map_run_arn
        return out

    # -- Map Runs (Distributed Map) --------------------------------------------------------------------------
    def describe_map_run(self, req: dict) -> dict:
        return self._map_run(req.get("mapRunArn")).describe()

    def list_map_runs(self, req: dict) -> dict:
        self._execution(req.get("executionArn"))
        items = [self.map_runs[a].summary() for a in self.map_runs_by_execution.get(req.get("executionArn"), [])]
        return self._listing("mapRuns", items, req)

    def update_map_run(self, req: dict) -> dict:
        mr = self._map_run(req.get("mapRunArn"))
        if "maxConcurrency" in req:
            mr.max_concurrency = req["maxConcurrency"]
        if "toleratedFailureCount" in req:
            mr.tolerated_count = req["toleratedFailureCount"]
        if "toleratedFailurePercentage" in req:
            mr.tolerated_pct = float(req["toleratedFailurePercentage"])
        return {}

    def _map_run(self, arn: str | None):
        mr = self.map_runs.get(arn or "")
        if mr is None:
            if not arn or ":mapRun:" not in arn:
                raise ServiceError("InvalidArn", f"Invalid Arn: 'Resource type not valid in this context: {arn}'")
            raise ServiceError("ResourceNotFound", f"Resource not found: '{arn}'")
        return mr

    def stop_execution(self, req: dict) -> dict:
        ex = self._execution(req.get("executionArn"))
        if isinstance(ex, _Record):
            return {"stopDate": ex.stop}
        ex.abort("ABORTED", req.get("error"), req.get("cause"))
        if self.scheduler.in_task():
            self.scheduler.checkpoint()
        elif not self.scheduler._running:
            self.scheduler.run_until_idle()
        return {"stopDate": ex.stop_date or self._now()}

    def get_execution_history(self, req: dict) -> dict:
        ex = self._execution(req.get("executionArn"))
        events = _unpack(ex.events) if isinstance(ex, _Record) else ex.history.events
        include = req.get("includeExecutionData", True)
        ids = list(range(len(events)))
        if req.get("reverseOrder"):
            ids.reverse()
        page, token = self._page(ids, req, default=100)
        out: dict[str, Any] = {"events": [render_event(i + 1, events[i], include) for i in page]}
        if token:
            out["nextToken"] = token
        return out

    def list_executions(self, req: dict) -> dict:
        if req.get("mapRunArn"):
            mr = self._map_run(req["mapRunArn"])
            sm_arn, arns = mr.state_machine_arn, mr.children
        else:
            sm = self._machine(req.get("stateMachineArn"))
            if sm.type == "EXPRESS":
                raise ServiceError("StateMachineTypeNotSupported", express.NOT_SUPPORTED)
            sm_arn, arns = sm.arn, self.by_machine.get(sm.arn, [])
        status = req.get("statusFilter")
        items = []
        for arn in reversed(arns):
            ex = self.executions.get(arn)
            if ex is None or (status and ex.status != status):
                continue
            rec = isinstance(ex, _Record)
            item = {"executionArn": ex.arn, "stateMachineArn": sm_arn, "name": ex.name, "status": ex.status,
                    "startDate": ex.start if rec else ex.start_date}
            stop = ex.stop if rec else ex.stop_date
            if stop is not None:
                item["stopDate"] = stop
            if getattr(ex, "map_run_arn", None):
                item["mapRunArn"] = ex.map_run_arn
            if ex.redrive_count:
                item["redriveCount"], item["redriveDate"] = ex.redrive_count, ex.redrive_date
            items.append(item)
        return self._listing("executions", items, req)

    def describe_state_machine_for_execution(self, req: dict) -> dict:
        ex = self._execution(req.get("executionArn"))
        if isinstance(ex, _Record):
            sm_arn, definition, role, name, updated = ex.sm_arn, ex.definition, ex.role_arn, ex.sm_name, ex.sm_updated
        else:
            sm_arn, definition, role = ex.state_machine_arn, getattr(ex, "sm_definition", None), ex.role_arn
            name, updated = ex.context_base.state_machine["Name"], getattr(ex, "sm_updated", None)
        sm = self.machines.get(sm_arn)
        return {"stateMachineArn": sm_arn, "name": name, "definition": definition, "roleArn": role,
                "updateDate": updated or (sm.updated if sm else self._now()),
                "loggingConfiguration": sm.logging if sm else {"level": "OFF"},
                "tracingConfiguration": sm.tracing if sm else {"enabled": False}}

    # -- callbacks ------------------------------------------------------------------------------------------
    def _token_call(self, fn, token: str | None, *args):
        if not token:
            raise ServiceError("InvalidToken", "Invalid Token: 'Invalid token'")
        try:
            fn(token, *args)
        except KeyError:
            raise ServiceError("TaskDoesNotExist", "Task Does Not Exist: 'Provided task does not exist anymore'") \
                from None
        except LookupError:
            raise ServiceError("TaskTimedOut", "Task Timed Out: 'Provided task has timed out'") from None
        return {}

    def send_task_success(self, req: dict) -> dict:
        output = req.get("output")
        try:
            value = json.loads(output)
        except (TypeError, ValueError):
            raise ServiceError("InvalidOutput", "Invalid Output: output must be valid JSON") from None
        return self._token_call(self.integrations.tokens.success, req.get("taskToken"), value)

    def send_task_failure(self, req: dict) -> dict:
        return self._token_call(self.integrations.tokens.failure, req.get("taskToken"), req.get("error"),
                                req.get("cause"))

    def send_task_heartbeat(self, req: dict) -> dict:
        return self._token_call(self.integrations.tokens.heartbeat, req.get("taskToken"))

    # -- activities -------------------------------------------------------------------------------------------
    def _activities(self, fn, *args):
        try:
            return fn(*args)
        except ActivityError as exc:
            raise ServiceError(exc.code, exc.message) from None

    def create_activity(self, req: dict) -> dict:
        activity = self._activities(self.integrations.activities.create, req.get("name"), self._now())
        return {"activityArn": activity.arn, "creationDate": activity.created}

    def describe_activity(self, req: dict) -> dict:
        activity = self._activities(self.integrations.activities.get, req.get("activityArn"))
        return {"activityArn": activity.arn, "name": activity.name, "creationDate": activity.created,
                "encryptionConfiguration": {"type": "AWS_OWNED_KEY"}}

    def delete_activity(self, req: dict) -> dict:
        self._activities(self.integrations.activities.delete, req.get("activityArn"))
        return {}

    def list_activities(self, req: dict) -> dict:
        items = [{"activityArn": a.arn, "name": a.name, "creationDate": a.created}
                 for a in self.integrations.activities.all()]
        return self._listing("activities", items, req)

    def get_activity_task(self, req: dict) -> dict:
        tokens = self.integrations.tokens
        task = self._activities(self.integrations.activities.poll, req.get("activityArn"), req.get("workerName"),
                                tokens.is_pending)
        if task is None:
            return {}
        return {"taskToken": task.token, "input": task.input_text}

    # -- redrive -----------------------------------------------------------------------------------------------
    def redrive_execution(self, req: dict) -> dict:
        arn = req.get("executionArn")
        ex = self._execution(arn)
        reason = self._not_redrivable(ex)
        if reason:
            raise ServiceError("ExecutionNotRedrivable", reason)
        run = self._redrivable.pop(arn)
        redrive.redrive(run)
        self.executions[arn] = run
        return {"redriveDate": run.redrive_date}

    def _not_redrivable(self, ex) -> str | None:
        """AWS's redriveStatusReason for an execution RedriveExecution would refuse (None: redrivable)."""
        if ex.status in ("RUNNING", "SUCCEEDED"):
            return f"Execution is {ex.status} and cannot be redriven"
        if ex.arn not in self._redrivable:  # a Map Run's child: its parent is redriven instead
            return "Execution cannot be redriven: redrive the parent execution"
        stop = ex.stop if isinstance(ex, _Record) else ex.stop_date
        if stop is not None and (self._now() - stop).total_seconds() > redrive.REDRIVABLE_SECONDS:
            return "Execution redrivable period exceeded"
        return None

    # -- paging -----------------------------------------------------------------------------------------------
    @classmethod
    def _listing(cls, key: str, items: list, req: dict) -> dict:
        """A List* response: one page of `items` under `key`, and nextToken when more remain."""
        page, token = cls._page(items, req)
        out: dict[str, Any] = {key: page}
        if token:
            out["nextToken"] = token
        return out

    @staticmethod
    def _page(items: list, req: dict, default: int = 100) -> tuple[list, str | None]:
        size = req.get("maxResults") or default
        if not isinstance(size, int) or size < 0 or size > 1000:
            raise ServiceError("ValidationException", f"Value '{size}' at 'maxResults' failed to satisfy constraint: "
                                                      "Member must have value less than or equal to 1000")
        size = size or default
        start = 0
        token = req.get("nextToken")
        if token:
            try:
                start = int(base64.b64decode(token.encode()).decode().split(":")[1])
            except (ValueError, IndexError, UnicodeDecodeError):
                raise ServiceError("InvalidToken", f"Invalid Token: '{token}'") from None
        page = items[start:start + size]
        nxt = start + size
        return page, (base64.b64encode(f"page:{nxt}".encode()).decode() if nxt < len(items) else None)
