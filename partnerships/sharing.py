"""The page a share link opens: one record's own page as staff preview it
(its draft, or its held changes), for a reviewer without an account.

Only the shared record is widened past what the public may see; everything
else on the page (the rows a partner overview lists, a channel's projects) is
what a visitor sees, and links lead to the normal public addresses, which
stay 404 for drafts. The page is rendered for an anonymous visitor whoever
opens it, so the publisher sees what the reviewer sees.
"""

from django.contrib.auth.models import AnonymousUser
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.functional import cached_property

from .collections import COLLECTIONS
from .models import Partner, PendingChange, ShareLink
from .views import CollectionDetailView, PartnerDetailView


def has_own_page(model):
    """Share links show a record's own page: partners and the collections with
    item pages (a representative is a row of a list, not a page)."""
    if model is Partner:
        return True
    collection = COLLECTIONS.find(model)
    return collection is not None and collection.has_detail_pages


class SharedRecordMixin:
    link = None  # the ShareLink being opened, from as_view()

    def get_queryset(self):
        # The page's own query, with what it fetches along with the row,
        # widened to the shared record whatever its state.
        rows = super().get_queryset()
        return rows | rows.model._default_manager.filter(pk=self.link.object_id)

    def get_object(self, queryset=None):
        return PendingChange.objects.preview(super().get_object(queryset))

    def get_context_data(self, **kwargs):
        # No canonical address or alternates: this address is not the page's.
        return super().get_context_data(
            share_link=self.link, noindex=True, canonical_url=None, **kwargs
        )


class SharedPartnerView(SharedRecordMixin, PartnerDetailView):
    pass


class SharedCollectionDetailView(SharedRecordMixin, CollectionDetailView):
    @cached_property
    def partner(self):
        """The shared record's partner, published or not (its page needs it)."""
        record = self.collection.model._default_manager.filter(pk=self.link.object_id)
        return get_object_or_404(Partner, pk__in=record.values("partner"))


def shared_page(request, token):
    """A share link: tampered, unknown, expired or revoked is a 404."""
    link = ShareLink.objects.opened(token)
    model = link and link.content_type.model_class()
    if link is None or model is None or not has_own_page(model):
        raise Http404("No active share link with this token.")
    if model is Partner:
        view = SharedPartnerView.as_view(link=link)
    else:
        view = SharedCollectionDetailView.as_view(collection=COLLECTIONS.of(model), link=link)
    request.user = AnonymousUser()
    response = view(request, pk=link.object_id)
    link.mark_opened()
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["X-Robots-Tag"] = "noindex"
    # Links out of the page do not carry the token in a Referer.
    response.headers["Referrer-Policy"] = "no-referrer"
    return response
