"""The one figure of ``--train``: both cost curves and both held-out accuracies, the sentence on top.

x: the optimiser's evaluations; y: the true (correct) cost J(Θ) at the weights of each run, on a
log scale, so a wrong cost that a learner's function returns cannot make its curve look good;
their own J, where it differs, is drawn thin and dotted. 960 px wide, like the heat map, so it
reads at notebook width. matplotlib's object API with the Agg canvas.
"""
import base64
import html
import io
import textwrap

import numpy as np

from crosscheck.teaching.heatmap import DPI, FONT_PT, WIDTH_PX


def _xy(values):
    pairs = [(i, v) for i, v in enumerate(values, start=1) if v is not None and v > 0]
    return ([i for i, _ in pairs], [v for _, v in pairs]) if pairs else ([], [])


def _pct(x):
    return "n/a" if x is None else f"{100 * x:.1f}%"


def training_figure(comparison, path):
    """Write the PNG of a :class:`~crosscheck.teaching.learner_training.TrainingComparison` to
    ``path`` (a file name or a binary stream)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    import matplotlib as mpl

    c, yours, correct = comparison, comparison.yours, comparison.correct
    with mpl.rc_context({"font.size": FONT_PT}):
        fig = Figure(figsize=(WIDTH_PX / DPI, 4.6))
        FigureCanvasAgg(fig)
        ax = fig.add_axes([0.09, 0.13, 0.88, 0.7])
        ax.plot(*_xy(correct.true_costs), color="C0", linewidth=2,
                label=f"correct implementation: held-out {_pct(correct.heldout_accuracy)}")
        ax.plot(*_xy(yours.true_costs), color="C3", linewidth=2,
                label=f"your {c.name}: held-out {_pct(yours.heldout_accuracy)} (true cost at your weights)")
        own = [None if v is None else v for v in yours.costs]
        if any(a is not None and b is not None and not np.isclose(a, b, rtol=1e-6)
               for a, b in zip(own, yours.true_costs)):
            ax.plot(*_xy(own), color="C3", linewidth=1, linestyle=":", label=f"the J your {c.name} returned")
        ax.set_yscale("log")
        ax.set_xlabel("optimiser evaluation (TNC)")
        ax.set_ylabel(f"J(Θ), {c.loss.replace('_', ' ')}")
        ax.grid(True, which="both", alpha=0.3)
        ax.legend(loc="upper right", fontsize=FONT_PT - 1)
        fig.suptitle("\n".join(textwrap.wrap(c.sentence, 105)[:3]), x=0.02, ha="left", y=0.98, va="top")
        fig.savefig(path, dpi=DPI)
    return path


def to_html(comparison):
    """The sentence, the figure (inline PNG) and the numbers as a small table, for a notebook."""
    buffer = io.BytesIO()
    training_figure(comparison, buffer)
    png = base64.b64encode(buffer.getvalue()).decode("ascii")
    rows = "".join(f"<tr><td>{label}</td><td class='num'>{_pct(getattr(comparison.yours, key))}</td>"
                   f"<td class='num'>{_pct(getattr(comparison.correct, key))}</td></tr>"
                   for label, key in (("held-out accuracy", "heldout_accuracy"),
                                      ("training accuracy", "train_accuracy")))
    return (f"<div class='crosscheck-training'><p><b>Training:</b> {html.escape(comparison.sentence)}</p>"
            f"<table><tr><th></th><th>yours</th><th>correct</th></tr>{rows}</table>"
            f"<img alt='cost curves of your function and the correct one' width='{WIDTH_PX}' "
            f"style='max-width:100%' src='data:image/png;base64,{png}'/></div>")
