"""Step Functions activities: the registry behind CreateActivity / DescribeActivity /
DeleteActivity / ListActivities / GetActivityTask, and the queue of activity tasks a Task state
with an `arn:aws:states:…:activity:NAME` resource waits on.

As recorded on AWS (LocalStack's v2/activities and test_sfn_api_activities snapshots):
CreateActivity is idempotent per name (same ARN and creationDate); names follow the execution-name
rules ("Invalid Name: '<name>'"); DescribeActivity adds `encryptionConfiguration
{type: AWS_OWNED_KEY}`; an unknown ARN is ActivityDoesNotExist "Activity Does Not Exist: '<arn>'",
a malformed one InvalidArn "Invalid Arn: 'Invalid ARN prefix: <arn>'"; DeleteActivity of a
deleted activity succeeds. A Task on a deleted activity fails States.Runtime "The activity <arn>
does not exist." before ActivityScheduled. A scheduled task waits for a worker: GetActivityTask
hands out the oldest (taskToken, input) and the task records ActivityStarted {workerName}; the
worker answers with SendTaskSuccess / SendTaskFailure / SendTaskHeartbeat on that token.
GetActivityTask with nothing queued answers at once with no task (AWS long-polls up to 60 s).
"""

from __future__ import annotations

import re
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

_BAD_NAME = re.compile(r"[\s<>{}\[\]?*\"#%\\^|~`$&,;:/\x00-\x1f\x7f-\x9f]")
_ACTIVITY_ARN = re.compile(r"^arn:aws[\w-]*:states:[a-z0-9-]+:\d{12}:activity:(.+)$")


class ActivityError(Exception):
    """An API error of the activity operations: `code`, `message` (the service wraps it)."""

    def __init__(self, code: str, message: str):
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message


def valid_name(name: Any) -> bool:
    return isinstance(name, str) and 1 <= len(name) <= 80 and not _BAD_NAME.search(name)


@dataclass
class QueuedTask:
    token: str
    input_text: str
    started: Callable[[str | None], None]


@dataclass
class Activity:
    arn: str
    name: str
    created: datetime
    queue: deque = field(default_factory=deque)


class Activities:
    """Activities by ARN, with their queues of scheduled tasks."""

    def __init__(self, region: str, account: str):
        self.region = region
        self.account = account
        self._by_arn: dict[str, Activity] = {}

    def arn_for(self, name: str) -> str:
        return f"arn:aws:states:{self.region}:{self.account}:activity:{name}"

    def create(self, name: Any, now: datetime) -> Activity:
        if not valid_name(name):
            raise ActivityError("InvalidName", f"Invalid Name: '{name}'")
        arn = self.arn_for(name)
        existing = self._by_arn.get(arn)
        if existing is not None:
            return existing
        activity = Activity(arn, name, now)
        self._by_arn[arn] = activity
        return activity

    def get(self, arn: Any) -> Activity:
        if not isinstance(arn, str) or not _ACTIVITY_ARN.match(arn):
            raise ActivityError("InvalidArn", f"Invalid Arn: 'Invalid ARN prefix: {arn}'")
        activity = self._by_arn.get(arn)
        if activity is None:
            raise ActivityError("ActivityDoesNotExist", f"Activity Does Not Exist: '{arn}'")
        return activity

    def exists(self, arn: str) -> bool:
        return arn in self._by_arn

    def delete(self, arn: Any) -> None:
        if not isinstance(arn, str) or not _ACTIVITY_ARN.match(arn):
            raise ActivityError("InvalidArn", f"Invalid Arn: 'Invalid ARN prefix: {arn}'")
        self._by_arn.pop(arn, None)

    def all(self) -> list[Activity]:
        return list(self._by_arn.values())  # creation order (recorded: test_list_activities)

    def schedule(self, arn: str, task: QueuedTask) -> None:
        self._by_arn[arn].queue.append(task)

    def poll(self, arn: str, worker: str | None, is_live: Callable[[str], bool]) -> QueuedTask | None:
        """The oldest task still waiting for a worker (its ActivityStarted recorded), or None."""
        queue = self.get(arn).queue
        while queue:
            task = queue.popleft()
            if is_live(task.token):
                task.started(worker)
                return task
        return None
