"""Right, but writes to file descriptors 1 and 2 directly, from a thread and from a child process."""
import os
import subprocess
import sys
import threading

from course_cost import nn_cost_function

os.write(1, b"fd 1 at import\n")
_first = [True]


def nnCostFunction(nn_params, input_layer_size, hidden_layer_size, num_labels, X, y, lambda_):
    os.write(1, b"{not json\n")
    os.write(2, b"fd 2 from the function\n")
    thread = threading.Thread(target=lambda: print("print from a thread", flush=True))
    thread.start()
    thread.join()
    if _first.pop() if _first else False:                 # one child process is enough
        subprocess.run([sys.executable, "-c", "print('print from a child process')"], check=True)
    return nn_cost_function(nn_params, input_layer_size, hidden_layer_size, num_labels, X, y, lambda_)
