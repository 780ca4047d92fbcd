"""Building blocks every console page uses: tables with row actions, cursor paging, form dialogs,
checklists, one-time secrets. Pages stay short and look alike."""

from __future__ import annotations

import datetime as dt
import html
import json
from collections.abc import Awaitable, Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any, Literal

from nicegui import ui

from yima.platform.console.i18n import Text
from yima.platform.console.nav import menu
from yima.platform.console.page import ConsolePage, menu_entries
from yima.platform.ctx import Ctx

Row = dict[str, Any]
RowHandler = Callable[[Row], Awaitable[None] | None]


def local_time(ctx: Ctx, moment: dt.datetime | None) -> str:
    """A stored UTC moment as the brand's local time, to the minute."""
    return ctx.local(moment).strftime("%Y-%m-%d %H:%M") if moment else "—"


@dataclass(frozen=True)
class Column:
    name: str
    label: Text
    # text: plain; tags: a list shown as chips (colour per tag from ``tag_colors``); mono: codes, ids;
    # wrap: long text (JSON) wrapped in a narrow column
    kind: Literal["text", "tags", "mono", "wrap"] = "text"
    align: Literal["left", "right", "center"] = "left"
    tag_colors: Mapping[str, str] = field(default_factory=dict)
    max_width: str | None = None  # longer values are cut with "…" (the full value shows on hover)


@dataclass(frozen=True)
class RowAction:
    name: str
    icon: str
    label: Text
    handler: RowHandler
    # A JavaScript condition on ``row`` deciding whether the button shows (e.g. "!row.builtin").
    when: str = "true"


class DataTable:
    """A Quasar table whose rows are plain dicts (lists become chips) with icon buttons per row."""

    def __init__(
        self, page: ConsolePage, columns: Sequence[Column], *, actions: Sequence[RowAction] = (), row_key: str = "id"
    ) -> None:
        specs = [{"name": c.name, "label": page.text(c.label), "field": c.name, "align": c.align} for c in columns]
        if actions:
            specs.append({"name": "_actions", "label": "", "field": row_key, "align": "right"})
        self.table = ui.table(rows=[], columns=specs, row_key=row_key).classes("w-full")
        self.table.props(f'flat bordered no-data-label="{page.t("暂无数据", "No data")}"')
        for column in columns:
            template = _cell_template(column)
            if template:
                self.table.add_slot(f"body-cell-{column.name}", template)
        if actions:
            buttons = "".join(
                f"""<q-btn v-if="(row => {a.when})(props.row)" flat dense round size="sm" icon="{a.icon}"
                      data-action="{a.name}" @click="() => $parent.$emit('{a.name}', props.row)">
                      <q-tooltip>{page.text(a.label)}</q-tooltip></q-btn>"""
                for a in actions
            )
            self.table.add_slot("body-cell-_actions", f'<q-td :props="props" class="text-right">{buttons}</q-td>')
            for action in actions:
                self.table.on(action.name, _row_event(action.handler))

    def set_rows(self, rows: list[Row]) -> None:
        self.table.rows = rows


def _cell_template(column: Column) -> str | None:
    """The Vue template of a column's cells (None: Quasar's plain text cell). Values are bound
    (escaped by Vue), never pasted into the template."""
    if column.kind == "tags":
        # Escaped: the JSON sits inside a double-quoted attribute.
        colors = html.escape(json.dumps(dict(column.tag_colors), ensure_ascii=False))
        return f"""<q-td :props="props" style="white-space: normal; min-width: 8rem">
            <q-badge v-for="tag in (props.value || [])" :key="tag" :label="tag" class="q-mr-xs q-my-xs"
              :color="({colors})[tag] || 'blue-grey-1'" :text-color="({colors})[tag] ? 'white' : 'blue-grey-10'"/>
            </q-td>"""
    if column.kind == "mono":
        cut = "display: inline-block; overflow: hidden; text-overflow: ellipsis; vertical-align: bottom; "
        style = f"{cut}max-width: {column.max_width}" if column.max_width else ""
        return f"""<q-td :props="props"><code class="text-caption" :title="props.value" style="{style}"
            >{{{{ props.value }}}}</code></q-td>"""
    if column.kind == "wrap":
        return """<q-td :props="props" style="white-space: normal; min-width: 16rem; max-width: 28rem;
            word-break: break-all"><span class="text-caption">{{ props.value }}</span></q-td>"""
    return None


def _row_event(handler: RowHandler) -> Callable[[Any], Awaitable[None]]:
    async def on_event(event: Any) -> None:
        result = handler(dict(event.args))
        if result is not None:
            await result

    return on_event


Loader = Callable[[Ctx, int, int | None], Awaitable[list[Row]]]


class CursorPager:
    """Pages a list service by cursor. ``load(ctx, limit, before_id)`` returns up to ``limit + 1``
    rows, newest first, each with an ``id`` (the extra one says a further page exists)."""

    def __init__(self, page: ConsolePage, table: DataTable, load: Loader, *, limit: int = 50) -> None:
        self.page, self.table, self.load, self.limit = page, table, load, limit
        self._cursors: list[int | None] = [None]
        with ui.row().classes("w-full items-center justify-end gap-2") as self._bar:
            self._position = ui.label().classes("text-sm text-grey-7")
            self._previous = ui.button(icon="chevron_left", on_click=self._back).props("flat dense round")
            self._next = ui.button(icon="chevron_right", on_click=self._forward).props("flat dense round")
        self._previous.tooltip(page.t("上一页", "Previous page"))
        self._next.tooltip(page.t("下一页", "Next page"))
        self._last_id: int | None = None

    async def reload(self) -> None:
        """Back to the first page (after a filter changed or a row was added)."""
        self._cursors = [None]
        await self._show()

    async def refresh(self) -> None:
        """The current page again (after a row changed)."""
        await self._show()

    async def _forward(self) -> None:
        self._cursors.append(self._last_id)
        await self._show()

    async def _back(self) -> None:
        if len(self._cursors) > 1:
            self._cursors.pop()
        await self._show()

    async def _show(self) -> None:
        before = self._cursors[-1]
        outcome = await self.page.run(lambda ctx: self.load(ctx, self.limit, before))
        if not outcome:
            return
        rows = outcome.value
        more = len(rows) > self.limit
        shown = rows[: self.limit]
        self._last_id = int(shown[-1]["id"]) if shown else None
        self.table.set_rows(shown)
        self._position.set_text(self.page.t(f"第 {len(self._cursors)} 页", f"Page {len(self._cursors)}"))
        self._previous.set_enabled(len(self._cursors) > 1)
        self._next.set_enabled(more)
        self._bar.set_visibility(len(self._cursors) > 1 or more)  # no paging bar for a single page


class FormDialog:
    """A modal form: fields go inside ``with dialog:``; ``on_submit`` returns True to close.

    Built fresh each time it is opened (with the current values) and removed when hidden."""

    def __init__(
        self,
        page: ConsolePage,
        title: str,
        on_submit: Callable[[], Awaitable[bool]],
        *,
        submit: str | None = None,
        cancel: bool = True,
        width: str = "34rem",
    ) -> None:
        self.on_submit = on_submit
        container = page.content if page.content is not None else ui.column()
        with container:
            self.dialog = ui.dialog().props("persistent")
        with self.dialog, ui.card().style(f"width: {width}; max-width: 95vw").classes("gap-3"):
            ui.label(title).classes("text-lg font-medium")
            self.body = ui.column().classes("w-full gap-2")
            with ui.row().classes("w-full justify-end gap-2"):
                if cancel:
                    ui.button(page.t("取消", "Cancel"), on_click=self.dialog.close).props("flat")
                self.submit_button = ui.button(submit or page.t("保存", "Save"), on_click=self._submit)
        self.dialog.on("hide", lambda: self.dialog.delete())

    def __enter__(self) -> FormDialog:
        self.body.__enter__()
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        self.body.__exit__(kind, exc, tb)

    def open(self) -> None:
        self.dialog.open()

    async def _submit(self) -> None:
        self.submit_button.disable()  # no double submit while the service runs
        try:
            if await self.on_submit():
                self.dialog.close()
        finally:
            self.submit_button.enable()


@dataclass(frozen=True)
class Choice:
    value: str
    label: str
    enabled: bool = True


def text_field(label: str, value: str = "", *, password: bool = False) -> ui.input:
    """A form field of a dialog."""
    field = ui.input(label, value=value, password=password, password_toggle_button=password)
    return field.props("outlined dense").classes("w-full")


def multi_select(options: Mapping[str, str], label: str, value: Sequence[str] = ()) -> ui.select:
    """Pick several of ``options`` (value → label), shown as chips."""
    select = ui.select(dict(options), multiple=True, value=list(value), label=label)
    return select.props("outlined dense use-chips").classes("w-full")


def filter_input(
    label: str, on_change: Callable[[str | None], Awaitable[None]], *, width: str = "w-56", date: bool = False
) -> ui.input:
    """A list filter: reloads the list as the person types (debounced), or picks a date."""
    field = ui.input(label, on_change=lambda e: on_change(e.value or None))
    props = "dense outlined clearable " + ("type=date stack-label" if date else "debounce=400")
    return field.props(props).classes(width)


def filter_select(
    options: Mapping[Any, str], label: str, on_change: Callable[[Any], Awaitable[None]], *, width: str = "w-48"
) -> ui.select:
    """A list filter choosing one of ``options``; the None key means "all"."""
    select = ui.select(dict(options), value=None, label=label, on_change=lambda e: on_change(e.value))
    return select.props("dense outlined").classes(width)


class Checklist:
    """Checkboxes grouped under headings; ``value`` is the sorted list of checked values."""

    def __init__(self, groups: Sequence[tuple[str, Sequence[Choice]]], selected: Collection[str]) -> None:
        self._boxes: dict[str, ui.checkbox] = {}
        with ui.column().classes("w-full gap-0"):
            for heading, choices in groups:
                ui.label(heading).classes("text-xs font-medium text-grey-7 mt-2")
                with ui.row().classes("gap-x-4 gap-y-0"):
                    for choice in choices:
                        box = ui.checkbox(choice.label, value=choice.value in selected).props("dense")
                        box.set_enabled(choice.enabled)
                        self._boxes[choice.value] = box

    @property
    def value(self) -> list[str]:
        return sorted(v for v, box in self._boxes.items() if box.value)


def copyable(page: ConsolePage, label: str, value: str) -> None:
    """A read-only field with a copy button."""
    with ui.row().classes("w-full items-center no-wrap gap-2"):
        ui.input(label, value=value).props("readonly outlined dense").classes("grow font-mono")

        async def copy() -> None:
            ui.clipboard.write(value)
            ui.notify(page.t("已复制", "Copied"), type="positive")

        ui.button(icon="content_copy", on_click=copy).props("flat round dense").tooltip(page.t("复制", "Copy"))


async def confirm(page: ConsolePage, message: str, *, ok: str | None = None) -> bool:
    """Ask before doing something that cannot be undone."""
    container = page.content if page.content is not None else ui.column()
    with container, ui.dialog() as dialog, ui.card():
        ui.label(message)
        with ui.row().classes("w-full justify-end"):
            ui.button(page.t("取消", "Cancel"), on_click=lambda: dialog.submit(False)).props("flat")
            ui.button(ok or page.t("确定", "OK"), color="negative", on_click=lambda: dialog.submit(True))
    result = await dialog
    dialog.delete()
    return bool(result)


def quick_links(page: ConsolePage) -> None:
    """Cards for every page this person may open, by area (the home page's shortcuts)."""
    for area, entries in menu(menu_entries(), page.actor):
        entries = [e for e in entries if e.path != page.spec.nav.path]
        if area is None or not entries:
            continue
        ui.label(page.text(area.label)).classes("text-sm font-medium text-grey-7 mt-2")
        with ui.row().classes("gap-3"):
            for entry in entries:
                with (
                    ui.link(target=entry.path).classes("no-underline"),
                    ui.card().tight().classes("w-48 hover:shadow-md cursor-pointer"),
                    ui.row().classes("items-center gap-3 p-4 no-wrap"),
                ):
                    ui.icon(entry.icon, size="24px").classes("text-primary")
                    ui.label(page.text(entry.label)).classes("text-grey-9")


def page_header(title: str, subtitle: str | None = None) -> ui.row:
    """The title line of a page; returns the row so the page can add buttons on the right."""
    with ui.row().classes("w-full items-end justify-between") as row, ui.column().classes("gap-0"):
        ui.label(title).classes("text-2xl font-medium text-grey-9")
        if subtitle:
            ui.label(subtitle).classes("text-sm text-grey-7")
    return row
