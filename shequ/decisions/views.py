"""Pages of owners' decisions and the owners' register: thin — parse, one selector, one service, render."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from shequ.core import clock
from shequ.core.errors import DomainError, Forbidden, Invalid, NotFound
from shequ.core.pagination import page_of, qs_without_page
from shequ.core.views import domain_errors, error_text
from shequ.core.widgets import step_up
from shequ.decisions import exports, register, selectors, services, voting
from shequ.decisions.forms import VotingWindowForm
from shequ.decisions.models import MAJOR_MATTERS, Ballot, BallotChannel, Choice, DecisionStatus, Matter
from shequ.decisions.rules import check_organiser, organiser_parties
from shequ.directory.models import Party, Place, PlaceKind
from shequ.directory.selectors import compounds_served_by

BALLOTS_PAGE_SIZE = 100  # rows of the per-unit ballot list per page (the Excel export has them all)


def _flash(request: HttpRequest, exc: DomainError) -> None:
    if isinstance(exc, Forbidden | NotFound):
        raise exc
    messages.error(request, error_text(exc))


def _xlsx(data: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(
        data, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@login_required
def index(request: HttpRequest) -> HttpResponse:
    decisions = list(selectors.decisions_visible_to(user=request.user)[:50])
    return render(
        request,
        "decisions/index.html",
        {
            "decisions": decisions,
            "open_for_me": selectors.open_for_user(user=request.user),
            "can_organise": bool(organiser_parties(user=request.user)),
        },
    )


@login_required
@domain_errors
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _detail(request, selectors.access_decision(user=request.user, decision_id=pk))


def _detail(
    request: HttpRequest,
    decision,
    *,
    window: VotingWindowForm | None = None,
    error: DomainError | None = None,
) -> HttpResponse:
    """The decision's page; after a refused 公示 the window form comes back bound, with the error."""
    organiser = selectors.acts_as_organiser(user=request.user, party_id=decision.organiser_id)
    voter = selectors.my_voter(user=request.user, decision=decision)
    ballot = selectors.my_ballot(user=request.user, decision=decision) if voter else None
    turnout = (
        services.decision_turnout(decision=decision) if decision.status == DecisionStatus.VOTING else None
    )
    now = clock.now()
    return render(
        request,
        "decisions/detail.html",
        {
            "decision": decision,
            "organiser": organiser,
            "voter": voter,
            "ballot": ballot,
            "turnout": turnout,
            "can_vote": voter is not None
            and ballot is None
            and decision.status == DecisionStatus.VOTING
            and (decision.closes_at is None or now < decision.closes_at),
            "may_see_ballots": selectors.may_see_ballots(user=request.user, decision=decision),
            "threshold": services.threshold_text(decision),
            "events": decision.events.select_related("actor").order_by("at", "id") if organiser else [],
            "buildings": list(decision.buildings.all()),
            "choices": Choice.choices,
            "channels": [(BallotChannel.PAPER, _("纸质表决票")), (BallotChannel.PROXY, _("委托投票"))],
            "voters": decision.voters.order_by("name")
            if organiser and decision.status == DecisionStatus.VOTING
            else [],
            "window": window or _default_window(now),
            "window_error": error_text(error) if error else "",
            "window_fields": error.fields if error else {},
        },
        status=422 if error else 200,
    )


def _default_window(now: datetime) -> VotingWindowForm:
    opens = step_up(now + timedelta(days=7))
    return VotingWindowForm(
        initial={"opens_at": opens, "closes_at": opens + timedelta(days=services.WINDOW_DEFAULT_DAYS)}
    )


@login_required
@domain_errors
def vote(request: HttpRequest, pk: int) -> HttpResponse:
    """Step 2 of 3: the owner chose agree / disagree / abstain; confirm (a ballot is final)."""
    decision = selectors.access_decision(user=request.user, decision_id=pk)
    choice = request.POST.get("choice") or request.GET.get("choice")
    if choice not in Choice.values:
        return redirect("decisions:detail", pk=pk)
    if request.method == "POST" and request.POST.get("confirm") == "1":
        try:
            voting.ballot_cast(user=request.user, decision=decision, choice=choice)
        except DomainError as exc:
            _flash(request, exc)
            return redirect("decisions:detail", pk=pk)
        messages.success(request, _("投票成功，您的表决票已记录。"))
        return redirect("decisions:receipt", pk=pk)
    return render(
        request,
        "decisions/confirm.html",
        {"decision": decision, "choice": choice, "choice_label": Choice(choice).label},
    )


@login_required
@domain_errors
def receipt(request: HttpRequest, pk: int) -> HttpResponse:
    decision = selectors.access_decision(user=request.user, decision_id=pk)
    ballot = selectors.my_ballot(user=request.user, decision=decision)
    if ballot is None:
        raise NotFound("您还没有投票。", "You have not voted.")
    return render(request, "decisions/receipt.html", {"decision": decision, "ballot": ballot})


@login_required
@domain_errors
def ballots(request: HttpRequest, pk: int) -> HttpResponse:
    decision = selectors.access_decision(user=request.user, decision_id=pk)
    page = page_of(request, selectors.ballot_list(user=request.user, decision=decision), BALLOTS_PAGE_SIZE)
    return render(
        request,
        "decisions/ballots.html",
        {
            "decision": decision,
            "units": selectors.unit_lines(page.items),
            "page": page,
            "qs": qs_without_page(request),
        },
    )


@login_required
@domain_errors
def export(request: HttpRequest, pk: int) -> HttpResponse:
    decision = selectors.access_decision(user=request.user, decision_id=pk)
    data = exports.decision_xlsx(user=request.user, decision=decision)
    return _xlsx(data, f"decision-{decision.pk}.xlsx")


@login_required
@domain_errors
def document(request: HttpRequest, ballot_id: int) -> FileResponse:
    ballot = get_object_or_404(Ballot.objects.select_related("decision"), pk=ballot_id)
    if not ballot.document or not selectors.may_see_ballots(user=request.user, decision=ballot.decision):
        raise Http404
    return FileResponse(ballot.document.open("rb"))


@login_required
@domain_errors
def create(request: HttpRequest) -> HttpResponse:
    parties = organiser_parties(user=request.user)
    if not parties:
        raise Forbidden("只有组织单位可以发起表决。", "Only organisers may start a vote.")
    compounds = compounds_served_by(parties=parties)
    errors: dict = {}
    if request.method == "POST":
        party = next((p for p in parties if str(p.pk) == request.POST.get("organiser")), None)
        compound = next((c for c in compounds if str(c.pk) == request.POST.get("compound")), None)
        building_ids = request.POST.getlist("buildings")
        buildings = (
            list(Place.objects.filter(pk__in=building_ids, kind=PlaceKind.BUILDING)) if building_ids else []
        )
        try:
            if party is None or compound is None:
                raise Invalid("请选择组织单位和小区。", "Choose the organiser and the compound.")
            decision = services.decision_create(
                actor=request.user,
                organiser=party,
                compound=compound,
                matter=request.POST.get("matter", ""),
                title=request.POST.get("title", ""),
                body=request.POST.get("body", ""),
                buildings=buildings,
            )
        except DomainError as exc:
            _flash(request, exc)
            errors = getattr(exc, "fields", {})
        else:
            messages.success(request, _("表决草稿已创建，请公示。"))
            return redirect("decisions:detail", pk=decision.pk)
    buildings_by_compound = {
        c.pk: list(Place.objects.filter(parent=c, kind=PlaceKind.BUILDING).order_by("sort", "id"))
        for c in compounds
    }
    return render(
        request,
        "decisions/create.html",
        {
            "parties": parties,
            "compounds": [(c, buildings_by_compound[c.pk]) for c in compounds],
            "matters": [(m.value, m.label, m.value in MAJOR_MATTERS) for m in Matter],
            "errors": errors,
            "post": request.POST,
        },
    )


@login_required
@require_POST
@domain_errors
def act(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    """Organiser actions: publicise, open, close, cancel, enter a paper/proxy ballot, correct a ballot."""
    decision = selectors.access_decision_to_organise(user=request.user, decision_id=pk)
    p = request.POST
    try:
        if action == "publicise":
            opens_at, closes_at = VotingWindowForm(p).window()
            services.decision_publicise(
                actor=request.user, decision=decision, opens_at=opens_at, closes_at=closes_at
            )
            messages.success(request, _("已在公告栏公示。"))
        elif action == "open":
            services.decision_open(actor=request.user, decision=decision)
            messages.success(request, _("投票已开始，已通知名册上的业主。"))
        elif action == "close":
            services.decision_close(actor=request.user, decision=decision)
            messages.success(request, _("投票已结束，结果已在公告栏公示。"))
        elif action == "cancel":
            services.decision_cancel(actor=request.user, decision=decision, reason=p.get("reason", ""))
            messages.success(request, _("表决已撤销。"))
        elif action == "enter":
            try:
                voter_id = int(p.get("voter", ""))
            except ValueError:
                raise Invalid("请选择业主。", "Choose the owner.", fields={"voter": "必填"})
            voting.ballot_enter(
                actor=request.user,
                decision=decision,
                voter_id=voter_id,
                choice=p.get("choice", ""),
                channel=p.get("channel", ""),
                document=request.FILES.get("document"),
                proxy_name=p.get("proxy_name", ""),
            )
            messages.success(request, _("表决票已录入。"))
        elif action == "correct":
            ballot = get_object_or_404(Ballot, pk=p.get("ballot") or 0, decision=decision)
            voting.ballot_correct(
                actor=request.user,
                decision=decision,
                ballot=ballot,
                choice=p.get("choice", ""),
                reason=p.get("reason", ""),
            )
            messages.success(request, _("表决票已更正并记录在案。"))
        else:
            raise Http404
    except DomainError as exc:
        if action == "publicise" and isinstance(exc, Invalid):  # the form again, with what was picked
            return _detail(request, decision, window=VotingWindowForm(p), error=exc)
        _flash(request, exc)
    return redirect("decisions:detail", pk=pk)


# --- the register ------------------------------------------------------------------------------------


@login_required
def my_register(request: HttpRequest) -> HttpResponse:
    """What the owners' register says about me (and, for organisers, the compounds they keep it for)."""
    rows = list(selectors.my_register(user=request.user))  # one person's units: a short list
    parties = organiser_parties(user=request.user)
    compounds = compounds_served_by(parties=parties) if parties else []
    return render(
        request,
        "decisions/my_register.html",
        {
            "rows": rows,
            "co_owners": selectors.co_owners(units=[r.unit_id for r in rows]),
            "compounds": compounds,
        },
    )


def _register_party(request: HttpRequest, compound: Place) -> Party:
    for party in organiser_parties(user=request.user):
        try:
            check_organiser(user=request.user, party=party, place=compound)
        except Forbidden:
            continue
        return party
    raise Forbidden("您不负责这个小区的业主名册。", "You do not keep this compound's register.")


@login_required
@domain_errors
def register_page(request: HttpRequest, compound_id: int) -> HttpResponse:
    compound = get_object_or_404(Place, pk=compound_id, kind=PlaceKind.COMPOUND)
    party = _register_party(request, compound)
    report = None
    if request.method == "POST":
        upload = request.FILES.get("file")
        try:
            if upload is None:
                raise Invalid("请选择文件。", "Choose a file.")
            report = register.register_import(
                actor=request.user,
                organiser=party,
                compound=compound,
                file=upload,
                filename=upload.name or "",
            )
        except DomainError as exc:
            _flash(request, exc)
        else:
            if report.ok:
                messages.success(request, _("名册已导入。"))
    if request.GET.get("format") == "xlsx":
        return _xlsx(exports.register_xlsx(compound=compound), f"register-{compound.pk}.xlsx")
    rows = list(selectors.register_rows(compound_id=compound.pk)[:500])
    return render(
        request,
        "decisions/register.html",
        {
            "compound": compound,
            "rows": rows,
            "summary": selectors.register_summary(compound_id=compound.pk),
            "report": report,
        },
    )


@login_required
def register_template(request: HttpRequest) -> HttpResponse:
    return _xlsx(exports.register_template_xlsx(), "owners-register-template.xlsx")
