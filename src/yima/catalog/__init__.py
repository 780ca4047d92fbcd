"""Products (SKU, GTIN, specification, image) and packaging specs (bottles per case, cases per
pallet, the code faces each level carries)."""
