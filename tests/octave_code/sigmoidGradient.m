function g = sigmoidGradient(z)
%SIGMOIDGRADIENT The course's g'(z) = g(z)(1 - g(z)), in its own file as in the course.
g = sigmoid(z) .* (1 - sigmoid(z));
end
