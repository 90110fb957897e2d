"""HTML views of the reviews app, one module per area."""
