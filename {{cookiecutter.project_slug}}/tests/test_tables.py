"""Text tables line up their columns; Markdown tables keep each cell in its column."""

from __future__ import annotations

from {{ cookiecutter.package_name }}.tables import markdown_table, text_table


def test_columns_are_as_wide_as_their_widest_cell_with_a_rule_under_the_headers():
    text = text_table(("slot", "action", "seconds"), [("a_long_slot", "uploaded", "1.0"), ("b", "", "12.5")])
    assert text.splitlines() == [
        "slot         action    seconds",
        "-----------  --------  -------",
        "a_long_slot  uploaded  1.0",
        "b                      12.5",
    ]


def test_a_table_without_rows_is_its_headers_and_rule():
    assert text_table(("slot", "status"), []) == "slot  status\n----  ------"


def test_markdown_escapes_a_bar_inside_a_cell():
    lines = markdown_table(("slot", "detail", "note"), [("a", "x | y", "")])
    assert lines == ["| slot | detail | note |", "| --- | --- | --- |", "| a | x \\| y | |"]
