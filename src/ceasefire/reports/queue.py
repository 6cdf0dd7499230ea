"""Group commit for reports arriving concurrently (the API's intake path).

A SQLite database has one writer, and every report is a transaction: a commit, a look-up
of the ledger's head, a role look-up. Under many concurrent clients those fixed costs, and
the hand-over of the write lock between threads, dominated the work. Here each process
keeps one writer thread: submissions queue up, and whatever has queued while the previous
batch was being written is filed together by :func:`ceasefire.reports.service.file_reports`
(one transaction, one ledger head, one role look-up per member). Each submission still gets
its own outcome: a bad one fails alone (should a whole batch fail, for a cause no validation
foresaw, its submissions are filed again one at a time, so the others still succeed).

Nothing is acknowledged before its batch has committed, so a crash loses only submissions
that were never answered; their clients retry with the same ``Idempotency-Key``.
"""

from __future__ import annotations

import logging
import queue
import threading
from concurrent.futures import Future

from ceasefire.db.context import ServiceContext
from ceasefire.errors import CeasefireError
from ceasefire.reports.service import Submission, SubmittedReport, file_reports

log = logging.getLogger(__name__)

_Job = tuple[Submission, "Future[SubmittedReport]"]


def _settle(future: Future[SubmittedReport], outcome: SubmittedReport | CeasefireError) -> None:
    """Hand a submission's outcome to its waiting request: the report, or the refusal."""
    if isinstance(outcome, CeasefireError):
        future.set_exception(outcome)
    else:
        future.set_result(outcome)


class ReportQueue:
    """Files submitted reports in batches from one writer thread.

    The thread starts with the first submission and ends after ``idle_s`` without any, so
    an idle application (or a test's) holds no thread.
    """

    def __init__(
        self, ctx: ServiceContext, *, max_batch: int | None = None, idle_s: float = 2.0
    ) -> None:
        self.ctx = ctx
        self.idle_s = idle_s
        self.max_batch = max(1, max_batch or ctx.settings.intake_max_batch)
        self._jobs: queue.SimpleQueue[_Job | None] = queue.SimpleQueue()
        self._thread: threading.Thread | None = None
        self._guard = threading.Lock()
        self._closed = False
        self.batches = 0
        self.filed = 0

    def submit(self, submission: Submission) -> Future[SubmittedReport]:
        """Queue one submission; the future holds its report or its CeasefireError."""
        future: Future[SubmittedReport] = Future()
        with self._guard:
            if self._closed:
                raise RuntimeError("the report queue is closed")
            self._jobs.put((submission, future))
            if self._thread is None:
                self._thread = threading.Thread(
                    target=self._run, name="ceasefire-report-writer", daemon=True
                )
                self._thread.start()
        return future

    def close(self, timeout: float = 30.0) -> None:
        """File what is queued, then stop the writer thread."""
        with self._guard:
            self._closed = True
            thread = self._thread
            if thread is not None:
                self._jobs.put(None)
        if thread is not None:
            thread.join(timeout)

    def _run(self) -> None:
        stopping = False
        while not stopping:
            try:
                first = self._jobs.get(timeout=self.idle_s)
            except queue.Empty:
                with self._guard:  # submit() queues under the guard: nothing is missed
                    if self._jobs.empty():
                        self._thread = None
                        return
                continue
            if first is None:
                break
            batch = [first]
            while len(batch) < self.max_batch:
                try:
                    job = self._jobs.get_nowait()
                except queue.Empty:
                    break
                if job is None:
                    stopping = True
                    break
                batch.append(job)
            self._file(batch)

    def _file(self, batch: list[_Job]) -> None:
        pending = [(s, f) for s, f in batch if f.set_running_or_notify_cancel()]
        if not pending:
            return
        try:
            outcomes = file_reports(self.ctx, [s for s, _ in pending])
        except Exception as exc:
            if len(pending) > 1:
                # Nothing of the batch was committed: file each alone, so that whatever
                # failed fails only its own submission.
                log.exception("filing a batch of %d reports failed; one by one", len(pending))
                for job in pending:
                    self._file_alone(*job)
                return
            log.exception("filing a report failed")
            pending[0][1].set_exception(exc)
            return
        self.batches += 1
        self.filed += len(pending)
        for (_, future), outcome in zip(pending, outcomes, strict=True):
            _settle(future, outcome)

    def _file_alone(self, submission: Submission, future: Future[SubmittedReport]) -> None:
        try:
            (outcome,) = file_reports(self.ctx, [submission])
        except Exception as exc:
            log.exception("filing a report failed")
            future.set_exception(exc)
            return
        self.filed += 1
        _settle(future, outcome)
