"""The page's head beyond its title: link previews (Open Graph, Twitter
cards), its feed and its schema.org JSON-LD (partnerships.metadata)."""

from django import template
from django.conf import settings
from django.urls import reverse

from partnerships.feeds import feed_title
from partnerships.metadata import Page, json_ld, og_locale, structured_data

register = template.Library()


class CaptureNode(template.Node):
    child_nodelists = ("nodelist",)  # so that {% block %}s inside are found and filled

    def __init__(self, nodelist, name):
        self.nodelist, self.name = nodelist, name

    def render(self, context):
        context[self.name] = self.nodelist.render(context)
        return ""


@register.tag
def capture(parser, token):
    """`{% capture as name %}…{% endcapture %}`: renders its content once into
    a variable, to use it in several places (the <title> and og:title, say),
    blocks included."""
    bits = token.split_contents()
    if len(bits) != 3 or bits[1] != "as":
        raise template.TemplateSyntaxError("'capture' is written {% capture as name %}")
    nodelist = parser.parse(("endcapture",))
    parser.delete_first_token()
    return CaptureNode(nodelist, bits[2])


@register.inclusion_tag("includes/metadata.html", takes_context=True)
def page_metadata(context, title, description):
    """Open Graph and Twitter card tags, the partner's feed and the JSON-LD of
    a public page; nothing for a page that is not public (a share link, a
    staff preview of a draft), which has no address of its own to name."""
    request = context.get("request")
    url = context.get("canonical_url")
    if request is None or not url or context.get("noindex") or context.get("is_draft"):
        return {}
    page = Page(request)
    url_name = request.resolver_match.url_name
    shown = (context.get("object"), context.get("partner"))
    pictured = next((item for item in shown if getattr(item, "photo", None)), None)
    partner = context.get("partner")
    feed = None
    if partner is not None and partner.is_public:
        feed = {
            "title": feed_title(partner),
            "url": page.absolute(reverse("partnerships:partner-feed", args=[partner.slug])),
        }
    data = structured_data(context, page)
    is_item_page = url_name.endswith("-detail") and url_name != "partner-detail"
    return {
        "url": url,
        "title": title,
        "description": description,
        "type": "article" if is_item_page else "website",
        "site_name": context.get("organisation_name"),
        "locale": og_locale(page.language),
        "alternate_locales": [
            og_locale(code) for code, _name in settings.LANGUAGES if code != page.language
        ],
        "image": page.photo(pictured) if pictured else None,
        "feed": feed,
        "json_ld": json_ld(data) if data else "",
    }
