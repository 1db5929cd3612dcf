"""Police districts (участки) and their inspectors: versioned polygons over the city model."""
