"""CloudWatch metrics: PutMetricData to METRICS_NAMESPACE (default ECOSYSTEMAWS/Webhooks).

`put_metrics({"WebhookReconciliation.MissedEvents": 2, ...})` sends every value (unit Count unless
told) in batches of at most 1000. A metrics failure is logged and swallowed unless `strict=True`:
metrics never break the business path.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime

from botocore.exceptions import BotoCoreError, ClientError

from handlers.common import clock
from handlers.common.clients import client
from handlers.common.config import metrics_namespace
from handlers.common.log import get_logger

_log = get_logger("metrics")
_BATCH = 1000


def put_metrics(values: Mapping[str, float], *, namespace: str | None = None,
                dimensions: Mapping[str, str] | None = None, unit: str = "Count", strict: bool = False) -> bool:
    """Put each metric; True when every batch was accepted."""
    when = datetime.fromtimestamp(clock.now_s(), tz=UTC)
    dims = [{"Name": k, "Value": str(v)} for k, v in (dimensions or {}).items()]
    data = []
    for name, value in values.items():
        datum = {"MetricName": name, "Value": float(value), "Unit": unit, "Timestamp": when}
        if dims:
            datum["Dimensions"] = dims
        data.append(datum)
    ns = namespace or metrics_namespace()
    try:
        for start in range(0, len(data), _BATCH):
            client("cloudwatch").put_metric_data(Namespace=ns, MetricData=data[start:start + _BATCH])
    except (BotoCoreError, ClientError) as exc:
        if strict:
            raise
        _log.warning("metrics not recorded", namespace=ns, error=str(exc), metrics=list(values))
        return False
    return True
