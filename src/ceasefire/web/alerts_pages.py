"""The alerts page: a member's subscriptions (list, subscribe, end) and the deliveries of
its subscriptions with their state (an operator requeues a dead-lettered one).

Every read and change is ``ceasefire.alerts.service`` with the viewer of the sign-in cookie,
as ``/api/v1/alerts`` does; the service decides (a member manages its own member's
subscriptions, an operator everyone's and the dead letters).
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response

from ceasefire import i18n
from ceasefire.access import Viewer
from ceasefire.alerts import service as alerts
from ceasefire.alerts.model import AlertKind
from ceasefire.alerts.schemas import (
    DeliveryChannel,
    DeliveryState,
    SeverityName,
    SubscriptionCreate,
)
from ceasefire.alerts.wording import place_of_area
from ceasefire.api.deps import ContextDep
from ceasefire.db.context import ServiceContext
from ceasefire.errors import CeasefireError
from ceasefire.i18n.markers import N_
from ceasefire.web import common, forms
from ceasefire.web.csrf import CsrfChecked
from ceasefire.web.pages import language_of, render
from ceasefire.web.session import WebViewer

router = APIRouter(include_in_schema=False)

PAGE = "/alerts"

SUBSCRIBE = forms.FormLabels(
    {
        "channel": N_("Send by"),
        "target": N_("E-mail address or webhook URL (https)"),
        "secret": N_("Webhook secret (16 characters or more; webhooks only)"),
        "kinds": N_("Kinds (none ticked: every kind)"),
        "areas": N_("Areas: grid cells or zone ids, separated by spaces (empty: everywhere)"),
        "min_severity": N_("Minimum severity"),
        "lang": N_("Language of the messages"),
    }
)
"""The subscription form's fields by their labels (``alerts.html`` reads them here)."""


def _page(
    request: Request,
    ctx: ServiceContext,
    viewer: Viewer,
    *,
    state: str = "",
    values: dict[str, Any] | None = None,
    error: CeasefireError | None = None,
    done: list[int] | None = None,
) -> Response:
    chosen_state = common.enum_value(DeliveryState, state, "state")
    subscriptions = alerts.list_subscriptions(ctx, viewer)
    lang = language_of(request)
    translate = i18n.translations(lang).gettext
    return render(
        "alerts.html",
        request=request,
        viewer=viewer,
        subscriptions=subscriptions,
        # A grid cell by its nearest town ("cell near Shusha (grid0.25:159:186)"), as the
        # alert e-mails name it; a zone's id as it is.
        area_names={
            area: place_of_area(area, translate, lang) for s in subscriptions for area in s.areas
        },
        deliveries=alerts.list_deliveries(ctx, viewer, state=chosen_state),
        state=state,
        v=values or {"channel": "email", "min_severity": "info", "kinds": []},
        **forms.shown(error, done, SUBSCRIBE),
        labels=SUBSCRIBE.labels,
        channels=[c.value for c in DeliveryChannel],
        kinds=[k.value for k in AlertKind],
        severities=[s.value for s in SeverityName],
        states=[s.value for s in DeliveryState],
        may_requeue=viewer.operator,
    )


AlertsForm = Annotated[forms.FormPost, Depends(forms.posted_to(_page, PAGE))]


@router.get(PAGE, response_class=HTMLResponse)
def alerts_page(
    request: Request,
    ctx: ContextDep,
    viewer: WebViewer,
    state: str = "",
    done: str | None = None,
) -> Response:
    """The viewer's member's subscriptions and their deliveries (``state=dead``: the dead
    letters); members only."""
    if viewer.is_public:
        return common.sign_in_first(request)
    return _page(request, ctx, viewer, state=state, done=common.done_entries(done))


@router.post(f"{PAGE}/subscriptions", dependencies=CsrfChecked)
def subscribe(page: AlertsForm, form: forms.Posted) -> Response:
    """Subscribe the signed-in user to alerts by e-mail or webhook (the API's fields)."""
    # The secret is not sent back to the page.
    values: dict[str, Any] = forms.fields(
        form, "channel", "target", "areas", "min_severity", "lang"
    )
    values["kinds"] = forms.choices(form, "kinds")
    # Told in the page's language unless the form names another.
    values["lang"] = values["lang"] or language_of(page.request)

    def change() -> Any:
        secret = forms.fields(form, "secret")["secret"]
        body = forms.validated(
            SubscriptionCreate,
            {
                **forms.stripped(
                    {k: values[k] for k in ("channel", "target", "min_severity", "lang")}
                ),
                "secret": secret or None,
                "kinds": values["kinds"],
                "areas": forms.words(values["areas"]),
            },
        )
        return alerts.subscribe(page.ctx, page.viewer, body)

    return page.submit(change, lambda made: f"alert-subscription/{made.id}", values=values)


@router.post(PAGE + "/subscriptions/{subscription_id}/end", dependencies=CsrfChecked)
def unsubscribe(page: AlertsForm, subscription_id: str) -> Response:
    """End a subscription (it is kept, with its deliveries)."""
    return page.submit(
        lambda: alerts.unsubscribe(page.ctx, page.viewer, subscription_id),
        lambda ended: f"alert-subscription/{ended.id}",
    )


@router.post(PAGE + "/deliveries/{delivery_id}/requeue", dependencies=common.form_of())
def requeue(page: AlertsForm, delivery_id: str) -> Response:
    """Put a dead-lettered delivery back in the outbox, due now (operators)."""
    return page.submit(
        lambda: alerts.requeue_dead(page.ctx, page.viewer, delivery_id),
        lambda delivery: f"alert-delivery/{delivery.id}",
    )
