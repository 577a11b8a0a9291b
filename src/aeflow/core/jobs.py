"""Plumbing shared by the workflow's scripts: per-job log files. Import-light."""

from __future__ import annotations

import contextlib
import logging
import sys
from collections.abc import Iterator


@contextlib.contextmanager
def job_log(path: str) -> Iterator[logging.Logger]:
    """Send logging, warnings and stderr of a job to its Snakemake ``log:`` file.

    An exception is logged with its traceback and re-raised, so the job fails with the
    reason in its log as well as in Snakemake's output.
    """
    with open(path, "w") as handle, contextlib.redirect_stderr(handle):
        logging.basicConfig(
            stream=handle,
            level=logging.INFO,
            format="%(asctime)s %(levelname)s %(name)s: %(message)s",
            force=True,
        )
        logging.captureWarnings(True)
        logger = logging.getLogger("aeflow.job")
        try:
            yield logger
        except BaseException:
            logger.exception("job failed")
            handle.flush()
            # Snakemake shows the console; the log keeps the full traceback.
            print(f"job failed, see {path}", file=sys.__stderr__)
            raise
