1;  % A script, not a function file: crosscheck/learner/run/octave.py runs it as
    %   octave-cli [options] octave_driver.m WORKDIR SCRATCH FD
    % WORKDIR/problems.mat (read-only) holds `fn` (the learner's function name), `folder` (its
    % folder) and `n`; then p1 .. pn, one struct per problem: nn_params (column), sizes [s1 s2 K],
    % X, y (column, labels 1..K), lambda. For problem k it saves J, grad (doubles, or empty),
    % message ('' when the call worked), where ('nnCostFunction.m line 12' or ''), classes (of J
    % and grad) and seconds in SCRATCH/result<k>.mat, and sends that file's bytes down the pipe
    % open as FD: a 32-byte header (name, byte count), then the bytes. The header 'ready' marks
    % the start of the calls. Shapes and values are checked in Python (octave.py, calls.py).

function where = learner_frame(err, folder)
  % 'file.m line N' of the innermost stack frame in the learner's folder, or ''.
  where = '';
  for i = 1:numel(err.stack)
    [d, base, ext] = fileparts(err.stack(i).file);
    if strcmp(d, folder)
      where = [base ext];
      if err.stack(i).line > 0
        where = sprintf('%s line %d', where, err.stack(i).line);
      end
      return;
    end
  end
end

function message = not_a_number(name, value)
  % Why `value` cannot be read as numbers, or ''.
  message = '';
  if ~(isnumeric(value) || islogical(value))
    message = sprintf('returned %s of class %s; expected numbers', name, class(value));
  elseif ~isreal(value)
    message = sprintf('returned a complex %s (the log or sqrt of a negative number?)', name);
  end
end

args = argv();
work = args{end - 2};
scratch = args{end - 1};
channel = fopen(['/proc/self/fd/' args{end}], 'w');
in = load(fullfile(work, 'problems.mat'));
addpath(in.folder);
try
  pause('off');  % the course's scripts pause for a key press, which never comes here: a `pause`
catch            % left in the function would otherwise wait until the time limit
end
fprintf(channel, '%-11s%20d\n', 'ready', 0);
fflush(channel);
for k = 1:double(in.n)
  p = in.(sprintf('p%d', k));
  J = []; grad = []; message = ''; where = ''; classes = '';
  started = tic;
  try
    [J, grad] = feval(in.fn, p.nn_params, p.sizes(1), p.sizes(2), p.sizes(3), p.X, p.y, p.lambda);
  catch err
    message = err.message;
    where = learner_frame(err, in.folder);
  end
  seconds = toc(started);
  if isempty(message)
    message = not_a_number('J', J);
  end
  if isempty(message)
    message = not_a_number('grad', grad);
  end
  if isempty(message)
    classes = [class(J) ' ' class(grad)];
    J = double(J);
    grad = double(grad);
  else
    J = []; grad = [];
  end
  result = fullfile(scratch, sprintf('result%d.mat', k));
  save('-v7', result, 'J', 'grad', 'message', 'where', 'classes', 'seconds');
  file = fopen(result, 'r');
  bytes = fread(file, Inf, 'uint8=>uint8');
  fclose(file);
  fprintf(channel, '%-11s%20d\n', sprintf('result%d', k), numel(bytes));
  fwrite(channel, bytes, 'uint8');
  fflush(channel);
end
