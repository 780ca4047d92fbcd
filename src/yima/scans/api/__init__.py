"""Scans' HTTP edges: staff reads and reviews, the consumer's scan and wallet, and the
benchmark's reference routes (off unless YIMA_BENCH_ROUTES)."""

from yima.scans.api import consumer, probes, staff

routers = [*consumer.routers, *staff.routers, *probes.routers]
