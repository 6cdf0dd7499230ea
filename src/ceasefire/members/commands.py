"""``ceasefire member|user|token|post|sensor``: bootstrap members, users, tokens, posts, sensors.

The CLI acts as the centre's operator (the person with shell access to the server); every
change it makes is a ledger entry signed as the centre. Tokens are printed once and never
again: they are stored hashed.
"""

from __future__ import annotations

import sys
from datetime import timedelta
from typing import Annotated

import typer

from ceasefire.access import Classification, Role, Viewer
from ceasefire.console.context import get_context
from ceasefire.console.lang import _, word
from ceasefire.console.options import AGREEMENT, JSON
from ceasefire.console.output import console, print_json, print_result, print_table
from ceasefire.errors import InvalidInput, problem
from ceasefire.i18n.markers import N_
from ceasefire.members import auth, posts
from ceasefire.members import service as members
from ceasefire.members.model import (
    GeoPoint,
    Member,
    MemberKind,
    MemberRole,
    ObservationPost,
    Sensor,
    SensorKind,
)
from ceasefire.members.schemas import UserPublic
from ceasefire.timeutil import parse_instant, utcnow

member_app = typer.Typer(help=N_("Member states and organisations, and their roles."))
user_app = typer.Typer(help=N_("Users of a member (people who sign in)."))
token_app = typer.Typer(help=N_("API tokens: create (shown once), list, revoke."))
post_app = typer.Typer(help=N_("Observation posts."))
sensor_app = typer.Typer(help=N_("Sensors (camera, UAV, acoustic) on posts or members."))


def _operator() -> Viewer:
    return Viewer.cli_operator()


@member_app.command("add", help=N_("Add a member organisation (a ledgered change)."))
def member_add(
    member_id: Annotated[str, typer.Argument(help=N_("Short id, e.g. 'fra' or 'osce-mg'."))],
    name: Annotated[str, typer.Option("--name", help=N_("Display name, e.g. 'France'."))],
    kind: Annotated[MemberKind, typer.Option("--kind")] = MemberKind.STATE,
    iso3: Annotated[
        str | None, typer.Option("--iso3", help=N_("ISO alpha-3 code (states)."))
    ] = None,
    as_json: Annotated[bool, JSON] = False,
) -> None:
    member = Member(id=member_id, name=name, kind=kind, iso3=iso3)
    result = members.add_member(get_context(), _operator(), member)
    print_result(
        result,
        as_json,
        _("member [bold]{id}[/bold] ({name}) recorded").format(id=result.id, name=result.name),
    )


@member_app.command("list", help=N_("List members and their roles."))
def member_list(
    agreement: Annotated[
        str | None, typer.Option("--agreement", help=N_("Only this agreement."))
    ] = None,
    as_json: Annotated[bool, JSON] = False,
) -> None:
    rows = members.list_members(get_context(), _operator(), agreement_id=agreement)
    if as_json:
        print_json(rows)
        return
    # Marked outside the f-string: Python 3.11's tokenizer (and so the extractor) does not
    # look inside f-strings, and a string it does not see stays untranslated.
    not_current = " " + _("[not current]")
    print_table(
        N_("Members"),
        [N_("id"), N_("name"), N_("kind"), N_("iso3"), N_("roles")],
        (
            [
                m.id,
                m.name,
                word("member_kind", m.kind),
                m.iso3,
                "; ".join(
                    f"{r.agreement_id}: {word('role', r.role)}{f' ({r.party})' if r.party else ''}"
                    f"{'' if r.current else not_current}"
                    for r in m.roles
                ),
            ]
            for m in rows
        ),
    )


@member_app.command(
    "role", help=N_("Grant a member a role in an agreement, or end its current role with --end.")
)
def member_role(
    member_id: Annotated[str, typer.Argument()],
    agreement: Annotated[str, AGREEMENT],
    role: Annotated[Role | None, typer.Option("--role", help=N_("Role to grant."))] = None,
    party: Annotated[
        str | None, typer.Option("--party", help=N_("Party code (party liaisons)."))
    ] = None,
    valid_from: Annotated[
        str | None, typer.Option("--from", help=N_("Start (ISO 8601; default now)."))
    ] = None,
    valid_to: Annotated[
        str | None, typer.Option("--until", help=N_("End (ISO 8601; default open)."))
    ] = None,
    end: Annotated[
        bool, typer.Option("--end", help=N_("End the current role (at --until or now)."))
    ] = False,
    as_json: Annotated[bool, JSON] = False,
) -> None:
    ctx = get_context()
    if end:
        at = parse_instant(valid_to, field="until") if valid_to else None
        result = members.end_role(
            ctx, _operator(), member_id=member_id, agreement_id=agreement, at=at
        )
    else:
        if role is None:
            raise InvalidInput.worded(
                N_("--role is required"), details=[problem("role", N_("missing"))]
            )
        grant = MemberRole(
            member_id=member_id,
            agreement_id=agreement,
            role=role,
            party=party,
            valid_from=parse_instant(valid_from, field="from") if valid_from else utcnow(),
            valid_to=parse_instant(valid_to, field="until") if valid_to else None,
        )
        result = members.grant_role(ctx, _operator(), grant)
    if as_json:
        print_json(result)
    else:
        until = result.valid_to.isoformat() if result.valid_to else _("open")
        console.print(
            _("{member}: {role} in {agreement} from {start} until {end}").format(
                member=result.member_id,
                role=word("role", result.role),
                agreement=result.agreement_id,
                start=result.valid_from.isoformat(),
                end=until,
            )
        )


PASSWORD_STDIN = typer.Option("--password-stdin", help=N_("Read the password from standard input."))


def _read_password(from_stdin: bool) -> str:
    if from_stdin:
        # One line: the password, without its line ending (so `echo pw |` works).
        return sys.stdin.readline().rstrip("\r\n")
    value: str = typer.prompt(_("Password"), hide_input=True, confirmation_prompt=True)
    return value


@user_app.command(
    "add",
    help=N_("Add a user of a member; asks for the password unless --password-stdin/--no-password."),
)
def user_add(
    user_id: Annotated[str, typer.Argument(help=N_("Sign-in name, e.g. 'tur-duty-officer'."))],
    member: Annotated[str, typer.Option("--member", help=N_("Member the user belongs to."))],
    name: Annotated[str | None, typer.Option("--name", help=N_("Display name."))] = None,
    password_stdin: Annotated[bool, PASSWORD_STDIN] = False,
    no_password: Annotated[
        bool, typer.Option("--no-password", help=N_("Token-only user (e.g. a sensor feed)."))
    ] = False,
    operator: Annotated[
        bool, typer.Option("--operator", help=N_("May administer the centre."))
    ] = False,
    as_json: Annotated[bool, JSON] = False,
) -> None:
    password = None if no_password else _read_password(password_stdin)
    result = auth.add_user(
        get_context(),
        _operator(),
        user_id=user_id,
        member_id=member,
        password=password,
        display_name=name,
        operator=operator,
    )
    print_result(
        result,
        as_json,
        _("user [bold]{id}[/bold] of {member} added").format(id=result.id, member=result.member_id),
    )


@user_app.command("list", help=N_("List users."))
def user_list(as_json: Annotated[bool, JSON] = False) -> None:
    rows = auth.list_users(get_context(), _operator())
    if as_json:
        print_json(rows)
        return
    print_table(
        N_("Users"),
        [
            N_("id"),
            N_("member"),
            N_("name"),
            N_("operator"),
            N_("password"),
            N_("disabled"),
            N_("sign-in locked until"),
        ],
        (
            [
                u.id,
                u.member_id,
                u.display_name,
                u.operator,
                u.has_password,
                u.disabled_at,
                u.locked_until,
            ]
            for u in rows
        ),
    )


def _user_state(result: UserPublic) -> str:
    if result.disabled_at is not None:
        return _("user [bold]{id}[/bold] disabled").format(id=result.id)
    return _("user [bold]{id}[/bold] enabled").format(id=result.id)


@user_app.command(
    "disable",
    help=N_("Disable a user: no sign-in, and its tokens are refused until it is enabled again."),
)
def user_disable(
    user_id: Annotated[str, typer.Argument(help=N_("User to disable."))],
    as_json: Annotated[bool, JSON] = False,
) -> None:
    result = auth.disable_user(get_context(), _operator(), user_id)
    print_result(result, as_json, _user_state(result))


@user_app.command(
    "enable", help=N_("Enable a disabled user again (its unexpired, unrevoked tokens work again).")
)
def user_enable(
    user_id: Annotated[str, typer.Argument(help=N_("User to enable again."))],
    as_json: Annotated[bool, JSON] = False,
) -> None:
    result = auth.enable_user(get_context(), _operator(), user_id)
    print_result(result, as_json, _user_state(result))


@user_app.command(
    "password",
    help=N_(
        "Set a user's password (asks unless --password-stdin); ends its "
        "sign-in sessions and the\ntokens it created itself."
    ),
)
def user_password(
    user_id: Annotated[str, typer.Argument(help=N_("User whose password to set."))],
    password_stdin: Annotated[bool, PASSWORD_STDIN] = False,
    as_json: Annotated[bool, JSON] = False,
) -> None:
    result = auth.set_password(get_context(), _operator(), user_id, _read_password(password_stdin))
    print_result(
        result,
        as_json,
        _(
            "password of user [bold]{id}[/bold] set; its sign-in sessions and the tokens it "
            "created itself ended"
        ).format(id=result.id),
    )


@user_app.command(
    "unlock",
    help=N_("Lift a sign-in lockout (too many failed sign-ins) now rather than when it runs out."),
)
def user_unlock(
    user_name: Annotated[str, typer.Argument(help=N_("User name locked after failed sign-ins."))],
    as_json: Annotated[bool, JSON] = False,
) -> None:
    auth.unlock_user(get_context(), _operator(), user_name)
    print_result(
        {"user_name": user_name, "locked": False},
        as_json,
        _("sign-ins for [bold]{user}[/bold] are accepted again").format(user=user_name),
    )


@token_app.command(
    "create", help=N_("Create an API token; it is printed once and cannot be shown again.")
)
def token_create(
    user: Annotated[str, typer.Option("--user", help=N_("User the token acts as."))],
    label: Annotated[str, typer.Option("--label", help=N_("What the token is for."))] = "cli",
    expires_in_days: Annotated[float, typer.Option("--expires-in-days", min=0.001, max=366)] = 30.0,
    expires_at: Annotated[
        str | None, typer.Option("--expires-at", help=N_("ISO 8601 instant."))
    ] = None,
    no_expiry: Annotated[
        bool, typer.Option("--no-expiry", help=N_("Never expires (sensor feeds)."))
    ] = False,
    as_json: Annotated[bool, JSON] = False,
) -> None:
    issued = auth.create_token(
        get_context(),
        _operator(),
        user_id=user,
        label=label,
        expires_in=None if no_expiry else timedelta(days=expires_in_days),
        expires_at=parse_instant(expires_at, field="expires_at") if expires_at else None,
    )
    if as_json:
        print_json(issued)
        return
    expiry = issued.info.expires_at.isoformat() if issued.info.expires_at else _("never")
    console.print(
        _("token {id} for {user}, expires {expiry}").format(
            id=issued.info.id, user=issued.info.user_id, expiry=expiry
        )
    )
    console.print(_("Store it now; it cannot be shown again:"))
    sys.stdout.write(issued.token + "\n")


@token_app.command("revoke", help=N_("Revoke a token by its id (``tok-...``)."))
def token_revoke(
    token_id: Annotated[str, typer.Argument(help=N_("Token id (tok-...)."))],
    as_json: Annotated[bool, JSON] = False,
) -> None:
    result = auth.revoke_token(get_context(), _operator(), token_id)
    print_result(result, as_json, _("token {id} {state}").format(id=result.id, state=result.state))


@token_app.command("list", help=N_("List tokens (ids and state; never the tokens themselves)."))
def token_list(
    user: Annotated[str | None, typer.Option("--user", help=N_("Only this user's tokens."))] = None,
    as_json: Annotated[bool, JSON] = False,
) -> None:
    rows = auth.list_tokens(get_context(), _operator(), user_id=user)
    if as_json:
        print_json(rows)
        return
    print_table(
        N_("API tokens"),
        [N_("id"), N_("user"), N_("label"), N_("state"), N_("expires"), N_("last used")],
        (
            [t.id, t.user_id, t.label, word("token_state", t.state), t.expires_at, t.last_used_at]
            for t in rows
        ),
    )


@post_app.command("add", help=N_("Register an observation post."))
def post_add(
    post_id: Annotated[str, typer.Argument(help=N_("Short id, e.g. 'jmc-giyamaddinli'."))],
    name: Annotated[str, typer.Option("--name")],
    owner: Annotated[
        list[str], typer.Option("--owner", help=N_("Owner member (repeat for joint)."))
    ],
    lon: Annotated[float, typer.Option("--lon", help=N_("Longitude (WGS 84)."))],
    lat: Annotated[float, typer.Option("--lat", help=N_("Latitude (WGS 84)."))],
    active_from: Annotated[str, typer.Option("--active-from", help=N_("ISO 8601."))],
    location_note: Annotated[
        str | None, typer.Option("--location-note", help=N_("e.g. approximate"))
    ] = None,
    active_to: Annotated[str | None, typer.Option("--active-to", help=N_("ISO 8601."))] = None,
    independent: Annotated[
        bool, typer.Option("--independent", help=N_("Run by one member alone."))
    ] = False,
    classification: Annotated[
        Classification, typer.Option("--classification")
    ] = Classification.SHARED,
    as_json: Annotated[bool, JSON] = False,
) -> None:
    post = ObservationPost(
        id=post_id,
        name=name,
        owners=tuple(owner),
        location=GeoPoint(lon=lon, lat=lat),
        location_note=location_note,
        active_from=parse_instant(active_from, field="active_from"),
        active_to=parse_instant(active_to, field="active_to") if active_to else None,
        independent=independent,
        classification=classification,
    )
    result = posts.add_post(get_context(), _operator(), post)
    print_result(
        result,
        as_json,
        _("post [bold]{id}[/bold] ({owners}) recorded").format(
            id=result.id, owners=", ".join(result.owners)
        ),
    )


@post_app.command("list", help=N_("List observation posts."))
def post_list(
    active_at: Annotated[
        str | None, typer.Option("--active-at", help=N_("Only posts active then."))
    ] = None,
    as_json: Annotated[bool, JSON] = False,
) -> None:
    at = parse_instant(active_at, field="active_at") if active_at else None
    rows = posts.list_posts(get_context(), _operator(), active_at=at)
    if as_json:
        print_json(rows)
        return
    print_table(
        N_("Observation posts"),
        [
            N_("id"),
            N_("name"),
            N_("owners"),
            N_("lat"),
            N_("lon"),
            N_("active"),
            N_("independent"),
            N_("class"),
        ],
        (
            [
                p.id,
                p.name,
                ",".join(p.owners),
                p.lat,
                p.lon,
                p.active,
                p.independent,
                word("classification", p.classification),
            ]
            for p in rows
        ),
    )


@sensor_app.command("add", help=N_("Register a sensor on a post or a member."))
def sensor_add(
    sensor_id: Annotated[str, typer.Argument(help=N_("Short id, e.g. 'tur-uav-1'."))],
    kind: Annotated[SensorKind, typer.Option("--kind")],
    name: Annotated[str, typer.Option("--name")],
    post: Annotated[str | None, typer.Option("--post", help=N_("Post it is mounted on."))] = None,
    member: Annotated[str | None, typer.Option("--member", help=N_("Member operating it."))] = None,
    classification: Annotated[
        Classification, typer.Option("--classification")
    ] = Classification.SHARED,
    notes: Annotated[str | None, typer.Option("--notes")] = None,
    as_json: Annotated[bool, JSON] = False,
) -> None:
    sensor = Sensor(
        id=sensor_id,
        kind=kind,
        name=name,
        post_id=post,
        member_id=member,
        classification=classification,
        notes=notes,
    )
    result = posts.add_sensor(get_context(), _operator(), sensor)
    print_result(
        result,
        as_json,
        _("sensor [bold]{id}[/bold] ({kind}) recorded").format(
            id=result.id, kind=word("sensor_kind", result.kind)
        ),
    )


@sensor_app.command("list", help=N_("List sensors."))
def sensor_list(
    post: Annotated[str | None, typer.Option("--post")] = None,
    member: Annotated[str | None, typer.Option("--member")] = None,
    as_json: Annotated[bool, JSON] = False,
) -> None:
    rows = posts.list_sensors(get_context(), _operator(), post_id=post, member_id=member)
    if as_json:
        print_json(rows)
        return
    print_table(
        N_("Sensors"),
        [N_("id"), N_("kind"), N_("name"), N_("post"), N_("member"), N_("class")],
        (
            [
                s.id,
                word("sensor_kind", s.kind),
                s.name,
                s.post_id,
                s.member_id,
                word("classification", s.classification),
            ]
            for s in rows
        ),
    )


def register(app: typer.Typer) -> None:
    """Add the member, user, token, post and sensor command groups."""
    app.add_typer(member_app, name="member")
    app.add_typer(user_app, name="user")
    app.add_typer(token_app, name="token")
    app.add_typer(post_app, name="post")
    app.add_typer(sensor_app, name="sensor")
