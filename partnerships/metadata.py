"""What a page tells search engines and link previews about itself, besides its
text: Open Graph and Twitter card tags, and schema.org JSON-LD.

Everything is built from rows the page has already read (no query of its
own), in the reader's language, with absolute addresses. A page that is not
the public one (a share link, a staff preview of a draft) gets none of it:
only a public page has an address to name.

JSON-LD nodes are made per kind of record by the functions registered with
`@describes(Model)`: the organisation, each agreement (its date and place of
signing, its signatories as people acting for organisations) and each member
of the Governing Body.
"""

import json
import locale

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import get_language, to_locale

from .collections import COLLECTIONS
from .models import Agreement, Representative
from .richtext import RichTextField, plain_text

# As django.utils.html.json_script: nothing in the data can end the <script>
# element or open a comment, whatever the text says.
JSON_SCRIPT_ESCAPES = {ord(">"): "\\u003E", ord("<"): "\\u003C", ord("&"): "\\u0026"}


def json_ld(data):
    """`data` as a JSON-LD <script> element, escaped for HTML. It is data, not
    script: browsers do not run it and the Content-Security-Policy allows it."""
    text = json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False, separators=(",", ":"))
    return format_html(
        '<script type="application/ld+json">{}</script>',
        mark_safe(text.translate(JSON_SCRIPT_ESCAPES)),  # escaped just now
    )


def og_locale(language):
    """Open Graph's `language_TERRITORY` for a site language: fr → fr_FR, ja → ja_JP."""
    return locale.normalize(to_locale(language)).split(".")[0]


def text(obj, field_name):
    """A content field in the reader's language, as plain text."""
    value = obj.localized(field_name)[0]
    field = obj._meta.get_field(field_name)
    return plain_text(value) if isinstance(field, RichTextField) else value


class Page:
    """The request a page answers, for absolute addresses and the site's names."""

    def __init__(self, request):
        self.request = request
        self.language = get_language()

    def absolute(self, url):
        return self.request.build_absolute_uri(url)

    @property
    def home_url(self):
        return self.absolute(reverse("partnerships:partner-list"))

    @property
    def organisation_id(self):
        # One identifier in every language: the site's root.
        return self.absolute("/") + "#organisation"

    def organisation(self):
        names, short = settings.ORGANISATION_NAMES, settings.ORGANISATION_SHORT_NAMES
        default = settings.LANGUAGE_CODE
        return {
            "@type": "Organization",
            "@id": self.organisation_id,
            "name": names.get(self.language) or names[default],
            "alternateName": short.get(self.language) or short[default],
            "url": self.home_url,
        }

    def photo(self, item):
        """The item's photo as an absolute address, its size and its description, or None."""
        image = getattr(item, "photo_image", None)
        if image is None:
            return None
        return {
            "url": self.absolute(image.src),
            "width": image.width,
            "height": image.height,
            "alt": text(item, "photo_alt"),
        }

    def image_object(self, item):
        photo = self.photo(item)
        if photo is None:
            return {}
        image = {"@type": "ImageObject", "url": photo["url"], "description": photo["alt"]}
        if photo["width"]:
            image.update(width=photo["width"], height=photo["height"])
        return {"image": image}


DESCRIBERS = {}


def describes(model):
    """Registers the function that makes a JSON-LD node of a `model` row."""

    def register(function):
        DESCRIBERS[model] = function
        return function

    return register


def node(item, page):
    """The JSON-LD node of a row, or None for a kind without one."""
    describer = DESCRIBERS.get(type(item)._meta.concrete_model)
    return describer(item, page) if describer else None


def without_blanks(data):
    return {key: value for key, value in data.items() if value not in ("", None, [], {})}


@describes(Representative)
def person(representative, page):
    """A member of the Governing Body: a Person with their job and organisation,
    a member of the organisation in their Governing Body role."""
    from .templatetags.partnerships import person_name

    url = page.absolute(COLLECTIONS.of(representative).item_url(representative))
    employer = without_blanks(
        {
            "@type": "Organization",
            "name": text(representative, "organisation"),
            "alternateName": text(representative, "organisation_abbreviation"),
        }
    )
    return without_blanks(
        {
            "@type": "Person",
            "@id": url,
            "url": url,
            "name": plain_text(person_name(representative)),
            "honorificPrefix": representative.get_honorific_display(),
            "givenName": text(representative, "given_name"),
            "familyName": text(representative, "family_name"),
            "jobTitle": text(representative, "job_title"),
            "worksFor": employer if "name" in employer else None,
            "memberOf": without_blanks(
                {
                    "@type": "OrganizationRole",
                    "roleName": text(representative, "governing_body_role"),
                    "memberOf": {"@id": page.organisation_id},
                }
            ),
            **page.image_object(representative),
        }
    )


@describes(Agreement)
def agreement(agreement, page):
    """A signed instrument: when and where it was signed, and by whom, each
    signatory a Person acting for the Organization they signed for."""
    url = page.absolute(agreement.get_absolute_url())
    signatories = [
        without_blanks(
            {
                "@type": "Person",
                "name": text(signatory, "name"),
                "jobTitle": text(signatory, "job_title"),
                "worksFor": {"@type": "Organization", "name": text(signatory, "party")},
            }
        )
        for signatory in agreement.signatories.all()
    ]
    place = text(agreement, "signed_in")
    return without_blanks(
        {
            "@type": "CreativeWork",
            "@id": url,
            "url": url,
            "name": text(agreement, "title"),
            "headline": text(agreement, "headline"),
            "genre": agreement.get_kind_display(),
            "inLanguage": page.language,
            "dateCreated": agreement.signed_on.isoformat(),
            "locationCreated": {"@type": "Place", "name": place} if place else None,
            "creator": signatories,
            "abstract": text(agreement, "summary"),
            "publisher": {"@id": page.organisation_id},
            "sameAs": agreement.further_information_url,
            **page.image_object(agreement),
        }
    )


def structured_data(context, page):
    """The page's JSON-LD graph: the organisation on the home page and the
    partners' overviews, then a node for each record the page shows that has one."""
    url_name = page.request.resolver_match.url_name
    graph = []
    if url_name in ("partner-list", "partner-detail"):
        graph.append(page.organisation())
    if url_name == "partner-list":
        graph.append(
            {
                "@type": "WebSite",
                "@id": page.home_url,
                "url": page.home_url,
                "inLanguage": page.language,
                "publisher": {"@id": page.organisation_id},
            }
        )
    if "sections" in context:  # the overview: what the sections it describes show
        sections = context["sections"].values()
        rows = [row for s in sections if s.collection.model in DESCRIBERS for row in s]
    elif "object" in context:
        rows = [context["object"]]
    else:
        rows = context.get("object_list") or []
    graph += filter(None, (node(row, page) for row in rows))
    return {"@context": "https://schema.org", "@graph": graph} if graph else None
