"""Heat maps of a gradient error, one panel per weight matrix, so a student sees where it lands.

Each panel shows (variant's ∂J/∂Θ^(l)) − (autodiff's) for Θ^(l) (s_{l+1}, 1 + s_l): rows are
the units the weights feed, columns the units they come from, column 0 the bias unit
(drawn as a strip of its own on the left, so that it shows even beside 400 pixel columns). One colour scale, symmetric around 0, serves all panels (red too large, blue too
small), so a layer the mistake does not touch stays white instead of blowing rounding noise
up to full colour; each panel's title gives its own largest error. Cells where the variant's
gradient is inf/NaN are drawn black and counted in the title.

Sized to be read where it is shown, a notebook about 1000 px wide: the panels are stacked, one
under the other, each the full width (a 25×401 layer beside a 10×26 one, side by side, made one
6508-px-wide image whose text shrank to a few pixels), at ``WIDTH_PX`` pixels, with text at 11 pt
and 100 dpi (about 15 px). Each panel's height follows its rows, within limits.

Uses matplotlib's object API with the Agg canvas: no pyplot state, no display needed.
"""
import textwrap

import numpy as np

DPI = 100
WIDTH_PX = 960                    # under a notebook's ~1000 px output width: shown at its own size
ROW_INCH, MIN_PANEL_INCH, MAX_PANEL_INCH = 0.09, 1.6, 3.2
HEADER_INCH, FOOTER_INCH, TITLE_LINE_INCH = 0.4, 0.6, 0.22
FONT_PT = 11
TITLE_CHARS = 100                 # characters of a title line at FONT_PT across WIDTH_PX


def panel_height(rows):
    """The height in inches of one layer's panel: its rows at ROW_INCH each, within limits."""
    return min(MAX_PANEL_INCH, max(MIN_PANEL_INCH, ROW_INCH * rows))


def _ticks(columns):
    """Column ticks: the bias and a round step that leaves room for the labels."""
    step = next(s for s in (5, 10, 25, 50, 100, 200, 500, 1000, 10 ** 9) if columns / s <= 16)
    return [0] + list(range(step, columns, step))


def gradient_error_figure(mine, ref, title, subtitle, path, layer_notes=None):
    """Write one PNG to ``path`` (a file name or a binary stream): a panel per layer of mine − ref
    (lists of (r, c) arrays), stacked, WIDTH_PX wide. ``layer_notes``: an optional line per panel.
    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.colors import TwoSlopeNorm
    from matplotlib.figure import Figure
    import matplotlib as mpl

    diffs = [np.asarray(a, dtype=float) - np.asarray(b, dtype=float) for a, b in zip(mine, ref)]
    heights = [panel_height(d.shape[0]) for d in diffs]
    heading = textwrap.wrap(title, TITLE_CHARS)[:2] + textwrap.wrap(subtitle, TITLE_CHARS)[:2]
    title_inch = 0.15 + TITLE_LINE_INCH * len(heading)
    total = title_inch + sum(heights) + (HEADER_INCH + FOOTER_INCH) * len(diffs)
    with mpl.rc_context({"font.size": FONT_PT}):
        fig = Figure(figsize=(WIDTH_PX / DPI, total))   # fixed layout: constrained doubles the time
        FigureCanvasAgg(fig)
        cmap = mpl.colormaps["RdBu_r"].with_extremes(bad="black")
        scale = max(float(np.max(np.abs(d[np.isfinite(d)]), initial=0.0)) for d in diffs) or 1.0
        notes = layer_notes or [""] * len(diffs)
        top = total - title_inch
        for l, (d, note, h) in enumerate(zip(diffs, notes, heights), start=1):
            top -= HEADER_INCH
            bottom = (top - h) / total
            bias_ax = fig.add_axes([0.1, bottom, 0.035, h / total])     # column 0 on its own, always visible
            ax = fig.add_axes([0.15, bottom, 0.73, h / total], sharey=bias_ax)
            cax = fig.add_axes([0.9, bottom, 0.02, h / total])
            top -= h + FOOTER_INCH
            finite = np.isfinite(d)
            norm = TwoSlopeNorm(0.0, -scale, scale)
            bias_ax.imshow(np.ma.masked_invalid(d[:, :1]), cmap=cmap, aspect="auto", interpolation="nearest",
                           norm=norm)
            image = ax.imshow(np.ma.masked_invalid(d[:, 1:]), cmap=cmap, aspect="auto", interpolation="nearest",
                              norm=norm, extent=(0.5, d.shape[1] - 0.5, d.shape[0] - 0.5, -0.5))
            bias_ax.set_xticks([0], ["bias"])
            ticks = [t for t in _ticks(d.shape[1]) if t > 0] or [1]
            ax.set_xticks(ticks, [str(c) for c in ticks])
            ax.tick_params(labelleft=False)
            bias_ax.set_yticks(_ticks(d.shape[0])[1:] if d.shape[0] > 12 else range(d.shape[0]))
            ax.set_xlabel(f"column: unit of layer {l} it comes from (1..{d.shape[1] - 1}; the bias on the left)")
            bias_ax.set_ylabel(f"row: layer-{l + 1} unit")
            bad = int(np.sum(~finite))
            largest = float(np.max(np.abs(d[finite]), initial=0.0))
            bias_ax.set_title(f"∂J/∂Θ^({l}) {d.shape[0]}×{d.shape[1]}: max |error| {largest:.2g}"
                              + (f", {note}" if note else "") + (f"; {bad} inf/NaN cells (black)" if bad else ""),
                              loc="left")
            fig.colorbar(image, cax=cax, label="yours − autodiff")
        fig.suptitle("\n".join(heading), x=0.02, ha="left", y=1 - 0.08 / total, va="top")
        fig.savefig(path, dpi=DPI)
    return path
