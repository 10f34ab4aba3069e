"""Translations: gettext catalogues made from ``solutions/`` and the package, applied to ``lessons/``
and to what the grader writes.

A lesson's catalogue, ``locale/<language>/LC_MESSAGES/<lesson>.po``, holds one entry per
markdown cell (``msgctxt`` the cell id, ``msgid`` its whole English source) and one per
student-facing string literal of an ungraded code cell, a visible test cell or a hidden test
cell (``msgctxt`` ``"<cell id>:string"`` or ``":hidden"``, ``msgid`` the literal's text; an
f-string's as written, ``{...}`` included, flagged ``python-brace-format``). Graded and locked
cells are never rewritten, since nbgrader checksums them and restores their English source at
grading: a visible test's strings are translated as it runs, by ``autograder.checks``, and a
hidden test's hint on the student's feedback page (``hint``). ``MODULES`` have catalogues of
the sentences they wrap in ``_()`` (``gettext``). ``update`` merges a catalogue with its source
as msgmerge does; ``translate_notebook`` makes a released notebook's edition in the catalogue's
language; ``catalogue_problems`` says what keeps a catalogue from being complete.
"""

import ast
import difflib
import functools
import io
import json
import re
import tokenize

import nbformat
import polib

from . import checks
from .checks import BRACE_FORMAT, VISIBLE_TEST_COMMENT
from .course import ROOT, VISIBLE_TEST_PREFIX, is_hidden_test, solution_notebook

LOCALE = ROOT / "locale"
# The catalogues of the sentences these modules wrap in ``_()``, beside the lessons': what a
# check says in a visible test, what the check command, a feedback page and the class report
# say around it.
MODULES = {"checks": "checks.py", "check": "check.py", "feedback": "feedback.py", "report": "report.py"}
MODULE_CHECKS = "checks"
# Marks a lesson catalogue's entry for a string of a hidden test: only a feedback page shows it,
# translated after grading (the hidden tests themselves run in English).
HIDDEN_TEST_COMMENT = "string in a hidden test (shown on the feedback page)"
LANGUAGES = ("zh_CN",)
STRING_CONTEXT = ":string"
HIDDEN_CONTEXT = ":hidden"
# A fallback font for the glyphs DejaVu Sans lacks, and the comment of the cell that turns the language on.
FONTS = {"zh_CN": "WenQuanYi Micro Hei"}
LANGUAGE_CELL_COMMENT = {"zh_CN": "# 中文版：测试的提示用中文；图中的汉字用文泉驿微米黑显示（DejaVu Sans 缺的字形才用它）。"}
LANGUAGE_CELL_ID = "language"
# The font has no bold face: matplotlib draws bold text in its regular one, and says so each time.
BOLD_COMMENT = {"zh_CN": "# 文泉驿微米黑没有粗体：粗体字用常规字重显示，不必每次都提示。"}

# Natural language, not code: a word of three letters or more followed by another word.
WORDS = re.compile(r"[A-Za-z]{3,}'?[a-z]*\s+\(?[^\W\d_]")
# The keyword arguments whose strings a student reads; every other keyword's strings are settings ("upper left").
READ_KEYWORDS = {"label", "title", "explain", "mistakes", "hint"}
PLACEHOLDER = re.compile(r"(?<!\{)\{(?!\{)[^{}]*\}")
# Where a markdown cell names a file: an inline link or image "](...)", a reference "[id]: ...", an HTML
# src= or href=; and the code and math in which "](...)" is no link.
LINK_TARGET = re.compile(r"""(\]\(\s*<?|^ {0,3}\[[^\]]+\]:\s*<?|\b(?:src|href)\s*=\s*["'])([^\s)"'>]+)""", re.M)
NOT_LINKS = re.compile(r"(```|~~~).*?\1|(`+).+?\2|\$\$.*?\$\$|\$[^$\n]+\$", re.S)
NOT_RELATIVE = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:|[/#?]")  # a scheme (https:, data:, attachment:), a root, an anchor


def catalogue_path(lesson, language):
    return LOCALE / language / "LC_MESSAGES" / f"{lesson}.po"


def translated_languages(lesson):
    """The languages that have a catalogue for ``lesson``."""
    return [language for language in LANGUAGES if catalogue_path(lesson, language).exists()]


# --- what a notebook has to translate -------------------------------------------------------

def _nbgrader(cell):
    return cell.metadata.get("nbgrader", {})


def _is_visible_test(cell):
    return cell.cell_type == "code" and _nbgrader(cell).get("grade_id", "").startswith(VISIBLE_TEST_PREFIX)


def _is_rewritable(cell):
    """Whether the release may rewrite ``cell``: nbgrader neither grades, locks nor checksums it."""
    meta = _nbgrader(cell)
    return not (meta.get("grade") or meta.get("solution") or meta.get("locked"))


def _literal_text(node, segment):
    """A string literal's text: a plain string's value; an f-string's body as written, ``{...}`` kept."""
    if isinstance(node, ast.Constant):
        return node.value
    parts = []
    for token in tokenize.generate_tokens(io.StringIO(f"({segment})").readline):
        if token.type == tokenize.STRING:
            prefix = re.match(r"[A-Za-z]*", token.string).group()
            quoted = token.string[len(prefix):]
            quote = quoted[:3] if quoted[:3] in ('"""', "'''") else quoted[0]
            body = quoted[len(quote):-len(quote)]
            parts.append(body if "f" in prefix.lower() else body.replace("{", "{{").replace("}", "}}"))
    return "".join(parts)


def _read_strings(source):
    """``[(node, text)]``: the literals a student reads in ``source``, in order.

    A literal counts when it reads as words and is not a docstring, a dictionary key, an index
    or the value of a settings keyword (``loc="upper left"``).
    """
    tree = ast.parse(source)
    parents = {child: node for node in ast.walk(tree) for child in ast.iter_child_nodes(node)}
    found = []
    for node in ast.walk(tree):
        if not (isinstance(node, ast.JoinedStr) or (isinstance(node, ast.Constant) and isinstance(node.value, str))):
            continue
        chain, up = [], parents.get(node)
        while up is not None:
            chain.append(up)
            up = parents.get(up)
        if isinstance(chain[0], (ast.Expr, ast.Subscript)) or any(isinstance(p, ast.JoinedStr) for p in chain):
            continue  # a docstring, an index, a piece of an f-string
        if any(isinstance(p, ast.keyword) and p.arg not in READ_KEYWORDS for p in chain):
            continue
        if isinstance(parents.get(node), ast.Dict) and node in parents[node].keys:
            continue
        text = _literal_text(node, ast.get_source_segment(source, node))
        if WORDS.search(PLACEHOLDER.sub("", text)):
            found.append((node, text))
    return sorted(found, key=lambda item: (item[0].lineno, item[0].col_offset))


def _unique(strings):
    """``[(text, is an f-string)]`` of ``_read_strings``' literals, each text once."""
    found = {}
    for node, text in strings:
        found.setdefault(text, isinstance(node, ast.JoinedStr))
    return list(found.items())


def _flags(template, text):
    """gettext's flag for a ``str.format`` template or f-string with ``{...}`` (a plain string's braces,
    LaTeX's ``10^{-5}``, are text)."""
    return [BRACE_FORMAT] if template and PLACEHOLDER.search(text) else []


def entries(notebook):
    """``[(msgctxt, msgid, comment, flags)]`` for every text of ``notebook`` a translation covers, in order."""
    wanted = []
    for cell in notebook.cells:
        if cell.cell_type == "markdown" and _is_rewritable(cell) and cell.source.strip():
            wanted.append((cell.id, cell.source, "markdown cell", []))
        elif cell.cell_type == "code" and not is_hidden_test(cell) and (_is_rewritable(cell) or _is_visible_test(cell)):
            # checks finds a visible test's strings by this comment, to translate them as the test runs.
            comment = VISIBLE_TEST_COMMENT if _is_visible_test(cell) else "string in a code cell"
            for text, fstring in _unique(_read_strings(cell.source)):
                wanted.append((cell.id + STRING_CONTEXT, text, comment, _flags(fstring, text)))
        elif cell.cell_type == "code" and is_hidden_test(cell):  # only a feedback page shows them
            for text, fstring in _unique(_read_strings(cell.source)):
                wanted.append((cell.id + HIDDEN_CONTEXT, text, HIDDEN_TEST_COMMENT, _flags(fstring, text)))
    return wanted


def _is_gettext(function):
    """Whether a call's ``function`` is ``_`` or ``self._``."""
    return (isinstance(function, ast.Name) and function.id == "_") or \
        (isinstance(function, ast.Attribute) and function.attr == "_")


def module_entries(name):
    """``[(msgctxt, msgid, comment, flags)]`` for the sentences module ``name`` wraps in ``_()``."""
    tree = ast.parse((ROOT / "autograder" / MODULES[name]).read_text())
    calls = sorted((node for node in ast.walk(tree) if isinstance(node, ast.Call) and _is_gettext(node.func)
                    and node.args and isinstance(node.args[0], ast.Constant)),
                   key=lambda node: (node.lineno, node.col_offset))
    ordered = list(dict.fromkeys(node.args[0].value for node in calls))
    return [(None, sentence, f"a sentence of autograder.{name} (a str.format template)", _flags(True, sentence))
            for sentence in ordered]


def source_entries(name):
    """The entries a catalogue ``name`` must hold: a lesson's, from its source notebook, or a module's."""
    if name in MODULES:
        return module_entries(name)
    return entries(nbformat.read(solution_notebook(name), as_version=4))


# --- catalogues ---------------------------------------------------------------------------

def _new_catalogue(lesson, language):
    catalogue = polib.POFile(wrapwidth=0)
    catalogue.metadata = {"Project-Id-Version": f"backprop-lab {lesson}", "Language": language,
                          "MIME-Version": "1.0", "Content-Type": "text/plain; charset=UTF-8",
                          "Content-Transfer-Encoding": "8bit", "Plural-Forms": "nplurals=1; plural=0;"}
    return catalogue


def load(lesson, language):
    return polib.pofile(str(catalogue_path(lesson, language)), wrapwidth=0)


def update(lesson, language):
    """Write ``lesson``'s catalogue, merged with its source notebook as msgmerge merges.

    A new text gets an empty entry; a text whose English changed keeps its translation,
    marked fuzzy, with the English it translated as the previous msgid; entries no
    longer in the notebook stay as obsolete. Returns ``{"new": n, "fuzzy": n, "obsolete": n}``.
    """
    path = catalogue_path(lesson, language)
    old = load(lesson, language) if path.exists() else _new_catalogue(lesson, language)
    live = [e for e in old if not e.obsolete]
    catalogue = _new_catalogue(lesson, language)
    catalogue.metadata = old.metadata or catalogue.metadata
    counts = {"new": 0, "fuzzy": 0, "obsolete": 0}
    wanted = source_entries(lesson)
    wanted_keys = {(context, msgid) for context, msgid, *_ in wanted}
    exact = {(e.msgctxt, e.msgid): e for e in live}
    # Entries whose English is gone from their cell: the candidates for a changed text of that cell.
    changed = {}
    for e in live:
        if (e.msgctxt, e.msgid) not in wanted_keys:
            changed.setdefault(e.msgctxt, []).append(e)
    for context, msgid, comment, flags in wanted:
        entry = polib.POEntry(msgctxt=context, msgid=msgid, msgstr="", comment=comment, flags=list(flags))
        previous = exact.get((context, msgid))
        if previous is None:
            candidates = {e.msgid: e for e in changed.get(context, [])}
            # A markdown cell has one entry: whatever it held before is the previous English.
            one_per_cell = context is not None and ":" not in context
            closest = difflib.get_close_matches(msgid, list(candidates), n=1, cutoff=0.0 if one_per_cell else 0.5)
            previous = candidates.get(closest[0]) if closest else None
            if previous is not None:
                changed[context].remove(previous)
                entry.previous_msgid = previous.msgid
                entry.flags.append("fuzzy")
                counts["fuzzy"] += 1
            else:
                counts["new"] += 1
        elif "fuzzy" in previous.flags:
            entry.previous_msgid = previous.previous_msgid
            entry.flags.append("fuzzy")
        if previous is not None:
            entry.msgstr = previous.msgstr
        catalogue.append(entry)
    for leftover in [e for group in changed.values() for e in group] + [e for e in old if e.obsolete]:
        leftover.obsolete = True
        catalogue.append(leftover)
        counts["obsolete"] += 1
    path.parent.mkdir(parents=True, exist_ok=True)
    catalogue.save(str(path))
    return counts


def catalogue_problems(lesson, language):
    """What keeps ``lesson``'s catalogue from translating its source notebook, one sentence each,
    naming the cell: an entry missing, untranslated or fuzzy, English changed since translated,
    a translated f-string whose ``{...}`` placeholders differ from the English."""
    path = catalogue_path(lesson, language)
    if not path.exists():
        return [f"{lesson} ({language}): no catalogue {path.relative_to(ROOT)}: "
                f"run `python -m autograder translate --update {lesson}` and translate it"]
    live = [e for e in load(lesson, language) if not e.obsolete]
    by_key = {(e.msgctxt, e.msgid): e for e in live}
    wanted = source_entries(lesson)
    wanted_keys = {(context, msgid) for context, msgid, *_ in wanted}
    contexts_changed = {e.msgctxt for e in live if (e.msgctxt, e.msgid) not in wanted_keys}
    found = []
    for context, msgid, _comment, flags in wanted:
        if context is None:
            what = f"sentence {_short(msgid)!r}"
        elif context.endswith((STRING_CONTEXT, HIDDEN_CONTEXT)):
            what = f"string {_short(msgid)!r} of cell {context.rsplit(':', 1)[0]}"
        else:
            what = f"cell {context}"
        entry = by_key.get((context, msgid))
        if entry is None:
            found.append(f"{what}: its English changed since it was translated" if context in contexts_changed
                         else f"{what}: no entry")
        elif "fuzzy" in entry.flags:
            found.append(f"{what}: fuzzy (its English changed; check the translation, then remove the flag)")
        elif not entry.msgstr:
            found.append(f"{what}: not translated")
        elif BRACE_FORMAT in flags and \
                sorted(PLACEHOLDER.findall(entry.msgstr)) != sorted(PLACEHOLDER.findall(msgid)):
            found.append(f"{what}: its placeholders {{...}} differ from the English")
    return [f"{lesson} ({language}) {problem}" for problem in found]


def _short(text, width=40):
    return text if len(text) <= width else text[:width - 3] + "..."


def translations(catalogue):
    """``{(msgctxt, msgid): msgstr}`` of a catalogue's finished entries (not fuzzy, not empty)."""
    return {(e.msgctxt, e.msgid): e.msgstr for e in catalogue
            if e.msgstr and not e.obsolete and "fuzzy" not in e.flags}


# --- speaking a language outside a notebook: feedback pages, the report ------------------------

def notebook_language(notebook):
    """The language of a notebook (its ``backprop_lab.language``) if the course has it, else None:
    English. A student's notebook may hold anything there; anything else is ignored."""
    meta = notebook.metadata.get("backprop_lab")
    language = meta.get("language") if isinstance(meta, dict) else None
    return language if language in LANGUAGES else None


def _finished(name, language):
    """The finished entries (translated, not fuzzy, not obsolete) of catalogue ``name``, if it exists."""
    if language not in LANGUAGES or not catalogue_path(name, language).exists():
        return []
    return [e for e in load(name, language) if e.msgstr and not e.obsolete and "fuzzy" not in e.flags]


@functools.cache
def _sentences(name, language):
    return {e.msgid: e.msgstr for e in _finished(name, language)}


def gettext(name, language):
    """Module ``name``'s ``_`` in ``language`` (None: English): a sentence's translation from its
    catalogue, or the English sentence where there is none."""
    table = _sentences(name, language) if language else {}
    return lambda sentence: table.get(sentence, sentence)


@functools.cache
def _hint_tables(lesson, language):
    """``(texts, patterns)`` for ``checks.localize``: the strings of ``lesson``'s hidden tests and
    the sentences of ``checks``, each whole and its explanation after " — " (what a page quotes)."""
    entries = [e for e in _finished(lesson, language) if e.comment == HIDDEN_TEST_COMMENT]
    entries += _finished(MODULE_CHECKS, language)
    pairs = [(e.msgid, e.msgstr, BRACE_FORMAT in e.flags) for e in entries]
    pairs += [(english.split(" — ", 1)[1], translated.split(" — ", 1)[1], template)
              for english, translated, template in pairs if " — " in english and " — " in translated]
    texts = {english: translated for english, translated, template in pairs if not template}
    patterns = [(checks.pattern(english), translated) for english, translated, template in pairs if template]
    return checks.longest_first(texts, patterns)


def hint(text, lesson, language):
    """A hidden test's explanation of a mistake (recorded in English) in ``language`` (None: English)."""
    return checks.localize(text, *_hint_tables(lesson, language)) if language else text


# --- applying a catalogue ---------------------------------------------------------------------

def _index(lines, lineno, byte_col):
    """Where ast's position (line ``lineno``, UTF-8 byte column ``byte_col``) falls in the joined ``lines``."""
    return sum(len(line) for line in lines[:lineno - 1]) + len(lines[lineno - 1].encode()[:byte_col].decode())


def _quoted(text, fstring):
    """``text`` as a Python literal; an f-string's placeholders written back as they are."""
    if not fstring:
        return json.dumps(text, ensure_ascii=False)  # JSON's escapes are Python's
    quote = '"' if '"' not in text else "'"
    if quote in text:
        raise ValueError(f"a translated f-string may not hold both kinds of quote: {text!r}")
    return "f" + quote + text.replace("\n", "\\n") + quote


def translate_code(source, context, table):
    """``source`` with each string literal that ``table`` translates replaced by its translation."""
    lines = source.splitlines(keepends=True)
    edits = []
    for node, text in _read_strings(source):
        translated = table.get((context, text))
        if translated is not None:
            start = _index(lines, node.lineno, node.col_offset)
            end = _index(lines, node.end_lineno, node.end_col_offset)
            edits.append((start, end, _quoted(translated, isinstance(node, ast.JoinedStr))))
    for start, end, literal in sorted(edits, reverse=True):
        source = source[:start] + literal + source[end:]
    return source


def font_families(language):
    """matplotlib's ``font.family`` for ``language``: DejaVu Sans, then the font for the glyphs it lacks."""
    return ["DejaVu Sans", FONTS[language]]


def language_cell(language):
    """The code cell that puts a notebook's visible tests and figures in ``language``."""
    source = "\n".join([LANGUAGE_CELL_COMMENT[language], "import logging", f'checks.use_language("{language}")',
                        f'plt.rcParams["font.family"] = {json.dumps(font_families(language))}',
                        BOLD_COMMENT[language], 'logging.getLogger("matplotlib.font_manager").setLevel(logging.ERROR)'])
    cell = nbformat.v4.new_code_cell(source, id=LANGUAGE_CELL_ID)
    cell.metadata = {"deletable": False, "editable": False}
    return cell


def links_one_folder_deeper(markdown):
    """``markdown`` with one more ``../`` before each relative link or image path, for an edition in
    ``lessons/<language>/<lesson>/``: a folder deeper than ``lessons/<lesson>/``, which they were written for."""
    def deeper(link):
        prefix, target = link.groups()
        return link.group() if NOT_RELATIVE.match(target) else f"{prefix}../{target}"

    pieces, end = [], 0
    for code in NOT_LINKS.finditer(markdown):
        pieces += [LINK_TARGET.sub(deeper, markdown[end:code.start()]), code.group()]
        end = code.end()
    return "".join(pieces) + LINK_TARGET.sub(deeper, markdown[end:])


def translate_notebook(notebook, catalogue, language):
    """The edition of a released ``notebook`` in ``language``: its texts replaced by the catalogue's
    translations (English where there is none) and their relative links rebased for the folder the
    edition lies in, graded and locked cells as they are, the language cell after the ``setup``
    cell, and ``backprop_lab.language`` in its metadata."""
    table = translations(catalogue)
    notebook = nbformat.from_dict(notebook)
    cells = []
    for cell in notebook.cells:
        if _is_rewritable(cell):
            if cell.cell_type == "markdown":
                cell.source = links_one_folder_deeper(table.get((cell.id, cell.source), cell.source))
            elif cell.cell_type == "code":
                cell.source = translate_code(cell.source, cell.id + STRING_CONTEXT, table)
        cells.append(cell)
        if _nbgrader(cell).get("grade_id") == "setup":
            cells.append(language_cell(language))
    notebook.cells = cells
    notebook.metadata["backprop_lab"] = {"language": language}
    return notebook


def release_translations(lesson_ids, release_dir):
    """Write ``<release_dir>/<language>/<lesson>/<lesson>.ipynb`` from each released English
    notebook that has a catalogue; return the paths written."""
    written = []
    for lesson in lesson_ids:
        for language in translated_languages(lesson):
            english = nbformat.read(release_dir / lesson / f"{lesson}.ipynb", as_version=4)
            path = release_dir / language / lesson / f"{lesson}.ipynb"
            path.parent.mkdir(parents=True, exist_ok=True)
            nbformat.write(translate_notebook(english, load(lesson, language), language), path)
            written.append(path)
    return written


def check(lesson_ids):
    """``(problems, notes)`` for ``release --check``: what keeps each catalogue from being complete,
    and a line per lesson and language that has no catalogue (released in English only)."""
    problems, notes = [], []
    for language in LANGUAGES:
        translated = [lesson for lesson in lesson_ids if catalogue_path(lesson, language).exists()]
        for lesson in sorted(set(lesson_ids) - set(translated), key=lesson_ids.index):
            notes.append(f"{lesson}: no {language} catalogue ({catalogue_path(lesson, language).relative_to(ROOT)}), "
                         "released in English only")
        for name in [*MODULES, *translated] if translated else []:
            problems += catalogue_problems(name, language)
    return problems, notes
