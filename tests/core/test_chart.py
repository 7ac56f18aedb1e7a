import xml.etree.ElementTree as ET

import pytest

from guest_auth._insights.chart import PALETTE, Series, _scale, bar_chart

SVG = "{http://www.w3.org/2000/svg}"


def chart(**overrides):
    arguments = {
        "categories": ["Mon", "Tue", "Wed"],
        "series": [
            Series("Created", [4, 0, 10], PALETTE[0]),
            Series("Promoted", [1, 0, 3], PALETTE[1]),
            Series("Purged", [0, 0, 2], PALETTE[2]),
        ],
        "title": "Guests per day",
        "desc": "Three days of guests.",
    }
    arguments.update(overrides)
    return ET.fromstring(bar_chart(**arguments))


def bars(root):
    return root.findall(f".//{SVG}rect[@class='bar']")


def test_valid_svg_with_accessible_name_and_description():
    root = chart(chart_id="insights")
    assert root.tag == f"{SVG}svg"
    assert root.get("role") == "img"
    assert root.get("aria-labelledby") == "insights-title insights-desc"
    assert root.find(f"{SVG}title").get("id") == "insights-title"
    assert root.find(f"{SVG}title").text == "Guests per day"
    assert root.find(f"{SVG}desc").get("id") == "insights-desc"
    assert root.find(f"{SVG}desc").text == "Three days of guests."


def test_one_bar_per_nonzero_value_in_its_series_colour():
    root = chart()
    groups = root.findall(f"{SVG}g[@class='series']")
    assert [g.get("fill") for g in groups] == list(PALETTE[:3])
    assert [len(g.findall(f"{SVG}rect")) for g in groups] == [2, 2, 1]
    titles = [bar.find(f"{SVG}title").text for bar in bars(root)]
    assert titles == [
        "Mon: 4 Created",
        "Wed: 10 Created",
        "Mon: 1 Promoted",
        "Wed: 3 Promoted",
        "Wed: 2 Purged",
    ]


def test_bar_heights_are_proportional_and_share_a_baseline():
    root = chart()
    heights = [float(bar.get("height")) for bar in bars(root)]
    bottoms = {round(float(bar.get("y")) + float(bar.get("height")), 1) for bar in bars(root)}
    assert len(bottoms) == 1
    assert heights[1] == pytest.approx(heights[0] * 10 / 4)
    assert heights[4] == pytest.approx(heights[1] * 2 / 10)


def test_bars_of_one_day_sit_side_by_side_inside_its_slot():
    root = chart()
    created_wed, promoted_wed, purged_wed = (bars(root)[i] for i in (1, 3, 4))
    x = [float(b.get("x")) for b in (created_wed, promoted_wed, purged_wed)]
    width = float(created_wed.get("width"))
    assert x[1] == pytest.approx(x[0] + width)
    assert x[2] == pytest.approx(x[1] + width)


def test_legend_names_every_series():
    root = chart()
    legend = root.find(f"{SVG}g[@class='legend']")
    assert [t.text for t in legend.findall(f"{SVG}text")] == ["Created", "Promoted", "Purged"]
    assert [r.get("fill") for r in legend.findall(f"{SVG}rect")] == list(PALETTE[:3])


def test_y_axis_ticks():
    root = chart()
    ticks = [t.text for t in root.find(f"{SVG}g[@class='axis y']").findall(f"{SVG}text")]
    assert ticks == ["0", "2", "4", "6", "8", "10"]


def test_label_every_counts_back_from_the_last_category():
    root = chart(
        categories=[f"d{n}" for n in range(7)],
        series=[Series("Created", [1] * 7, PALETTE[0])],
        label_every=3,
    )
    labels = [t.text for t in root.find(f"{SVG}g[@class='axis x']").findall(f"{SVG}text")]
    assert labels == ["d0", "d3", "d6"]


def test_all_zero_draws_no_bar_and_a_unit_axis():
    root = chart(series=[Series("Created", [0, 0, 0], PALETTE[0])])
    assert bars(root) == []
    ticks = [t.text for t in root.find(f"{SVG}g[@class='axis y']").findall(f"{SVG}text")]
    assert ticks == ["0", "1"]


def test_text_is_escaped():
    root = chart(
        categories=["<b>", "a & b", '"q"'],
        series=[Series("<script>", [1, 1, 1], '"red"')],
        title="1 < 2 & 3",
        desc="</desc>",
        chart_id='x" onload="alert(1)',
    )
    assert root.find(f"{SVG}title").text == "1 < 2 & 3"
    assert root.find(f"{SVG}desc").text == "</desc>"
    assert root.find(f"{SVG}g[@class='series']").get("fill") == '"red"'
    assert bars(root)[0].find(f"{SVG}title").text == "<b>: 1 <script>"
    assert root.get("onload") is None


@pytest.mark.parametrize(
    ("largest", "expected"),
    [
        (0, (1, 1)),
        (1, (1, 1)),
        (5, (1, 5)),
        (7, (2, 8)),
        (10, (2, 10)),
        (37, (10, 40)),
        (100, (20, 100)),
        (101, (50, 150)),
        (999, (200, 1000)),
        (12345, (5000, 15000)),
    ],
)
def test_scale(largest, expected):
    assert _scale(largest) == expected


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"categories": []}, "A chart needs at least one category."),
        ({"series": []}, "A chart needs at least one series."),
        (
            {"series": [Series("Created", [1, 2], PALETTE[0])]},
            "Series 'Created' has 2 values for 3 categories.",
        ),
        (
            {"series": [Series("Created", [1, -2, 0], PALETTE[0])]},
            "Series 'Created' has a negative value.",
        ),
        ({"label_every": 0}, "label_every must be at least 1, not 0."),
    ],
)
def test_bad_input(overrides, message):
    with pytest.raises(ValueError) as excinfo:
        chart(**overrides)
    assert str(excinfo.value) == message
