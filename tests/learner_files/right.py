"""Right: the course's nnCostFunction."""
from manual.course import nn_cost_function as nnCostFunction  # noqa: F401
