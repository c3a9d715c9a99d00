"""The agent: typed state, one module per node, and the graph of their edges."""
