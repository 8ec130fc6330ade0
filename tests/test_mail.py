"""`queue_email` renders a mail's text and HTML in the shared layout and queues it;
links in mail start with SITE_URL whatever Host a request came with."""

from __future__ import annotations

import re

import pytest
from jinja2 import ChoiceLoader, DictLoader, TemplateNotFound

from leadsite import create_app
from leadsite.extensions import db
from leadsite.models import OutboxMessage, OutboxStatus
from leadsite.outbox import MailKind, absolute_url, deliver_due, queue_email

KIND_TEMPLATES = {
    "email/hello.txt": (
        '{% extends "email/_layout.txt" %}{% block body %}'
        "Hello {{ name }},\n\nYour link: {{ link }}{% endblock %}"
    ),
    "email/hello.html": (
        '{% extends "email/_layout.html" %}{% block body %}'
        '<p>Hello {{ name }},</p><p><a href="{{ link }}">Your link</a></p>'
        "{% endblock %}"
    ),
    "email/only_text.txt": "Just text.",
}


def with_kind_templates(app) -> None:
    """Kind templates of our own, so these tests do not depend on real ones."""
    app.jinja_env.loader = ChoiceLoader(
        [DictLoader(KIND_TEMPLATES), app.jinja_env.loader]
    )


@pytest.fixture
def ctx(app):
    with_kind_templates(app)
    with app.app_context():
        yield app


def queue_hello(**options) -> OutboxMessage:
    message = queue_email(
        MailKind.WELCOME,
        "parent@example.com",
        "Hello from Alexandra",
        template="hello",
        name=options.pop("name", "Sam"),
        link="http://site.test/some/link",
        **options,
    )
    db.session.commit()
    return message


def test_renders_text_and_html_in_the_layout(ctx):
    message = queue_hello()
    assert (message.kind, message.to_address, message.subject) == (
        "welcome",
        "parent@example.com",
        "Hello from Alexandra",
    )
    assert message.status == OutboxStatus.QUEUED
    assert message.body_text == (
        "Hello Sam,\n\nYour link: http://site.test/some/link\n\n-- \n"
        "Compliant Content Co.: Plain-language help for parents preparing for their "
        "child's IEP meeting.\nhttp://site.test/"
    )
    html = message.body_html
    assert '<html lang="en">' in html
    assert "<title>Hello from Alexandra</title>" in html
    assert re.search(r'<a href="http://site.test/some/link"[^>]*>Your link</a>', html)
    assert re.search(r'<a [^>]*href="http://site.test/"', html)
    assert "Unsubscribe" not in html
    assert "PO Box 1" not in html + message.body_text  # marketing mail only
    assert message.headers == {}


def test_html_escapes_what_the_text_keeps(ctx):
    message = queue_hello(name="<b>Sam & Alex</b>")
    assert "Hello &lt;b&gt;Sam &amp; Alex&lt;/b&gt;," in message.body_html
    assert "Hello <b>Sam & Alex</b>," in message.body_text


def test_no_remote_content_or_script_in_the_layout(ctx):
    html = queue_hello().body_html
    for remote in ("<img", "<script", "<link", "url(", "@import", "src="):
        assert remote not in html


def test_marketing_mail_has_one_click_headers_and_a_visible_way_out(ctx):
    message = queue_hello(
        marketing=True,
        unsubscribe_url="http://site.test/unsubscribe/tok",
        one_click_url="http://site.test/unsubscribe/tok/one-click",
    )
    assert message.headers == {
        "List-Unsubscribe": "<http://site.test/unsubscribe/tok/one-click>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    }
    assert '<a href="http://site.test/unsubscribe/tok" ' in message.body_html
    assert ">Unsubscribe</a>" in message.body_html
    address = "Compliant Content Co., PO Box 1, Testtown, ST 00000, USA"
    assert address in message.body_html
    assert message.body_text.endswith(
        "Don't want these emails any more? Unsubscribe here and they stop right "
        "away:\nhttp://site.test/unsubscribe/tok\n\nCompliant Content Co., PO Box 1, "
        "Testtown, ST 00000, USA"
    )


@pytest.mark.parametrize(
    "links",
    [
        {},
        {"unsubscribe_url": "http://site.test/unsubscribe/tok"},
        {"one_click_url": "http://site.test/unsubscribe/tok/one-click"},
    ],
)
def test_marketing_mail_without_unsubscribe_links_is_refused(ctx, links):
    with pytest.raises(ValueError, match="unsubscribe_url and one_click_url"):
        queue_hello(marketing=True, **links)


def test_reply_to_is_set_and_checked(ctx):
    assert queue_hello(reply_to="visitor@example.com").headers == {
        "Reply-To": "visitor@example.com"
    }
    db.session.rollback()
    with pytest.raises(ValueError, match="line break"):
        queue_hello(reply_to="visitor@example.com\r\nBcc: victim@example.com")


def test_both_templates_are_required(ctx):
    with pytest.raises(TemplateNotFound):
        queue_email("welcome", "parent@example.com", "Subject", template="only_text")
    with pytest.raises(TemplateNotFound):
        queue_email("welcome", "parent@example.com", "Subject", template="no_such")


def test_a_misspelt_kind_is_refused_before_anything_is_queued(ctx):
    """Every kind is in MailKind, so none can slip past the hourly cap."""
    with pytest.raises(ValueError, match="confrim"):
        queue_email("confrim", "parent@example.com", "Subject")
    assert db.session.scalars(db.select(OutboxMessage)).all() == []
    assert MailKind("confirm").capped and not MailKind("welcome").capped


def test_absolute_url_uses_site_url_not_the_host_header(app):
    with app.test_request_context("/", base_url="http://evil.example"):
        assert absolute_url("static", filename="css/site.css") == (
            "http://site.test/static/css/site.css"
        )
    with app.app_context():  # in a command, outside any request
        assert absolute_url("static", filename="css/site.css") == (
            "http://site.test/static/css/site.css"
        )


def test_marketing_mail_arrives_with_its_headers_and_links(
    mail_app_config, smtp_server
):
    app = create_app(mail_app_config)
    with_kind_templates(app)
    with app.app_context():
        db.drop_all()
        db.create_all()
        with app.test_request_context("/", base_url="http://evil.example"):
            token_url = absolute_url("static", filename="unsubscribe-me")
            queue_hello(
                marketing=True,
                unsubscribe_url=token_url,
                one_click_url=token_url + "/one-click",
            )
        assert deliver_due() == {"sent": 1}
        db.session.remove()
        db.engine.dispose()

    [received] = smtp_server.messages
    one_click = "<http://site.test/static/unsubscribe-me/one-click>"
    assert received["List-Unsubscribe"] == one_click
    assert received["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    html = received.get_body(("html",)).get_content()
    text = received.get_body(("plain",)).get_content()
    assert 'href="http://site.test/static/unsubscribe-me"' in html
    assert "http://site.test/static/unsubscribe-me" in text
    assert "evil.example" not in html + text
