"""Right: the course's nnCostFunction."""
from course_cost import nn_cost_function as nnCostFunction  # noqa: F401
