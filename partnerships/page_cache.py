"""Whole public pages for anonymous readers, from Django's cache, dropped the
moment anything they show changes.

A page is kept under its address with the two tokens current when it was
rendered, and served only while both still are:

- its **scope**'s: the partner whose pages it belongs to (every page under
  /<lang>/partners/<slug>/), or the site's (home page, sitemap), which shows
  every partner. Saving, publishing, unpublishing, deleting or reverting a
  record deletes the token of its partner's scope and of the site's, so the
  next request renders afresh under a new token.
- the **schedule**'s: a go-live time, an expiry or the end of a term changes
  what the public sees with no save. The schedule token stays valid until the
  next such moment (the `next_change()` of each public model's rows), then a
  new one is drawn and every page renders afresh.

Tokens are deleted when the change is made and again when its transaction
commits, so no page rendered from the data before the commit outlives it.
The tokens are always read from the default cache, which every process and
app server shares. Each process also keeps a copy of the pages it serves (the
"pages" cache, in its memory), so that a hit reads only the two small tokens
from the shared cache, not the page; a copy is served under the current
tokens only, as the shared entry is.

Nothing is cached for staff (a session or message cookie), previews, share
links or query strings other than a page number, a list's filters and a
search's words; searches are kept in a cache of their own (`public_page`).
"""

import datetime
import hashlib
import math
import secrets
from functools import cache, lru_cache, wraps

from django.apps import apps
from django.conf import settings
from django.core.cache import cache as default_cache
from django.core.cache import caches
from django.core.exceptions import ObjectDoesNotExist
from django.core.signals import setting_changed
from django.db import InterfaceError, OperationalError, transaction
from django.db.models.signals import post_delete, post_migrate, post_save, pre_save
from django.http import HttpResponse
from django.urls import Resolver404, get_resolver
from django.utils import timezone, translation
from django.utils.cache import (
    get_conditional_response,
    patch_cache_control,
    patch_vary_headers,
    set_response_etag,
)
from django.utils.http import http_date, parse_http_date_safe
from django.utils.translation import get_language_from_path

SCHEDULE_KEY = "pages:schedule"
SITE_SCOPE = ""
# Cookies that mean the page may be personal: a login, or messages waiting for it.
PERSONAL_COOKIES = (settings.SESSION_COOKIE_NAME, "messages")


def public_page(view, parameters=(), cache="default"):
    """Marks a view whose answers to anonymous readers may be cached whole.

    `parameters`: query parameters of its own (a list's filters) that the page
    may be cached with, beside `cached_parameters()`. Only 200s are cached, so
    the view must answer something else to any value it does not accept, or
    arbitrary values would fill the cache; where any value is a page (a
    search's words), `cache` names a cache of its own (settings.CACHES), which
    they then fill instead. Its answers are kept under the same tokens, read
    from the default cache.
    """

    @wraps(view)
    def page(*args, **kwargs):
        return view(*args, **kwargs)

    page.public_page = True
    page.cached_parameters = frozenset(parameters)
    page.page_cache = cache
    return page


@cache
def cached_parameters():
    """The query parameters a cached page may have (page numbers: of a list, of
    a sitemap section, of each list on a channel's page); with any other, the
    page is answered, not cached."""
    from .collections import COLLECTIONS

    return {"page", "p", *(f"{collection.key}_page" for collection in COLLECTIONS)}


def scope_key(scope):
    # Hashed: an address may carry any slug, of any length.
    return f"pages:scope:{hashlib.sha256(scope.encode()).hexdigest()[:32]}"


def page_key(request):
    # "response": entries are (tokens, HttpResponse); the earlier form, kept
    # under "page", is never read, so servers of both ages can share a cache
    # while a deployment rolls out.
    address = hashlib.sha256(request.build_absolute_uri().encode()).hexdigest()
    return f"pages:response:{address}"


# The process's own copies of the shared cache's pages (settings.CACHES), and
# the largest page copied: a sitemap section (about 250 KB) is read from the
# shared cache each time rather than crowding out a hundred pages.
LOCAL_COPIES = "pages"
LOCAL_COPY_MAX_BYTES = 64 * 1024


def stores(cache):
    """Where a page kept in `cache` is looked for, in order: the shared default
    cache's pages first in this process's copy; another cache (the searches')
    is in the process's memory already."""
    return [caches[LOCAL_COPIES], default_cache] if cache == "default" else [caches[cache]]


def lookup(request, scope, cache="default"):
    """(the page's current tokens, its stored entry in `cache` or None); the
    tokens are drawn anew where missing or out of date. An entry stored under
    other tokens is out of date. A page found in the shared cache is copied
    into this process's."""
    key = page_key(request)
    tokens = current_tokens(scope)
    kept_in = stores(cache)
    for store in kept_in:
        entry = store.get(key)
        if entry is not None and entry[0] == tokens:
            if store is not kept_in[0]:
                keep(kept_in[0], key, entry)
            return tokens, entry
    return tokens, None


def keep(cache, key, entry):
    """Stores a page's entry in `cache`; this process's copies only of pages up
    to LOCAL_COPY_MAX_BYTES."""
    if cache is not caches[LOCAL_COPIES] or len(entry[1].content) <= LOCAL_COPY_MAX_BYTES:
        cache.set(key, entry, settings.PAGE_CACHE_SECONDS)


def current_tokens(scope):
    """(the schedule's token, `scope`'s token): what anything kept for `scope` is
    kept under, to be dropped with its pages; in one trip to the default cache.
    The tokens are drawn anew where missing or out of date."""
    found = default_cache.get_many([SCHEDULE_KEY, scope_key(scope)])
    schedule = found.get(SCHEDULE_KEY)
    if schedule is None or timezone.now().timestamp() >= schedule["until"]:
        schedule = {"token": secrets.token_hex(8), "until": next_change_timestamp()}
        default_cache.set(SCHEDULE_KEY, schedule, None)
    key = scope_key(scope)
    if key not in found:
        # add(): two processes drawing at once agree on the first one's token.
        default_cache.add(key, secrets.token_hex(8), None)
        found[key] = default_cache.get(key) or secrets.token_hex(8)
    return schedule["token"], found[key]


def public_models():
    """Every model whose rows public pages show and may change with time."""
    from .collections import COLLECTIONS

    return [apps.get_model("partnerships", "Partner"), *(c.model for c in COLLECTIONS)]


def next_change_timestamp():
    now = timezone.now()
    moments = [model._default_manager.next_change(now) for model in public_models()]
    upcoming = min(filter(None, moments), default=None)
    return upcoming.timestamp() if upcoming else math.inf


def schedule_moves_to(moment):
    """A row now changes the public pages at `moment`: the schedule token ends then
    at the latest (a moment further off than the current end changes nothing)."""
    schedule = default_cache.get(SCHEDULE_KEY)
    if schedule is not None and moment.timestamp() < schedule["until"]:
        default_cache.set(SCHEDULE_KEY, {**schedule, "until": moment.timestamp()}, None)


def forget(scopes, moment=None):
    """Pages of these partners (slugs) and the site's are out of date; with
    `moment`, something they show also changes by itself then."""
    default_cache.delete_many([scope_key(SITE_SCOPE), *(scope_key(s) for s in scopes)])
    if moment is not None:
        schedule_moves_to(moment)


def forget_everything(**kwargs):
    """Every page renders afresh: after `migrate` (each deployment runs it, so
    new templates and code show at once) and when a test changes a setting."""
    default_cache.delete(SCHEDULE_KEY)


def changed(scopes, moment=None, using=None):
    """Forget now, for this process's next request inside the transaction too,
    and again once the transaction commits, for every process."""
    scopes = set(scopes)
    forget(scopes, moment)
    transaction.on_commit(lambda: forget(scopes, moment), using=using)


@cache
def partner_path(model):
    """The lookup from a model to its partner ("" for Partner itself), or None."""
    partner = apps.get_model("partnerships", "Partner")
    if issubclass(model, partner):
        return ""
    for field in model._meta.concrete_fields:
        if not field.many_to_one:
            continue
        if issubclass(field.related_model, partner):
            return field.name
        # One step further, as a signatory belongs to its agreement's partner.
        if field.related_model is not model:
            further = next(
                (
                    f.name
                    for f in field.related_model._meta.concrete_fields
                    if f.many_to_one and issubclass(f.related_model, partner)
                ),
                None,
            )
            if further:
                return f"{field.name}__{further}"
    return None


def partner_of(instance):
    path = partner_path(type(instance))
    for name in path.split("__") if path else ():
        instance = getattr(instance, name)
    return instance


def next_change_of(model, rows, using=None):
    """When these rows next change on the public pages by themselves, as
    `next_change()` of the model's queryset says (None for content without a
    schedule of its own)."""
    manager = model._default_manager.using(using)
    if not hasattr(manager, "next_change"):
        return None
    return manager.filter(pk__in=rows).next_change(timezone.now())


def day_after(date):
    """The moment a day ends in the site's time zone (a term ending on `date`)."""
    return timezone.make_aware(
        datetime.datetime.combine(date + datetime.timedelta(days=1), datetime.time.min)
    )


def record_changed(sender, instance, using=None, **kwargs):
    try:
        partner = partner_of(instance)
    except ObjectDoesNotExist:  # deleted along with its parent: the parent's change counts
        return
    scopes = {partner.slug} if partner is not None else set()
    scopes.update(getattr(instance, "_page_cache_old_scopes", ()))
    changed(scopes, next_change_of(sender, [instance.pk], using), using=using)


def partner_renamed(sender, instance, raw=False, using=None, **kwargs):
    """A partner's pages move with its slug: the old address's pages go too."""
    if instance.pk is not None and not raw:
        old = sender._default_manager.using(using).filter(pk=instance.pk)
        instance._page_cache_old_scopes = set(old.values_list("slug", flat=True))


class InvalidatingQuerySet:
    """`update()` sends no signals: the pages showing the rows it changes are
    forgotten all the same (a publish action, approving translations)."""

    def update(self, **kwargs):
        path = partner_path(self.model)
        if path is None:
            return super().update(**kwargs)
        partner = apps.get_model("partnerships", "Partner")
        lookup = path or "pk"
        with transaction.atomic(using=self.db, savepoint=False):
            # The rows, taken before the update may move them out of this queryset's filter.
            pks = list(self.values_list("pk", flat=True))
            rows = self.model._default_manager.using(self.db).filter(pk__in=pks)
            scopes = set(
                partner._default_manager.using(self.db)
                .filter(pk__in=rows.values(lookup))
                .values_list("slug", flat=True)
            )
            count = super().update(**kwargs)
            moment = next_change_of(self.model, pks, self.db)
            if "partner" in kwargs or "slug" in kwargs:
                scopes.update(
                    partner._default_manager.using(self.db)
                    .filter(pk__in=rows.values(lookup))
                    .values_list("slug", flat=True)
                )
            changed(scopes, moment, using=self.db)
        return count

    update.alters_data = True


def connect_signals():
    """Every model with a partner (and Partner itself) forgets its pages on save and delete."""
    partner = apps.get_model("partnerships", "Partner")
    post_migrate.connect(forget_everything, dispatch_uid="page_cache_migrate")
    setting_changed.connect(forget_everything, dispatch_uid="page_cache_setting")
    pre_save.connect(partner_renamed, sender=partner, dispatch_uid="page_cache_rename")
    for model in apps.get_models():
        if partner_path(model) is not None:
            uid = f"page_cache_{model._meta.label_lower}"
            post_save.connect(record_changed, sender=model, dispatch_uid=uid)
            post_delete.connect(record_changed, sender=model, dispatch_uid=uid)


@lru_cache(maxsize=4096)
def public_page_at(resolver, path):
    """`public_page_of` an address: what the URL patterns alone decide, so
    kept for the addresses most asked for (resolving cost a hit a sixth of its
    time). Under the resolver, which Django replaces when the URL patterns
    change (`clear_url_caches`), so a changed URLconf is read afresh."""
    language = get_language_from_path(path) or settings.LANGUAGE_CODE
    try:
        with translation.override(language):
            match = resolver.resolve(path)
    except Resolver404:
        return None, None
    if not getattr(match.func, "public_page", False):
        return None, None
    return match.func, match.kwargs.get("partner_slug", SITE_SCOPE)


class PageCacheMiddleware:
    """Answers anonymous readers of `public_page` views from the cache.

    First in MIDDLEWARE: a hit is answered before any other middleware runs, and
    what a miss stores is the finished answer, every header the middleware below
    adds included (security policies, the English-fallback notice). The address
    is resolved here, as Django will resolve it, to know whether it is a public
    page and whose (its partner's, or the site's).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        view, scope = self.public_page_of(request)
        request.public_page = view  # for the middleware above: CORS on open data
        if view is None:
            return self.get_response(request)
        state, tokens = "bypass", None
        if self.may_serve(request, view):
            try:
                tokens, entry = lookup(request, scope, view.page_cache)
            except (OperationalError, InterfaceError):
                entry = None  # the database is down: the view answers with the 503
            if entry is not None:
                return self.answer(request, entry)
            state = "miss" if tokens is not None else "bypass"
        response = self.get_response(request)
        self.mark(response, state)
        if tokens is not None and request.method == "GET" and self.may_store(response):
            response.headers["Last-Modified"] = http_date()
            set_response_etag(response)
            key, entry = page_key(request), (tokens, self.copy(response))
            for cache in stores(view.page_cache):
                keep(cache, key, entry)
        return response

    @staticmethod
    def public_page_of(request):
        """(the `public_page` view this address shows, its scope: a partner's
        slug or SITE_SCOPE), or (None, None) when it shows none."""
        return public_page_at(get_resolver(getattr(request, "urlconf", None)), request.path_info)

    @staticmethod
    def copy(response):
        """What is kept of an answer: its status, body and headers, as a plain
        HttpResponse (as Django's cache middleware keeps one), which a hit
        unpickles whole instead of setting each header again."""
        return HttpResponse(response.content, status=response.status_code, headers=response.headers)

    @staticmethod
    def answer(request, entry):
        _tokens, response = entry
        response.headers["X-Page-Cache"] = "hit"
        # ConditionalGetMiddleware is below, so it is not run for a hit: the same check here.
        return get_conditional_response(
            request,
            etag=response.get("ETag"),
            last_modified=parse_http_date_safe(response.get("Last-Modified", "")),
            response=response,
        )

    @staticmethod
    def may_serve(request, view):
        return (
            settings.PAGE_CACHE_SECONDS > 0
            and request.method in ("GET", "HEAD")
            and not any(name in request.COOKIES for name in PERSONAL_COOKIES)
            and set(request.GET) <= cached_parameters() | view.cached_parameters
        )

    @staticmethod
    def may_store(response):
        cache_control = response.get("Cache-Control", "")
        return (
            response.status_code == 200
            and not response.streaming
            and not response.cookies
            and "private" not in cache_control
            and "no-store" not in cache_control
        )

    @staticmethod
    def mark(response, state):
        """Every public page varies with the cookies (staff see drafts); caches
        along the way ask again each time, and get a 304 while it is unchanged."""
        patch_vary_headers(response, ("Cookie",))
        if state == "bypass":
            patch_cache_control(response, private=True, no_cache=True)
        else:
            patch_cache_control(response, public=True, no_cache=True)
        response.headers["X-Page-Cache"] = state
