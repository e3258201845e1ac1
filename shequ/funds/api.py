"""REST: the maintenance fund under /api/v1/funds/… (accounts with my share, applications and their steps)."""

from __future__ import annotations

from datetime import datetime

from django.http import HttpRequest
from ninja import Query, Router, Schema

from shequ.core.errors import Invalid
from shequ.core.pagination import Page, PageQuery, api_page
from shequ.funds import selectors, services

router = Router(tags=["funds"])


class AccountOut(Schema):
    id: int
    place: str
    balance_fen: int
    my_share_fen: int | None


class EventOut(Schema):
    kind: str
    at: datetime
    reason: str
    data: dict


class ApplicationOut(Schema):
    id: int
    title: str
    status: str
    amount_fen: int
    paid_fen: int
    emergency: str
    decision_id: int | None
    department: str
    my_share_fen: int | None
    events: list[EventOut]


class ReviewIn(Schema):
    approve: bool
    reason: str = ""


def _app_out(request: HttpRequest, app) -> dict:
    mine = [s.fen for s in selectors.cost_split(application=app) if request.user.pk in s.owner_user_ids]
    return {
        "id": app.pk,
        "title": app.title,
        "status": app.status,
        "amount_fen": app.amount_fen,
        "paid_fen": app.paid_fen,
        "emergency": app.emergency,
        "decision_id": app.decision_id,
        "department": app.department.name,
        "my_share_fen": sum(mine) if mine else None,
        "events": list(app.events.all()),
    }


@router.get("/funds/accounts", response=Page[AccountOut])
def accounts(request: HttpRequest, paging: Query[PageQuery]):
    def present(rows: list) -> list:
        out = []
        for acc in rows:
            shares = selectors.account_shares(account=acc)
            mine = [s.fen for s in shares if request.user.pk in s.owner_user_ids]
            out.append(
                {
                    "id": acc.pk,
                    "place": acc.place.name,
                    "balance_fen": acc.balance_fen,
                    "my_share_fen": sum(mine) if mine else None,
                }
            )
        return out

    # Keyset page first, then each account's shares for the page's rows only (a share is a computation).
    return api_page(selectors.accounts_for(user=request.user), paging, present=present)


@router.get("/funds/review", response=Page[ApplicationOut])
def review(request: HttpRequest, paging: Query[PageQuery]):
    queue = selectors.review_queue(user=request.user).select_related("department")
    # Keyset page first, then the cost split of the page's applications only.
    return api_page(queue, paging, present=lambda rows: [_app_out(request, a) for a in rows])


@router.get("/funds/applications/{application_id}", response=ApplicationOut)
def application(request: HttpRequest, application_id: int):
    return _app_out(request, selectors.access_application(user=request.user, application_id=application_id))


@router.post("/funds/applications/{application_id}/review", response=ApplicationOut)
def review_decide(request: HttpRequest, application_id: int, payload: ReviewIn):
    app = selectors.access_application(user=request.user, application_id=application_id)
    if app is None:
        raise Invalid("没有这份申请。", "No such application.")
    app = services.application_review(
        actor=request.user, application=app, approve=payload.approve, reason=payload.reason
    )
    return _app_out(request, selectors.access_application(user=request.user, application_id=app.pk))
