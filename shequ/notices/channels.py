"""Which parties may post in which channel, and to which kinds of place. Change the rules here, in code."""

from __future__ import annotations

from dataclasses import dataclass

from shequ.directory.models import PartyKind, PlaceKind, Role
from shequ.notices.models import Channel


@dataclass(frozen=True)
class ChannelRule:
    party_kinds: frozenset[str]
    scope_kinds: frozenset[str]
    icon: str


ALL_SCOPES = frozenset({PlaceKind.STREET, PlaceKind.COMMUNITY, PlaceKind.COMPOUND, PlaceKind.BUILDING})
ESTATE_SCOPES = frozenset({PlaceKind.COMPOUND, PlaceKind.BUILDING})

CHANNEL_RULES: dict[str, ChannelRule] = {
    Channel.COMMUNITY: ChannelRule(
        # The 环物会 sits under the residents' committee and posts its meetings' results here.
        frozenset(
            {
                PartyKind.RESIDENTS_COMMITTEE,
                PartyKind.PARTY_ORG,
                PartyKind.STREET_OFFICE,
                PartyKind.ENV_PROPERTY_COMMITTEE,
            }
        ),
        ALL_SCOPES,
        "notice",
    ),
    Channel.PARTY: ChannelRule(frozenset({PartyKind.PARTY_ORG, PartyKind.STREET_OFFICE}), ALL_SCOPES, "flag"),
    Channel.PROPERTY: ChannelRule(frozenset({PartyKind.PROPERTY_COMPANY}), ESTATE_SCOPES, "building"),
    Channel.OWNERS: ChannelRule(
        frozenset({PartyKind.OWNERS_COMMITTEE, PartyKind.OWNERS_ASSEMBLY}), ESTATE_SCOPES, "owners"
    ),
    Channel.POLICE: ChannelRule(frozenset({PartyKind.POLICE_STATION}), ALL_SCOPES, "shield"),
}

# Members with these roles may not post for their party at all.
NON_POSTING_ROLES = frozenset({Role.OBSERVER, Role.VOLUNTEER})
# Members with these roles post only for the places they are responsible for (their Membership.places).
PLACE_BOUND_ROLES = frozenset({Role.BUILDING_LEADER, Role.GRID_WORKER})
