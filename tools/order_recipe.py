"""order_recipe: the recipe a production order was created with, from the MES."""

from __future__ import annotations

from pydantic import Field

from connectors.configured_orders import OrderRecipe
from policies.model import Risk
from tools.base import Call, ToolArgs, tool
from tools.deps import Deps, System


class OrderRecipeArgs(ToolArgs):
    """The production order whose recipe to read."""

    order_id: str = Field(min_length=1, max_length=40, description="production order id, e.g. PO-L1-0044")


def _line(recipe: OrderRecipe) -> str:
    setpoints = ", ".join(s.line for s in recipe.setpoints) or "none"
    return f"recipe of {recipe.order_id}: {setpoints}"


@tool(args=OrderRecipeArgs, risk=Risk.read, result=OrderRecipe, line=_line, order=71, systems=(System.mes,))
async def order_recipe(deps: Deps, args: OrderRecipeArgs, call: Call) -> OrderRecipe:
    """Read the recipe (the setpoints each machine runs at) a production order was created with."""
    return await deps.mes.order_recipe(args.order_id)
