"""The dependency graphs of a manifest: deploy order, delete order, levels, selection, cycles.

An edge `before -> after` means `before` must finish (be deployed, or be deleted) before `after`
starts; every edge carries its reason. Built on the standard library (graphlib orders it): the
graph of `firefly graph` must answer in well under 0.3 s, and networkx alone costs 0.2 s to
import. Each algorithm below exists once.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from enum import StrEnum
from graphlib import TopologicalSorter
from itertools import pairwise

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

    def __init__(
        self,
        action: Action,
        workflows: Iterable[str],
        edges: Iterable[Edge],
        rank: Mapping[str, int],
    ) -> None:
        self.action = action
        self._rank = rank
        self._before: dict[str, list[str]] = {workflow: [] for workflow in workflows}
        self._after: dict[str, list[str]] = {workflow: [] for workflow in self._before}
        self._edges: dict[tuple[str, str], Edge] = {}
        for edge in edges:
            self._edges[edge.before, edge.after] = edge
            self._before[edge.after].append(edge.before)
            self._after[edge.before].append(edge.after)

    def _sorted(self, workflows: Iterable[str]) -> list[str]:
        return sorted(workflows, key=self._rank.__getitem__)

    @property
    def nodes(self) -> list[str]:
        return self._sorted(self._before)

    def __contains__(self, workflow: object) -> bool:
        return workflow in self._before

    def __len__(self) -> int:
        return len(self._before)

    def edges(self) -> list[Edge]:
        return sorted(
            self._edges.values(), key=lambda e: (self._rank[e.before], self._rank[e.after])
        )

    def edge(self, before: str, after: str) -> Edge:
        return self._edges[before, after]

    def prerequisites(self, workflow: str) -> dict[str, str]:
        """What must finish before `workflow`, each with its reason."""
        return {b: self.edge(b, workflow).reason for b in self._sorted(self._before[workflow])}

    def all_prerequisites(self, workflow: str) -> set[str]:
        """What must finish before `workflow`, directly or through others."""
        return _reachable(workflow, self._before) - {workflow}

    def dependents(self, workflow: str) -> dict[str, str]:
        """What waits for `workflow`, each with its reason."""
        return {a: self.edge(workflow, a).reason for a in self._sorted(self._after[workflow])}

    def cycles(self) -> list[list[str]]:
        """One cycle per strongly connected knot, as [a, b, …, a] with each needing the next."""
        found = []
        for knot in _knots(self.nodes, self._after):
            first = min(knot, key=self._rank.__getitem__)
            if len(knot) == 1 and first not in self._after[first]:
                continue
            # Edges run before → after; a reader thinks "a needs b", the other way round.
            cycle = [first, *reversed(self._shortest_loop(first, knot))]
            found.append([*cycle, first])
        return sorted(found)

    def _shortest_loop(self, first: str, knot: set[str]) -> list[str]:
        """The workflows after `first` on a shortest way from `first` back to it, in `knot`."""
        came_from: dict[str, str] = {}
        queue = deque([first])
        while queue:
            workflow = queue.popleft()
            for after in self._sorted(self._after[workflow]):
                if after == first:
                    path = []
                    while workflow != first:
                        path.append(workflow)
                        workflow = came_from[workflow]
                    return path[::-1]
                if after in knot and after not in came_from:
                    came_from[after] = workflow
                    queue.append(after)
        raise AssertionError(f"{first} is on no cycle of its own knot")

    def levels(self) -> list[list[str]]:
        """Groups that can run in parallel, in order: each needs only earlier groups.

        Raises graphlib.CycleError on a cyclic graph: the checks report cycles first.
        """
        sorter = TopologicalSorter(self._before)
        sorter.prepare()
        levels = []
        while sorter.is_active():
            level = sorter.get_ready()
            levels.append(self._sorted(level))
            sorter.done(*level)
        return levels

    def order(self) -> list[str]:
        return [workflow for level in self.levels() for workflow in level]

    def select(self, only: Iterable[str], *, with_prerequisites: bool = True) -> WorkflowGraph:
        """The subgraph of `only`, plus everything they need first unless told otherwise."""
        chosen = set()
        for workflow in only:
            if workflow not in self:
                hint = did_you_mean(workflow, self._before)
                raise UsageError(
                    f"--only {workflow}: no such workflow in the {self.action} "
                    f"graph{hint}; see 'firefly graph'"
                )
            chosen.add(workflow)
            if with_prerequisites:
                chosen |= self.all_prerequisites(workflow)
        edges = [e for e in self._edges.values() if e.before in chosen and e.after in chosen]
        return WorkflowGraph(self.action, self._sorted(chosen), edges, self._rank)

    def critical_path(self, durations: Mapping[str, float]) -> tuple[list[str], float]:
        """The chain whose summed durations bound the whole run from below, and that sum."""
        finish: dict[str, float] = {}
        via: dict[str, str | None] = {}
        for workflow in self.order():
            before = max(self._sorted(self._before[workflow]), key=finish.__getitem__, default=None)
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


def _reachable(start: str, links: Mapping[str, list[str]]) -> set[str]:
    """`start` and every workflow reached from it through `links`."""
    seen = {start}
    queue = [start]
    while queue:
        for linked in links[queue.pop()]:
            if linked not in seen:
                seen.add(linked)
                queue.append(linked)
    return seen


def _knots(workflows: Iterable[str], after: Mapping[str, list[str]]) -> list[set[str]]:
    """The strongly connected components (Tarjan's algorithm), without recursion: a chain of
    2,000 workflows would exceed Python's recursion limit."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    knots = []

    def visit(workflow: str) -> None:
        index[workflow] = low[workflow] = len(index)
        stack.append(workflow)
        on_stack.add(workflow)
        work.append((workflow, iter(after[workflow])))

    for root in workflows:
        if root in index:
            continue
        work: list[tuple[str, Iterator[str]]] = []
        visit(root)
        while work:
            workflow, following = work[-1]
            successor = next(following, None)
            if successor is None:
                work.pop()
                if work:
                    parent = work[-1][0]
                    low[parent] = min(low[parent], low[workflow])
                if low[workflow] == index[workflow]:
                    knot = set()
                    while workflow not in knot:
                        knot.add(stack.pop())
                    on_stack.difference_update(knot)
                    knots.append(knot)
            elif successor not in index:
                visit(successor)
            elif successor in on_stack:
                low[workflow] = min(low[workflow], index[successor])
    return knots


def deploy_graph(manifest: Manifest) -> WorkflowGraph:
    """Explicit deploy needs plus the needs implied by `{output: W.Key}` parameters."""
    edges: dict[tuple[str, str], Edge] = {}
    for workflow in manifest.workflows.values():
        for need in workflow.deploy_needs:
            field = f"workflows.{workflow.name}.deploy.needs.{need.workflow}"
            _add(
                edges,
                manifest.workflows,
                Edge(need.workflow, workflow.name, need.reason, need.line, field),
            )
        for parameter, ref in workflow.output_refs():
            if ref.workflow == workflow.name:
                continue  # reported by the reference checks, not as a cycle
            reason = f"Stack output {ref.key} is passed as parameter {parameter.name}"
            field = f"workflows.{workflow.name}.parameters.{parameter.name}"
            _add(
                edges,
                manifest.workflows,
                Edge(ref.workflow, workflow.name, reason, parameter.line, field),
            )
    return WorkflowGraph(Action.DEPLOY, manifest.workflows, edges.values(), _rank(manifest))


def delete_graph(manifest: Manifest, deploy: WorkflowGraph | None = None) -> WorkflowGraph:
    """The deploy graph reversed, plus explicit delete needs; tests workflows have no stack."""
    deploy = deploy or deploy_graph(manifest)
    stacks = {name: w for name, w in manifest.workflows.items() if w.has_stack}
    edges: dict[tuple[str, str], Edge] = {}
    for edge in deploy.edges():
        reason = f"Reverse of the deploy dependency: {edge.reason}"
        _add(edges, stacks, Edge(edge.after, edge.before, reason, edge.line, edge.field))
    for name, workflow in stacks.items():
        for need in workflow.delete_needs:
            if need.workflow in stacks:
                # An explicit reason replaces the derived one for the same pair.
                field = f"workflows.{name}.delete.needs.{need.workflow}"
                edges[need.workflow, name] = Edge(
                    need.workflow, name, need.reason, need.line, field
                )
    return WorkflowGraph(Action.DELETE, stacks, edges.values(), _rank(manifest))


def _rank(manifest: Manifest) -> dict[str, int]:
    return {name: index for index, name in enumerate(manifest.workflows)}


def _add(edges: dict[tuple[str, str], Edge], workflows: Mapping[str, object], edge: Edge) -> None:
    """Keep the first reason given for a pair, between two workflows of the graph."""
    if edge.before in workflows and edge.after in workflows:
        edges.setdefault((edge.before, edge.after), edge)


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
