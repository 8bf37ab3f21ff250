"""What other apps plug into. The personalization app connects receivers here in its ready().

consent_withdrawn(subject: ConsentSubject, purpose: str)
    Sent inside the transaction that records a withdrawal (a purpose that was granted and
    no longer is). Receivers for "personalization" delete the subject's stored behavioural
    events in that same transaction and enqueue model retraining with transaction.on_commit.

subject_linked(visitor: ConsentSubject, user: ConsentSubject)
    Sent at login when a visitor who consented to personalization becomes an account:
    receivers move the visitor's events to the user. Never sent without that consent.
"""

from django.dispatch import Signal

consent_withdrawn = Signal()
subject_linked = Signal()
