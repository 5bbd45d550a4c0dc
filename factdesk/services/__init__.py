"""The desk's operations: one module per stage of the flow."""
