"""``plant-copilot init DIR``: a new site's folder, with its first user, ready for its plant file."""

from __future__ import annotations

import secrets
from pathlib import Path
from typing import Annotated

import typer
import yaml

from copilot.identity import hash_password

USERS_HEADER = """\
# This site's users: username -> display name, role, bcrypt hash of the password.
# Roles: operator, supervisor, engineer, admin, planner (what each may do is in the policy file).
# Add a user: plant-copilot init prints how to make a hash; a supervisor must be someone other than the asker.
"""


def _users(admin: str, password: str) -> str:
    users = {
        admin: {"display_name": admin.title(), "role": "admin", "password_hash": hash_password(password)},
        # the monitor process acts as this account and never signs in: its password is thrown away
        "monitor": {"display_name": "Plant monitor", "role": "operator", "service": True,
                    "password_hash": hash_password(secrets.token_urlsafe(24))},
    }
    return USERS_HEADER + yaml.safe_dump({"users": users}, sort_keys=False)


def _next_steps(folder: Path) -> list[str]:
    return [
        f"site folder {folder}: users.yaml (you, and the monitor's account), manuals/ (empty)",
        "next:",
        f"  plant-copilot plant import opc.tcp://YOUR-PLC:4840 --out {folder}/plant.yaml   (or write it by hand)",
        f"  export PLANT_DIR={folder}                                  (or --plant-dir on every command)",
        "  plant-copilot plant check                                   (compares the plant file with the PLCs)",
        "  plant-copilot read MACHINE                                  (live values)",
        f"  copy the equipment manuals into {folder}/manuals/ and run: plant-copilot ingest",
        "  plant-copilot twin fit                                      (once the historian holds some history)",
        "  plant-copilot ask \"what is the state of MACHINE?\" --user NAME",
        "  a users.yaml entry's hash: python -c 'from copilot.identity import hash_password; "
        "print(hash_password(\"...\"))'",
    ]


def init(
    folder: Annotated[Path, typer.Argument(help="the new site's folder (made if missing; must hold no users.yaml)")],
    admin: Annotated[str, typer.Option(help="the first user, an admin")] = "admin",
    password: Annotated[str, typer.Option(prompt=True, hide_input=True, confirmation_prompt=True,
                                          help="the admin's password (asked when not given)")] = "",
) -> None:
    """Make a site folder: the first user and the monitor's account, an empty manuals folder, and the next
    steps; the product's procedures and policy apply until the site puts its own beside them."""
    if (folder / "users.yaml").exists():
        typer.secho(f"error: {folder} already holds a site (users.yaml); nothing was changed", fg="red", err=True)
        raise typer.Exit(2)
    if len(password) < 8:
        typer.secho("error: the admin's password needs at least 8 characters; nothing was made", fg="red", err=True)
        raise typer.Exit(2)
    (folder / "manuals").mkdir(parents=True, exist_ok=True)
    (folder / "users.yaml").write_text(_users(admin, password), encoding="utf-8")
    typer.echo("\n".join(_next_steps(folder)))
