"""The ``plant-copilot`` command's sub-commands, one module per group."""
