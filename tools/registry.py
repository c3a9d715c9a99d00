"""Every tool the copilot may propose. Adding a tool is one module plus one line here."""

from __future__ import annotations

from tools.active_alarms import active_alarms
from tools.base import Tool
from tools.change_production_order import change_production_order
from tools.create_purchase_order import create_purchase_order
from tools.create_work_order import create_work_order
from tools.inventory import inventory
from tools.machine_status import machine_status
from tools.open_work_orders import open_work_orders
from tools.production_orders import production_orders
from tools.quality_report import quality_report
from tools.record_inspection import record_inspection
from tools.search_manuals import search_manuals
from tools.start_stop import start_machine, stop_machine
from tools.tag_history import tag_history
from tools.write_setpoint import write_setpoint

TOOLS: dict[str, Tool] = {
    t.name: t
    for t in (
        machine_status,
        tag_history,
        active_alarms,
        quality_report,
        inventory,
        open_work_orders,
        production_orders,
        search_manuals,
        create_work_order,
        create_purchase_order,
        write_setpoint,
        start_machine,
        stop_machine,
        change_production_order,
        record_inspection,
    )
}
