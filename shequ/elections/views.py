"""Pages of elections: the candidates, voting (receipt shown once), the published ballot box and recount."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from shequ.accounts.models import User
from shequ.core.errors import DomainError, Forbidden, Invalid, NotFound
from shequ.core.pagination import page_of, qs_without_page
from shequ.core.views import domain_errors, error_text
from shequ.decisions.forms import VotingWindowForm
from shequ.decisions.models import BallotChannel
from shequ.decisions.rules import organiser_parties
from shequ.directory.models import Party, Place, PlaceKind
from shequ.directory.selectors import compounds_served_by
from shequ.elections import exports, selectors, services, tally, voting
from shequ.elections.models import (
    AppointedRole,
    ElectionKind,
    ElectionStatus,
    Electorate,
    NominationRoute,
)

LIST_PAGE_SIZE = 100  # rows of the named ballot list and of the published box per page (the export has all)


def _flash(request: HttpRequest, exc: DomainError) -> None:
    if isinstance(exc, Forbidden | NotFound):
        raise exc
    messages.error(request, error_text(exc))


@login_required
def index(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "elections/index.html",
        {
            "elections": list(selectors.elections_visible_to(user=request.user)[:50]),
            "mine": selectors.open_for_user(user=request.user),
            "can_organise": bool(organiser_parties(user=request.user)),
        },
    )


def _int(value: str | None, default: int | None = None) -> int | None:
    try:
        return int(value) if value not in (None, "") else default
    except ValueError:
        return default


@login_required
@domain_errors
def create(request: HttpRequest) -> HttpResponse:
    """An organiser sets up an election: place, kind, electorate, seats, choices per ballot, alternates."""
    parties = organiser_parties(user=request.user)
    if not parties:
        raise Forbidden("只有组织单位可以发起选举。", "Only organisers may start an election.")
    compounds = compounds_served_by(parties=parties)
    community_ids = {c.community_id for c in compounds if c.community_id}
    places = list(Place.objects.filter(pk__in=community_ids).order_by("sort", "id")) + compounds
    errors: dict = {}
    if request.method == "POST":
        p = request.POST
        party = next((x for x in parties if str(x.pk) == p.get("organiser")), None)
        place = next((x for x in places if str(x.pk) == p.get("place")), None)
        try:
            if party is None or place is None:
                raise Invalid("请选择组织单位和选举范围。", "Choose the organiser and the place.")
            election = services.election_create(
                actor=request.user,
                organiser=party,
                place=place,
                kind=p.get("kind", ""),
                electorate=p.get("electorate", ""),
                title=p.get("title", ""),
                description=p.get("description", ""),
                seats=_int(p.get("seats"), 0) or 0,
                max_choices=_int(p.get("max_choices")),
                alternates=_int(p.get("alternates"), 0) or 0,
                min_nominators=_int(p.get("min_nominators"), 5) or 5,
            )
        except DomainError as exc:
            _flash(request, exc)
            errors = getattr(exc, "fields", {})
        else:
            messages.success(request, _("选举已创建，请登记提名。"))
            return redirect("elections:detail", pk=election.pk)
    return render(
        request,
        "elections/create.html",
        {
            "parties": parties,
            "places": places,
            "kinds": ElectionKind.choices,
            "electorates": Electorate.choices,
            "errors": errors,
            "post": request.POST,
        },
    )


@login_required
@domain_errors
def roll(request: HttpRequest, pk: int) -> HttpResponse:
    """The residents' representatives roll per building: add by phone, remove (before voting opens)."""
    election = selectors.access_election_to_organise(user=request.user, election_id=pk)
    if request.method == "POST":
        try:
            if request.POST.get("remove"):
                services.representative_remove(
                    actor=request.user, election=election, entry_id=_int(request.POST["remove"], 0) or 0
                )
                messages.success(request, _("已从代表名册中移除。"))
            else:
                user = User.objects.filter(phone=(request.POST.get("phone") or "").strip()).first()
                if user is None:
                    raise Invalid("没有这个手机号的用户。", "No user with that phone.")
                services.representative_add(actor=request.user, election=election, user=user)
                messages.success(request, _("已加入代表名册。"))
        except DomainError as exc:
            _flash(request, exc)
        return redirect("elections:roll", pk=pk)
    return render(
        request,
        "elections/roll.html",
        {
            "election": election,
            "groups": selectors.roll_by_building(election=election),
            "editable": election.electorate == Electorate.REPRESENTATIVES
            and election.status in (ElectionStatus.NOMINATION, ElectionStatus.PUBLICITY),
        },
    )


@login_required
@domain_errors
def paper(request: HttpRequest, pk: int) -> HttpResponse:
    """Paper ballots at the polling station: staff tick the voter on the roll and enter the slip's choices;
    the receipt is written on the slip (shown once, here)."""
    election = selectors.access_election_to_organise(user=request.user, election_id=pk)
    receipt = None
    if request.method == "POST":
        try:
            entry_id = _int(request.POST.get("entry"))
            if entry_id is None:
                raise Invalid("请选择选民。", "Choose the voter.", fields={"entry": "必填"})
            ids = [_int(v, 0) or 0 for v in request.POST.getlist("candidate")]
            receipt = voting.election_enter_paper(
                actor=request.user,
                election=election,
                roll_entry_id=entry_id,
                candidate_ids=ids,
                abstain=request.POST.get("abstain") == "1",
                document=request.FILES.get("document"),
                channel=request.POST.get("channel") or BallotChannel.PAPER,
                proxy_name=request.POST.get("proxy_name", ""),
            )
        except DomainError as exc:
            _flash(request, exc)
        else:
            messages.success(request, _("纸质选票已录入。"))
    return render(
        request,
        "elections/paper.html",
        {
            "election": election,
            "receipt": receipt,
            "groups": selectors.roll_by_building(election=election),
            "candidates": list(election.candidates.filter(withdrawn=False).select_related("building")),
            "open": election.status == ElectionStatus.VOTING,
            "channels": [(BallotChannel.PAPER, _("纸质选票")), (BallotChannel.PROXY, _("委托投票"))],
        },
    )


def _context(
    request: HttpRequest,
    election,
    *,
    window: VotingWindowForm | None = None,
    error: DomainError | None = None,
) -> dict:
    """The election page's context; after a refused 公示 the window form comes back bound, with the error."""
    candidates = list(election.candidates.filter(withdrawn=False).select_related("building"))
    result = election.result if election.status == ElectionStatus.CLOSED else None
    names = {c.pk: c for c in candidates}
    if result:
        scores = {int(k): v for k, v in result["scores"].items()}
        per = result.get("candidates") or {}
        for c in candidates:
            c.score = scores.get(c.pk, 0)
            c.elected = c.pk in result["elected"]
            c.tied = c.pk in result["tied"]
            c.alternate = next((r for r, cid in result["alternates"] if cid == c.pk), None)
            c.owners = per.get(str(c.pk))  # art. 278: agreeing owners and area, passed or not
        candidates.sort(key=lambda c: -c.score)
    entry = selectors.my_roll_entry(user=request.user, election=election)
    organiser = selectors.is_organiser(user=request.user, election=election)
    nominating = election.status == ElectionStatus.NOMINATION
    return {
        "organiser_forms": selectors.organiser_choices(election=election)
        if organiser and nominating
        else None,
        "routes": [(v, label) for v, label in NominationRoute.choices if v != NominationRoute.SELF],
        "roles": AppointedRole.choices,
        "election": election,
        "candidates": candidates,
        "names": names,
        "appointed": list(election.appointed.select_related("party")),
        "entry": entry,
        "organiser": organiser,
        "can_stand": nominating and request.user.is_authenticated,
        "summary": selectors.roll_summary(election=election),
        "result": result,
        "can_vote": entry is not None and not entry.voted and election.status == ElectionStatus.VOTING,
        "turnout": tally.election_turnout(election=election)
        if election.is_named and election.status == ElectionStatus.VOTING
        else None,
        "my_named": selectors.my_named_ballot(user=request.user, election=election)
        if entry is not None and entry.voted
        else None,
        "may_see_named": selectors.may_see_named(user=request.user, election=election),
        "window": window or VotingWindowForm(closes_required=True),
        "window_error": error_text(error) if error else "",
        "window_fields": error.fields if error else {},
    }


@login_required
@domain_errors
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    election = selectors.access_election(user=request.user, election_id=pk)
    return render(request, "elections/detail.html", _context(request, election))


@login_required
@require_POST
@domain_errors
def vote(request: HttpRequest, pk: int) -> HttpResponse:
    election = selectors.access_election(user=request.user, election_id=pk)
    try:
        ids = [int(v) for v in request.POST.getlist("candidate")]
        receipt = voting.election_vote(
            user=request.user,
            election=election,
            candidate_ids=ids,
            abstain=request.POST.get("abstain") == "1",
        )
    except ValueError:
        messages.error(request, _("请选择候选人。"))
        return redirect("elections:detail", pk=pk)
    except DomainError as exc:
        _flash(request, exc)
        return redirect("elections:detail", pk=pk)
    if receipt is None:  # a named ballot (owners' committee): the owner's own, shown on the election page
        messages.success(request, _("投票成功，您的记名选票已记录。"))
        return redirect("elections:receipt", pk=pk)
    # The receipt is shown once, on this response; nothing stores it with the voter.
    return render(request, "elections/receipt.html", {"election": election, "receipt": receipt})


@login_required
@domain_errors
def receipt(request: HttpRequest, pk: int) -> HttpResponse:
    """The owner's own named ballot (owners'-committee elections); a secret ballot's receipt is never stored."""
    election = selectors.access_election(user=request.user, election_id=pk)
    ballot = selectors.my_named_ballot(user=request.user, election=election)
    if ballot is None:
        raise NotFound("您还没有投票。", "You have not voted.")
    names = dict(election.candidates.values_list("pk", "name"))
    return render(
        request,
        "elections/receipt.html",
        {"election": election, "named": ballot, "chosen": [names[c] for c in ballot.choices]},
    )


@login_required
@domain_errors
def named_ballots(request: HttpRequest, pk: int) -> HttpResponse:
    """The named ballot list of an owners'-committee election, for the compound's owners, and their recount."""
    election = selectors.access_election(user=request.user, election_id=pk)
    page = page_of(request, selectors.named_ballot_list(user=request.user, election=election), LIST_PAGE_SIZE)
    recount = selectors.named_recount(user=request.user, election=election)
    return render(
        request,
        "elections/named_ballots.html",
        {
            "election": election,
            "lines": selectors.named_lines(page.items, election=election),
            "page": page,
            "qs": qs_without_page(request),
            "matches": recount is not None
            and recount.as_dict()["candidates"] == election.result.get("candidates"),
            "recounted": recount is not None,
        },
    )


@login_required
@domain_errors
def box(request: HttpRequest, pk: int) -> HttpResponse:
    election = selectors.access_election(user=request.user, election_id=pk)
    if election.is_named:  # no secret box: the owners inspect the named ballots
        return redirect("elections:ballots", pk=pk)
    receipt = (request.GET.get("receipt") or "").strip()
    page = page_of(request, selectors.published_box(election=election, receipt=receipt), LIST_PAGE_SIZE)
    names = dict(election.candidates.values_list("pk", "name"))
    recount = selectors.recount(election=election) if election.status == ElectionStatus.CLOSED else None
    return render(
        request,
        "elections/box.html",
        {
            "election": election,
            "receipt": receipt,
            "ballots": [(b.receipt, [names[c] for c in b.choices]) for b in page.items],
            "page": page,
            "qs": qs_without_page(request),
            "recount": [(names[cid], score) for _r, cid, score in recount.ranking] if recount else [],
            "matches": recount is not None and recount.as_dict()["scores"] == election.result.get("scores"),
        },
    )


@login_required
@domain_errors
def export(request: HttpRequest, pk: int) -> HttpResponse:
    election = selectors.access_election(user=request.user, election_id=pk)
    response = HttpResponse(
        exports.election_xlsx(user=request.user, election=election),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="election-{election.pk}.xlsx"'
    return response


@login_required
@require_POST
@domain_errors
def act(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    election = selectors.access_election(user=request.user, election_id=pk)
    p = request.POST
    try:
        if action == "appoint":
            party = Party.objects.filter(pk=_int(p.get("party"), 0) or 0).first()
            if party is None:
                raise Invalid("请选择所在单位。", "Choose the party.", fields={"party": "必填"})
            services.appointed_add(
                actor=request.user,
                election=election,
                role=p.get("role", ""),
                name=p.get("name", ""),
                party=party,
            )
            messages.success(request, _("委员已登记。"))
        elif action == "nominate":
            services.candidate_nominate(
                actor=request.user,
                election=election,
                route=p.get("route", ""),
                statement=p.get("statement", ""),
                name=p.get("name", ""),
                nominators=p.get("nominators", ""),
                building=Place.objects.filter(
                    pk=_int(p.get("building"), 0) or 0, kind=PlaceKind.BUILDING
                ).first(),
            )
            messages.success(request, _("提名已登记。"))
        elif action == "publicise":
            opens_at, closes_at = VotingWindowForm(p, closes_required=True).window()
            assert closes_at is not None  # required: window() raised otherwise
            services.election_publicise(
                actor=request.user, election=election, opens_at=opens_at, closes_at=closes_at
            )
            messages.success(request, _("候选人已公示。"))
        elif action == "open":
            services.election_open(actor=request.user, election=election)
            messages.success(request, _("投票已开始。"))
        elif action == "close":
            services.election_close(actor=request.user, election=election)
            if election.is_named:
                messages.success(request, _("选举已结束，结果已公示，本小区业主可查看记名选票清单。"))
            else:
                messages.success(request, _("选举已结束，结果和投票箱已公开。"))
        else:
            raise Http404
    except DomainError as exc:
        if action == "publicise" and isinstance(exc, Invalid):  # the form again, with what was picked
            window = VotingWindowForm(p, closes_required=True)
            context = _context(request, election, window=window, error=exc)
            return render(request, "elections/detail.html", context, status=422)
        _flash(request, exc)
    return redirect("elections:detail", pk=pk)
