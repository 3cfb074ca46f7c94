"""Small-cell suppression, and attacks on what it lets through."""

from __future__ import annotations

import itertools
from collections.abc import Hashable

from wattelt.monitoring.indicators import Figure
from wattelt.monitoring.suppression import (
    PRIMARY,
    SECONDARY,
    TOTAL,
    Cell,
    Group,
    Key,
    SuppressedTable,
    Table,
    combine,
    grid,
    layers_add_up,
    suppress_small_cells,
)

STATUSES = ["achieved", "partly", "not_achieved", "not_applicable"]


def cells_with_margins(
    counts: dict[tuple[str, str], int], layer: tuple[Hashable, ...] = (), published: bool = True
) -> list[Cell]:
    """Inner cells, row and column totals and the grand total; one resident per count."""
    rows = sorted({r for r, _ in counts})
    columns = sorted({c for _, c in counts})
    full = dict(counts)
    for row in rows:
        full[row, TOTAL] = sum(counts[row, c] for c in columns)
    for column in [*columns, TOTAL]:
        full[TOTAL, column] = sum(full[r, column] for r in rows)
    return [
        Cell((*layer, row, column), residents=n, values={"count": n}, published=published)
        for (row, column), n in full.items()
    ]


def suppressed_keys(shown: SuppressedTable) -> set[Key]:
    return {cell.key for cell in shown if cell.is_suppressed}


def subtraction_attack(shown: SuppressedTable, table: Table) -> dict[Key, int]:
    """What a reader recovers by subtracting the shown parts from the shown total (or
    adding up the parts), again and again with what was recovered before."""
    known = {cell.key: cell.values["count"] for cell in shown if not cell.is_suppressed}
    recovered: dict[Key, int] = {}
    progress = True
    while progress:
        progress = False
        for group in table.groups:
            unknown = [k for k in group.members if k not in known]
            if len(unknown) != 1:
                continue
            (key,) = unknown
            parts = sum(int(known[p]) for p in group.parts if p in known)  # type: ignore[call-overload]
            value = parts if key == group.total else int(known[group.total]) - parts  # type: ignore[call-overload]
            known[key] = recovered[key] = value
            progress = True
    return recovered


def combination_attack(shown: SuppressedTable, table: Table) -> set[Key]:
    """Hidden cells a reader isolates by adding and subtracting whole groups (every
    combination with coefficients -1, 0, +1 of the groups that hide something)."""
    hidden = {c.key for c in table.cells} - {c.key for c in shown if not c.is_suppressed}
    groups = [g for g in table.groups if hidden & set(g.members)]
    assert len(groups) <= 11, "too many groups to try every combination"
    isolated = set()
    for signs in itertools.product((-1, 0, 1), repeat=len(groups)):
        weights: dict[Key, int] = {}
        for sign, group in zip(signs, groups, strict=True):
            for key, coefficient in [(group.total, -sign), *((p, sign) for p in group.parts)]:
                if key in hidden:
                    weights[key] = weights.get(key, 0) + coefficient
        left = {k: w for k, w in weights.items() if w}
        if len(left) == 1:
            isolated |= set(left)
    return isolated


def district_table() -> Table:
    counts = {
        ("Noord", "achieved"): 25,
        ("Noord", "partly"): 12,
        ("Noord", "not_achieved"): 4,
        ("Noord", "not_applicable"): 15,
        ("Oost", "achieved"): 14,
        ("Oost", "partly"): 3,
        ("Oost", "not_achieved"): 16,
        ("Oost", "not_applicable"): 20,
        ("West", "achieved"): 22,
        ("West", "partly"): 19,
        ("West", "not_achieved"): 12,
        ("West", "not_applicable"): 17,
        ("Zuid", "achieved"): 30,
        ("Zuid", "partly"): 18,
        ("Zuid", "not_achieved"): 11,
        ("Zuid", "not_applicable"): 13,
    }
    return grid(cells_with_margins(counts))


def test_cells_under_ten_residents_show_as_under_ten():
    table = Table(
        (
            Cell(("a",), residents=9, values={"count": 11, "mean": 2.5}),
            Cell(("b",), residents=10, values={"count": 10, "mean": -1.0}),
            Cell(("c",), residents=0, values={"count": 0}),
        )
    )
    shown = suppress_small_cells(table)
    assert shown[("a",)].values == {"count": "<10", "mean": "<10"}
    assert shown[("a",)].residents == "<10"
    assert shown[("a",)].suppressed == PRIMARY
    assert shown[("b",)].values == {"count": 10, "mean": -1.0}
    assert shown[("b",)].residents == 10
    assert not shown[("b",)].is_suppressed
    assert shown.value(("c",)) == "<10"
    assert suppress_small_cells(table, threshold=5).value(("a",)) == 11


def test_a_lone_suppressed_cell_takes_the_next_smallest_in_its_row_with_it():
    row = {("Noord", s): n for s, n in zip(STATUSES, [25, 12, 4, 15], strict=True)}
    cells = [c for c in cells_with_margins(row) if c.key[0] != TOTAL]  # one row, its total
    shown = suppress_small_cells(grid(cells))
    assert shown[("Noord", "not_achieved")].suppressed == PRIMARY
    assert shown[("Noord", "partly")].suppressed == SECONDARY
    assert suppressed_keys(shown) == {("Noord", "not_achieved"), ("Noord", "partly")}
    assert shown.value(("Noord", TOTAL)) == 56


def test_without_a_total_there_is_nothing_to_subtract_from():
    row = {("Noord", s): n for s, n in zip(STATUSES, [25, 12, 4, 15], strict=True)}
    inner = [c for c in cells_with_margins(row) if TOTAL not in c.key]
    shown = suppress_small_cells(grid(inner))
    assert suppressed_keys(shown) == {("Noord", "not_achieved")}


def test_a_small_marginal_total_is_protected_by_another_margin():
    counts = {
        ("Noord", "achieved"): 30,
        ("Noord", "partly"): 40,
        ("Zuid", "achieved"): 4,
        ("Zuid", "partly"): 3,
        ("West", "achieved"): 20,
        ("West", "partly"): 25,
    }
    table = grid(cells_with_margins(counts))
    shown = suppress_small_cells(table)
    assert shown[("Zuid", TOTAL)].suppressed == PRIMARY  # 7 residents
    # The column of row totals would give it away: West's total (45) goes too.
    assert shown[("West", TOTAL)].suppressed == SECONDARY
    assert shown.value((TOTAL, TOTAL)) == 122
    assert not subtraction_attack(shown, table)
    assert not combination_attack(shown, table)


def test_hidden_zeros_under_a_shown_total_are_protected():
    row = {("Noord", "achieved"): 0, ("Noord", "partly"): 0, ("Noord", "not_achieved"): 50}
    cells = [c for c in cells_with_margins(row) if c.key[0] != TOTAL]
    shown = suppress_small_cells(grid(cells))
    # Shown 50 and total 50 would say the two hidden cells are both 0.
    assert shown[("Noord", "not_achieved")].suppressed == SECONDARY


def test_differencing_attack_on_a_district_table_recovers_no_hidden_cell():
    table = district_table()
    shown = suppress_small_cells(table)
    assert shown[("Noord", "not_achieved")].suppressed == PRIMARY
    assert shown[("Oost", "partly")].suppressed == PRIMARY
    hidden = suppressed_keys(shown)
    assert len(hidden) > 2  # secondary suppression happened
    assert shown.value((TOTAL, TOTAL)) == 251  # the grand total is still shown
    assert not set(subtraction_attack(shown, table)) & hidden
    assert not combination_attack(shown, table)


def test_differences_over_several_rows_and_columns_are_protected():
    """Every row and column hides two or more cells, yet rows A+B minus columns w+x
    isolates cell (B, y). The group rule alone misses it; the linear check does not."""
    small = {("A", "w"), ("A", "x"), ("B", "w"), ("B", "x"), ("B", "y")}
    small |= {("C", "y"), ("C", "z"), ("D", "y"), ("D", "z")}
    counts = {
        (r, c): 3 + n if (r, c) in small else 50
        for n, (r, c) in enumerate(itertools.product("ABCD", "wxyz"))
    }
    table = grid(cells_with_margins(counts))
    primary_only = suppress_small_cells(table, threshold=0)
    primary_only_cells = {
        k: c if k not in small else type(c)(k, "<10", {"count": "<10"}, PRIMARY)
        for k, c in primary_only.cells.items()
    }
    naive = SuppressedTable(primary_only_cells, "<10")
    assert combination_attack(naive, table) == {("B", "y")}

    shown = suppress_small_cells(table)
    assert suppressed_keys(shown) > small
    assert not combination_attack(shown, table)
    assert not set(subtraction_attack(shown, table)) & suppressed_keys(shown)


def period_tables() -> tuple[list[Cell], list[Cell], list[Cell]]:
    q1 = {("Noord", "achieved"): 12, ("Noord", "partly"): 20}
    q1 |= {("Zuid", "achieved"): 15, ("Zuid", "partly"): 25}
    q2 = {("Noord", "achieved"): 3, ("Noord", "partly"): 18}
    q2 |= {("Zuid", "achieved"): 14, ("Zuid", "partly"): 16}
    h1 = {key: q1[key] + q2[key] for key in q1}
    return (
        cells_with_margins(q1, ("Q1",)),
        cells_with_margins(q2, ("Q2",), published=False),
        cells_with_margins(h1, ("H1",)),
    )


def test_two_periods_suppressed_apart_give_away_their_difference():
    q1, q2, h1 = period_tables()
    shown_q1 = suppress_small_cells(grid(q1))
    shown_h1 = suppress_small_cells(grid(h1))
    assert not suppressed_keys(shown_q1) and not suppressed_keys(shown_h1)
    # The reader has both tables and knows the half year is the sum of its quarters.
    together = combine(grid(q1), grid(q2), grid(h1))
    links = layers_add_up(together, "H1", ["Q1", "Q2"])
    both = SuppressedTable({**shown_q1.cells, **shown_h1.cells}, "<10")
    recovered = subtraction_attack(both, combine(together, groups=links))
    assert recovered[("Q2", "Noord", "achieved")] == 3  # 15 - 12: a group of 3 residents


def test_two_periods_suppressed_together_give_away_nothing():
    q1, q2, h1 = period_tables()
    tables = combine(grid(q1), grid(q2), grid(h1))
    table = combine(tables, groups=layers_add_up(tables, "H1", ["Q1", "Q2"]))
    shown = suppress_small_cells(table)
    assert ("Q2", "Noord", "achieved") not in shown.cells  # never published
    hidden = suppressed_keys(shown) | {c.key for c in q2}
    assert suppressed_keys(shown)  # something in Q1 or H1 had to go
    assert shown.value(("H1", TOTAL, TOTAL)) == 123  # the totals of both stay shown
    assert shown.value(("Q1", TOTAL, TOTAL)) == 72
    recovered = subtraction_attack(shown, table)
    assert ("Q2", "Noord", "achieved") not in recovered
    assert not set(recovered) & suppressed_keys(shown)
    assert all(k in hidden for k in recovered)  # only harmless Q2 cells, if any


def test_all_ages_and_adults_shown_together_do_not_give_away_young_people():
    adults = {("Noord", "wonen"): 40, ("Noord", "geld"): 31}
    adults |= {("Zuid", "wonen"): 22, ("Zuid", "geld"): 27}
    young = {("Noord", "wonen"): 2, ("Noord", "geld"): 12}
    young |= {("Zuid", "wonen"): 11, ("Zuid", "geld"): 15}
    everyone = {k: adults[k] + young[k] for k in adults}
    tables = combine(
        grid(cells_with_margins(everyone, ("all",))),
        grid(cells_with_margins(adults, ("adult",))),
        grid(cells_with_margins(young, ("young",), published=False)),
    )
    table = combine(tables, groups=layers_add_up(tables, "all", ["adult", "young"]))
    shown = suppress_small_cells(table)
    recovered = subtraction_attack(shown, table)
    assert ("young", "Noord", "wonen") not in recovered
    assert not set(recovered) & suppressed_keys(shown)
    assert not any(k[0] == "young" and v < 10 for k, v in recovered.items())


def test_cell_of_a_figure_counts_its_residents():
    cell = Cell.of(("Noord", "wonen"), Figure(count=14, residents=9), mean=3.5)
    assert cell.residents == 9
    assert cell.values == {"count": 14, "mean": 3.5}
    assert suppress_small_cells(Table((cell,))).value(("Noord", "wonen"), "mean") == "<10"


def test_groups_must_name_known_cells():
    table = Table((Cell(("a",), 20),), (Group(("a",), (("b",),)),))
    try:
        suppress_small_cells(table)
    except ValueError as error:
        assert "unknown" in str(error)
    else:
        raise AssertionError("a group with an unknown cell was accepted")
