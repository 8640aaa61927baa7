"""Rich text: the narrative fields, edited with a WYSIWYG editor and kept safe.

A `RichTextField` holds a small, fixed subset of HTML: paragraphs, two levels
of headings (h3, h4: pages use h1 and h2), bullet and numbered lists, links,
bold, italic and line breaks. `inline=True` keeps one run of text with only
links, bold and italic (a sentence's lead-in, rendered without a <p>).

The HTML is sanitised with nh3 whenever it is cleaned (the admin, the
validating `loaddata`), saved (a `pre_save` handler, which also runs for raw
fixture rows) and rendered (the `rich_text` tag, the `tr_inline` filter): no
script, style, event handler, frame, object, SVG or MathML, and links only to
http, https, mailto or relative addresses. Links to other hosts get
rel="noopener noreferrer".
"""

import base64
import hashlib
import html
import re

import nh3
from django.db.models.signals import pre_save
from django.dispatch import receiver
from django.utils.html import strip_tags
from django_prose_editor.fields import ProseEditorField

BLOCK_TAGS = {"p", "h3", "h4", "ul", "ol", "li", "br"}
INLINE_TAGS = {"a", "strong", "em"}
URL_SCHEMES = {"http", "https", "mailto"}
EXTERNAL_REL = "noopener noreferrer"
# Dropped with everything inside them, not just unwrapped.
DROPPED_WITH_CONTENT = {
    "script",
    "style",
    "iframe",
    "object",
    "embed",
    "svg",
    "math",
    "template",
    "noscript",
    "textarea",
    "title",
    "xmp",
    "noembed",
    "noframes",
    "select",
}


def _cleaner(tags):
    return nh3.Cleaner(
        tags=tags,
        clean_content_tags=DROPPED_WITH_CONTENT,
        attributes={"a": {"href"}},
        url_schemes=URL_SCHEMES,
        link_rel=None,  # set below, on links to other hosts only
        strip_comments=True,
    )


_BLOCK_CLEANER = _cleaner(BLOCK_TAGS | INLINE_TAGS)
_INLINE_CLEANER = _cleaner(INLINE_TAGS)
# nh3's output always writes an allowed link as exactly `<a href="…">`.
_ABSOLUTE_LINK = re.compile(r'<a href="((?:https?:)?//[^"]*)">', re.IGNORECASE)
_PARAGRAPH_BREAK = re.compile(r"</(?:p|h3|h4|li)>\s*<(?:p|h3|h4|li)[^>]*>", re.IGNORECASE)
_EMPTY_PARAGRAPH = re.compile(r"^<(p)></\1>$")


def sanitize(value, inline=False):
    """`value` reduced to the allowed HTML (idempotent)."""
    if not value:
        return ""
    if inline:
        # Paragraphs run together as one sentence, with a space between them.
        value = _PARAGRAPH_BREAK.sub(" ", value)
        value = _INLINE_CLEANER.clean(value)
    else:
        value = _BLOCK_CLEANER.clean(value)
    value = _ABSOLUTE_LINK.sub(rf'<a href="\1" rel="{EXTERNAL_REL}">', value).strip()
    return "" if _EMPTY_PARAGRAPH.match(value) else value


def plain_text(value):
    """The words of rich text without markup, blocks separated by a space
    (for excerpts, <title> and attributes; autoescaping escapes it again)."""
    value = re.sub(r"<br\s*/?>|</(?:p|h3|h4|li)>", " ", value or "", flags=re.IGNORECASE)
    return " ".join(html.unescape(strip_tags(value)).split())


def editor_extensions(inline=False):
    """What django-prose-editor offers; it matches what `sanitize` keeps."""
    extensions = {
        "Bold": True,
        "Italic": True,
        "Link": {"enableTarget": False, "protocols": sorted(URL_SCHEMES)},
    }
    if not inline:
        extensions |= {
            "Heading": {"levels": [3, 4]},
            "BulletList": True,
            "OrderedList": True,
            "ListItem": True,
            "HardBreak": True,
        }
    return extensions


class RichTextField(ProseEditorField):
    """A TextField of sanitised HTML, edited with django-prose-editor."""

    def __init__(self, *args, inline=False, **kwargs):
        self.inline = inline
        kwargs["extensions"] = editor_extensions(inline)
        kwargs["sanitize"] = self.sanitize_value
        kwargs.pop("config", None)
        super().__init__(*args, **kwargs)

    def sanitize_value(self, value):
        return sanitize(value, inline=self.inline)

    def deconstruct(self):
        name, _path, args, kwargs = super().deconstruct()
        if self.inline:
            kwargs["inline"] = True
        return name, "partnerships.richtext.RichTextField", args, kwargs

    def formfield(self, **kwargs):
        # The editor sanitises what it sends too; the model field has the last word.
        return super().formfield(**{"sanitize": self.sanitize_value} | kwargs)


def rich_text_fields(model):
    return [field for field in model._meta.concrete_fields if isinstance(field, RichTextField)]


@receiver(pre_save)
def sanitize_rich_text(sender, instance, **kwargs):
    """Whatever path a row takes to the database (a raw fixture row skips the
    fields' own `pre_save`), its rich text is sanitised."""
    for field in rich_text_fields(sender):
        value = getattr(instance, field.attname)
        if value:
            setattr(instance, field.attname, field.sanitize_value(value))


# Tiptap (inside the editor) adds one <style> of its base rules to the page;
# this is that stylesheet's hash (the browser test
# `test_editor_writes_rich_text_with_the_prose_editor_under_the_policy` fails
# with the new hash if an upgrade changes it).
EDITOR_STYLE_HASH = "'sha256-PlumsSlvJ7vvWzjqibGAYKq92O3y/4JTxWWsWJvyUYA='"
_IMPORT_MAP = re.compile(r'<script type="importmap"[^>]*>(.*?)</script>', re.DOTALL)


def import_map_hashes(media):
    """CSP hash sources for the import maps `media` renders inline.

    django-prose-editor's modules find each other through an import map, which
    can only be an inline `<script type="importmap">`. Rather than allow inline
    scripts, the admin pages with an editor allow exactly that JSON by its
    SHA-256 (it names only our own static files); every script stays 'self'.
    """
    return [
        "'sha256-{}'".format(
            base64.b64encode(hashlib.sha256(source.encode()).digest()).decode("ascii")
        )
        for source in _IMPORT_MAP.findall(str(media))
    ]


class RichTextAdminMixin:
    """A ModelAdmin whose forms may hold a rich text editor: on its change and
    add pages the Content-Security-Policy allows the editor's import map and
    Tiptap's base stylesheet, each by its hash (no 'unsafe-inline')."""

    def render_change_form(self, request, context, *args, **kwargs):
        response = super().render_change_form(request, context, *args, **kwargs)
        hashes = import_map_hashes(context.get("media", ""))
        if hashes:
            response._csp_update = {"script-src": hashes, "style-src": [EDITOR_STYLE_HASH]}
        return response
