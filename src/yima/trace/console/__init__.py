"""Trace's console pages: a code's lifecycle (全生命周期) and the diversion report (窜货).
Importing this package registers them."""

from yima.trace.console import diversions, lifecycle

__all__ = ["diversions", "lifecycle"]
