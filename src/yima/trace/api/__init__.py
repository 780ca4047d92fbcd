"""Trace's HTTP edges: the EPCIS 2.0 REST binding at /epcis."""

from yima.trace.api.epcis import router as epcis_router

routers = [epcis_router]
