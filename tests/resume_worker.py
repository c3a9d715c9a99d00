"""A second process for the exactly-once tests: opens the copilot on a data folder and resumes what waits.

``python tests/resume_worker.py DATA_DIR`` with the simulator's PLANT_* variables set; prints the statuses of
the results it produced, as JSON."""

from __future__ import annotations

import asyncio
import json
import sys
from pathlib import Path

from agent_helpers import call, script

from connectors.settings import ConnectorSettings
from copilot.service import Copilot
from copilot.settings import CopilotSettings
from twin.settings import TwinSettings


async def main(data_dir: Path) -> None:
    parts = ["BRG-6205", "BRG-6308", "SEAL-M25", "HYD-FLT-10", "TC-K-150", "NOZ-RF12"]
    model = script([call("create_purchase_order", part_id=p, quantity=30, choose_by="price") for p in parts], "Done.")
    async with Copilot.open(model, settings=CopilotSettings(data_dir=data_dir), connectors=ConnectorSettings(),
                            twin=TwinSettings()) as copilot:
        steps = await copilot.resume_decided()
    print(json.dumps([str(s.status) for s in steps if s.kind == "result"]))


if __name__ == "__main__":
    asyncio.run(main(Path(sys.argv[1])))
