function [J grad] = nnCostFunction(nn_params, input_layer_size, hidden_layer_size, ...
                                   num_labels, X, y, lambda)
%NNCOSTFUNCTION A correct course-style solution (vectorised), written for the tests of
%crosscheck verify FILE.m. tests/test_octave_target.py plants one catalogue mistake at a
%time by replacing one marked line.

Theta1 = reshape(nn_params(1:hidden_layer_size * (input_layer_size + 1)), ...
                 hidden_layer_size, (input_layer_size + 1));
Theta2 = reshape(nn_params((1 + (hidden_layer_size * (input_layer_size + 1))):end), ...
                 num_labels, (hidden_layer_size + 1));

m = size(X, 1);

a1 = [ones(m, 1) X];
z2 = a1 * Theta1';
a2 = [ones(m, 1) sigmoid(z2)];
h = sigmoid(a2 * Theta2');

Y = zeros(m, num_labels);
for i = 1:m
  Y(i, y(i)) = 1;                                        % label k in column k
end

J = sum(sum(-Y .* log(h) - (1 - Y) .* log(1 - h))) / m;
penalty = sum(sum(Theta1(:, 2:end) .^ 2)) + sum(sum(Theta2(:, 2:end) .^ 2));
J = J + lambda / (2 * m) * penalty;                      % bias columns not regularised

d3 = h - Y;
d2 = (d3 * Theta2(:, 2:end)) .* sigmoidGradient(z2);     % g'(z2)

Theta1_grad = (d2' * a1) / m;                            % divided by m
Theta2_grad = (d3' * a2) / m;
Theta1_grad(:, 2:end) = Theta1_grad(:, 2:end) + lambda / m * Theta1(:, 2:end);
Theta2_grad(:, 2:end) = Theta2_grad(:, 2:end) + lambda / m * Theta2(:, 2:end);

grad = [Theta1_grad(:) ; Theta2_grad(:)];
end
