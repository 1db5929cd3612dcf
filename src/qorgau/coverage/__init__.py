"""Police within reach: walking and drive-time isochrones, residents' coverage, exact post placement."""
