"""create_purchase_order: order a spare part, choosing the supplier by price, lead time or carbon."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from connectors.errors import Rejected
from connectors.records import PartOffer, PurchaseOrder, PurchaseOrderCreate
from policies.model import Risk
from tools.base import ActionFacts, Call, Count, ToolArgs, record_id, tool
from tools.deps import Deps, System

ChooseBy = Literal["price", "lead_time", "carbon"]


class CreatePurchaseOrderArgs(ToolArgs):
    """A part and quantity to order, from a given supplier or the best by ``choose_by``, and why."""

    part_id: str = Field(description="part number, e.g. BRG-6205")
    quantity: Count = Field(gt=0, le=10_000)
    supplier_id: str | None = Field(default=None, description="a supplier id; omit to choose by choose_by")
    choose_by: ChooseBy = Field(default="price", description="how to choose the supplier when none is given")
    reason: str = Field(default="", max_length=500)


_RANKING = {
    "price": lambda o: (o.price, o.lead_time_days, o.supplier),
    "lead_time": lambda o: (o.lead_time_days, o.price, o.supplier),
    "carbon": lambda o: (o.carbon_kg, o.price, o.supplier),
}


def ranked_offers(offers: list[PartOffer], choose_by: ChooseBy) -> list[PartOffer]:
    """The offers best first by price, lead time or carbon; a tie goes to the better second key (lead time for
    price, price otherwise), then to the lower supplier id, so the choice is always the same."""
    return sorted(offers, key=_RANKING[choose_by])


def choose_offer(offers: list[PartOffer], choose_by: ChooseBy, supplier_id: str | None = None) -> PartOffer | None:
    """The offer to order from: the named supplier's, or the first of :func:`ranked_offers`; None when there is
    no such offer (the caller says why)."""
    if supplier_id:
        return next((o for o in offers if o.supplier == supplier_id), None)
    return ranked_offers(offers, choose_by)[0] if offers else None


async def _offer(deps: Deps, args: CreatePurchaseOrderArgs):
    part = await deps.erp.get_part(args.part_id)
    offer = choose_offer(part.offers, args.choose_by, args.supplier_id)
    if offer is None and not part.offers:
        raise Rejected("no supplier offers this part")
    if offer is None:
        known = ", ".join(o.supplier for o in part.offers)
        raise Rejected(f"supplier {args.supplier_id} does not offer this part; offers come from: {known}")
    return part, offer


async def _facts(deps: Deps, args: CreatePurchaseOrderArgs) -> ActionFacts:
    part, offer = await _offer(deps, args)
    amount = round(offer.price * args.quantity, 2)
    return ActionFacts(
        amount=amount,
        quantity=args.quantity,
        new_value=args.quantity,
        change=(
            f"order {args.quantity} x {part.id} ({part.name}) from {offer.supplier} at {offer.price:.2f} "
            f"= {amount:.2f}, {offer.lead_time_days} days, {offer.carbon_kg * args.quantity:.1f} kg CO2e"
        ),
        extra={"part_id": part.id, "supplier_id": offer.supplier, "stock": part.stock},
    )


@tool(args=CreatePurchaseOrderArgs, risk=Risk.write, result=PurchaseOrder, line=record_id, order=100, facts=_facts,
      makes_record=True, systems=(System.erp,))
async def create_purchase_order(deps: Deps, args: CreatePurchaseOrderArgs, call: Call) -> PurchaseOrder:
    """Order a quantity of a spare part. Name a supplier, or let the tool choose the best offer by price,
    lead_time (fastest delivery) or carbon (lowest CO2e). Check inventory first."""
    part, offer = await _offer(deps, args)
    order = PurchaseOrderCreate(
        part=part.id,
        quantity=args.quantity,
        supplier=offer.supplier,
        requested_by=call.requester,
        reason=args.reason,
    )
    return await deps.erp.create_purchase_order(order, idempotency_key=call.idempotency_key)
