"""``python -m simulator [--seed N] [--time-scale X] [--data-dir DIR] [--history-hours H]``: run the simulated plant."""

from simulator.cli import run_app

run_app()
