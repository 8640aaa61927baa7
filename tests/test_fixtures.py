"""The Japan fixture: the source document's content, loaded and shown faithfully."""

import json
from pathlib import Path

import pytest
from django.apps import apps
from django.core.management import call_command

from partnerships.translation import Translatable
from tests.helpers import normalize, table_rows, visible_text

pytestmark = pytest.mark.django_db

SOURCE = Path(__file__).parent / "data" / "partnerships_with_japan.txt"

# Lines of the document that the site shows in another shape, and the pieces
# that stand for each. Every other line must appear on the overview verbatim.
RESTRUCTURED = {
    "Mr Atsuyuki OIKE, Ambassador Extraordinary and Plenipotentiary, Permanent Representative "
    "of Japan to the International Organizations in Geneva": [
        "Mr Atsuyuki OIKE",
        "Ambassador Extraordinary and Plenipotentiary, Permanent Representative of Japan to the "
        "International Organizations in Geneva",
    ],
    "Ms Akiko GONO, ILO GB Member of Workers' organizations / Advisor on international affairs, "
    "Japanese Trade Union Confederation (JTUC-RENGO)": [
        "Ms Akiko GONO",
        "ILO GB Member of Workers' organizations / Advisor on international affairs, "
        "Japanese Trade Union Confederation (JTUC-RENGO)",
    ],
    "Ms Emiko NAGASAWA, ILO GB Member of Employers’ organizations / Senior Advisor, Labour "
    "Legislation Bureau, Japan Business Federation (KEIDANREN)": [
        "Ms Emiko NAGASAWA",
        "ILO GB Member of Employers’ organizations / Senior Advisor, Labour Legislation Bureau, "
        "Japan Business Federation (KEIDANREN)",
    ],
    # The document's link has no address: the site shows no dead "click here".
    "For further information, click here.": [],
}


def source_lines():
    for line in SOURCE.read_text(encoding="utf-8").splitlines():
        line = normalize(line.replace("•", ""))
        if line:
            yield line


def test_every_line_of_the_document_is_on_the_overview(client, japan):
    text = visible_text(client.get(japan.get_absolute_url()))

    missing = []
    for line in source_lines():
        for piece in RESTRUCTURED.get(line, [line]):
            if piece not in text:
                missing.append(piece)
    assert missing == []


def test_overview_lists_the_five_channels_in_order(client, japan):
    text = visible_text(client.get(japan.get_absolute_url()))
    channels = [
        "1. Japanese government",
        "2. Cooperation through UN Funds",
        "3. Cooperation with European Union (EU) / Organisation for Economic Co-operation and "
        "Development (OECD)",
        "4. Cooperation through workers' and employers' organizations",
        "5. Public-Private Partnerships",
    ]
    positions = [text.index(channel) for channel in channels]
    assert positions == sorted(positions)


def test_overview_groups_representatives_by_constituent_group(client, japan):
    text = visible_text(client.get(japan.get_absolute_url()))
    order = ["Government", "Mr Atsuyuki OIKE", "Workers", "Ms Akiko GONO", "Employers"]
    positions = [text.index(word, text.index("I. Social partners")) for word in order]
    assert positions == sorted(positions)


def test_agreement_page_shows_signing_visit_and_signatories(client, japan):
    agreement = japan.agreements.get()
    text = visible_text(client.get(agreement.get_absolute_url()))

    for fact in [
        "Memorandum of Cooperation",
        "Signed on 11 May 2017",
        "Place of signing Tokyo",
        "During the visit of 10–13 May 2017",
        "Guy Ryder, Director-General for the International Labour Organization (ILO)",
        "Yasuhisa Shiozaki, Minister of Health, Labour and Welfare for the Ministry of Health, "
        "Labour and Welfare",
        "© Ministry of Health, Labour and Welfare, Japan",
        "2030 Agenda for Sustainable Development",
        "17 Sustainable Development Goals (SDGs)",
        "Tokyo Organising Committee of the Olympic and Paralympic Games",
    ]:
        assert fact in text


def test_fixture_stores_facts_in_typed_fields(japan):
    agreement = japan.agreements.get()
    assert str(agreement.signed_on) == "2017-05-11"
    assert (str(agreement.visit_started_on), str(agreement.visit_ended_on)) == (
        "2017-05-10",
        "2017-05-13",
    )
    assert (japan.support_since_year, japan.annual_contribution_usd) == (1974, 4_000_000)
    assert japan.member_states_lower_bound == 20
    assert japan.concerns.count() == 7
    assert list(japan.representatives.values_list("constituent_group", flat=True)) == [
        "government",
        "workers",
        "employers",
    ]
    assert list(japan.projects.filter(is_main_vehicle=True).values_list("name", flat=True)) == [
        "ILO/Japan Multi-bilateral Programme",
        "UN Trust Fund for Human Security",
    ]
    assert (
        japan.private_support_activities.filter(
            funding_channel__slug="public-private-partnerships"
        ).count()
        == 4
    )


def test_loading_the_fixture_twice_changes_nothing(japan):
    before = table_rows()
    call_command("loaddata", "japan", verbosity=0)
    assert table_rows() == before


def test_fixture_covers_every_content_model_of_the_app():
    data = json.loads((Path(__file__).parent.parent / "fixtures" / "japan.json").read_text())
    in_fixture = {row["model"] for row in data}
    assert in_fixture == {
        model._meta.label_lower
        for model in apps.get_app_config("partnerships").get_models()
        if issubclass(model, Translatable)  # content, not workflow records
    }
