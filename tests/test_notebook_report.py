"""The report as a learner sees it in Jupyter: a notebook executed in a live kernel (nbclient),
exported to HTML (nbconvert), for a wrong and a right function with both losses. Every number in
the tables is kept on one line, the images fit a notebook's ~1000 px width at their own size, and
the part common to every wrong problem is said once, not on each row. (Looked at by eye too: the
docs say how to take the screenshot.)"""
import base64
import html.parser
import io
import re

import pytest

from live_kernel import new_notebook, run_notebook

CELLS = ["from functools import partial\nfrom crosscheck import verify\n"
         "from manual.catalogue import with_mistake\nfrom manual.course import nn_cost_function",
         "verify(with_mistake('regularize_bias', 'cross_entropy'))",
         "verify(partial(nn_cost_function, loss='cross_entropy'))",
         "verify(with_mistake('squared_missing_sigmoid_prime', 'squared_error'), loss='squared_error')",
         "verify(partial(nn_cost_function, loss='squared_error'), loss='squared_error')"]
NUMBER = re.compile(r"^[-+]?\d+(\.\d+)?(e[-+]\d+)?%?$")


class Cells(html.parser.HTMLParser):
    """Every <td> of the page: (its style, its text)."""

    def __init__(self):
        super().__init__()
        self.cells, self.open = [], None

    def handle_starttag(self, tag, attrs):
        if tag == "td":
            self.open = [dict(attrs).get("style", ""), ""]

    def handle_data(self, data):
        if self.open is not None:
            self.open[1] += data

    def handle_endtag(self, tag):
        if tag == "td" and self.open is not None:
            self.cells.append((self.open[0], self.open[1].strip()))
            self.open = None


@pytest.fixture(scope="module")
def exported(tmp_path_factory):
    nbconvert = pytest.importorskip("nbconvert")
    folder = tmp_path_factory.mktemp("report")
    with pytest.MonkeyPatch.context() as monkeypatch:
        done = run_notebook(new_notebook(CELLS), folder, monkeypatch)
    errors = [o for c in done.cells for o in c.get("outputs", []) if o.get("output_type") == "error"]
    assert not errors, errors
    body, _ = nbconvert.HTMLExporter().from_notebook_node(done)
    return done, body


def test_no_number_wraps(exported):
    _, body = exported
    parser = Cells()
    parser.feed(body)
    numbers = [(style, text) for style, text in parser.cells if NUMBER.match(text)]
    assert len(numbers) >= 4 * 11 * 4                       # 4 reports × 11 problems × 4 numbers
    assert all("white-space:nowrap" in style for style, _ in numbers)


def test_images_fit_the_notebook_width(exported):
    from PIL import Image
    _, body = exported
    images = [Image.open(io.BytesIO(base64.b64decode(data)))
              for data in re.findall(r"alt=.heat map[^>]*?base64,([A-Za-z0-9+/=]+)", body)]
    assert len(images) == 2                                 # one heat map per wrong function
    for image in images:
        width, height = image.size
        assert width <= 1000 and 400 <= height <= 1000


def test_the_common_where_is_said_once(exported):
    done, _ = exported
    wrong = done.cells[1].outputs[0]["data"]["text/html"].split("<details>")[0]   # the folded text report aside
    assert wrong.count("bias column only") == 1             # the verdict line, not eleven rows
    n_wrong = int(re.search(r"is wrong on (\d+) of \d+ problems", wrong).group(1))
    assert n_wrong >= 2 and wrong.count("<b>wrong</b>") == n_wrong          # each row says only that
