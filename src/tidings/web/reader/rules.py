"""The rules page: write a rule (query, scope, actions), preview what it matches, save, reorder,
switch off, apply to stored entries.

Works without JavaScript: "Preview" is a submit button that shows the page again with the
matches; with JavaScript (static/reader.js) the preview follows the query as it is typed, by
posting the same form with `Accept: text/html-fragment` and swapping in the answer.
"""

from __future__ import annotations

from typing import Any, cast

from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Route

from tidings.errors import UserError
from tidings.numerals import whole_number
from tidings.rules.engine import query_problem
from tidings.rules.model import (
    ACTIONS,
    Action,
    Rule,
    RuleDraft,
    Scope,
    check_scope,
    checked_rule,
)
from tidings.search_query import parse_query
from tidings.store import NotFound
from tidings.store.rules import RulePreview
from tidings.web.guards import checked_form
from tidings.web.reader.common import (
    Reader,
    back_to,
    path_number,
    private_page,
    require_user,
    sidebar,
)
from tidings.web.site import site_of

RULES = "/reader/rules"
FRAGMENT = "text/html-fragment"


def draft_from(form: FormData) -> RuleDraft:
    """The rule the form describes, unchecked."""
    scope_text = str(form.get("scope", "all"))
    kind, _, number = scope_text.partition(":")
    scope_id = whole_number(number)
    labels = [part for part in str(form.get("labels", "")).split(",") if part.strip()]
    return RuleDraft(
        name=str(form.get("name", "")),
        query=str(form.get("query", "")),
        scope=cast(Scope, kind),
        scope_id=scope_id,
        actions=tuple(cast(Action, str(a)) for a in form.getlist("action")),
        labels=tuple(labels),
        enabled=form.get("enabled") == "on",
    )


def _preview(request: Request, reader: Reader, draft: RuleDraft) -> RulePreview:
    check_scope(draft)
    query = parse_query(draft.query, require_terms=False)
    negate = "keep" in draft.actions
    return site_of(request).store.rules.preview(
        reader.id, query, draft.scope, draft.scope_id, negate=negate
    )


def _page(
    request: Request,
    reader: Reader,
    *,
    rule: Rule | None = None,
    draft: RuleDraft | None = None,
    preview: RulePreview | None = None,
    error: str = "",
    status: int = 200,
) -> Response:
    store = site_of(request).store
    side = sidebar(store, reader.id)
    rules = store.rules.of_user(reader.id) if rule is None else []
    if rule is not None and not error and draft is None:
        error = _left_out(query_problem(rule))
    if draft is None and rule is not None:
        draft = RuleDraft(
            rule.name,
            rule.query,
            rule.scope,
            rule.scope_id,
            rule.actions,
            rule.labels,
            rule.enabled,
        )
    return private_page(
        request,
        reader,
        "reader/rules.html",
        status=status,
        title=f"Rule: {rule.name}" if rule else "Rules",
        side=side,
        rules=rules,
        left_out={r.id: why for r in rules if (why := _left_out(query_problem(r)))},
        rule=rule,
        draft=draft or RuleDraft("", ""),
        preview=preview,
        error=error,
        actions=ACTIONS,
        is_admin=reader.user.is_admin,
    )


def _left_out(problem: str | None) -> str:
    """The sentence for a stored rule whose query cannot be read now ("" when it can)."""
    if problem is None:
        return ""
    return f"This rule is left out until its query is edited: {problem}"


def _fragment(request: Request, reader: Reader, draft: RuleDraft) -> Response:
    """The preview region alone, for the page's script."""
    try:
        preview: RulePreview | None = _preview(request, reader, draft)
        error = ""
    except UserError as exc:
        preview, error = None, str(exc)
    context = {"preview": preview, "error": error, "draft": draft, "rule": None}
    html = site_of(request).templates.render("reader/_rule_preview.html", context)
    return HTMLResponse(html, headers={"Cache-Control": "private, no-store"})


async def rules_page(request: Request) -> Response:
    reader = await require_user(request)
    return await run_in_threadpool(lambda: _page(request, reader))


def _submit(request: Request, reader: Reader, form: FormData, rule: Rule | None) -> Response:
    store = site_of(request).store
    draft = draft_from(form)
    if request.headers.get("accept", "").startswith(FRAGMENT):
        return _fragment(request, reader, draft)
    try:
        if form.get("do") == "preview":
            preview = _preview(request, reader, draft)
            return _page(request, reader, rule=rule, draft=draft, preview=preview)
        checked = checked_rule(draft, is_admin=reader.user.is_admin)
        if rule is None:
            saved = store.rules.add(reader.id, checked)
            return back_to(request, reader, RULES, f"Saved the rule {saved.name}.")
        saved = store.rules.update(reader.id, rule.id, checked)
        return back_to(request, reader, RULES, f"Saved the rule {saved.name}.")
    except NotFound as exc:
        return _page(request, reader, rule=rule, draft=draft, error=str(exc), status=400)
    except UserError as exc:
        return _page(request, reader, rule=rule, draft=draft, error=str(exc), status=400)


async def add_rule(request: Request) -> Response:
    reader = await require_user(request)
    form = await checked_form(request, reader.session)
    return await run_in_threadpool(_submit, request, reader, form, None)


def _own_rule(request: Request, reader: Reader) -> Rule:
    try:
        return site_of(request).store.rules.get(reader.id, path_number(request, "rule_id"))
    except NotFound:
        raise HTTPException(404, "You have no such rule.") from None


async def rule_page(request: Request) -> Response:
    reader = await require_user(request)

    def work() -> Response:
        rule = _own_rule(request, reader)
        return _page(request, reader, rule=rule)

    return await run_in_threadpool(work)


async def update_rule(request: Request) -> Response:
    reader = await require_user(request)
    form = await checked_form(request, reader.session)

    def work() -> Response:
        return _submit(request, reader, form, _own_rule(request, reader))

    return await run_in_threadpool(work)


async def rule_operation(request: Request) -> Response:
    """delete, up, down, enable, disable, apply: one button each on the list."""
    reader = await require_user(request)
    await checked_form(request, reader.session)
    operation = request.path_params["operation"]
    store = site_of(request).store

    def work() -> str:
        rule = _own_rule(request, reader)
        if operation == "delete":
            store.rules.remove(reader.id, rule.id)
            return f"Deleted the rule {rule.name}."
        if operation in ("up", "down"):
            store.rules.move(reader.id, rule.id, -1 if operation == "up" else 1)
            return f"Moved the rule {rule.name}."
        if operation in ("enable", "disable"):
            store.rules.set_enabled(reader.id, rule.id, operation == "enable")
            return f"{operation.capitalize()}d the rule {rule.name}."
        if operation == "apply":
            try:
                count = store.rules.apply(reader.id, rule)
            except UserError as exc:  # a stored query a later version reads otherwise
                return f"The rule {rule.name} cannot be applied: {exc}. Edit its query."
            entries = "entry" if count == 1 else "entries"
            return f"Applied the rule {rule.name} to {count} stored {entries}."
        raise HTTPException(404)

    message = await run_in_threadpool(work)
    return back_to(request, reader, RULES, message)


ROUTES: list[Any] = [
    Route(RULES, rules_page, methods=["GET"], name="reader_rules"),
    Route(RULES, add_rule, methods=["POST"]),
    Route(RULES + "/{rule_id:id}", rule_page, methods=["GET"]),
    Route(RULES + "/{rule_id:id}", update_rule, methods=["POST"]),
    Route(
        RULES + "/{rule_id:id}/{operation:str}",
        rule_operation,
        methods=["POST"],
    ),
]
