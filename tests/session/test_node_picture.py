"""What each node shows at a cursor, without Qt: numbers as the pass reaches them, the state of
each box, reveal, a tangent of zero, collapsed scopes and the edges the current step uses."""

from __future__ import annotations

import math

from graphviz_nn.session import EXAMPLES
from graphviz_nn.session.node_picture import NodePicture, lit_edges, node_picture, revealed, scope_picture
from graphviz_nn.session.player import Player

# z = sin(x1 + x2) + x2² · x3 at x1 = 0.5, x2 = -1.2, x3 = 2
Z = math.sin(0.5 - 1.2) + 1.2**2 * 2


def _player() -> Player:
    return Player(EXAMPLES["scalar"].build())


def _id(player: Player, label: str) -> str:
    return next(player.graph.id_of(n) for n in player.graph.nodes if n.label == label)


def test_the_forward_pass_shows_values_as_it_reaches_them() -> None:
    player = _player()
    graph, z = player.graph, _id(player, "z")
    assert node_picture(graph, z, None).value_text == f"= {Z:.4g}"  # nothing played: the values
    player.seek(0)
    first = player.cursor.current.node_id
    assert node_picture(graph, first, player.cursor).state == "current"
    assert node_picture(graph, z, player.cursor) == NodePicture("", "", "pending", True)
    player.to_end()
    picture = node_picture(graph, z, player.cursor)
    assert picture.value_text == f"= {Z:.4g}" and picture.state in ("current", "done") and picture.finite


def test_the_backward_pass_adds_each_gradient_and_reveal_hides_what_is_not_reached() -> None:
    player = _player()
    player.set_phase("backward", 0)
    graph, x3 = player.graph, _id(player, "x3")
    hidden = node_picture(graph, x3, player.cursor)
    assert hidden.second_text == "" and hidden.state == "pending" and hidden.value_text == "= 2"
    assert node_picture(graph, x3, player.cursor, reveal=True).value_text == ""
    assert not revealed(x3, player.cursor, True) and revealed(x3, player.cursor, False)
    player.to_end()
    assert node_picture(graph, x3, player.cursor).second_text == f"∇ {1.2**2:.4g}"  # dz/dx3 = x2²
    assert revealed(x3, player.cursor, True)


def test_a_tangent_the_seeded_input_never_reaches_is_shown_as_zero() -> None:
    player = _player()
    player.choose_tangent_input(_id(player, "x3"))
    player.set_phase("tangent")
    player.to_end()
    graph = player.graph
    assert node_picture(graph, _id(player, "x1"), player.cursor).second_text == "ẋ 0"
    assert node_picture(graph, _id(player, "z"), player.cursor).second_text == f"ẋ {1.2**2:.4g}"


def test_a_collapsed_scope_counts_its_done_steps() -> None:
    player = _player()
    members = [_id(player, label) for label in ("x1", "x2", "x3")]
    player.set_phase("backward")
    assert scope_picture(members, player.cursor).second_text == "0/3 done"
    player.to_end()
    picture = scope_picture(members, player.cursor)
    assert (picture.value_text, picture.second_text) == ("3 nodes", "3/3 done")
    assert scope_picture(members, None) == NodePicture("3 nodes", "", "done", True)


def test_the_lit_edges_are_those_the_current_step_uses() -> None:
    player = _player()
    assert lit_edges(player.graph, None) == ([], None, False)
    player.to_end()
    step = player.cursor.current
    pairs, phase, reverse = lit_edges(player.graph, player.cursor)
    assert phase == "forward" and not reverse
    assert pairs == [(player.graph.id_of(x), step.node_id) for x in step.node.inputs]
    player.set_phase("backward", 0)  # z sends its gradient down the edges from its inputs
    pairs, phase, reverse = lit_edges(player.graph, player.cursor)
    z = player.graph[_id(player, "z")]
    assert phase == "backward" and reverse
    assert sorted(pairs) == sorted((player.graph.id_of(x), _id(player, "z")) for x in z.inputs)


def test_a_collapsed_scope_is_summarised_by_the_values_that_leave_it() -> None:
    import numpy as np

    from graphviz_nn.nn import PerceptronNet
    from graphviz_nn.session.node_picture import scope_output

    net = PerceptronNet([3, 2, 1], rng=np.random.default_rng(0))
    graph = net.graph
    members = [graph.id_of(n) for n in graph.nodes if n.scope[:2] == ("layer 1", "perceptron 1")]
    out = scope_output(graph, members)
    assert out in members
    users = graph.consumers(graph[out])
    assert users and all(graph.id_of(c) not in members for c in users)  # it is what the next layer reads
    assert graph[out].op.name == "sigmoid"  # the perceptron's activation
    loss = [graph.id_of(n) for n in graph.nodes if n.scope[:1] == ("loss",)]
    assert scope_output(graph, loss) == graph.id_of(graph.outputs[0])  # the graph's output leaves it
    assert scope_output(graph, []) is None
