"""Markup of feedback pages: math as MathML and the course's figures embedded, so a page needs
no script and no other file.

Feedback pages run no script (their Content Security Policy forbids it), load nothing, and
are read offline, so MathJax cannot typeset them and ``../../assets/`` is not beside them.

- ``render_math``: ``latex2mathml`` converts each ``$...$`` and ``$$...$$`` of the HTML that
  markdown rendered into MathML, which browsers draw natively. Code (``<code>``, ``<pre>``)
  is left alone, and so is TeX that does not convert (it stays as text). The result is
  cleaned afterwards like all markdown: ``MATHML_TAGS`` and ``MATHML_ATTRIBUTES`` are what
  the cleaning step must let through.
- ``mark_figures`` / ``embed_figures``: an image of the course's ``assets/`` folder becomes a
  mark before the cleaning (which keeps no image source) and a ``data:`` image after it. A
  student who writes the mark gets one of the course's own figures, nothing else.
"""

import base64
import html
import re

from latex2mathml.converter import convert

from .course import ROOT

ASSETS = ROOT / "assets"
FIGURE = re.compile(r'<img\b[^>]*?\bsrc="(?:[^"]*/)?assets/([\w.-]+\.png)"[^>]*>')
FIGURE_MARK = re.compile(r"⟦figure ([\w.-]+\.png)\|([^⟧]*)⟧")
ALT = re.compile(r'\balt="([^"]*)"')

CODE = re.compile(r"(<code\b.*?</code>|<pre\b.*?</pre>)", re.S)
DISPLAY = re.compile(r"\$\$(.+?)\$\$", re.S)
INLINE = re.compile(r"(?<![\\$])\$(?!\s)([^$]+?)(?<!\s)\$")

MATHML_TAGS = ["math", "mrow", "mi", "mo", "mn", "ms", "mtext", "mspace", "mfrac", "msqrt", "mroot", "msup", "msub",
               "msubsup", "mover", "munder", "munderover", "mtable", "mtr", "mtd", "mstyle", "mpadded",
               "mphantom", "menclose", "merror", "semantics", "annotation"]
MATHML_ATTRIBUTES = {tag: ["display", "mathvariant", "stretchy", "fence", "form", "separator", "accent",
                           "accentunder", "columnalign", "columnspacing", "rowspacing", "displaystyle",
                           "scriptlevel", "lspace", "rspace", "width", "height", "depth", "linethickness",
                           "notation", "minsize", "maxsize", "symmetric", "largeop", "movablelimits"]
                     for tag in MATHML_TAGS}


def _mathml(tex, display):
    try:
        return convert(html.unescape(tex).strip(), display=display)
    except Exception:  # TeX latex2mathml cannot read stays as the student or author wrote it
        return None


def render_math(rendered):
    """``rendered`` HTML with its ``$$...$$`` and ``$...$`` outside code as MathML."""
    def block(match):
        return _mathml(match.group(1), "block") or match.group(0)

    def inline(match):
        return _mathml(match.group(1), "inline") or match.group(0)

    parts = CODE.split(rendered)
    for i in range(0, len(parts), 2):  # the odd parts are code
        parts[i] = INLINE.sub(inline, DISPLAY.sub(block, parts[i]))
    return "".join(parts)


def mark_figures(rendered):
    """Each ``<img>`` of a course figure in ``rendered`` HTML as a mark the cleaning keeps."""
    def mark(match):
        alt = ALT.search(match.group(0))
        return f"⟦figure {match.group(1)}|{alt.group(1) if alt else ''}⟧"

    return FIGURE.sub(mark, rendered)


def embed_figures(cleaned):
    """Each mark of a figure in ``cleaned`` HTML as an ``<img>`` with the figure's bytes inline."""
    def embed(match):
        path = ASSETS / match.group(1)
        if not path.is_file():
            return match.group(0)
        data = base64.b64encode(path.read_bytes()).decode("ascii")
        alt = html.escape(html.unescape(match.group(2)), quote=True)
        return f'<img src="data:image/png;base64,{data}" alt="{alt}">'

    return FIGURE_MARK.sub(embed, cleaned)
