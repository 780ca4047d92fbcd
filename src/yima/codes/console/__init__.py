"""Codes' console pages: suppliers, batches (and a batch's page), looking up a code. Importing this
package registers them."""

from yima.codes.console import batch, batches, resolve, suppliers

__all__ = ["batch", "batches", "resolve", "suppliers"]
