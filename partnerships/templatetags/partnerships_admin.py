"""Tags for the admin's own pages (the public pages load `partnerships`)."""

from django import template

from partnerships.collections import COLLECTIONS
from partnerships.models import Partner
from partnerships.review_admin import overdue_for_review as panels

register = template.Library()


@register.simple_tag(takes_context=True)
def overdue_for_review(context):
    """The admin home's panel: what is overdue for review, per kind of content."""
    return panels(context["request"], [Partner, *(collection.model for collection in COLLECTIONS)])
