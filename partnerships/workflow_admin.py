"""The editorial workflow in the admin: edits to live records are held as a
pending change until a publisher publishes them, and every save is a version
(django-reversion) that can be compared and reverted.

How an edit is held: the normal change form saves the record and its inlines
inside a savepoint; the saved rows are serialised into a `PendingChange` and
the savepoint is rolled back, so the live rows never change. A record that
already has a pending change is opened and saved with that change written
inside the same savepoint, so edits build on each other.
"""

from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.db import router, transaction
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from reversion import create_revision, get_comment, is_active, set_comment, set_user

from .models import PendingChange
from .models.workflow import followed, same_content, snapshot


class PendingFilter(admin.SimpleListFilter):
    title = _("pending changes")
    parameter_name = "pending"

    def lookups(self, request, model_admin):
        return [("yes", _("Has pending changes")), ("no", _("No pending changes"))]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(has_pending=True)
        if self.value() == "no":
            return queryset.filter(has_pending=False)
        return queryset


class WorkflowAdminMixin:
    """For the ModelAdmin of a publishable model (with reversion's VersionAdmin)."""

    publish_now_button = "_publish"

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        return queryset.annotate(has_pending=PendingChange.objects.exists_for(self.model))

    def get_list_filter(self, request):
        return [*super().get_list_filter(request), PendingFilter]

    # Holding, previewing and publishing changes.

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        obj = self.get_object(request, unquote(object_id)) if object_id else None
        run = super().changeform_view
        if obj is None or getattr(request, "_workflow_obj", None) is not None:
            return run(request, object_id, form_url, extra_context)
        extra_context = {
            **(extra_context or {}),
            "pending_change": PendingChange.objects.for_object(obj).first(),
            "can_publish_now": obj.is_published and self.has_publish_permission(request, obj),
        }
        return self._workflow(
            request, obj, lambda: run(request, object_id, form_url, extra_context)
        )

    def revision_view(self, request, object_id, version_id, extra_context=None):
        # Reverting a live record is an edit like any other: held for a publisher.
        obj = self.get_object(request, unquote(object_id))
        run = super().revision_view
        if obj is None or request.method != "POST":
            return run(request, object_id, version_id, extra_context)
        return self._workflow(
            request, obj, lambda: run(request, object_id, version_id, extra_context)
        )

    def recover_view(self, request, version_id, extra_context=None):
        # Restoring a deleted record is a publisher's call, like deleting it.
        if not self.has_publish_permission(request):
            raise PermissionDenied
        return super().recover_view(request, version_id, extra_context)

    def recoverlist_view(self, request, extra_context=None):
        if not self.has_publish_permission(request):
            raise PermissionDenied
        return super().recoverlist_view(request, extra_context)

    def _workflow(self, request, obj, view):
        using = router.db_for_write(self.model)
        pending = PendingChange.objects.for_object(obj).first()
        # A publisher's save publishes at once when asked to, or when it
        # publishes or unpublishes the record itself.
        publish_now = self.has_publish_permission(request, obj) and (
            self.publish_now_button in request.POST
            or ("is_published" in request.POST) != obj.is_published
        )
        request._holds_changes = request.method == "POST" and obj.is_published and not publish_now
        if pending is None and not request._holds_changes:
            return self._run(request, obj, view)
        live_children = {name: [row.pk for row in rows] for name, rows in followed(obj).items()}
        with transaction.atomic(using=using):
            savepoint = transaction.savepoint(using=using)
            if pending is not None:
                # Writing the held version back is not a save of its own: no version.
                with create_revision(manage_manually=True, atomic=False):
                    pending.apply()
            response = self._run(request, obj, view)
            if hasattr(response, "render"):
                response.render()  # while the held version is in place
            saved = request.method == "POST" and response.status_code == 302
            if saved and request._holds_changes:
                held = snapshot(type(obj)._default_manager.get(pk=obj.pk))
                transaction.savepoint_rollback(savepoint, using=using)
                if same_content(held, snapshot(obj)):
                    PendingChange.objects.for_object(obj).delete()  # nothing left to publish
                else:
                    PendingChange.hold(obj, held, live_children, request.user)
                    if is_active():  # this save's version: say it was held
                        set_comment(
                            _("%(change)s Held for publishing.") % {"change": get_comment()}
                        )
            elif saved:
                transaction.savepoint_commit(savepoint, using=using)
                if pending is not None:
                    pending.delete()
            else:
                transaction.savepoint_rollback(savepoint, using=using)
        return response

    def _run(self, request, obj, view):
        request._workflow_obj = obj
        try:
            return view()
        finally:
            request._workflow_obj = None

    def message_user(self, request, message, level=messages.INFO, *args, **kwargs):
        if getattr(request, "_holds_changes", False) and level == messages.SUCCESS:
            message = _(
                "Your changes are saved and held: the public page stays as it is until a "
                "publisher publishes them."
            )
        return super().message_user(request, message, level, *args, **kwargs)

    @admin.action(description=_("Publish pending changes"), permissions=["publish"])
    def publish_pending(self, request, queryset):
        changes = PendingChange.objects.of_records(queryset)
        count = 0
        with create_revision():
            set_user(request.user)
            set_comment(_("Published pending changes."))
            for change in changes:
                change.publish()
                count += 1
        self.message_user(
            request,
            ngettext(
                "Pending changes of %(count)d item published.",
                "Pending changes of %(count)d items published.",
                count,
            )
            % {"count": count},
            messages.SUCCESS,
        )

    @admin.action(description=_("Discard pending changes"), permissions=["publish"])
    def discard_pending(self, request, queryset):
        count, _deleted = PendingChange.objects.of_records(queryset).delete()
        self.message_user(
            request,
            ngettext(
                "Pending changes of %(count)d item discarded.",
                "Pending changes of %(count)d items discarded.",
                count,
            )
            % {"count": count},
            messages.SUCCESS,
        )
