"""What a process of the grader does before it imports anything else: ``python -m autograder``
(``__main__``) and a Dask worker's grading agent (``python -m autograder.cluster``) import this first.

An override of jsonschema 4.26 (listed in ``autograder.overrides``): when rfc3987_syntax is
installed, jsonschema imports it for its "iri" formats, and it builds a grammar on import, a
second of every process's start. No schema the grader checks uses those formats.
"""

import sys

sys.modules.setdefault("rfc3987_syntax", None)
