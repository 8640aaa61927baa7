"""Security headers on public pages, the admin and static files."""

import pytest

from tests.factories import AgreementFactory

pytestmark = pytest.mark.django_db


def policy(response):
    """The Content-Security-Policy as {directive: [sources]}."""
    header = response.headers["Content-Security-Policy"]
    directives = (part.split() for part in header.split(";") if part.strip())
    return {name: sources for name, *sources in directives}


def pages(client, admin_client):
    agreement = AgreementFactory()
    return [
        client.get("/en/"),
        client.get(agreement.get_absolute_url()),
        client.get("/en/no-such-page/"),
        client.get("/admin/login/"),
        admin_client.get("/admin/partnerships/agreement/"),
        admin_client.get(f"/admin/partnerships/agreement/{agreement.pk}/change/"),
        client.get("/static/css/site.css"),
    ]


def test_content_security_policy_allows_no_inline_or_foreign_script(client, admin_client):
    for response in pages(client, admin_client):
        csp = policy(response)
        script_src = csp.get("script-src", csp["default-src"])
        assert "'unsafe-inline'" not in script_src
        assert "'unsafe-eval'" not in script_src
        assert all("*" not in source for sources in csp.values() for source in sources)
        assert csp["object-src"] == ["'none'"]
        assert csp["base-uri"] == ["'none'"]
        assert csp["form-action"] == ["'self'"]
        assert csp["frame-ancestors"] == ["'none'"]


def test_browser_features_the_site_never_uses_are_turned_off(client):
    header = client.get("/en/").headers["Permissions-Policy"]
    features = dict(part.strip().split("=") for part in header.split(","))
    for feature in ["camera", "microphone", "geolocation", "payment", "usb"]:
        assert features[feature] == "()"


def test_static_files_are_served_with_the_security_headers(client):
    response = client.get("/static/css/site.css")
    assert response.status_code == 200
    assert response.headers["Cross-Origin-Resource-Policy"] == "same-origin"
    assert "object-src 'none'" in response.headers["Content-Security-Policy"]


def test_other_sites_may_not_embed_pages_or_files(client, admin_client):
    for response in pages(client, admin_client)[:-1]:  # the static file: above
        assert response.headers["Cross-Origin-Resource-Policy"] == "same-origin"
        assert response.headers["Cross-Origin-Opener-Policy"] == "same-origin"
        assert response.headers["X-Frame-Options"] == "DENY"
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.headers["Referrer-Policy"] == "same-origin"
