function g = sigmoid(z)
%SIGMOID The course's sigmoid, in its own file next to nnCostFunction.m as in the course.
g = 1.0 ./ (1.0 + exp(-z));
end
