"""yima: one code per item, the whole offline channel around it."""

__version__ = "0.1.0"
