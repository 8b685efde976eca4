"""Partners keep their own profiles (an admin may too); every change needs expectedVersion."""

from __future__ import annotations

from collections.abc import Callable

import strawberry
from strawberry.permission import BasePermission

from api import models
from api.readers.partners import partner_by_slug
from api.schema.context import Context, Info
from api.schema.mutation_helpers import parse_id, run_service
from api.schema.partners.types import Partner, PartnerProfilePayload
from api.schema.permissions import IsPartnerOrAdmin
from api.schema.profiles.inputs import (
    CertificationInput,
    OfficeInput,
    PartnerProfileInput,
    ReferenceInput,
)
from api.schema.reviews import ReviewReply, ReviewReplyPayload
from api.services import profile, profile_parts, replies
from api.services.profile_parts import Edit

EDITOR: list[type[BasePermission]] = [IsPartnerOrAdmin]


def _edit(context: Context, slug: str, work: Callable[[], models.Partner]) -> PartnerProfilePayload:
    """Run an edit; a version conflict returns the current profile beside the error."""
    row, errors = run_service(context, work)
    if row is not None:
        return PartnerProfilePayload(partner=Partner.from_row(row), errors=[])
    current = partner_by_slug(session=context.session, slug=slug)
    shown = current if any(e.code == "VERSION_CONFLICT" for e in errors) else None
    return PartnerProfilePayload(
        partner=Partner.from_row(shown) if shown is not None else None, errors=errors
    )


def _who(info: Info, slug: str, expected_version: int) -> Edit:
    return Edit(caller=info.context.caller, slug=slug, expected_version=expected_version)


@strawberry.type
class ProfileMutations:
    @strawberry.mutation(permission_classes=EDITOR)
    def update_partner_profile(
        self,
        info: Info,
        slug: str,
        expected_version: int,
        input: PartnerProfileInput,
    ) -> PartnerProfilePayload:
        c = info.context
        return _edit(
            c,
            slug,
            lambda: profile.update_profile(
                session=c.session,
                caller=c.caller,
                slug=slug,
                expected_version=expected_version,
                changes=input.to_changes(),
            ),
        )

    @strawberry.mutation(permission_classes=EDITOR)
    def add_office(
        self,
        info: Info,
        slug: str,
        expected_version: int,
        input: OfficeInput,
    ) -> PartnerProfilePayload:
        c, edit = info.context, _who(info, slug, expected_version)
        return _edit(
            c,
            slug,
            lambda: profile_parts.add_office(
                session=c.session, edit=edit, values=input.to_values()
            ),
        )

    @strawberry.mutation(permission_classes=EDITOR)
    def change_office(
        self,
        info: Info,
        slug: str,
        expected_version: int,
        office_id: strawberry.ID,
        input: OfficeInput,
    ) -> PartnerProfilePayload:
        c, edit = info.context, _who(info, slug, expected_version)
        return _edit(
            c,
            slug,
            lambda: profile_parts.change_office(
                session=c.session,
                edit=edit,
                office_id=parse_id(office_id, "officeId"),
                values=input.to_values(),
            ),
        )

    @strawberry.mutation(permission_classes=EDITOR)
    def remove_office(
        self, info: Info, slug: str, expected_version: int, office_id: strawberry.ID
    ) -> PartnerProfilePayload:
        c, edit = info.context, _who(info, slug, expected_version)
        return _edit(
            c,
            slug,
            lambda: profile_parts.remove_office(
                session=c.session, edit=edit, office_id=parse_id(office_id, "officeId")
            ),
        )

    @strawberry.mutation(
        permission_classes=EDITOR,
        description="Replace the claimed industries and/or products (slugs); omit one to keep it.",
    )
    def set_partner_claims(
        self,
        info: Info,
        slug: str,
        expected_version: int,
        industries: list[str] | None = None,
        products: list[str] | None = None,
    ) -> PartnerProfilePayload:
        c, edit = info.context, _who(info, slug, expected_version)
        return _edit(
            c,
            slug,
            lambda: profile_parts.set_claims(
                session=c.session, edit=edit, industries=industries, products=products
            ),
        )

    @strawberry.mutation(permission_classes=EDITOR)
    def add_certification(
        self,
        info: Info,
        slug: str,
        expected_version: int,
        input: CertificationInput,
    ) -> PartnerProfilePayload:
        c, edit = info.context, _who(info, slug, expected_version)
        return _edit(
            c,
            slug,
            lambda: profile_parts.add_certification(
                session=c.session, edit=edit, values=input.to_values()
            ),
        )

    @strawberry.mutation(permission_classes=EDITOR)
    def change_certification(
        self,
        info: Info,
        slug: str,
        expected_version: int,
        certification_id: strawberry.ID,
        input: CertificationInput,
    ) -> PartnerProfilePayload:
        c, edit = info.context, _who(info, slug, expected_version)
        return _edit(
            c,
            slug,
            lambda: profile_parts.change_certification(
                session=c.session,
                edit=edit,
                certification_id=parse_id(certification_id, "certificationId"),
                values=input.to_values(),
            ),
        )

    @strawberry.mutation(permission_classes=EDITOR)
    def remove_certification(
        self, info: Info, slug: str, expected_version: int, certification_id: strawberry.ID
    ) -> PartnerProfilePayload:
        c, edit = info.context, _who(info, slug, expected_version)
        return _edit(
            c,
            slug,
            lambda: profile_parts.remove_certification(
                session=c.session,
                edit=edit,
                certification_id=parse_id(certification_id, "certificationId"),
            ),
        )

    @strawberry.mutation(permission_classes=EDITOR)
    def add_reference(
        self,
        info: Info,
        slug: str,
        expected_version: int,
        input: ReferenceInput,
    ) -> PartnerProfilePayload:
        c, edit = info.context, _who(info, slug, expected_version)
        return _edit(
            c,
            slug,
            lambda: profile_parts.add_reference(
                session=c.session, edit=edit, values=input.to_values()
            ),
        )

    @strawberry.mutation(permission_classes=EDITOR)
    def change_reference(
        self,
        info: Info,
        slug: str,
        expected_version: int,
        reference_id: strawberry.ID,
        input: ReferenceInput,
    ) -> PartnerProfilePayload:
        c, edit = info.context, _who(info, slug, expected_version)
        return _edit(
            c,
            slug,
            lambda: profile_parts.change_reference(
                session=c.session,
                edit=edit,
                reference_id=parse_id(reference_id, "referenceId"),
                values=input.to_values(),
            ),
        )

    @strawberry.mutation(permission_classes=EDITOR)
    def remove_reference(
        self, info: Info, slug: str, expected_version: int, reference_id: strawberry.ID
    ) -> PartnerProfilePayload:
        c, edit = info.context, _who(info, slug, expected_version)
        return _edit(
            c,
            slug,
            lambda: profile_parts.remove_reference(
                session=c.session, edit=edit, reference_id=parse_id(reference_id, "referenceId")
            ),
        )

    @strawberry.mutation(
        permission_classes=EDITOR,
        description="Post (or replace) the partner's one public reply to a review of its own.",
    )
    def reply_to_review(
        self, info: Info, review_id: strawberry.ID, body: str
    ) -> ReviewReplyPayload:
        c = info.context
        reply, errors = run_service(
            c,
            lambda: replies.reply_to_review(
                session=c.session,
                caller=c.caller,
                review_key=str(review_id),
                body=body,
            ),
        )
        return ReviewReplyPayload(
            reply=ReviewReply.from_row(reply) if reply is not None else None, errors=errors
        )
