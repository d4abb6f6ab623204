"""Periodic jobs declared by plugins (``register_jobs``): run by serving processes on a
schedule, and once on demand by ``alliance jobs run``."""

from kernel.jobs.runner import JobRunner, declared_jobs, run_job

__all__ = ["JobRunner", "declared_jobs", "run_job"]
