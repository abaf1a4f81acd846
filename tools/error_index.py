"""The error index: every error and warning message the notebooks show live, with its cause and its fix.

    python tools/error_index.py          # rewrites ERRORS.md from the notebooks' stored outputs
    python tools/error_index.py --check  # exits 1 when a message has no entry, an entry no message,
                                         # or ERRORS.md differs from what this would write

A live error is found in the stored outputs of every notebook (`notebooks/*.ipynb`, `notebooks/optional/`)
by one rule:
- an error output (a cell tagged `raises-exception`) is one: `ename: evalue`;
- in a stream (stdout, stderr) or a displayed result (its HTML without the tags, else its plain text), a line
  is one when it
  - is a TensorFlow C++ log line as `helpers.messages.stable_line` prints it (`W dataset.cc:997] Input ...`),
  - is a Python logging warning (`WARNING:tensorflow:From ...`), or
  - names an exception or warning class followed by a colon and a message (`InvalidArgumentError: ...`,
    `UserWarning: ...`), at the start of the line or after a label that ends in ": " or "-> ".
Its text is that line from the class name on (a whole log line), or the first line of an error output, with
terminal colours, TensorFlow's node names and counters removed; when it is Keras' "Exception encountered
when calling X.call().", the next line, which says what went wrong, is added.

Each live error belongs to the first entry in ENTRIES whose `match` (a regular expression) is found in its
text. ERRORS.md has one row per entry: the text as the first notebook showed it, the cause, the fix, and a
link to every cell that shows it. `tests/test_error_index.py` fails on a live error without an entry (add
one here), on an entry without a live error (delete it), and on an ERRORS.md that is out of date (run this).
"""

from __future__ import annotations

import argparse
import html
import json
import re
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

__all__ = [
    "ENTRIES",
    "Entry",
    "LiveError",
    "clean",
    "live_errors",
    "message_lines",
    "notebook_paths",
    "owner",
    "render",
    "stale_entries",
    "unindexed",
]

REPO_ROOT = Path(__file__).resolve().parent.parent
ERRORS_MD = REPO_ROOT / "ERRORS.md"
SHOWN_CHARACTERS = 240

_CPP_LOG_LINE = re.compile(r"^[IWEF] [\w.]+:\d+\] ")
_PYTHON_LOG_WARNING = re.compile(r"^WARNING:\w+:")
_NAMED_MESSAGE = re.compile(r"(?:^|: |-> )((?:[A-Za-z_]\w*\.)*[A-Z]\w*(?:Error|Exception|Warning): \S.*)")
_KERAS_WRAPPER = re.compile(r"Exception encountered when calling [\w.]+\.call\(\)\.$")
_NOISE = [
    re.compile(r"\x1b\[[0-9;]*m"),  # terminal colours (Keras prints the line that matters in bold)
    re.compile(r"\{\{function_node [^}]*\}\}\s*"),  # the iterator op's internal node name
    re.compile(r" for '\{\{node [^}]*\}\}[^']*'"),  # a node's full definition inside a message
    re.compile(r"\s*\[\[\{\{node [^}]*\}\}\]\]"),  # "[[{{node PyFunc}}]]" after a message
    re.compile(r"\s*\[Op:[^\]]*\](?: name: ?)?"),  # the op suffix
    re.compile(r"\[_XlaMustCompile=[^\]]*\]"),  # XLA's attributes of a compiled function
]
_TRACE_COUNTER = re.compile(r"(__inference_\w+?)_\d+\b")
_HTML_BREAK = re.compile(r"<(?:br|/td|/th|/tr|/p|/li|/div|/pre)\b[^>]*>", re.IGNORECASE)
_HTML_TAG = re.compile(r"<[^>]+>")


@dataclass(frozen=True)
class Entry:
    """One row of the index: a pattern that identifies a message, and what a learner should know about it.

    Attributes:
        match: a regular expression, searched for in a live error's text.
        cause: why the message appears, in a sentence or two.
        fix: what to do (or why nothing needs doing).
    """

    match: str
    cause: str
    fix: str


@dataclass(frozen=True)
class LiveError:
    """One message, as one notebook cell's stored output shows it.

    Attributes:
        notebook: the notebook's path relative to the repository (`notebooks/04_pitfalls.ipynb`).
        title: the notebook's title, from its header cell (`04 · The errors people hit`).
        section: the heading above the cell.
        cell_index: the cell's position in the notebook.
        cell_id: nbformat's id of the cell.
        text: the message (see the module docstring for how it is cut out).
    """

    notebook: str
    title: str
    section: str
    cell_index: int
    cell_id: str
    text: str

    @property
    def link(self) -> str:
        """A Markdown link to the cell, named by notebook and section."""
        return f"[{self.title} › {self.section}]({self.notebook}#cell-{self.cell_id})"


def clean(text: str) -> str:
    """Returns `text` without terminal colours, TensorFlow's node names, op suffixes and counters."""
    for pattern in _NOISE:
        text = pattern.sub("", text)
    return _TRACE_COUNTER.sub(r"\1", text).strip()


def message_lines(lines: Sequence[str]) -> list[str]:
    """The messages among `lines` (one output's text, split into lines), by the module's rule."""
    lines = [clean(line) for line in lines]
    found = []
    for index, line in enumerate(lines):
        if _CPP_LOG_LINE.match(line) or _PYTHON_LOG_WARNING.match(line):
            found.append(line)
            continue
        named = _NAMED_MESSAGE.search(line)
        if named:
            found.append(_with_keras_reason(named.group(1), lines[index + 1 :]))
    return found


def _with_keras_reason(message: str, following: Sequence[str]) -> str:
    if not _KERAS_WRAPPER.search(message):
        return message
    reason = next((line for line in following if line), "")
    return f"{message} {reason}".strip()


def _output_lines(output: dict) -> list[str]:
    if output["output_type"] == "stream":
        return "".join(output["text"]).splitlines()
    data = output.get("data", {})
    if "text/html" in data:
        text = _HTML_TAG.sub("", _HTML_BREAK.sub("\n", "".join(data["text/html"])))
        return html.unescape(text).splitlines()
    return "".join(data.get("text/plain", "")).splitlines()


def _error_text(output: dict) -> str:
    lines = [clean(line) for line in f"{output['ename']}: {output['evalue']}".splitlines()]
    return _with_keras_reason(lines[0], lines[1:])


def notebook_paths(root: Path = REPO_ROOT) -> list[Path]:
    """Every notebook of the kit, core lessons first, in course order."""
    notebooks = root / "notebooks"
    return sorted(notebooks.glob("*.ipynb")) + sorted(notebooks.glob("optional/*.ipynb"))


def live_errors(path: Path, root: Path = REPO_ROOT) -> list[LiveError]:
    """The live errors in one notebook's stored outputs, in cell order."""
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    title = "".join(cells[0]["source"]).splitlines()[0].lstrip("# ").strip()
    section, found = title, []
    for index, cell in enumerate(cells):
        source = "".join(cell["source"])
        if cell["cell_type"] == "markdown" and re.match(r"#{1,6} ", source):
            section = source.splitlines()[0].lstrip("# ").strip()
        for output in cell.get("outputs", []):
            if output["output_type"] == "error":
                texts = [_error_text(output)]
            else:
                texts = message_lines(_output_lines(output))
            for text in texts:
                where = path.relative_to(root).as_posix()
                found.append(LiveError(where, title, section, index, cell.get("id", ""), text))
    return found


def owner(error: LiveError, entries: Sequence[Entry]) -> Entry | None:
    """The first entry whose pattern is found in the error's text, or None."""
    return next((entry for entry in entries if re.search(entry.match, error.text)), None)


def unindexed(errors: Iterable[LiveError], entries: Sequence[Entry]) -> list[LiveError]:
    """The live errors no entry matches."""
    return [error for error in errors if owner(error, entries) is None]


def stale_entries(errors: Iterable[LiveError], entries: Sequence[Entry]) -> list[Entry]:
    """The entries that own no live error."""
    owned = {owner(error, entries) for error in errors}
    return [entry for entry in entries if entry not in owned]


def _shown(text: str) -> str:
    if len(text) > SHOWN_CHARACTERS:
        text = text[:SHOWN_CHARACTERS].rsplit(" ", 1)[0] + " …"
    return text


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _code(text: str) -> str:
    fence = "`" * (max((len(run) for run in re.findall(r"`+", text)), default=0) + 1)
    return f"{fence} {_cell(text)} {fence}"


def render(errors: Sequence[LiveError], entries: Sequence[Entry]) -> str:
    """ERRORS.md: one row per entry that owns a live error, in the order the course first shows them."""
    rows: dict[Entry, list[LiveError]] = {}
    for error in errors:
        entry = owner(error, entries)
        if entry is not None:
            rows.setdefault(entry, []).append(error)
    lines = [
        "# Error index",
        "",
        "Every error and warning message the notebooks show live, with its cause, its fix and the cells",
        "that show it. Search this page for the first line of the message you got. Generated by",
        "`python tools/error_index.py` from the notebooks' stored outputs and the entries in that file;",
        "do not edit it by hand (`tests/test_error_index.py` checks that it is up to date).",
        "",
        "| Message (as a notebook shows it) | Cause | Fix | Shown live in |",
        "|---|---|---|---|",
    ]
    for entry, shown_in in rows.items():
        links = dict.fromkeys(error.link for error in shown_in)  # one link per cell, in order
        cells = [_code(_shown(shown_in[0].text)), _cell(entry.cause), _cell(entry.fix), "<br>".join(links)]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def _problems(errors: Sequence[LiveError], entries: Sequence[Entry]) -> list[str]:
    problems = [
        f"{error.notebook} cell {error.cell_index} ({error.section}): no entry for {error.text!r}"
        for error in unindexed(errors, entries)
    ]
    problems += [f"entry {entry.match!r} matches no live error" for entry in stale_entries(errors, entries)]
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    parser.add_argument("--check", action="store_true", help="only check; exit 1 if anything is out of date")
    args = parser.parse_args(argv)
    errors = [error for path in notebook_paths() for error in live_errors(path)]
    problems = _problems(errors, ENTRIES)
    text = render(errors, ENTRIES)
    if args.check:
        if ERRORS_MD.read_text(encoding="utf-8") != text:
            problems.append("ERRORS.md is out of date: run python tools/error_index.py")
    else:
        ERRORS_MD.write_text(text, encoding="utf-8")
    for problem in problems:
        print(problem, file=sys.stderr)
    return 1 if problems else 0


# The entries, in the order the course first shows their messages. `match` is a regular expression.
ENTRIES: tuple[Entry, ...] = (
    Entry(
        match=r"with output_(types|shapes) is deprecated",
        cause="`from_generator` was given the deprecated `output_types`/`output_shapes` (as in the "
        "article's code). TensorFlow logs this once per call site.",
        fix="Describe the elements with `output_signature=` and `tf.TensorSpec`s nested like the element.",
    ),
    Entry(
        match=r"`generator` must be a Python callable",
        cause="`from_generator` got something it cannot call: a generator object (`gen()` instead of "
        "`gen`), or an object such as a Keras `PyDataset`. It calls the function anew for every pass.",
        fix="Pass the function: `gen`, `lambda: gen(x)` or `args=(x,)`; for an iterable object, `lambda: "
        "obj`.",
    ),
    Entry(
        match=r"Cannot batch tensors with different shapes",
        cause="`batch` stacks elements into one tensor, so they must have the same shape; these vary in "
        "length.",
        fix="Declare the varying dimension `None` and use `padded_batch` (or `ragged_batch`).",
    ),
    Entry(
        match=r"argument can not be used together with the `output_signature` argument",
        cause="The deprecated `output_types`/`output_shapes` were mixed with `output_signature`.",
        fix="Use `output_signature` alone.",
    ),
    Entry(
        match=r"The dataset length is unknown",
        cause="`len()` on a `from_generator` dataset: TensorFlow cannot know how many elements a generator "
        "yields (`cardinality()` is -2, unknown).",
        fix="Declare it with `ds.apply(tf.data.experimental.assert_cardinality(n))` (n counts batches after "
        "`batch`), or count the elements yourself.",
    ),
    Entry(
        match=r"Input dataset was expected to contain \d+ elements but contained",
        cause="`assert_cardinality(n)` declared a length the dataset does not have; it is checked while the "
        "dataset is read.",
        fix="Declare the true count: after `batch(b)` it is `ceil(rows / b)` batches.",
    ),
    Entry(
        match=r"`generator` yielded an element of shape",
        cause="An element's shape differs from the signature: often a fixed batch dimension meeting the "
        "short last batch, images of another size, or a grey image with 2 dimensions instead of 3.",
        fix="Declare dimensions that vary as `None`; make the generator yield the declared shape (resize, "
        "convert to RGB).",
    ),
    Entry(
        match=r"`generator` yielded an element that did not match the expected structure",
        cause="The yielded structure differs from the signature's: a list where it says tuple, a dict with "
        "other keys, a dense array where it says `tf.SparseTensorSpec` or ragged.",
        fix="Yield exactly the signature's structure: tuples, dicts with the same keys, `tf.SparseTensor` / "
        "`tf.RaggedTensor` where the signature says so.",
    ),
    Entry(
        match=r"If shallow structure is a sequence, input must also be a sequence",
        cause="TensorFlow's own structure check (`nest.flatten_up_to`, what `from_generator` runs on every "
        "element) met a single value where the signature has a tuple or dict, as the doctor reports it: "
        "often a function that `return`s its element, so each part of it arrived alone.",
        fix="Yield exactly the signature's structure (`yield image, label`, not `return image, label`).",
    ),
    Entry(
        match=r"'SymbolicTensor' object has no attribute 'numpy'",
        cause="`.numpy()` in graph code (`map`, `tf.function`): there the tensors are symbolic and have no "
        "values yet.",
        fix="Do the NumPy work inside the generator, or write the `map` function with TensorFlow ops.",
    ),
    Entry(
        match=r"To specify the output signature you need to provide either",
        cause="`from_generator` was called without any description of its elements.",
        fix="Pass `output_signature=`.",
    ),
    Entry(
        match=r"!ssize\.empty\(\) in function 'resize'",
        cause="`cv2.imread` returned `None` for a file it could not read (it only logs), and `cv2.resize` "
        "failed on it later, inside the generator.",
        fix="Check what `cv2.imread` returns and raise an error naming the file (`images.load_image` does).",
    ),
    Entry(
        match=r"cannot read image file",
        cause="The kit's loader (`images.load_image`) met a missing or unreadable file and named it.",
        fix="Fix the path, or catch the error per file inside the generator and record what was skipped.",
    ),
    Entry(
        match=r"Attempt to convert a value \(.*\) with an unsupported type",
        cause="`args` are converted to tensors when the dataset is built; `None` and dicts cannot be.",
        fix="Pass numbers, strings or arrays through `args`; give defaults inside the generator, or pass a "
        "key to data kept in a dict.",
    ),
    Entry(
        match=r"Can't convert (non-rectangular Python sequence|Python sequence with mixed types) to Tensor",
        cause="An `args` value is a list TensorFlow cannot make one tensor of: rows of different lengths, "
        "or strings mixed with numbers.",
        fix="Pass one array per argument, each of one type and shape, or a key to data kept outside.",
    ),
    Entry(
        match=r"is out of scope and cannot be used here",
        cause="The generator closed over a symbolic tensor (the element inside `interleave` or `map`): "
        "Python code there runs once, when the function is traced.",
        fix="Pass the element to the generator through `args=(element,)`.",
    ),
    Entry(
        match=r"ValueError: item 3 is broken",
        cause="The lesson's generator raised `ValueError` (a file that cannot be read, say). It arrives as "
        "`tf.errors.InvalidArgumentError`, and the pass over the data ends there.",
        fix="Catch errors per item inside the generator, record what you skip; around the loop, catch "
        "`tf.errors.OpError`, not the Python exception.",
    ),
    Entry(
        match=r"`output_signature` must contain objects that are subclass of `tf.TypeSpec`",
        cause="The signature is a list: `tf.data` takes a list as one value, not as a structure of specs.",
        fix="Write the signature as a tuple (or a dict) of `tf.TensorSpec`s.",
    ),
    Entry(
        match=r"RuntimeWarning: overflow encountered in cast",
        cause="NumPy's warning while `from_generator` converts a value too large for the declared dtype "
        "(1e300 as float32 becomes inf): one of the silent casts.",
        fix="Convert explicitly in the generator after checking the values; `doctor.checked` flags them.",
    ),
    Entry(
        match=r"ElementMismatchError",
        cause="The kit's pipeline doctor (`doctor.checked`) found an element TensorFlow would refuse or "
        "change silently, and names the element and the place inside it.",
        fix="Do what the message says in parentheses: declare `None`, convert explicitly, parse text.",
    ),
    Entry(
        match=r"could not be converted to the expected type",
        cause="A yielded value cannot become the declared dtype (text such as '5, 4' for int32, `None`).",
        fix="Parse and convert in the generator; skip or report values that do not parse.",
    ),
    Entry(
        match=r"You must provide `padded_shapes` argument because component \d+ has unknown rank",
        cause="The dataset was made with `output_types` alone, so no shape is known, not even the rank.",
        fix="Use `output_signature` with shapes (`None` for dimensions that vary).",
    ),
    Entry(
        match=r"as_list\(\) is not defined on an unknown TensorShape",
        cause="Keras needs at least the rank of its input; `output_types` alone leaves every shape unknown.",
        fix="Use `output_signature` with shapes.",
    ),
    Entry(
        match=r"`shuffle=True` was passed, but will be ignored",
        cause="Keras' `fit` shuffles arrays by default but cannot shuffle a `tf.data.Dataset`; it says so.",
        fix="Shuffle in the pipeline (`.shuffle(buffer_size)` before `batch`) and pass `shuffle=False` to "
        "silence it. Harmless.",
    ),
    Entry(
        match=r"endswith first arg must be bytes",
        cause="Strings passed through `args` arrive in the generator as `bytes`.",
        fix="Decode them (`path.decode()`, `os.fsdecode(path)`) before using `str` methods.",
    ),
    Entry(
        match=r"PyFunc is stateful",
        cause="Checkpointing an iterator of a `from_generator` dataset: TensorFlow cannot save the position "
        "of a Python generator.",
        fix="Save the generator's output once (`ds.save`, `Dataset.load`), or build the pipeline from "
        "TensorFlow ops (notebook 07).",
    ),
    Entry(
        match=r"Could not find callback with key=pyfunc_\d+ in the registry",
        cause="The `PyFunc` op ran in a process that does not hold the Python function (a tf.data service "
        "worker, a SavedModel loaded elsewhere): the graph stores only a key.",
        fix="Keep the generator in the process that made it; for other processes build the pipeline from "
        "TensorFlow ops, or export the model without the pipeline.",
    ),
    Entry(
        match=r"ImageLoadError: cannot load image",
        cause="The kit's loader could not decode a file (here in a decode thread; `future.result()` raised "
        "the error again in the generator). The message names the file and says why.",
        fix="Remove or skip the broken file; catch errors per file if the pass should go on.",
    ),
    Entry(
        match=r"Missing data for input",
        cause="The generator's dict keys differ from the names of the model's `keras.Input`s.",
        fix="Yield `(features, label)` with `features` keyed by the inputs' `name=`s.",
    ),
    Entry(
        match=r"Invalid input shape for input",
        cause="The elements have one dimension too many (batched twice: a generator of batches, then "
        "`.batch()`) or too few (never batched).",
        fix="Batch exactly once; compare `ds.element_spec` with `model.input_shape` before `fit`.",
    ),
    Entry(
        match=r"Found an unshardable source dataset",
        cause="Auto-sharding by file needs a dataset that reads files; a generator reads none.",
        fix="Shard by data, or better inside the generator with `distribute_datasets_from_function` and the "
        "input context through `args`.",
    ),
    Entry(
        match=r"Memory patch applied: M_TRIM_THRESHOLD",
        cause="Information (TensorFlow 2.21): when the first generator dataset runs, TensorFlow tells "
        "glibc's allocator to return freed memory to the system sooner.",
        fix="Nothing to do.",
    ),
    Entry(
        match=r"Your input ran out of data",
        cause="Keras reached the end of a dataset of unknown length (a generator) before it expected to.",
        fix="Declare the length with `assert_cardinality`, or `repeat()` the data and pass "
        "`steps_per_epoch`.",
    ),
    Entry(
        match=r"^W (op_kernel|local_rendezvous)\.cc:\d+\]",
        cause="TensorFlow's C++ log of an op that failed (here the generator raised); Python receives the "
        "same error as an exception.",
        fix="Read and handle the exception; the log line adds nothing.",
    ),
    Entry(
        match=r"will not be optimized because the dataset does not implement the AsGraphDefInternal",
        cause="A distribution strategy rewrote the pipeline by writing it out as a graph; the generator's "
        "step cannot be written out (its Python function stays in the process), so the rewrite goes "
        "around it.",
        fix="Harmless: the data are right. A graph-native pipeline (notebook 07) does not log it.",
    ),
    Entry(
        match=r"Error occurred when finalizing GeneratorDataset iterator",
        cause="An iterator was still open when the script ended; by the time TensorFlow closed it, Python "
        "had shut down, so the generator could not be closed (its `finally` did not run). Older "
        "TensorFlow versions logged it as `Cancelled` after `take` or `break` too.",
        fix="Harmless for the data. If the generator's cleanup matters, finish the pass or `del` the "
        "iterator before the script ends.",
    ),
    Entry(
        match=r"invalid literal for int\(\) with base 10",
        cause="A producer thread parsed a bad text and died; its exception stays in that thread.",
        fix="Handle bad items where they are parsed; give the consumer's `queue.get` a timeout so that a "
        "dead producer becomes an error, not a hang.",
    ),
    Entry(
        match=r"UnknownError: Empty",
        cause="The generator's `queue.get(timeout=...)` found no item in time (`queue.Empty` has no "
        "message): its producer stopped.",
        fix="Find why the producer stopped (its own error); start it inside the generator, end the work "
        "with a sentinel.",
    ),
    Entry(
        match=r"generator already executing",
        cause="One generator object, created outside the callable, was read by two consumers at once "
        "(threads, or `interleave` shards).",
        fix="Create the generator (and any reader or file handle) inside the function `from_generator` "
        "calls.",
    ),
    Entry(
        match=r"No registered 'PyFunc' OpKernel",
        cause="Code compiled by XLA (`jit_compile`, Keras on GPUs, every TPU) or run where there is no "
        "Python (a TPU host, TensorFlow Serving) cannot call back into Python.",
        fix="Keep `from_generator` and `tf.numpy_function` out of compiled code; on a TPU feed a "
        "graph-native pipeline or saved files (notebook 07).",
    ),
)


if __name__ == "__main__":
    raise SystemExit(main())
