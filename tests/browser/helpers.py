"""Small helpers for journeys: filling the contract's forms by field name, moving by keyboard."""

from playwright.sync_api import Locator, Page

#: Tab presses allowed to reach an element before we call it unreachable by keyboard
MAX_TABS = 80


def fill_form(form: Locator, values: dict) -> None:
    """Fill fields by their `name` (DESIGN.md's field names): text, textarea, select, checkbox, multi.

    A list value ticks the checkboxes of a multi-valued field (`themes=[...]`);
    True/False sets a single checkbox.
    """
    for name, value in values.items():
        fields = form.locator(f"[name='{name}']")
        first = fields.first
        tag = first.evaluate("element => element.tagName.toLowerCase()")
        kind = (first.get_attribute("type") or "").lower()
        if isinstance(value, (list, tuple)):
            for option in value:
                form.locator(f"input[name='{name}'][value='{option}']").check()
        elif kind == "checkbox":
            first.set_checked(bool(value))
        elif tag == "select":
            first.select_option(str(value))
        else:
            first.fill(str(value))


def focused(page: Page) -> dict:
    """What has the keyboard focus: tag, name, type, id and text."""
    return page.evaluate(
        """() => {
            const el = document.activeElement;
            return {tag: el.tagName.toLowerCase(), name: el.getAttribute("name") || "",
                    type: el.getAttribute("type") || "", id: el.id || "",
                    value: el.getAttribute("value") || "", text: (el.innerText || "").trim()};
        }"""
    )


def tab_to(page: Page, selector: str) -> None:
    """Press Tab until the element matching `selector` has the focus (fails if it never gets it)."""
    for _ in range(MAX_TABS):
        if page.evaluate("selector => document.activeElement.matches(selector)", selector):
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"{selector} cannot be reached with the Tab key")


def focus_has_visible_outline(page: Page) -> bool:
    """Whether the focused element shows a focus indicator (outline or box shadow)."""
    return page.evaluate(
        """() => {
            const style = getComputedStyle(document.activeElement);
            return (style.outlineStyle !== "none" && parseFloat(style.outlineWidth) > 0)
                || style.boxShadow !== "none";
        }"""
    )


def choose_by_keyboard(page: Page, value: str, max_presses: int = 60) -> None:
    """In the focused <select>, press ArrowDown until the option with `value` is chosen."""
    for _ in range(max_presses):
        if page.evaluate("() => document.activeElement.value") == value:
            return
        page.keyboard.press("ArrowDown")
    raise AssertionError(f"option {value!r} cannot be chosen with the arrow keys")
