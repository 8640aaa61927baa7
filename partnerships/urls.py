from django.urls import include, path

from . import views

app_name = "partnerships"

# The list page of each collection under a partner (sitemap, tests).
COLLECTION_LISTS = [
    "representative-list",
    "agreement-list",
    "fundingchannel-list",
    "project-list",
    "privatesupportactivity-list",
]

partner_patterns = [
    path("", views.PartnerDetailView.as_view(), name="partner-detail"),
    path(
        "representatives/",
        views.RepresentativeListView.as_view(),
        name="representative-list",
    ),
    path("agreements/", views.AgreementListView.as_view(), name="agreement-list"),
    path(
        "agreements/<slug:slug>/",
        views.AgreementDetailView.as_view(),
        name="agreement-detail",
    ),
    path(
        "funding-channels/",
        views.FundingChannelListView.as_view(),
        name="fundingchannel-list",
    ),
    path(
        "funding-channels/<slug:slug>/",
        views.FundingChannelDetailView.as_view(),
        name="fundingchannel-detail",
    ),
    path("projects/", views.ProjectListView.as_view(), name="project-list"),
    path("projects/<slug:slug>/", views.ProjectDetailView.as_view(), name="project-detail"),
    path(
        "private-support/",
        views.PrivateSupportActivityListView.as_view(),
        name="privatesupportactivity-list",
    ),
    path(
        "private-support/<slug:slug>/",
        views.PrivateSupportActivityDetailView.as_view(),
        name="privatesupportactivity-detail",
    ),
]

urlpatterns = [
    path("", views.PartnerListView.as_view(), name="partner-list"),
    path("partners/<slug:partner_slug>/", include(partner_patterns)),
]
