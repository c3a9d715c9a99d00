"""The agent's graph: model → policy gate → (sign-off via interrupt) → act → model.

Every tool call the model proposes goes through the gate (copilot/agent/gate.py); the only path to a
connector is the act node (copilot/agent/act.py), which runs a call only when the gate allowed it or the
approval queue holds the required approvals for exactly its arguments and the facts the approvers saw, and
when the policy, judged again just before it runs, still lets it. Parallel tool calls fan out with ``Send``
so each waits for, and resumes on, its own approval. A procedure's steps go through the same gate.
"""

from __future__ import annotations

from langchain_core.messages import AIMessage
from langgraph.graph import END, START, StateGraph

from copilot.agent.act import Act
from copilot.agent.choose import Choose
from copilot.agent.gate import Gate
from copilot.agent.procedure import AdvanceProcedure
from copilot.agent.prompt import BoundModel
from copilot.agent.runtime import Runtime
from copilot.agent.state import AgentState, after_results, turn_of


def build_graph(rt: Runtime) -> StateGraph:
    """The agent's nodes and edges over one runtime (compile it with a checkpointer)."""
    bound = BoundModel.of(rt)

    def after_model(state: AgentState) -> str:
        last = state["messages"][-1]
        if not (isinstance(last, AIMessage) and last.tool_calls):
            waiting = state.get("tasks") is not None and not turn_of(state, bound.choices)  # the next task's choice
            return "model" if waiting else END
        return "procedure" if last.tool_calls[0]["name"] in bound.choices else "gate"

    graph = StateGraph(AgentState)
    graph.add_node("model", Choose(rt, bound))
    graph.add_node("procedure", AdvanceProcedure(rt, bound), destinations=("gate", "model", END))
    act = Act(rt)
    graph.add_node("gate", Gate(rt, bound, act), destinations=("act", "model", "procedure", END))
    graph.add_node("act", act)
    graph.add_edge(START, "model")
    graph.add_conditional_edges("model", after_model, ["model", "gate", "procedure", END])
    graph.add_conditional_edges("act", after_results, ["procedure", "model", END])
    return graph
