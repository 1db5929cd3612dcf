"""Units and dispatch: the board, positions, recommendations, assignments and the unit app."""
