"""The composition root: opens the plant's connections and the stores, builds the graph, hands out a Copilot."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from typing import Any

import aiosqlite
from langgraph.checkpoint.base import BaseCheckpointSaver
from langgraph.checkpoint.postgres.aio import AsyncPostgresSaver
from langgraph.checkpoint.serde.jsonplus import JsonPlusSerializer
from langgraph.checkpoint.sqlite.aio import AsyncSqliteSaver

from connectors.erp import ErpClient
from connectors.errors import ConnectorError
from connectors.historian import open_history
from connectors.mes import MesClient
from connectors.plant import Plant
from connectors.plc import open_plc
from connectors.plm import PlmClient, configurable
from connectors.settings import ConnectorSettings
from copilot.agent.graph import build_graph
from copilot.agent.prompt import agent_prompt
from copilot.agent.runtime import Runtime
from copilot.agent.state import KEPT_TYPES
from copilot.governance.running import admitted
from copilot.llm.chat_model import ChatModel
from copilot.llm.errors import FormatRefused, ModelUnavailable
from copilot.llm.warmup import warm_up
from copilot.monitor.alerts import Alerts
from copilot.parts import configured
from copilot.procedures.language import identifier as language_identifier
from copilot.procedures.spec import Procedures
from copilot.settings import CopilotSettings
from copilot.store.approvals import ApprovalQueue
from copilot.store.audit import AuditLog
from copilot.store.conversations import Conversations
from copilot.store.db import Location, PostgresDatabase, is_postgres
from copilot.store.ledger import ExecutionLedger
from copilot.store.sign_offs import QueueSignOffs
from copilot.store.twin_checks import TwinChecks
from policies.rules import Policy
from tools.deps import Deps
from twin.file import site_twin
from twin.settings import TwinSettings

_LOG = logging.getLogger(__name__)


@asynccontextmanager
async def opened(model: ChatModel, *, settings: CopilotSettings, connectors: ConnectorSettings,
                 twin: TwinSettings, manuals: Any = None) -> AsyncIterator[tuple[Runtime, Any, Conversations, Alerts]]:
    """The runtime, the compiled graph, the conversations and the alerts, open until the context ends.
    ``twin.file``: the fitted twin the dry runs use; without one, a change's dry run says no twin is fitted.
    A configuration that is not the site's promoted release is refused first (copilot/governance/running.py)."""
    plant, tools, procedures = configured(settings, connectors)
    fitted = site_twin(twin.file, plant)
    release = await asyncio.to_thread(admitted, settings, connectors, twin, model)  # refused: nothing was opened
    async with AsyncExitStack() as stack:
        plc = await stack.enter_async_context(open_plc(connectors, plant, settings.plc_protocol))
        erp = await stack.enter_async_context(ErpClient.from_settings(connectors))
        mes = await stack.enter_async_context(MesClient.from_settings(connectors))
        history = await stack.enter_async_context(open_history(connectors, plant, mes=mes))
        plm = await stack.enter_async_context(PlmClient.from_settings(connectors))
        plant = await _configurable(plant, plm)
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        saver = await stack.enter_async_context(checkpointer(settings.checkpoints_db))
        queue = ApprovalQueue(settings.state_db, ttl_hours=settings.approval_ttl_hours,
                              run_within_minutes=settings.approval_run_within_minutes)
        stack.callback(queue.close)
        ledger = ExecutionLedger(settings.state_db, lease_s=3 * settings.tool_timeout_s)
        stack.callback(ledger.close)
        conversations = Conversations(settings.state_db)
        stack.callback(conversations.close)
        twin_checks = TwinChecks(settings.state_db)
        stack.callback(twin_checks.close)
        alerts = Alerts(settings.state_db)
        stack.callback(alerts.close)
        audit = AuditLog.of(settings)
        stack.callback(audit.close)
        audit.stamp(release)
        policy = Policy.load(settings.policy_file, tools=tools)
        if procedures is not None:  # against the file: a procedure this plant cannot serve may still have an owner
            policy.check_procedures(Procedures.load(settings.procedures_file, tools).names, str(settings.policy_file))
        rt = Runtime(deps=Deps(plant=plant, plc=plc, erp=erp, mes=mes, manuals=manuals, twin=fitted,
                               sign_offs=QueueSignOffs(queue), plm=plm, history=history), model=model,
                     tools=tools, policy=policy, queue=queue, ledger=ledger,
                     audit=audit, settings=settings, twin_checks=twin_checks, procedures=procedures,
                     release=release)
        await warmed(rt)
        yield rt, build_graph(rt).compile(checkpointer=saver), conversations, alerts


async def _configurable(plant: Plant, plm: PlmClient) -> Plant:
    """The plant with what PLM lets customers configure; as the plant file has it when PLM does not answer."""
    try:
        return configurable(plant, await plm.products())
    except ConnectorError as exc:
        _LOG.warning("PLM did not answer; only the plant file's variants can be ordered: %s", exc)
        return plant


async def warmed(rt: Runtime) -> None:
    """The local model processes the stable prompt prefix once, here, rather than on the first question;
    the language identifier loads here too. A served model that is down or slow now does not stop the start: the
    chat says so when asked and offers the forms, which need no model."""
    prompt = agent_prompt(rt)
    try:
        await asyncio.to_thread(warm_up, rt.model, prompt.system, prompt.tools, prompt.shots)
    except ModelUnavailable as exc:
        if isinstance(exc, FormatRefused):  # a setting to correct, not an outage
            raise
        _LOG.warning("the model was not warmed up: %s", exc)
    if rt.procedures:
        await asyncio.to_thread(language_identifier)


def checkpoint_serde() -> JsonPlusSerializer:
    """LangGraph's serializer, loading LangChain's messages and the agent's own kept types only
    (copilot/agent/state.py ``KEPT_TYPES``): a checkpoint cannot name another class to be built."""
    return JsonPlusSerializer(allowed_msgpack_modules=[(t.__module__, t.__name__) for t in KEPT_TYPES])


@asynccontextmanager
async def checkpointer(location: Location) -> AsyncIterator[BaseCheckpointSaver]:
    """LangGraph's own checkpointer for where the state is: its Postgres one (its ``setup()`` makes and migrates
    its tables, one process at a time), or its SQLite one on the data folder's file. SQLite commits a step in
    its write-ahead log without waiting for the disk: a killed process loses no step, a power cut may lose the last
    ones (the ledger, the queue and the audit log still wait for the disk, so nothing runs twice)."""
    if not is_postgres(location):
        async with aiosqlite.connect(str(location)) as conn:
            await conn.execute("PRAGMA journal_mode=WAL")
            await conn.execute("PRAGMA synchronous=NORMAL")
            yield AsyncSqliteSaver(conn, serde=checkpoint_serde())
        return
    async with AsyncPostgresSaver.from_conn_string(str(location), serde=checkpoint_serde()) as saver:
        db = PostgresDatabase(str(location), max_size=1)
        try:
            with db.session_lock("checkpoints-setup"):
                await saver.setup()
        finally:
            db.close()
        yield saver
