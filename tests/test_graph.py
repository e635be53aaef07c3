"""The deploy and delete graphs of small manifests: edges, order, levels, selection, paths."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from orchestrator.errors import UsageError
from orchestrator.graph import WorkflowGraph, delete_graph, deploy_graph
from orchestrator.manifest import load_manifest
from orchestrator.manifest.models import Manifest

DIAMOND = """
    version: 1
    project: demo
    environments:
      local: {region: us-east-1, sandbox: true}
    workflows:
      layer: {type: sam, template: l.yaml, description: The layer}
      table: {type: cloudformation, template: t.yaml, description: The table}
      func:
        type: sam
        template: f.yaml
        description: The function
        deploy:
          needs:
            layer: Layer ARN first
        parameters:
          TableName: {output: table.TableName}
          Alias: {output: table.TableName}
        delete:
          needs:
            api: Integrations must go first
      api:
        type: cloudformation
        template: a.yaml
        description: The API
        deploy:
          needs:
            func: Function ARN first
      smoke:
        type: tests
        description: The smoke tests
        deploy:
          needs:
            api: Endpoint first
    """


@pytest.fixture
def diamond(write_manifest: Callable[[str], Path]) -> Manifest:
    return load_manifest(write_manifest(DIAMOND))


def edges(graph: WorkflowGraph) -> list[tuple[str, str]]:
    return [(edge.before, edge.after) for edge in graph.edges()]


def test_deploy_edges_are_needs_plus_output_references(diamond: Manifest) -> None:
    graph = deploy_graph(diamond)

    assert edges(graph) == [("layer", "func"), ("table", "func"), ("func", "api"), ("api", "smoke")]
    assert graph.prerequisites("func") == {
        "layer": "Layer ARN first",
        # Two parameters from one output make one edge, named after the first.
        "table": "Stack output TableName is passed as parameter TableName",
    }


def test_levels_and_order_follow_the_manifest_within_a_level(diamond: Manifest) -> None:
    graph = deploy_graph(diamond)

    assert graph.levels() == [["layer", "table"], ["func"], ["api"], ["smoke"]]
    assert graph.order() == ["layer", "table", "func", "api", "smoke"]


def test_delete_graph_reverses_deploy_and_drops_tests(diamond: Manifest) -> None:
    graph = delete_graph(diamond)

    assert "smoke" not in graph
    assert graph.levels() == [["api"], ["func"], ["layer", "table"]]
    assert graph.dependents("func") == {
        "layer": "Reverse of the deploy dependency: Layer ARN first",
        "table": "Reverse of the deploy dependency: "
        "Stack output TableName is passed as parameter TableName",
    }


def test_an_explicit_delete_need_replaces_the_derived_reason(diamond: Manifest) -> None:
    assert delete_graph(diamond).prerequisites("func") == {"api": "Integrations must go first"}


def test_an_explicit_delete_need_adds_an_edge_the_deploy_graph_lacks(
    write_manifest: Callable[[str], Path],
) -> None:
    manifest = load_manifest(
        write_manifest(
            DIAMOND.replace(
                "      table: {type: cloudformation, template: t.yaml, description: The table}",
                "      table:\n"
                "        type: cloudformation\n        template: t.yaml\n"
                "        description: The table\n"
                "        delete:\n          needs:\n            api: API first",
            )
        )
    )

    assert delete_graph(manifest).prerequisites("table") == {
        "func": "Reverse of the deploy dependency: "
        "Stack output TableName is passed as parameter TableName",
        "api": "API first",
    }


def test_only_selects_prerequisites_unless_told_not_to(diamond: Manifest) -> None:
    graph = deploy_graph(diamond)

    assert graph.select(["api"]).order() == ["layer", "table", "func", "api"]
    assert graph.select(["api"], with_prerequisites=False).order() == ["api"]
    assert delete_graph(diamond).select(["table"]).order() == ["api", "func", "table"]


def test_only_with_an_unknown_workflow_suggests_the_closest(diamond: Manifest) -> None:
    with pytest.raises(UsageError, match=r"--only tabel: no such workflow.*did you mean 'table'"):
        deploy_graph(diamond).select(["tabel"])


def test_tests_workflows_cannot_be_selected_for_delete(diamond: Manifest) -> None:
    with pytest.raises(UsageError, match="no such workflow in the delete graph"):
        delete_graph(diamond).select(["smoke"])


def test_critical_path_is_the_longest_chain_of_durations(diamond: Manifest) -> None:
    graph = deploy_graph(diamond)
    durations = {"layer": 5.0, "table": 30.0, "func": 10.0, "api": 20.0, "smoke": 1.0}

    assert graph.critical_path(durations) == (["table", "func", "api", "smoke"], 61.0)
    assert graph.critical_path({**durations, "layer": 50.0}) == (
        ["layer", "func", "api", "smoke"],
        81.0,
    )


def test_cycles_read_in_the_needs_direction(write_manifest: Callable[[str], Path]) -> None:
    manifest = load_manifest(
        write_manifest("""
        version: 1
        project: demo
        environments:
          local: {region: us-east-1, sandbox: true}
        workflows:
          a: {type: sam, template: a.yaml, description: A, deploy: {needs: {b: B first}}}
          b: {type: sam, template: b.yaml, description: B, deploy: {needs: {c: C first}}}
          c: {type: sam, template: c.yaml, description: C, deploy: {needs: {a: A first}}}
          d: {type: sam, template: d.yaml, description: D, deploy: {needs: {a: A first}}}
        """)
    )

    assert deploy_graph(manifest).cycles() == [["a", "b", "c", "a"]]


def test_each_knot_is_reported_once_by_a_cycle_through_its_first_workflow(
    write_manifest: Callable[[str], Path],
) -> None:
    manifest = load_manifest(
        write_manifest("""
        version: 1
        project: demo
        environments:
          local: {region: us-east-1, sandbox: true}
        workflows:
          a: {type: sam, template: a.yaml, description: A, deploy: {needs: {b: B first}}}
          b: {type: sam, template: b.yaml, description: B, deploy: {needs: {c: C first}}}
          c: {type: sam, template: c.yaml, description: C, deploy: {needs: {b: B, a: A}}}
          d: {type: sam, template: d.yaml, description: D, deploy: {needs: {a: A first}}}
          x: {type: sam, template: x.yaml, description: X, deploy: {needs: {y: Y first}}}
          y: {type: sam, template: y.yaml, description: Y, deploy: {needs: {x: X first}}}
        """)
    )

    assert deploy_graph(manifest).cycles() == [["a", "b", "c", "a"], ["x", "y", "x"]]


def test_levels_of_a_long_chain_need_no_recursion(write_manifest: Callable[[str], Path]) -> None:
    workflows = "".join(
        f"  w{i}: {{type: sam, template: t.yaml, description: W"
        + (f", deploy: {{needs: {{w{i - 1}: first}}}}}}\n" if i else "}\n")
        for i in range(3000)
    )
    manifest = load_manifest(
        write_manifest(
            "version: 1\nproject: demo\n"
            "environments:\n  local: {region: us-east-1, sandbox: true}\n"
            f"workflows:\n{workflows}"
        )
    )
    graph = deploy_graph(manifest)

    assert graph.cycles() == []
    assert len(graph.levels()) == 3000
    assert graph.all_prerequisites("w2999") == {f"w{i}" for i in range(2999)}


def test_the_repository_manifest_orders_seed_000_and_001(
    repo_manifest: Manifest,
) -> None:
    deploy = deploy_graph(repo_manifest)
    delete = delete_graph(repo_manifest, deploy)
    order = deploy.order()
    for before in ("api-gateway", "shared-layer"):
        assert order.index(before) < order.index("func-api-firmware-status-patch")
    delete_order = delete.order()
    for function in (
        "func-api-registration-keys-post",
        "func-api-registration-keys-get",
        "func-api-devices-register-post",
    ):
        assert delete_order.index(function) < delete_order.index("dynamodb-registration-keys")
