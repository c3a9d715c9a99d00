"""``python -m simulator [--seed N] [--time-scale X] [--data-dir DIR] [--history-hours H]``: run the simulated plant.

This process's edge: where to serve the plant is read from the environment here, once (``PLANT_*``).
"""

from connectors.settings import ConnectorSettings
from simulator.main import Standalone, run_app

run_app(obj=Standalone(connectors=ConnectorSettings()))
