"""Video analytics: objects detected where there is motion, tracked and checked against each camera's rules,
and the health of the picture itself."""
