"""Video analytics: what the picture says — objects detected where there is motion, tracked, checked against each camera's rules, and the picture's own health."""
