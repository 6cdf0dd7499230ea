"""The bootstrap path an operator follows: init --demo, add a user with a password from stdin,
create/list/revoke a token, add a post and a sensor; then the token is used (and refused once
revoked) over HTTP.

The commands run in this process (``cli``), which saves the two seconds of imports each new
process costs (and ``init --demo`` the loading of the NLP model); a password refused from
standard input is read through a real pipe by the real ``ceasefire`` executable."""

from __future__ import annotations

import json
import subprocess

from fastapi.testclient import TestClient

from ceasefire.app import create_app
from ceasefire.config import Settings
from tests.factories.cli import InProcessCli, run_cli

PASSWORD = "a long demo password"


def run(
    env: dict[str, str], *args: str, stdin: str | None = None
) -> subprocess.CompletedProcess[str]:
    return run_cli(*args, env=env, input=stdin)


def test_operator_bootstraps_members_users_tokens(cli: InProcessCli, settings: Settings) -> None:
    cli("init", "--demo", "--no-demo-month")
    again = cli("init", "--demo", "--no-demo-month")
    assert again["demo"] is True
    listed = cli("member", "list", "--agreement", "nk-2020-trilateral")
    roles = {m["id"]: (m["roles"][0]["role"], m["roles"][0]["party"]) for m in listed}
    assert roles == {
        "rus": ("monitor", None),
        "tur": ("monitor", None),
        "aze": ("party_liaison", "AZE"),
        "arm": ("party_liaison", "ARM"),
        "fra": ("observer", None),
        "usa": ("observer", None),
        "osce-mg": ("observer", None),
    }

    # "involving other countries": a new member and its role
    cli("member", "add", "geo", "--name", "Georgia", "--kind", "state", "--iso3", "GEO")
    role = cli("member", "role", "geo", "--agreement", "nk-2020-trilateral", "--role", "observer")
    assert role["current"] is True

    user = cli(
        "user",
        "add",
        "tur-duty",
        "--member",
        "tur",
        "--password-stdin",
        stdin=PASSWORD + "\n",
    )
    assert (user["member_id"], user["has_password"]) == ("tur", True)
    issued = cli("token", "create", "--user", "tur-duty", "--label", "e2e")
    token = issued["token"]
    assert token.startswith("cft_")
    tokens = cli.text("token", "list", "--json")
    assert token not in tokens.stdout
    assert [t["state"] for t in json.loads(tokens.stdout)] == ["active"]

    post = cli(
        "post",
        "add",
        "tur-op-1",
        "--name",
        "Turkish post",
        "--owner",
        "tur",
        "--lon",
        "46.93",
        "--lat",
        "39.99",
        "--active-from",
        "2021-02-01",
        "--independent",
        "--location-note",
        "approximate",
    )
    assert (post["independent"], post["classification"]) == (True, "shared")
    sensor = cli(
        "sensor",
        "add",
        "tur-cam-1",
        "--kind",
        "camera",
        "--name",
        "Mast camera",
        "--post",
        "tur-op-1",
    )
    assert sensor["post_id"] == "tur-op-1"
    assert {s["id"] for s in cli("sensor", "list")} == {"tur-uav-1", "tur-cam-1"}
    assert {p["id"] for p in cli("post", "list")} == {"jmc-giyamaddinli", "tur-op-1"}

    # the token works over HTTP, a password login too, and a revoked token no longer does
    client = TestClient(create_app(settings))
    headers = {"Authorization": f"Bearer {token}"}
    me = client.get("/api/v1/auth/me", headers=headers).json()
    assert (me["member_id"], me["role"]) == ("tur", "monitor")
    login = client.post("/api/v1/auth/token", json={"user_id": "tur-duty", "password": PASSWORD})
    assert login.status_code == 200
    cli("token", "revoke", issued["info"]["id"])
    assert client.get("/api/v1/auth/me", headers=headers).status_code == 401
    states = {t["id"]: t["state"] for t in cli("token", "list", "--user", "tur-duty")}
    assert states[issued["info"]["id"]] == "revoked"


def test_cli_errors_name_the_field(cli_env: dict[str, str], cli: InProcessCli) -> None:
    cli("init")
    bad = cli("member", "add", "zz", "--name", "Z", "--kind", "state", code=2)
    assert bad["error"]["details"][0]["loc"] == "iso3"
    missing = cli("token", "create", "--user", "nobody", code=1)
    assert missing["error"]["code"] == "E404"
    short = run(
        cli_env, "user", "add", "op-one", "--member", "centre", "--password-stdin", stdin="short\n"
    )
    assert short.returncode == 2
    assert "password" in short.stderr
    out_of_range = cli(
        "post",
        "add",
        "p-1",
        "--name",
        "P",
        "--owner",
        "centre",
        "--lon",
        "200",
        "--lat",
        "39",
        "--active-from",
        "2021-01-01",
        code=2,
    )
    assert out_of_range["error"]["details"][0]["loc"] == "lon"
