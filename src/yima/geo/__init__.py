"""Regions (GB/T 2260 provinces, cities, districts) with centroids, the region nearest to a point,
address text to region, and territories; global reference data shared by every brand."""
