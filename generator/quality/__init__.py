"""Measuring generated data: span-projection scores, parallel gold, quality estimation, dataset cards."""
