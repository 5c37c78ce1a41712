1;  % A script, not a function file: crosscheck/learner/run/octave.py runs it as
    %   octave-cli [options] octave_driver.m WORKDIR
    % and answers one call at a time. WORKDIR/setup.mat holds `fn` (the learner's function name)
    % and `folder` (its folder); WORKDIR/ready marks that the calls may start. Each call is a file
    % WORKDIR/request.mat (n, a1 .. an: the arguments, doubles, vectors as columns; watch: the
    % indices, from 1, of the arguments to send back), which the driver reads and deletes; it
    % calls the function and writes WORKDIR/result.mat: J, grad (doubles, or empty),
    % message ('' when the call worked), file and line (of the innermost stack frame in the
    % learner's folder, or '' and 0), classes (of J and grad), seconds, and after1 .. the
    % watched arguments after the call. Each file is written under another name and renamed,
    % so neither side reads half a file. (Octave reads stdin and FIFOs in blocks, so a line
    % there would wait for the next one: the driver polls instead.) The parent ends Octave.
    % Validation of shapes and values happens in Python (crosscheck.learner.calls.check_result).

function [file, line] = learner_frame(err, folder)
  % The innermost stack frame in the learner's folder: its full path and line, or '' and 0.
  file = ''; line = 0;
  for i = 1:numel(err.stack)
    d = fileparts(err.stack(i).file);
    if strcmp(d, folder)
      file = err.stack(i).file;
      line = max(err.stack(i).line, 0);
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

work = argv(){end};
setup = load(fullfile(work, 'setup.mat'));
addpath(setup.folder);
try
  pause('off');  % the course's scripts pause for a key press, which never comes here: a `pause`
catch            % left in the function would otherwise wait until the time limit
end
fclose(fopen(fullfile(work, 'ready'), 'w'));
request = fullfile(work, 'request.mat');
while true
  while ~exist(request, 'file')
    pause('on'); pause(0.005); pause('off');   % off again before the learner's code runs
  end
  in = load(request);
  delete(request);
  args = cell(1, double(in.n));
  for i = 1:numel(args)
    args{i} = in.(sprintf('a%d', i));
  end
  J = []; grad = []; message = ''; file = ''; line = 0; classes = '';
  started = tic;
  try
    [J, grad] = feval(setup.fn, args{:});
  catch err
    message = err.message;
    [file, line] = learner_frame(err, setup.folder);
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
  result = struct('J', J, 'grad', grad, 'message', message, 'file', file, 'line', line, ...
                  'classes', classes, 'seconds', seconds);
  for i = 1:numel(in.watch)
    result.(sprintf('after%d', i)) = args{in.watch(i)};
  end
  partial = fullfile(work, 'partial.mat');
  save('-v7', partial, '-struct', 'result');
  rename(partial, fullfile(work, 'result.mat'));
end
