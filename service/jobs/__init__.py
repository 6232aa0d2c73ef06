"""Generation jobs: the job store (leases, progress), the worker loop and its in-process runtime."""
