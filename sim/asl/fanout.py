"""Parallel and Map: branches and iterations as child tasks on the scheduler, with AWS's events.

Each branch / iteration gets its own history chain and a copy of the variables (assignments inside
never leak out). Map runs min(MaxConcurrency, n) workers (all items when 0) that take items in
index order, the way Step Functions chains MapIterationStarted events; results keep input order.
Distributed Map runs each item (or batch) as a child execution with no access to outer variables,
reads items from S3 (ItemReader) and can write results to S3 (ResultWriter).
"""

from __future__ import annotations

import csv
import io
import json
from typing import Any

from sim.asl import aborts, jsonpath
from sim.asl.child_lines import exceeded, gather, item_input, kill, tolerance
from sim.asl.distributed import run_map_run
from sim.asl.errors import StatesError
from sim.asl.failures import Abort, BranchFailed, ExecutionFatal, QueryFailure, RuntimeFailure
from sim.asl.history import HistoryContext
from sim.asl.jsonutil import dumps
from sim.asl.loop import run_graph
from sim.asl.payload import render, select_path
from sim.asl.staterun import Scope, with_retry_catch

# ---------------------------------------------------------------------------------------------
# Parallel


def do_parallel(sr):
    spec = sr.state.spec
    run = sr.run

    def attempt():
        if sr.state.jsonata:
            ev = sr.evaluator()
            branch_input = ev.value(spec["Arguments"], "Arguments") if "Arguments" in spec else sr.raw_input
        else:
            branch_input = sr.parameters(sr.input_path())
        ctx = sr.scope.ctx
        sr.event("ParallelStateStarted")
        scopes = [Scope(ctx.child(), dict(sr.scope.variables), nested=True) for _ in sr.state.branches]
        tasks = [run.spawn_child(run_graph, run, g, branch_input, s, name=f"branch:{sr.state.name}:{i}")
                 for i, (g, s) in enumerate(zip(sr.state.branches, scopes, strict=True))]
        sr.scope.kids = scopes
        try:
            results = gather(run, tasks, [s.ctx for s in scopes])
        except BranchFailed as bf:
            for s in scopes:
                ctx.integrate(s.ctx)
            ctx.source = bf.ctx.source
            failed = bf.scope
            lines = ([failed] if failed is not None else []) + [s for s in scopes if s is not failed]
            for s in lines:
                aborts.record_line(run.history, ctx, ctx.source, s)
            kill(tasks, [s.ctx for s in scopes])
            sr.scope.kids = None
            sr.event("ParallelStateFailed")
            raise StatesError(bf.error, bf.cause) from None
        except ExecutionFatal:
            kill(tasks, [s.ctx for s in scopes])
            raise
        sr.scope.kids = None
        for s in scopes:
            ctx.integrate(s.ctx)
        run.history.add(HistoryContext(ctx.last, ctx), "ParallelStateSucceeded", None, update_source=False)
        return _finish(sr, results)

    return with_retry_catch(sr, attempt)


def _finish(sr, results: Any):
    spec = sr.state.spec
    if sr.state.jsonata:
        ev = sr.evaluator(result=results)
        assigned = sr.assign_jsonata(spec.get("Assign"), ev)
        output = ev.value(spec["Output"], "Output") if "Output" in spec else results
        return output, assigned
    assigned = sr.assign_jsonpath(spec.get("Assign"), results)
    return sr.output_path(sr.result_path(sr.result_selector(results))), assigned


# ---------------------------------------------------------------------------------------------
# Map


def do_map(sr):
    return with_retry_catch(sr, lambda: _map_attempt(sr))


def _items(sr, effective: Any) -> list:
    spec = sr.state.spec
    if sr.state.jsonata:
        if "Items" in spec:
            items = sr.evaluator().value(spec["Items"], "Items")
        else:
            items = sr.raw_input
        if not isinstance(items, list):
            raise QueryFailure(f"{sr.prefix()}The Items field must evaluate to a JSON array, but was "
                               f"'{dumps(items)}'", "Items")
        return items
    path = spec.get("ItemsPath", "$")
    items = select_path(path, effective, sr.context(), sr.scope.variables)
    if not isinstance(items, list):
        raise RuntimeFailure(f"Invalid path '{path}' : The ItemsPath field must point to a JSON array, but was "
                             f"'{dumps(items)}'")
    return items


def _map_attempt(sr):
    spec = sr.state.spec
    run = sr.run
    effective = sr.raw_input if sr.state.jsonata else sr.input_path()
    try:
        if "ItemReader" in spec:
            items = _read_items(sr, spec["ItemReader"], effective)
        else:
            items = _items(sr, effective)
        items = _batch(sr, spec.get("ItemBatcher"), items, effective)
        max_conc = _max_concurrency(sr, effective)
    except QueryFailure as exc:
        sr.query_failed(exc)
        sr.event("MapStateFailed")
        raise StatesError(exc.error, exc.cause) from None
    ctx = sr.scope.ctx
    sr.event("MapStateStarted", {"length": len(items)})
    if sr.state.distributed:
        results = run_map_run(sr, items, effective, max_conc)
    else:
        results = _inline(sr, items, effective, max_conc)
    run.history.add(HistoryContext(ctx.last, ctx), "MapStateSucceeded", None, update_source=False)
    if "ResultWriter" in spec:
        results = _write_results(sr, spec["ResultWriter"], results, effective)
    return _finish(sr, results)


def _max_concurrency(sr, effective: Any) -> int:
    spec = sr.state.spec
    if "MaxConcurrencyPath" in spec:
        value = select_path(spec["MaxConcurrencyPath"], effective, sr.context(), sr.scope.variables)
    else:
        value = spec.get("MaxConcurrency", 0)
        if sr.state.jsonata and isinstance(value, str):
            value = sr.evaluator().value(value, "MaxConcurrency")
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise RuntimeFailure(f"The MaxConcurrency value must be a non-negative integer, but was '{dumps(value)}'")
    return value


def _inline(sr, items: list, effective: Any, max_conc: int) -> list:
    run = sr.run
    name = sr.state.name
    ctx = sr.scope.ctx
    n = len(items)
    if n == 0:
        return []
    results: list[Any] = [None] * n
    queue = iter(range(n))
    tol_count, tol_pct = tolerance(sr, effective, n)
    tolerant = tol_count is not None or tol_pct is not None
    failures: list[BranchFailed] = []
    workers_n = n if max_conc == 0 else min(max_conc, n)
    worker_ctxs = [ctx.child() for _ in range(workers_n)]
    for _ in range(workers_n):
        next(queue)  # worker i starts with item i
    history = run.history
    live: dict[int, Scope] = {}  # iterations under way (or failed and not processed yet)
    sr.scope.kids = live
    halted = [False]

    def jobs(first: int):
        yield first
        while not halted[0]:
            index = next(queue, None)
            if index is None:
                return
            yield index

    def worker(wctx: HistoryContext, first: int):
        for index in jobs(first):
            jctx = wctx.child()
            history.add(jctx, "MapIterationStarted", {"name": name, "index": index})
            scope = Scope(jctx, dict(sr.scope.variables), nested=True)
            live[index] = scope
            try:
                value = item_input(sr, index, items[index], effective)
                results[index] = run_graph(run, sr.state.processor, value, scope)
            except RuntimeFailure as exc:
                raise sr.fatal(exc) from None
            except BranchFailed as bf:
                wctx.integrate(jctx)
                if tolerant and not halted[0]:
                    live.pop(index, None)
                    scope.open_abort = None
                    history.add(jctx, "MapIterationFailed", {"name": name, "index": index}, update_source=False)
                    failures.append(bf)
                    results[index] = {"Error": bf.error or "", "Cause": bf.cause or ""}
                    if exceeded(len(failures), n, tol_count, tol_pct):
                        halted[0] = True
                        over = BranchFailed("States.ExceedToleratedFailureThreshold",
                                            "The specified tolerated failure threshold was exceeded", jctx)
                        raise over from None
                    continue
                halted[0] = True
                bf.index = index  # MapIterationFailed is recorded when the Map processes the failure
                raise
            if halted[0]:
                return  # the Map already failed: this iteration's end is not recorded
            live.pop(index, None)
            history.add(jctx, "MapIterationSucceeded", {"name": name, "index": index}, update_source=False)
            wctx.integrate(jctx)
            wctx.last = jctx.last
        wctx.source = wctx.last

    tasks = [run.spawn_child(worker, w, i, name=f"map:{name}:{i}") for i, w in enumerate(worker_ctxs)]
    try:
        gather(run, tasks, worker_ctxs)
    except BranchFailed as bf:
        halted[0] = True
        for w in worker_ctxs:
            ctx.integrate(w)
        ctx.source = bf.ctx.source
        if bf.index is not None:
            failed = live.pop(bf.index, None)
            history.add(HistoryContext(ctx.source, ctx), "MapIterationFailed", {"name": name, "index": bf.index},
                        update_source=False)
            if failed is not None:
                aborts.record_line(history, ctx, ctx.source, failed)
        for index in sorted(live):
            aborts.record_iteration_aborted(history, ctx, ctx.source, name, index, live[index])
        kill(tasks, worker_ctxs)
        sr.scope.kids = None
        sr.event("MapStateFailed")
        raise StatesError(bf.error, bf.cause) from None
    except ExecutionFatal:
        kill(tasks, worker_ctxs)
        raise
    sr.scope.kids = None
    for w in worker_ctxs:
        ctx.integrate(w)
    return results


# ---------------------------------------------------------------------------------------------
# ItemBatcher / ItemReader / ResultWriter / distributed mode


def _batch(sr, batcher: dict | None, items: list, effective: Any) -> list:
    if not batcher:
        return items
    max_items = sr.field_or_path(batcher, "MaxItemsPerBatch", effective)
    max_bytes = sr.field_or_path(batcher, "MaxInputBytesPerBatch", effective)
    batch_input = batcher.get("BatchInput")
    if batch_input is not None and not sr.state.jsonata:
        batch_input = render(batch_input, effective, sr.context(), sr.scope.variables, sr.run.rng)
    elif batch_input is not None:
        batch_input = sr.evaluator().value(batch_input, "ItemBatcher/BatchInput")
    batches: list[dict] = []
    current: list = []
    size = 0
    for item in items:
        item_size = len(dumps(item).encode())
        if current and ((max_items and len(current) >= max_items) or (max_bytes and size + item_size > max_bytes)):
            batches.append(current)
            current, size = [], 0
        current.append(item)
        size += item_size
    if current:
        batches.append(current)
    out = []
    for b in batches:
        entry = {"Items": b}
        if batch_input is not None:
            entry["BatchInput"] = batch_input
        out.append(entry)
    return out


def _s3(sr):
    factory = sr.run.integrations.client_factory
    if factory is None:
        raise StatesError("States.ItemReaderFailed", "No S3 client is configured in this simulation")
    return factory("s3")


def _reader_params(sr, reader: dict, effective: Any) -> dict:
    if sr.state.jsonata:
        return sr.evaluator().value(reader.get("Arguments", {}), "ItemReader/Arguments")
    return render(reader.get("Parameters", {}), effective, sr.context(), sr.scope.variables, sr.run.rng)


def _read_items(sr, reader: dict, effective: Any) -> list:
    params = _reader_params(sr, reader, effective)
    config = reader.get("ReaderConfig") or {}
    resource = reader.get("Resource", "")
    s3 = _s3(sr)
    max_items = sr.field_or_path(config, "MaxItems", effective)
    try:
        if resource.endswith("listObjectsV2"):
            items = []
            for page in s3.get_paginator("list_objects_v2").paginate(**params):
                for obj in page.get("Contents", []):
                    items.append({"Etag": obj.get("ETag"), "Key": obj["Key"],
                                  "LastModified": obj["LastModified"].isoformat() if obj.get("LastModified") else None,
                                  "Size": obj.get("Size"), "StorageClass": obj.get("StorageClass", "STANDARD")})
        else:
            body = s3.get_object(**params)["Body"].read().decode()
            kind = config.get("InputType", "JSON")
            if kind == "JSON":
                items = json.loads(body)
            elif kind == "JSONL":
                items = [json.loads(line) for line in body.splitlines() if line.strip()]
            elif kind == "CSV":
                items = _csv_items(body, config)
            else:
                items = body.splitlines()
    except StatesError:
        raise
    except Exception as exc:  # noqa: BLE001 - reader failures have their own error name
        raise StatesError("States.ItemReaderFailed", f"{sr.prefix()}{exc}") from None
    if not isinstance(items, list):
        raise StatesError("States.ItemReaderFailed",
                          f"{sr.prefix()}Attempting to map over non-iterable node.")
    if max_items:
        items = items[: int(max_items)]
    return items


def _csv_items(body: str, config: dict) -> list:
    delimiter = {"COMMA": ",", "PIPE": "|", "SEMICOLON": ";", "SPACE": " ", "TAB": "\t"}.get(
        config.get("CSVDelimiter", "COMMA"), ",")
    rows = list(csv.reader(io.StringIO(body), delimiter=delimiter))
    if config.get("CSVHeaderLocation", "FIRST_ROW") == "GIVEN":
        headers = config.get("CSVHeaders") or []
    else:
        headers, rows = (rows[0], rows[1:]) if rows else ([], [])
    return [dict(zip(headers, row, strict=False)) for row in rows]


def _write_results(sr, writer: dict, results: list, effective: Any) -> Any:
    params = (sr.evaluator().value(writer.get("Arguments", {}), "ResultWriter/Arguments") if sr.state.jsonata
              else render(writer.get("Parameters", {}), effective, sr.context(), sr.scope.variables, sr.run.rng))
    s3 = _s3(sr)
    run = sr.run
    map_run_arn = getattr(run, "last_map_run_arn", "")
    run_id = map_run_arn.rsplit(":", 1)[-1]
    prefix = params.get("Prefix", "")
    base = f"{prefix.rstrip('/')}/{run_id}" if prefix else run_id
    entries = [{"Input": None, "Output": dumps(r), "Status": "SUCCEEDED"} for r in results]
    s3.put_object(Bucket=params["Bucket"], Key=f"{base}/SUCCEEDED_0.json", Body=dumps(entries).encode())
    manifest = {"DestinationBucket": params["Bucket"], "MapRunArn": map_run_arn,
                "ResultFiles": {"FAILED": [], "PENDING": [],
                                "SUCCEEDED": [{"Key": f"{base}/SUCCEEDED_0.json", "Size": len(dumps(entries))}]}}
    s3.put_object(Bucket=params["Bucket"], Key=f"{base}/manifest.json", Body=dumps(manifest).encode())
    return {"MapRunArn": map_run_arn, "ResultWriterDetails": {"Bucket": params["Bucket"],
                                                              "Key": f"{base}/manifest.json"}}


__all__ = ["do_parallel", "do_map", "jsonpath", "Abort"]
