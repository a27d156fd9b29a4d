"""Grids of heatmaps without Qt: which maps an array is drawn as, where each entry lands, the
colour scale they share, how they are laid out; and the maps node boxes show."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from graphviz_nn.session.box_detail import (THUMBNAIL_GAP, THUMBNAIL_PIXELS, Detail, thumbnail_matrix,
                                            thumbnail_place, thumbnail_shown)
from graphviz_nn.session.colour_map import FLAG_RGB, colour_scale, heatmap_colours
from graphviz_nn.session.map_grid import ALL, MOST_TILES, arrange_grid, map_grid, plan_maps

WHITE = (247, 247, 247)
sides = st.integers(1, 5)


def entries_land_where_they_say(grid, a: np.ndarray) -> None:
    for tile in grid.tiles:
        for i, j in np.ndindex(*tile.matrix.shape):
            assert tile.matrix[i, j] == a[tile.index_of(i, j)]


@settings(max_examples=60, deadline=None)
@given(st.tuples(sides, sides, sides, sides), st.integers(0, 6), st.data())
def test_a_feature_map_is_one_map_per_channel_of_the_chosen_sample(shape, n, data) -> None:
    a = data.draw(arrays(float, shape, elements=st.floats(-9, 9)))
    plan = plan_maps(shape, "function")
    grid = map_grid(plan, a, {"sample": n})
    chosen = min(n, shape[0] - 1)
    assert [c.name for c in plan.choosers] == ["sample"] and grid.chosen == (chosen,)
    assert [t.caption for t in grid.tiles] == [f"ch {c}" for c in range(shape[1])]
    for c, tile in enumerate(grid.tiles):
        np.testing.assert_array_equal(tile.matrix, a[chosen, c])
    entries_land_where_they_say(grid, a)
    assert grid.scale == colour_scale(a)   # every sample's maps on the whole array's scale


@settings(max_examples=60, deadline=None)
@given(st.tuples(sides, sides, sides, sides), st.integers(-1, 6), st.data())
def test_a_conv_weight_is_one_filter_per_output_channel(shape, c, data) -> None:
    a = data.draw(arrays(float, shape, elements=st.floats(-9, 9)))
    plan = plan_maps(shape, "variable")
    grid = map_grid(plan, a, {"input channel": c})
    assert plan.title == "filters" and [t.caption for t in grid.tiles] == [f"out {o}" for o in range(shape[0])]
    for o, tile in enumerate(grid.tiles):
        if c == ALL:        # every input channel side by side
            assert tile.parts == shape[1]
            np.testing.assert_array_equal(tile.matrix, np.concatenate(list(a[o]), axis=1))
        else:
            np.testing.assert_array_equal(tile.matrix, a[o, min(c, shape[1] - 1)])
    entries_land_where_they_say(grid, a)


def test_three_axes_are_channels_and_two_or_fewer_need_no_grid() -> None:
    a = np.arange(24.0).reshape(2, 3, 4)
    grid = map_grid(plan_maps(a.shape), a)
    assert grid.plan.choosers == () and len(grid.tiles) == 2 and grid.heading == "2 channels of 3 × 4"
    for shape in ((), (5,), (3, 4), (2, 0, 3, 3)):
        assert plan_maps(shape, "function") is None
    with pytest.raises(ValueError, match=r"planned for \(2, 3, 4\)"):
        map_grid(grid.plan, np.zeros((2, 3, 5)))


def test_more_channels_than_drawn_are_said() -> None:
    grid = map_grid(plan_maps((1, MOST_TILES + 4, 2, 2)), np.zeros((1, MOST_TILES + 4, 2, 2)))
    assert len(grid.tiles) == MOST_TILES and grid.heading.startswith(f"the first {MOST_TILES} of {MOST_TILES + 4}")


@settings(max_examples=40, deadline=None)
@given(st.integers(1, 3), st.integers(1, 3), st.integers(1, 6), st.integers(1, 6), st.data())
def test_attention_weights_are_one_map_per_sample_and_head_with_their_tokens(n, h, L, S, data) -> None:
    a = data.draw(arrays(float, (n, h, L, S), elements=st.floats(0, 1)))
    tokens = (tuple(f"q{i}" for i in range(L)), tuple(f"k{j}" for j in range(S)))
    plan = plan_maps(a.shape, "function", "weights", tokens)
    assert [c.name for c in plan.choosers] == ["sample", "head"] and plan.labels == tokens
    k = data.draw(st.integers(0, h - 1))
    grid = map_grid(plan, a, {"head": k})
    assert len(grid.tiles) == 1 and grid.tiles[0].caption == ""
    np.testing.assert_array_equal(grid.tiles[0].matrix, a[0, k])
    entries_land_where_they_say(grid, a)


def test_attention_without_tokens_is_labelled_by_index_and_wrong_tokens_are_left_out() -> None:
    plan = plan_maps((2, 3, 4), "function", "weights")
    assert [c.name for c in plan.choosers] == ["head"] and plan.labels == (("0", "1", "2"), ("0", "1", "2", "3"))
    assert plan_maps((2, 3, 4), "function", "mean weights").choosers[0].name == "sample"
    wrong = (("a", "b"), ("c", "d", "e", "f"))
    assert plan_maps((2, 3, 4), "function", "scores", wrong).title == "feature maps"
    assert plan_maps((3, 4), "function", "scores", (("a", "b", "c"), ("w", "x", "y", "z"))).choosers == ()


@given(arrays(float, st.tuples(sides, sides), elements=st.floats(-1e6, 1e6)), st.floats(0.01, 1e6))
def test_colours_are_symmetric_about_zero_white_at_zero_and_saturate(a, scale) -> None:
    rgb = heatmap_colours(a, scale).astype(int)
    positive, negative = a > 0.02 * scale, a < -0.02 * scale     # nearer zero rounds to white
    assert np.all(rgb[positive][:, 0] > rgb[positive][:, 2])      # red over blue above zero
    assert np.all(rgb[negative][:, 2] > rgb[negative][:, 0])      # blue over red below
    assert np.all(rgb[a == 0] == WHITE)
    far = np.abs(a) >= scale
    np.testing.assert_array_equal(rgb[far & positive], np.broadcast_to([178, 24, 43], rgb[far & positive].shape))
    # The same magnitude is as far from white either side: the scale is symmetric.
    shade = np.abs(rgb - np.array(WHITE)).sum(axis=-1)
    mirror = np.abs(heatmap_colours(-a, scale).astype(int) - np.array(WHITE)).sum(axis=-1)
    assert np.all(np.abs(shade - mirror) <= 0.25 * np.maximum(shade, mirror) + 3)


def test_non_finite_entries_are_the_flag_colour_and_leave_the_scale_alone() -> None:
    a = np.array([[np.nan, np.inf, -np.inf, -2.0, 1.0]])
    assert colour_scale(a) == 2.0
    rgb = heatmap_colours(a)
    assert all(tuple(rgb[0, k]) == FLAG_RGB for k in range(3))
    assert tuple(rgb[0, 3]) == (33, 102, 172) and tuple(heatmap_colours(np.zeros((2, 2)))[0, 0]) == WHITE


@settings(max_examples=200, deadline=None)
@given(st.integers(1, 40), st.integers(1, 30), st.integers(1, 30), st.floats(60, 900), st.floats(80, 900))
def test_a_grid_fits_its_room_and_its_maps_never_overlap(count, rows, cols, room, most_height) -> None:
    line = 17.0
    place = arrange_grid(count, rows, cols, room, most_height, 1.4 * line, 1.15 * line, 10)
    width, height = place.size
    assert place.cell <= 1.4 * line
    assert width <= room + 1e-6 or place.columns == 1     # one map wider than the room shrinks to it
    assert place.map_size[0] * (place.columns == 1) <= max(room, 2.5 * 1.15 * line) + 1e-6
    boxes = [(*place.origin(k), *place.map_size) for k in range(count)]
    for k, (x, y, w, h) in enumerate(boxes):
        assert x + w <= width + 1e-6 and y + h <= height + 1e-6
        for x2, y2, w2, h2 in boxes[k + 1:]:
            assert x + w <= x2 or x2 + w2 <= x or y + h <= y2 or y2 + h2 <= y


def test_a_grid_takes_the_biggest_cells_that_keep_it_low_enough() -> None:
    place = arrange_grid(16, 8, 8, 400, 340, 24, 20, 10)     # 16 channels of 8 × 8 in a 400-pixel dock
    assert place.size[1] <= 340 and place.columns * place.rows >= 16
    bigger = [arrange_grid(16, 8, 8, 400, 340, c, 20, 10) for c in (place.cell + 1,)]
    assert all(p.cell == place.cell or p.size[1] > 340 for p in bigger)


def test_a_box_maps_the_first_sample_and_channel_of_image_like_values_only() -> None:
    a = np.arange(2 * 3 * 4 * 5.0).reshape(2, 3, 4, 5)
    np.testing.assert_array_equal(thumbnail_matrix(a), a[0, 0])
    np.testing.assert_array_equal(thumbnail_matrix(a[0]), a[0, 0])
    for value in (np.zeros((30, 10)), np.zeros(5), 1.0, np.zeros((3, 1, 5)), np.zeros((2, 0, 3))):
        assert thumbnail_matrix(value) is None     # dense and recurrent nets' boxes stay as they are


@settings(max_examples=300, deadline=None)
@given(st.floats(40, 300), st.floats(30, 200), st.sampled_from(["function", "output", "variable", "constant"]),
       st.floats(5, 250))
def test_a_box_map_stays_inside_its_box_and_clear_of_the_text(width, height, kind, text) -> None:
    place = thumbnail_place(width, height, kind, text)
    if place.side == 0:
        return
    round_shape = kind in ("function", "output")
    room_x = width * (0.78 if round_shape else 0.92)
    assert place.left + place.side + THUMBNAIL_GAP <= place.shift - text / 2 + 1e-6   # clear of the text
    assert place.shift + text / 2 <= room_x / 2 + 1e-6                                # the text in its room
    assert place.left >= -width / 2 and place.side / 2 <= height / 2
    if round_shape:     # the map's left corners inside the ellipse
        assert (place.left / (width / 2)) ** 2 + (place.side / height) ** 2 <= 1.0


def test_a_box_map_is_drawn_only_beside_every_line_and_big_enough() -> None:
    assert thumbnail_shown(40, 1.0, Detail.FULL)
    assert not thumbnail_shown(40, THUMBNAIL_PIXELS / 41, Detail.FULL)
    for detail in (Detail.BRIEF, Detail.TITLE, Detail.SYMBOL, Detail.MARKER):
        assert not thumbnail_shown(40, 5.0, detail)
    assert not thumbnail_shown(0, 5.0, Detail.FULL)
    # A conv layer's ellipse, laid out for its lines, has room; a box its text fills has none.
    assert thumbnail_place(150, 85, "function", 84).side >= 0.3 * 85
    assert thumbnail_place(106, 60, "constant", 88).side == 0
