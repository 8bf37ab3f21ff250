"""What other apps plug into. The personalization app connects receivers here in its ready().

consent_withdrawn(subject: Subject, purpose: str)
    Sent inside the transaction that records a withdrawal (a purpose that was granted and
    no longer is). Receivers for "personalization" delete the subject's stored behavioural
    events in that same transaction and enqueue model retraining with transaction.on_commit.

subject_linked(visitor: Subject, user: Subject)
    Sent at login when a visitor who consented to personalization becomes an account:
    receivers move the visitor's events to the user. Never sent without that consent.

subject_erased(subject: Subject)
    Sent after an erasure has committed (transaction.on_commit): the person's rows are
    gone or anonymised as the registry declares. Receivers drop what they derived from
    them (caches, model factors) and queue retraining. Not sent for a guest known only
    by an e-mail address (no account, no browser key): no behavioural data is theirs.
"""

from django.dispatch import Signal

consent_withdrawn = Signal()
subject_linked = Signal()
subject_erased = Signal()
