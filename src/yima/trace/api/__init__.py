"""Trace's HTTP edges: the EPCIS 2.0 REST binding at /epcis, and /api/v1/trace."""

from yima.trace.api.epcis import router as epcis_router
from yima.trace.api.routes import router as trace_router

routers = [epcis_router, trace_router]
