"""Device registry: sites, cameras, SOS terminals, alarm panels and turnstiles, with their health."""
