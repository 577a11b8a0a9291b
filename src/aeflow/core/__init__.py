"""What both parts of the workflow use and nothing part-specific: config validation,
atomic output, checkpoint I/O, statistics, the lean Lightning Trainer, job helpers."""
