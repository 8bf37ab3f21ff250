"""Writes: recording consent decisions, honouring Global Privacy Control, linking at login."""

from __future__ import annotations

import uuid
from collections.abc import Mapping

from django.db import IntegrityError, transaction
from django.utils import timezone

from primitives.subjects import Subject

from .models import ConsentRecord, ConsentSource, NoticeText, VisitorLink
from .notice import Notice, notice_current
from .purposes import CONSENT_PURPOSES, GPC_REFUSED_PURPOSES, PERSONALIZATION, UnknownPurpose
from .selectors import ConsentState, consent_state
from .signals import consent_withdrawn, subject_linked


def notice_text_archive(*, notice: Notice) -> None:
    """Keep the exact text of `notice` once, so every recorded hash can be matched to its words."""
    NoticeText.objects.get_or_create(
        text_hash=notice.text_hash,
        defaults={"version": notice.version, "text": notice.text, "first_shown_at": timezone.now()},
    )


def _withdrawals_announce(*, before: ConsentState, after: ConsentState, subject: Subject) -> None:
    for purpose in CONSENT_PURPOSES:
        if before.granted(purpose) and not after.granted(purpose):
            consent_withdrawn.send(sender=ConsentRecord, subject=subject, purpose=purpose)


def consent_decide(*, subject: Subject, choices: Mapping[str, bool], source: str) -> ConsentState:
    """Record one decision per purpose in `choices` and return the consent now in force.

    Guarantees: an unknown or non-consent purpose (such as "necessary") is refused with
    UnknownPurpose before anything is written; the records, the archived notice text and
    every withdrawal receiver run in one transaction, so a failing receiver leaves no
    half-recorded decision.
    """
    unknown = sorted(set(choices) - set(CONSENT_PURPOSES))
    if unknown:
        raise UnknownPurpose(f"Unknown consent purposes {unknown}.")
    if source not in ConsentSource.values:
        raise ValueError(f"Unknown consent source {source!r}.")
    notice = notice_current()
    now = timezone.now()
    with transaction.atomic():
        before = consent_state(subject=subject)
        notice_text_archive(notice=notice)
        ConsentRecord.objects.bulk_create([
            ConsentRecord(**subject.record_filter(), purpose=purpose, granted=bool(choices[purpose]),
                          notice_version=notice.version, text_hash=notice.text_hash, source=source,
                          created_at=now)
            for purpose in CONSENT_PURPOSES if purpose in choices
        ])
        after = consent_state(subject=subject)
        _withdrawals_announce(before=before, after=after, subject=subject)
    return after


def consent_gpc_record(*, subject: Subject) -> bool:
    """Record a Global Privacy Control signal as refusals of marketing and personalization.

    Guarantees: at most one GPC refusal per subject, purpose and notice version, even under
    parallel requests (a unique constraint backs the check); returns whether this call
    recorded it. A later explicit opt-in outranks it because the latest decision counts.
    """
    notice = notice_current()
    if ConsentRecord.objects.filter(**subject.record_filter(), notice_version=notice.version,
                                    source=ConsentSource.GPC).exists():
        return False
    try:
        with transaction.atomic():
            before = consent_state(subject=subject)
            notice_text_archive(notice=notice)
            now = timezone.now()
            ConsentRecord.objects.bulk_create([
                ConsentRecord(**subject.record_filter(), purpose=purpose, granted=False,
                              notice_version=notice.version, text_hash=notice.text_hash,
                              source=ConsentSource.GPC, created_at=now)
                for purpose in GPC_REFUSED_PURPOSES
            ])
            _withdrawals_announce(before=before, after=consent_state(subject=subject), subject=subject)
    except IntegrityError:
        return False  # a parallel request recorded it first
    return True


def consent_link_visitor(*, visitor_state: ConsentState, user: Subject) -> bool:
    """At login, carry what the visitor chose in this browser over to the account.

    Guarantees: each of the visitor's own decisions (not a bare GPC signal, which the
    account gets on its own) newer than the account's own for that purpose is recorded for
    the account (source "login"), so a visitor who refused is not asked again and the
    account says what they chose. Their browsing is tied to the account (`subject_linked`,
    receivers move the events) only if both the visitor and, after carrying, the account
    have personalization consent. Returns whether anything was carried.
    """
    chosen = {purpose: decision for purpose, decision in visitor_state.decisions.items()
              if decision.source != ConsentSource.GPC}
    if not chosen:
        return False
    notice = notice_current()
    with transaction.atomic():
        user_state = consent_state(subject=user)
        carried = []
        for purpose, decision in chosen.items():
            own = user_state.decisions.get(purpose)
            if own is None or own.created_at < decision.created_at:
                carried.append(ConsentRecord(
                    **user.record_filter(), purpose=purpose, granted=decision.granted,
                    notice_version=notice.version, text_hash=notice.text_hash,
                    source=ConsentSource.LOGIN, created_at=timezone.now(),
                ))
        if carried:
            notice_text_archive(notice=notice)
            ConsentRecord.objects.bulk_create(carried)
        after = consent_state(subject=user)
        _withdrawals_announce(before=user_state, after=after, subject=user)
        visitor = visitor_state.subject
        if visitor is not None and visitor_state.granted(PERSONALIZATION) and after.granted(PERSONALIZATION):
            subject_linked.send(sender=ConsentRecord, visitor=visitor, user=user)
    return bool(carried)


def visitor_link_record(*, user_id: int, visitor_id: uuid.UUID) -> None:
    """Remember that this account logged in from the browser known as `visitor_id`, so that
    the person's export and erasure reach what the browser recorded before. Once per pair."""
    VisitorLink.objects.bulk_create([VisitorLink(user_id=user_id, visitor_id=visitor_id, created_at=timezone.now())],
                                    ignore_conflicts=True)


def consent_record_imported(*, user_ids: list[int], choices: Mapping[str, bool]) -> int:
    """Record imported decisions (source "import") for many accounts at once; returns rows written.

    For bringing over consent collected elsewhere (the demo data's customers). Accounts that
    already have any decision under the current notice are left alone, so a second import
    changes nothing and never overrides what a person chose here.
    """
    unknown = sorted(set(choices) - set(CONSENT_PURPOSES))
    if unknown:
        raise UnknownPurpose(f"Unknown consent purposes {unknown}.")
    notice = notice_current()
    now = timezone.now()
    with transaction.atomic():
        notice_text_archive(notice=notice)
        decided = set(ConsentRecord.objects.filter(user_id__in=user_ids, notice_version=notice.version)
                      .values_list("user_id", flat=True))
        rows = [
            ConsentRecord(user_id=user_id, purpose=purpose, granted=bool(granted), notice_version=notice.version,
                          text_hash=notice.text_hash, source=ConsentSource.IMPORT, created_at=now)
            for user_id in user_ids if user_id not in decided
            for purpose, granted in choices.items()
        ]
        ConsentRecord.objects.bulk_create(rows, batch_size=2000)
    return len(rows)
