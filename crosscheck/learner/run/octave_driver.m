1;  % A script, not a function file: crosscheck/learner/octave.py runs it as
    %   octave-cli [options] octave_driver.m WORKDIR
    % WORKDIR/problems.mat holds `fn` (the learner's function name), `folder` (its folder) and
    % `n`; then p1 .. pn, one struct per call: args, the cell of its arguments in the learner's
    % order (built in crosscheck/learner/run/conventions.py). For call k it writes WORKDIR/result<k>.mat: J, grad
    % (doubles, or empty), message ('' when the call worked), where ('nnCostFunction.m line 12'
    % or ''), classes (of J and grad), seconds. Each file is written under another name and
    % renamed, so the parent never reads half a file. WORKDIR/ready marks the start of the calls.
    % Validation of shapes and values happens in Python (crosscheck.learner.calls.check_result).

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
work = args{end};
in = load(fullfile(work, 'problems.mat'));
addpath(in.folder);
try
  pause('off');  % the course's scripts pause for a key press, which never comes here: a `pause`
catch            % left in the function would otherwise wait until the time limit
end
fclose(fopen(fullfile(work, 'ready'), 'w'));
for k = 1:double(in.n)
  p = in.(sprintf('p%d', k));
  J = []; grad = []; message = ''; where = ''; classes = '';
  started = tic;
  try
    [J, grad] = feval(in.fn, p.args{:});
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
  partial = fullfile(work, sprintf('partial%d.mat', k));
  save('-v7', partial, 'J', 'grad', 'message', 'where', 'classes', 'seconds');
  rename(partial, fullfile(work, sprintf('result%d.mat', k)));
end
