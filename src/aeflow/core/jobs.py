"""Plumbing shared by the workflow's scripts: per-job log files and termination. Import-light."""

from __future__ import annotations

import contextlib
import logging
import signal
import sys
from collections.abc import Iterator
from types import FrameType

from aeflow.core.numerics import describe as describe_numerics

# What a shell reports for a process ended by SIGTERM; any non-zero status tells Snakemake
# (and the SLURM executor's retries) that the job failed.
TERMINATED_STATUS = 128 + signal.SIGTERM


class JobTerminated(BaseException):
    """SIGTERM arrived (scancel, preemption, a time limit): the job stops unfinished.

    A BaseException, like KeyboardInterrupt, so that no ``except Exception`` swallows it.
    Lightning's own answer to SIGTERM is an exception that subclasses ``SystemExit`` with
    no code, which would end the job with status 0 and outputs missing.
    """


def _raise_terminated(signum: int, frame: FrameType | None) -> None:
    raise JobTerminated(signum)


def _is_terminated(error: BaseException) -> bool:
    # pytorch_lightning.utilities.exceptions.SIGTERMException, matched by name so that
    # jobs without Lightning do not import it.
    return isinstance(error, JobTerminated) or type(error).__name__ == "SIGTERMException"


@contextlib.contextmanager
def job_log(path: str) -> Iterator[logging.Logger]:
    """Send logging, warnings and stderr of a job to its Snakemake ``log:`` file.

    An exception is logged with its traceback and re-raised, so the job fails with the
    reason in its log as well as in Snakemake's output. SIGTERM ends the job with status
    ``TERMINATED_STATUS`` and a log line saying so.
    """
    previous = signal.signal(signal.SIGTERM, _raise_terminated)
    try:
        with open(path, "w") as handle, contextlib.redirect_stderr(handle):
            logging.basicConfig(
                stream=handle,
                level=logging.INFO,
                format="%(asctime)s %(levelname)s %(name)s: %(message)s",
                force=True,
            )
            logging.captureWarnings(True)
            logger = logging.getLogger("aeflow.job")
            for line in describe_numerics():
                logger.info(line)
            try:
                yield logger
            except BaseException as error:
                if not _is_terminated(error):
                    logger.exception("job failed")
                    handle.flush()
                    # Snakemake shows the console; the log keeps the full traceback.
                    print(f"job failed, see {path}", file=sys.__stderr__)
                    raise
                logger.error("job terminated by SIGTERM (scancel, preemption or a time limit)")
                handle.flush()
                print(f"job terminated by SIGTERM, see {path}", file=sys.__stderr__)
                raise SystemExit(TERMINATED_STATUS) from None
    finally:
        signal.signal(signal.SIGTERM, previous)
