"""Following tags on an OPC UA server by monitored items: the server pushes each change, nobody polls.

A session of its own (apart from the one reads and writes use) holds one subscription with a monitored item per
tag; the server samples each every ``SAMPLING_MS`` and publishes the changes every ``PUBLISHING_MS``. When the
link breaks (the server stops, the network drops, the session's keep-alive fails) every followed machine is said
to be unfollowed, and the subscription is made anew on a fresh session after a pause that doubles up to
``MAX_RETRY_S``: the loss is logged once, in one line, and so is the resubscription.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator

from asyncua import Client, ua
from asyncua.common.subscription import DataChangeEvent, StatusChangeEvent

from connectors.errors import ConnectorError, Unreachable
from connectors.plant import Tag
from connectors.plc.client import TagValue, Unfollowed
from connectors.plc.opcua.session import close_quietly, open_session
from connectors.settings import ConnectorSettings, OpcUaSecurity

log = logging.getLogger(__name__)

SAMPLING_MS = 250.0
PUBLISHING_MS = 250.0
FIRST_RETRY_S = 0.5
MAX_RETRY_S = 30.0


async def follow(settings: ConnectorSettings, url: str, security: OpcUaSecurity,
                 tags: list[Tag]) -> AsyncIterator[TagValue | Unfollowed]:
    """Each change of ``tags`` (each with an OPC UA node id) as the server at ``url`` pushes it, its first value
    first; on a lost link an :class:`Unfollowed` per machine, then the same again on a fresh session. Runs until
    the caller stops iterating."""
    by_node = {ua.NodeId.from_string(t.address("opcua")): t for t in tags}
    machines = sorted({t.machine_id for t in tags})
    delay, lost = FIRST_RETRY_S, False
    while True:
        try:
            client = await open_session(settings, url, security)
        except ConnectorError as exc:
            lost = _say_lost(url, str(exc), lost)
            await asyncio.sleep(delay)
            delay = min(delay * 2, MAX_RETRY_S)
            continue
        try:
            async for item in _subscribed(client, by_node, url, lost):
                lost, delay = False, FIRST_RETRY_S
                yield item
        except (ConnectorError, ConnectionError, OSError, TimeoutError, ua.UaError) as exc:
            lost = _say_lost(url, str(exc) or type(exc).__name__, lost)
        finally:
            await close_quietly(client)
        for machine_id in machines:
            yield Unfollowed(machine_id=machine_id, why=f"the subscription to OPC UA server {url} was lost")
        await asyncio.sleep(delay)
        delay = min(delay * 2, MAX_RETRY_S)


def _say_lost(url: str, why: str, lost: bool) -> bool:
    """Log the loss of the subscription once (not again for each failed try); True."""
    if not lost:
        log.warning("the subscription to OPC UA server %s was lost (%s); resubscribing, retrying with backoff up "
                    "to %g s", url, why, MAX_RETRY_S)
    return True


async def _subscribed(client: Client, by_node: dict[ua.NodeId, Tag], url: str,
                      was_lost: bool) -> AsyncIterator[TagValue | Unfollowed]:
    """The changes one subscription on ``client`` delivers; Unreachable when the server says the link is gone."""
    subscription = await client.create_subscription(PUBLISHING_MS)
    handles = await subscription.subscribe_data_change([client.get_node(n) for n in by_node],
                                                       sampling_interval=SAMPLING_MS)
    refused = [t.key for t, h in zip(by_node.values(), handles, strict=True) if isinstance(h, ua.StatusCode)]
    if refused:
        log.warning("OPC UA server %s refused to follow %s: they are polled", url, ", ".join(refused))
    if was_lost:
        log.warning("resubscribed to OPC UA server %s: %d tags followed again", url, len(by_node) - len(refused))
    async for event in subscription:
        if isinstance(event, StatusChangeEvent):
            raise Unreachable(f"the server ended the subscription ({event.notification.Status.name})")
        if isinstance(event, DataChangeEvent):
            yield _value(by_node[event.node.nodeid], event.data.monitored_item.Value)
    raise Unreachable("the subscription was closed")


def _value(tag: Tag, data: ua.DataValue) -> TagValue | Unfollowed:
    """A pushed value as the tag's value, or Unfollowed when the server says it is bad (the machine's PLC is
    offline, say)."""
    if data.StatusCode is not None and not data.StatusCode.is_good():
        return Unfollowed(machine_id=tag.machine_id, why=f"{tag.key} is {data.StatusCode.name}")
    at = data.SourceTimestamp or data.ServerTimestamp
    return TagValue(machine_id=tag.machine_id, tag=tag.name, value=data.Value.Value, unit=tag.unit,
                    timestamp=at.timestamp() if at else time.time())
