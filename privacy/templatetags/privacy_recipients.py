"""Who else receives personal data, for the privacy notice: {% privacy_recipients as recipients %}."""

from django import template

from privacy.recipients import Recipient, recipients

register = template.Library()


@register.simple_tag(name="privacy_recipients")
def privacy_recipients() -> list[Recipient]:
    return recipients()
