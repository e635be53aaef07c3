"""The dependency graphs of a manifest: deploy order, delete order, levels, selection, cycles.

This is the only module that imports networkx. An edge `before -> after` means `before` must
finish (be deployed, or be deleted) before `after` starts; every edge carries its reason.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from itertools import pairwise

import networkx as nx

from orchestrator.errors import Problem, UsageError
from orchestrator.manifest.models import Manifest
from orchestrator.manifest.reader import did_you_mean


class Action(StrEnum):
    DEPLOY = "deploy"
    DELETE = "delete"


@dataclass(frozen=True)
class Edge:
    before: str
    after: str
    reason: str
    line: int  # where the manifest states or implies it
    field: str  # the manifest entry that states or implies it


class WorkflowGraph:
    """An immutable view over one directed graph of workflows.

    Every list it returns is in manifest order (the order the author declared workflows in),
    so views and generated pages read like the manifest and never depend on hashing.
    """

    def __init__(self, action: Action, graph: nx.DiGraph, rank: Mapping[str, int]) -> None:
        self.action = action
        self._graph = graph
        self._rank = rank

    def _sorted(self, workflows: Iterable[str]) -> list[str]:
        return sorted(workflows, key=self._rank.__getitem__)

    @property
    def nodes(self) -> list[str]:
        return self._sorted(self._graph.nodes)

    def __contains__(self, workflow: object) -> bool:
        return workflow in self._graph

    def __len__(self) -> int:
        return len(self._graph)

    def edges(self) -> list[Edge]:
        return sorted(
            (data["edge"] for _, _, data in self._graph.edges(data=True)),
            key=lambda e: (self._rank[e.before], self._rank[e.after]),
        )

    def edge(self, before: str, after: str) -> Edge:
        edge: Edge = self._graph.edges[before, after]["edge"]
        return edge

    def prerequisites(self, workflow: str) -> dict[str, str]:
        """What must finish before `workflow`, each with its reason."""
        return {
            b: self.edge(b, workflow).reason
            for b in self._sorted(self._graph.predecessors(workflow))
        }

    def all_prerequisites(self, workflow: str) -> set[str]:
        """What must finish before `workflow`, directly or through others."""
        return set(nx.ancestors(self._graph, workflow))

    def dependents(self, workflow: str) -> dict[str, str]:
        """What waits for `workflow`, each with its reason."""
        return {
            a: self.edge(workflow, a).reason for a in self._sorted(self._graph.successors(workflow))
        }

    def cycles(self) -> list[list[str]]:
        """One cycle per strongly connected knot, as [a, b, …, a] with each needing the next."""
        found = []
        for component in nx.strongly_connected_components(self._graph):
            first = min(component, key=self._rank.__getitem__)
            if len(component) == 1 and not self._graph.has_edge(first, first):
                continue
            cycle = [u for u, _ in nx.find_cycle(self._graph.subgraph(component), source=first)]
            # Edges run before → after; a reader thinks "a needs b", the other way round.
            cycle.reverse()
            start = cycle.index(first)
            cycle = cycle[start:] + cycle[:start]
            found.append([*cycle, cycle[0]])
        return sorted(found)

    def levels(self) -> list[list[str]]:
        """Groups that can run in parallel, in order: each needs only earlier groups."""
        return [self._sorted(level) for level in nx.topological_generations(self._graph)]

    def order(self) -> list[str]:
        return [workflow for level in self.levels() for workflow in level]

    def select(self, only: Iterable[str], *, with_prerequisites: bool = True) -> WorkflowGraph:
        """The subgraph of `only`, plus everything they need first unless told otherwise."""
        chosen = set()
        for workflow in only:
            if workflow not in self._graph:
                hint = did_you_mean(workflow, self._graph.nodes)
                raise UsageError(
                    f"--only {workflow}: no such workflow in the {self.action} "
                    f"graph{hint}; see 'firefly graph'"
                )
            chosen.add(workflow)
            if with_prerequisites:
                chosen |= nx.ancestors(self._graph, workflow)
        return WorkflowGraph(self.action, self._graph.subgraph(chosen).copy(), self._rank)

    def critical_path(self, durations: Mapping[str, float]) -> tuple[list[str], float]:
        """The chain whose summed durations bound the whole run from below, and that sum."""
        finish: dict[str, float] = {}
        via: dict[str, str | None] = {}
        for workflow in nx.topological_sort(self._graph):
            before = max(
                self._sorted(self._graph.predecessors(workflow)),
                key=finish.__getitem__,
                default=None,
            )
            via[workflow] = before
            start = finish[before] if before is not None else 0.0
            finish[workflow] = start + durations.get(workflow, 0.0)
        if not finish:
            return [], 0.0
        last: str | None = max(self._sorted(finish), key=finish.__getitem__)
        total = finish[last] if last else 0.0
        path = []
        while last is not None:
            path.append(last)
            last = via[last]
        return path[::-1], total


def deploy_graph(manifest: Manifest) -> WorkflowGraph:
    """Explicit deploy needs plus the needs implied by `{output: W.Key}` parameters."""
    graph = nx.DiGraph()
    graph.add_nodes_from(manifest.workflows)
    for workflow in manifest.workflows.values():
        for need in workflow.deploy_needs:
            field = f"workflows.{workflow.name}.deploy.needs.{need.workflow}"
            _add(graph, Edge(need.workflow, workflow.name, need.reason, need.line, field))
        for parameter, ref in workflow.output_refs():
            if ref.workflow == workflow.name:
                continue  # reported by the reference checks, not as a cycle
            reason = f"Stack output {ref.key} is passed as parameter {parameter.name}"
            field = f"workflows.{workflow.name}.parameters.{parameter.name}"
            _add(graph, Edge(ref.workflow, workflow.name, reason, parameter.line, field))
    return WorkflowGraph(Action.DEPLOY, graph, _rank(manifest))


def delete_graph(manifest: Manifest, deploy: WorkflowGraph | None = None) -> WorkflowGraph:
    """The deploy graph reversed, plus explicit delete needs; tests workflows have no stack."""
    deploy = deploy or deploy_graph(manifest)
    stacks = {name for name, w in manifest.workflows.items() if w.has_stack}
    graph = nx.DiGraph()
    graph.add_nodes_from(name for name in manifest.workflows if name in stacks)
    for edge in deploy.edges():
        if edge.before in stacks and edge.after in stacks:
            reason = f"Reverse of the deploy dependency: {edge.reason}"
            _add(graph, Edge(edge.after, edge.before, reason, edge.line, edge.field))
    for workflow in manifest.workflows.values():
        if workflow.name not in stacks:
            continue
        for need in workflow.delete_needs:
            if need.workflow in stacks:
                # An explicit reason replaces the derived one for the same pair.
                field = f"workflows.{workflow.name}.delete.needs.{need.workflow}"
                edge = Edge(need.workflow, workflow.name, need.reason, need.line, field)
                graph.add_edge(need.workflow, workflow.name, edge=edge)
    return WorkflowGraph(Action.DELETE, graph, _rank(manifest))


def _rank(manifest: Manifest) -> dict[str, int]:
    return {name: index for index, name in enumerate(manifest.workflows)}


def _add(graph: nx.DiGraph, edge: Edge) -> None:
    if edge.before in graph and edge.after in graph and not graph.has_edge(edge.before, edge.after):
        graph.add_edge(edge.before, edge.after, edge=edge)


def cycle_problems(manifest: Manifest, graph: WorkflowGraph) -> list[Problem]:
    """Each cycle as a problem at the manifest line of the `needs` entry that closes it."""
    problems = []
    own_section = f".{graph.action}.needs."
    for cycle in graph.cycles():
        edges = [graph.edge(needed, needer) for needer, needed in pairwise(cycle)]
        # Point at a need written in this action's own section when there is one: for a
        # delete cycle that is the delete need contradicting the deploy order.
        edge = next((e for e in edges if own_section in e.field), edges[0])
        text = " -> ".join(cycle)
        problems.append(
            Problem(
                manifest.display,
                edge.line,
                edge.field,
                f"{graph.action} dependency cycle: {text} (each needs the next); "
                "remove one of these needs",
            )
        )
    return problems
