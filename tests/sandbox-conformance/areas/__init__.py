"""One module per area, in the shared suite's format: AREA names it, CHECKS lists its checks."""
