"""PLM as a system of its own: the PLM file checked against its plant, and the simulator's PLM service read over
real HTTP through the PLM connector."""

from __future__ import annotations

from datetime import date

import httpx
import pytest

from connectors.errors import NotFound, Rejected, Unreachable
from connectors.plant import load_plant
from connectors.plm import PlmClient, configurable
from connectors.plm_file import PlmFileError, load_plm
from connectors.plm_records import RuleKind
from connectors.site import PLANTS, shipped_plant
from copilot.procedures.slots import slot_schema
from copilot.procedures.spec import Procedures
from copilot.settings import CopilotSettings
from simulator.plm import plm_catalogue
from simulator.process import free_ports
from tools.registry import TOOLS

RIVERSIDE = load_plant(shipped_plant("riverside"))


@pytest.mark.parametrize("name", ["riverside", "dyehouse"])
def test_each_shipped_plant_has_a_plm_file_that_fits_it(name: str) -> None:
    catalogue = load_plm(PLANTS / name / "plm.yaml", load_plant(shipped_plant(name)))
    assert catalogue.products and catalogue.alternates and catalogue.engineering_changes


def test_a_site_without_a_plm_file_gets_a_plm_that_knows_no_product(tmp_path) -> None:
    assert plm_catalogue(tmp_path / "plm.yaml", RIVERSIDE).products == []


def test_a_plm_file_naming_what_the_plant_lacks_is_refused_in_one_line(tmp_path) -> None:
    text = (PLANTS / "riverside" / "plm.yaml").read_text()
    broken = tmp_path / "plm.yaml"
    broken.write_text(text.replace("machine: IM-103, cycle_s", "machine: OV-201, cycle_s")
                      .replace("material: GF-30", "material: GF-99"))
    with pytest.raises(PlmFileError) as caught:
        load_plm(broken, RIVERSIDE)
    message = str(caught.value)
    assert "\n" not in message and str(broken) in message
    assert "machine OV-201 is not on line L1" in message and "unknown material GF-99" in message


@pytest.mark.parametrize(("cycle", "problem"), [
    ("{glass_filled: 0}", "products.0.routing.option_cycle_s.glass_filled: Input should be greater than 0"),
    ("{blue: 36}", "product HX-200: routing.option_cycle_s names blue, which is not one of its options")])
def test_an_option_cycle_time_that_is_no_time_or_no_option_is_refused_naming_the_field(tmp_path, cycle: str,
                                                                                        problem: str) -> None:
    broken = tmp_path / "plm.yaml"
    broken.write_text((PLANTS / "riverside" / "plm.yaml").read_text().replace(
        "option_cycle_s: {glass_filled: 36}", f"option_cycle_s: {cycle}"))
    with pytest.raises(PlmFileError) as caught:
        load_plm(broken, RIVERSIDE)
    assert problem in str(caught.value)


async def test_the_simulator_serves_plm_over_http(sim) -> None:
    async with PlmClient.from_settings(sim) as plm:
        products = await plm.products()
        housing = await plm.product("hx-200")
        uv = await plm.alternates(material="UV-ADD")
        changes = await plm.engineering_changes(product="HX-200")
        with pytest.raises(NotFound, match="HX-200, CL-500"):
            await plm.product("ZZ-1")
    assert [p.id for p in products] == ["HX-200", "CL-500"]
    assert housing.routing.line == "L1" and housing.routing.machine == "IM-103"
    assert [(r.id, r.kind) for r in housing.rules] == [("HX-R1", RuleKind.excludes), ("HX-R2", RuleKind.requires)]
    assert [(a.alternate, a.ratio) for a in uv] == [("UV-HALS", 1.25)]
    assert [(c.id, c.effective) for c in changes] == [("EC-2026-031", date(2026, 12, 9))]
    docs = httpx.get(f"{sim.plm_url}/openapi.json", timeout=10).json()
    assert {"/api/v1/products", "/api/v1/products/{product_id}", "/api/v1/alternates",
            "/api/v1/engineering-changes"} <= set(docs["paths"])


async def test_a_failing_or_absent_plm_is_a_connector_error(sim) -> None:
    httpx.post(f"{sim.sim_url}/faults", json={"kind": "plm_error"}, timeout=10).raise_for_status()
    async with PlmClient.from_settings(sim) as plm:
        with pytest.raises(Rejected, match="PLM answered 500"):
            await plm.products()
    async with PlmClient(f"http://127.0.0.1:{free_ports(1)[0]}", timeout=2, connect_timeout=1) as nowhere:
        with pytest.raises(Unreachable, match="PLM at"):
            await nowhere.products()


def test_a_plants_products_offer_what_plm_lets_customers_configure() -> None:
    catalogue = load_plm(PLANTS / "riverside" / "plm.yaml", RIVERSIDE)
    offered = configurable(RIVERSIDE, catalogue.products)
    housing = next(p for p in offered.products if p.id == "HX-200")
    assert housing.offered_options == ["uv_stabilised", "glass_filled", "high_gloss"]
    assert housing.offered_colours == ["grey", "blue", "green"]
    assert offered.option_name("glass_filled") == "Glass-fibre reinforced"
    assert "glass_filled" not in RIVERSIDE.options and "glass_filled" in offered.options
    procedure = Procedures.load(CopilotSettings().procedures_file, TOOLS).get("configure_order_check")
    listed = slot_schema(procedure.slots["options"], offered)["items"]["enum"]
    assert {"glass_filled", "high_gloss", "long_life"} <= set(listed)
