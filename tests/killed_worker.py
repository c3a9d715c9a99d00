"""A process for the exactly-once tests that is killed (SIGKILL: nothing flushed, nothing cleaned up) the moment
its request's action is in the approval queue, as a replica killed mid-run is; its database is a slow one
(each checkpoint saved half a second after it was asked for), as one under load is.

``python tests/killed_worker.py DATA_DIR`` with the simulator's PLANT_* variables set: olga asks for one
purchase order (40 HYD-FLT-10, by price); the process never returns."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from pathlib import Path

from agent_helpers import ask, call, script

from connectors.settings import ConnectorSettings
from copilot.service import Copilot
from copilot.settings import CopilotSettings
from twin.settings import TwinSettings

ORDER = call("create_purchase_order", part_id="HYD-FLT-10", quantity=40, choose_by="price")


async def main(data_dir: Path) -> None:
    async with Copilot.open(script([ORDER], "Ordered."), settings=CopilotSettings(data_dir=data_dir),
                            connectors=ConnectorSettings(), twin=TwinSettings()) as copilot:
        queue = copilot.rt.queue
        submit = queue.submit

        def submit_then_die(**kwargs):
            submit(**kwargs)
            os.kill(os.getpid(), signal.SIGKILL)

        queue.submit = submit_then_die
        saver = copilot.graph.checkpointer
        put = saver.aput

        async def slow_put(*args, **kwargs):  # a loaded database: each save lands a while after it was asked for
            await asyncio.sleep(0.5)
            return await put(*args, **kwargs)

        saver.aput = slow_put
        await ask(copilot, "olga", "order 40 return filters", thread_id="t")


if __name__ == "__main__":
    asyncio.run(main(Path(sys.argv[1])))
