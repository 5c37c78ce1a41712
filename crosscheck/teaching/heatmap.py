"""Heat maps of a gradient error, one panel per weight matrix, so a student sees where it lands.

Each panel shows (variant's ∂J/∂Θ^(l)) − (autodiff's) for Θ^(l) (s_{l+1}, 1 + s_l): rows are
the units the weights feed, columns the units they come from, column 0 the bias unit
(marked). One colour scale, symmetric around 0, serves all panels (red too large, blue too
small), so a layer the mistake does not touch stays white instead of blowing rounding noise
up to full colour; each panel's title gives its own largest error. Cells where the variant's
gradient is inf/NaN are drawn black and counted in the title.

Uses matplotlib's object API with the Agg canvas: no pyplot state, no display needed.
"""
import numpy as np


def gradient_error_figure(mine, ref, title, subtitle, path, layer_notes=None):
    """Write one PNG to ``path``: a panel per layer of mine − ref (lists of (r, c) arrays).

    ``layer_notes``: an optional line per panel (e.g. its relative error).
    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.colors import TwoSlopeNorm
    from matplotlib.figure import Figure
    import matplotlib as mpl

    diffs = [np.asarray(a, dtype=float) - np.asarray(b, dtype=float) for a, b in zip(mine, ref)]
    widths = [max(d.shape[1], 12) for d in diffs]       # panel width ∝ columns, readable when small
    fig = Figure(figsize=(4.0 + 0.16 * sum(widths), 5.2))   # fixed layout: constrained doubles the time
    FigureCanvasAgg(fig)
    grid = fig.add_gridspec(1, len(diffs) + 1, width_ratios=widths + [1.2], left=0.05, right=0.95,
                            bottom=0.12, top=0.78, wspace=0.22)
    axes = [fig.add_subplot(grid[0, i]) for i in range(len(diffs))]
    cmap = mpl.colormaps["RdBu_r"].with_extremes(bad="black")
    scale = max(float(np.max(np.abs(d[np.isfinite(d)]), initial=0.0)) for d in diffs) or 1.0
    notes = layer_notes or [""] * len(diffs)
    for l, (ax, d, note) in enumerate(zip(axes, diffs, notes), start=1):
        finite = np.isfinite(d)
        image = ax.imshow(np.ma.masked_invalid(d), cmap=cmap, aspect="auto", interpolation="nearest",
                          norm=TwoSlopeNorm(0.0, -scale, scale))
        ax.axvline(0.5, color="black", linewidth=1.2, linestyle="--")
        ax.set_xticks([0] + list(range(5, d.shape[1], 5)))
        ax.set_xticklabels(["bias"] + [str(c) for c in range(5, d.shape[1], 5)])
        ax.set_xlabel(f"column: unit of layer {l} it comes from (0 = bias)")
        ax.set_ylabel(f"row: unit of layer {l + 1} it feeds")
        bad = int(np.sum(~finite))
        largest = float(np.max(np.abs(d[finite]), initial=0.0))
        ax.set_title(f"Θ^({l}) {d.shape[0]}×{d.shape[1]}: max |error| {largest:.2g}"
                     + (f", {note}" if note else "")
                     + (f"\n{bad} inf/NaN cells (black)" if bad else ""), fontsize=10)
    fig.colorbar(image, cax=fig.add_subplot(grid[0, -1]), label="variant − autodiff")
    fig.suptitle(f"{title}\n{subtitle}", fontsize=11)
    fig.savefig(path, dpi=90)
    return path
