"""The plugin's tables. Everything belongs to the publishing office (its member id in
``member``): the notices, their target communities, the forwarding marks leaders and stores
report to it, and the residents' acknowledgements. Uninstalling the plugin for an office
exports and removes all of it."""

from __future__ import annotations

from piccolo.columns import (
    Boolean,
    ForeignKey,
    Integer,
    OnDelete,
    Serial,
    Text,
    Timestamptz,
    Varchar,
)

from alliance_sdk import MemberScopedTable, member_column

__all__ = ["GovNoticesAck", "GovNoticesForward", "GovNoticesNotice", "GovNoticesTarget"]


class GovNoticesNotice(MemberScopedTable, tablename="gov_notices_notice"):
    """One notice of one office."""

    id = Serial(primary_key=True)
    member = member_column()
    # The office's alliance, kept with the notice: "whole alliance" notices and the push
    # topic need it without a join.
    alliance = Integer(index=True)
    title = Varchar(length=200)
    body = Text()
    category = Varchar(length=16)  # policy / emergency / service / event
    whole_alliance = Boolean(default=False)
    attachments = Text(default="[]")  # a JSON list of URLs
    publish_at = Timestamptz(index=True)
    expire_at = Timestamptz(null=True, default=None)
    withdrawn_at = Timestamptz(null=True, default=None)
    # When the emergency push went out (claimed with a conditional update: once).
    pushed_at = Timestamptz(null=True, default=None)
    created_by = Integer(null=True, default=None)  # the user who published it
    created_at = Timestamptz()


class GovNoticesTarget(MemberScopedTable, tablename="gov_notices_target"):
    """A community a notice is addressed to (none for whole-alliance notices)."""

    id = Serial(primary_key=True)
    member = member_column()
    notice = ForeignKey(GovNoticesNotice, on_delete=OnDelete.cascade, index=True, null=False)
    community = Integer(index=True)

    unique_together = (("notice", "community"),)


class GovNoticesForward(MemberScopedTable, tablename="gov_notices_forward"):
    """A leader or store reports it forwarded a notice to its group in one community."""

    id = Serial(primary_key=True)
    member = member_column()  # the office: the mark is a report to it
    notice = ForeignKey(GovNoticesNotice, on_delete=OnDelete.cascade, index=True, null=False)
    forwarder = Integer(index=True)  # the leader's or store's member id
    community = Integer()
    forwarded_by = Integer(null=True, default=None)  # the user who marked it
    forwarded_at = Timestamptz()

    unique_together = (("notice", "forwarder", "community"),)


class GovNoticesAck(MemberScopedTable, tablename="gov_notices_ack"):
    """A resident household read a notice (one row per community it lives in)."""

    id = Serial(primary_key=True)
    member = member_column()
    notice = ForeignKey(GovNoticesNotice, on_delete=OnDelete.cascade, index=True, null=False)
    community = Integer()
    resident = Integer(index=True)  # the user id; never shown to the office without consent
    acknowledged_at = Timestamptz()

    unique_together = (("notice", "community", "resident"),)
